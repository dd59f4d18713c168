"""Operator commands: create-admin, assign-lead and seed-demo (which loads marketplace.demo
lazily)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.core.views import command_unit_of_work
from marketplace.extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", default="Admin Pasarkita", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform admin account (or promote an existing one)."""
    existing = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if existing is not None:
        existing.is_admin = True
        db.session.commit()
        click.echo(f"{existing.email} is now an admin.")
        return
    with command_unit_of_work():
        user = accounts.register_user(email=email, password=password, name=name, is_admin=True)
    click.echo(f"Admin {user.email} created.")


@click.command("assign-lead")
@click.argument("chapter_slug")
@click.argument("account")
@with_appcontext
def assign_lead(chapter_slug: str, account: str) -> None:
    """Make ACCOUNT (an e-mail, or the WhatsApp number of a phone-only account) a lead of
    CHAPTER_SLUG: the admin page's rule (chapters.assign_lead), audited with no admin."""
    from marketplace.chapters import services as chapters
    from marketplace.core.errors import NotFound

    try:
        chapter = chapters.get_chapter_by_slug(chapter_slug)
    except NotFound:
        raise click.ClickException(f"No chapter with slug {chapter_slug!r}.") from None
    with command_unit_of_work():
        lead = chapters.assign_lead(chapter, account, admin=None)
    click.echo(f"{lead.user.display_identifier} is now a lead of {chapter_slug}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load reference data and demo accounts (idempotent, fixed random seed)."""
    # Imported here only: the demo package (and Faker) is development data, never loaded
    # by a production start.
    from marketplace.demo import DEMO_PASSWORD, seed

    try:
        logins = seed()
    except ModuleNotFoundError as exc:
        if exc.name != "faker":
            raise
        raise click.ClickException(
            "seed-demo needs the development extras: pip install -e '.[dev]'"
        ) from exc
    db.session.commit()

    click.echo("Demo data ready. Every demo account uses the password: " + DEMO_PASSWORD)
    for role, email, where in logins:
        click.echo(f"  {role:<34} {email:<40} {where}")
