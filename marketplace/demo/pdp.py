"""Demo assisted mode (issue 14 item 8): Bu Sari lets the Tebet lead keep her books and
upload documents for 30 days, and the lead has already entered one expense for her."""

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.assist import services as assist
from marketplace.assist.models import AssistGrant
from marketplace.businesses.models import Business
from marketplace.extensions import db
from marketplace.ledger import services as ledger


def seed_assist() -> None:
    business = db.session.scalar(select(Business).where(Business.name == "Batik Bu Sari"))
    lead = db.session.scalar(select(User).where(User.email == "pengurus.tebet@pasarkita.test"))
    if business is None or lead is None:
        return
    if db.session.scalar(select(AssistGrant.id).where(AssistGrant.business_id == business.id)):
        return  # seeded once
    assist.grant_access(
        business.owner, business, helper=lead, tasks=["books", "documents"], days=30
    )
    ledger.add_entry(
        business,
        kind="expense",
        category="bahan_baku",
        amount_idr=85_000,
        occurred_on=None,
        note="Kain mori 5 meter (dicatat oleh pengurus)",
        actor=lead,
    )
