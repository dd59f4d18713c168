"""Demo accounts: created once, found again on the next run."""

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.demo import builders
from marketplace.extensions import db

DEMO_PASSWORD = "pasarkita-demo-2026"  # noqa: S105 - printed demo login, dev data only


def demo_user(email: str, name: str, phone: str | None = None, *, is_admin=False) -> User:
    """The demo account of ``email``, registered on the first run only."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = builders.user(
            email=email, name=name, password=DEMO_PASSWORD, phone=phone, is_admin=is_admin
        )
    return user
