"""Operator commands for the referral network: bank API tokens."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.core.errors import NotFound
from marketplace.extensions import db
from referrals.models import Bank, BankToken

referrals = AppGroup("referrals", help="The KUR referral network.")


@referrals.command("issue-token")
@click.argument("bank_slug")
@click.option("--label", default="", help="What the token is for, e.g. the bank's system.")
def issue_token(bank_slug: str, label: str) -> None:
    """Issue an API token for BANK_SLUG and print it once (only its hash is stored)."""
    from referrals.bank_api import issue_token as issue

    bank = db.session.scalar(select(Bank).where(Bank.slug == bank_slug))
    if bank is None:
        raise click.ClickException(f"No bank with slug {bank_slug!r}.")
    row, token = issue(bank, label)
    db.session.commit()
    click.echo(f"Token id {row.id} for {bank.slug} (shown once, store it now):", err=True)
    click.echo(token)


@referrals.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (as printed by issue-token or list-tokens)."""
    from referrals.bank_api import revoke_token as revoke

    try:
        row = revoke(token_id)
    except NotFound:
        raise click.ClickException(f"No token with id {token_id}.") from None
    db.session.commit()
    click.echo(f"Token {row.id} of {row.bank.slug} revoked at {row.revoked_at.isoformat()}.")


@referrals.command("list-tokens")
@click.option("--bank", "bank_slug", default=None, help="Only this bank's tokens.")
def list_tokens(bank_slug: str | None) -> None:
    """List API tokens: id, bank, label, created, last used, revoked (never the secret)."""
    stmt = select(BankToken).join(Bank, Bank.id == BankToken.bank_id).order_by(BankToken.id)
    if bank_slug:
        stmt = stmt.where(Bank.slug == bank_slug)
    for row in db.session.scalars(stmt):
        last = row.last_used_at.isoformat() if row.last_used_at else "never"
        state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "active"
        click.echo(
            f"{row.id}\t{row.bank.slug}\t{row.label or '-'}\t"
            f"created {row.created_at.isoformat()}\tlast used {last}\t{state}"
        )


@referrals.command("flag-overdue")
def flag_overdue() -> None:
    """Daily: flag referrals not acknowledged within 3 working days to the bank and lead."""
    from marketplace.notifications.outbox import send_pending
    from referrals.services import flag_overdue as flag

    count = flag()
    db.session.commit()
    send_pending()
    click.echo(f"flagged {count} referral(s) not acknowledged within 3 working days")
