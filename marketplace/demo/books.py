"""Demo books: offline sales and expenses typed by owners over a year."""

import random
from datetime import timedelta

from sqlalchemy import select

from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerEntry


def seed_books(owners_by_business) -> None:
    """Offline sales and expenses typed by owners; one member stopped three months ago."""
    rng = random.Random(7)  # noqa: S311 - reproducible demo data
    today = jakarta_today()
    for index, (business, owner) in enumerate(owners_by_business):
        if db.session.scalar(
            select(LedgerEntry.id)
            .where(
                LedgerEntry.business_id == business.id,
                LedgerEntry.kind.in_(("manual_income", "expense")),
            )
            .limit(1)
        ):
            continue
        stop_after = 3 if index == 1 else 0  # this member stopped keeping books
        for back in range(11, stop_after - 1, -1):
            day = today - timedelta(days=30 * back + rng.randrange(0, 20))
            ledger.add_entry(
                business,
                kind="manual_income",
                category="penjualan_offline",
                amount_idr=rng.randrange(20, 120) * 10_000,
                occurred_on=day,
                note="Bazar / pesanan tetangga",
                actor=owner,
            )
            for category in ("bahan_baku", "transport"):
                ledger.add_entry(
                    business,
                    kind="expense",
                    category=category,
                    amount_idr=rng.randrange(5, 60) * 10_000,
                    occurred_on=day,
                    note=None,
                    actor=owner,
                )
