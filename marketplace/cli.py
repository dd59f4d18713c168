"""Operator commands: create-admin and seed-demo."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.chapters import services as chapters
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db

DEMO_PASSWORD = "pasarkita-demo-2026"  # noqa: S105 - printed demo login, dev data only
DEMO_SEED = 2026


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
    try:
        user = accounts.register_user(email=email, password=password, name=name, is_admin=True)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Admin {user.email} created.")


def _demo_user(email: str, name: str, phone: str | None = None, *, is_admin=False) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = accounts.register_user(
            email=email, password=DEMO_PASSWORD, name=name, phone=phone, is_admin=is_admin
        )
    return user


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load reference data and demo accounts (idempotent, fixed random seed)."""
    from faker import Faker

    from marketplace.seed import (
        extend_demo,
        seed_books,
        seed_mentoring,
        seed_orders,
        verified_owners,
    )

    fake = Faker("id_ID")
    Faker.seed(DEMO_SEED)
    chapters.ensure_reference_data()

    logins: list[tuple[str, str, str]] = []
    admin = _demo_user("admin@pasarkita.test", "Admin Pasarkita", is_admin=True)
    logins.append(("admin", admin.email, "/admin/"))

    for slug, email in (
        ("tebet", "pengurus.tebet@pasarkita.test"),
        ("cakung", "pengurus.cakung@pasarkita.test"),
    ):
        chapter = chapters.get_chapter_by_slug(slug)
        lead = _demo_user(email, fake.name(), fake.numerify("0812########"))
        if not chapters.is_lead(lead, chapter):
            chapters.assign_lead(chapter, lead.email, admin=admin)
        logins.append((f"chapter lead ({chapter.name})", lead.email, f"/lead/{slug}/"))

    consumers = []
    for i in range(1, 5):
        consumer = _demo_user(f"pembeli{i}@pasarkita.test", fake.name())
        consumers.append(consumer)
        if i == 1:
            logins.append(("consumer", consumer.email, "/orders"))

    logins.extend(extend_demo(fake, admin))
    seed_orders(fake, consumers)
    seed_books(verified_owners())
    seed_mentoring()
    from flask import current_app

    from marketplace.core.extension import registry

    for step in registry(current_app).demo_steps:
        logins.extend(step(lambda email, name: _demo_user(email, name)))
    db.session.commit()

    click.echo("Demo data ready. Every demo account uses the password: " + DEMO_PASSWORD)
    for role, email, where in logins:
        click.echo(f"  {role:<34} {email:<40} {where}")
