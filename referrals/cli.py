"""Operator commands for the referral network: bank API tokens and the daily SLA flag.

Each command is its own unit of work: it calls one service and commits."""

import click
from flask.cli import AppGroup

from marketplace.core.errors import NotFound
from marketplace.extensions import db
from referrals.services import scope, sla, tokens

referrals = AppGroup("referrals", help="The KUR referral network.")


@referrals.command("issue-token")
@click.argument("bank_slug")
@click.option("--label", default="", help="What the token is for, e.g. the bank's system.")
def issue_token(bank_slug: str, label: str) -> None:
    """Issue an API token for BANK_SLUG and print it once (only its hash is stored)."""
    try:
        bank = scope.bank_by_slug_or_404(bank_slug)
    except NotFound:
        raise click.ClickException(f"No bank with slug {bank_slug!r}.") from None
    row, token = tokens.issue_token(bank, label)
    db.session.commit()
    click.echo(f"Token id {row.id} for {bank.slug} (shown once, store it now):", err=True)
    click.echo(token)


@referrals.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (as printed by issue-token or list-tokens)."""
    try:
        row = tokens.revoke_token(token_id)
    except NotFound:
        raise click.ClickException(f"No token with id {token_id}.") from None
    db.session.commit()
    click.echo(f"Token {row.id} of {row.bank.slug} revoked at {row.revoked_at.isoformat()}.")


@referrals.command("list-tokens")
@click.option("--bank", "bank_slug", default=None, help="Only this bank's tokens.")
def list_tokens(bank_slug: str | None) -> None:
    """List API tokens: id, bank, label, created, last used, revoked (never the secret)."""
    for row in tokens.tokens(bank_slug):
        last = row.last_used_at.isoformat() if row.last_used_at else "never"
        state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "active"
        click.echo(
            f"{row.id}\t{row.bank.slug}\t{row.label or '-'}\t"
            f"created {row.created_at.isoformat()}\tlast used {last}\t{state}"
        )


@referrals.command("add-officer")
@click.argument("bank_slug")
@click.argument("account")
def add_officer(bank_slug: str, account: str) -> None:
    """Make ACCOUNT (an e-mail, or the WhatsApp number of a phone-only account) an officer
    of BANK_SLUG: the admin page's rule (services.add_officer)."""
    from marketplace.core.views import command_unit_of_work
    from referrals.services import banks

    try:
        bank = scope.bank_by_slug_or_404(bank_slug)
    except NotFound:
        raise click.ClickException(f"No bank with slug {bank_slug!r}.") from None
    with command_unit_of_work():
        officer = banks.add_officer(bank, account, admin=None)
    click.echo(f"{officer.user.display_identifier} is now an officer of {bank.slug}.")


@referrals.command("flag-overdue")
def flag_overdue() -> None:
    """Daily: flag referrals not acknowledged within 3 working days to the bank and lead."""
    from marketplace.notifications.outbox import send_pending

    count = sla.flag_overdue()
    db.session.commit()
    send_pending()
    click.echo(f"flagged {count} referral(s) not acknowledged within 3 working days")
