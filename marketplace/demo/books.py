"""Demo books: what owners type over a year, in the rhythm "books kept" asks for (entries in
at least 4 weeks of a month, the chapter's default), with the kinds the SAK EMKM statements
need: opening capital, stock bought and used, equipment, a sale on credit later collected,
a purchase on credit later paid, a small loan and the owner's monthly withdrawal (prive).

One member stopped keeping books three months ago; another writes only every other week, so
their months never count as kept (the rule the pathway and the KUR pre-screen use)."""

import random
from datetime import date

from sqlalchemy import select

from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import OWNER_KINDS, LedgerEntry

WEEK_DAYS = (2, 9, 16, 23)  # one entry day in each of four weeks


def _month(today: date, back: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - back
    return index // 12, index % 12 + 1


def seed_books(owners_by_business) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible demo data
    today = jakarta_today()
    for index, (business, owner) in enumerate(owners_by_business):
        if db.session.scalar(
            select(LedgerEntry.id)
            .where(LedgerEntry.business_id == business.id, LedgerEntry.kind.in_(OWNER_KINDS))
            .limit(1)
        ):
            continue

        def add(kind, amount, day, category=None, note=None, owner=owner, business=business):
            if day <= today:
                ledger.add_entry(
                    business,
                    kind=kind,
                    category=category,
                    amount_idr=amount,
                    occurred_on=day,
                    note=note,
                    actor=owner,
                )

        stop_after = 3 if index == 1 else 0  # this member stopped keeping books
        days = WEEK_DAYS[::2] if index == 2 else WEEK_DAYS  # every other week: not kept
        first_year, first_month = _month(today, 11)
        add("owner_capital", 5_000_000, date(first_year, first_month, 1), note="Modal awal")
        add("asset_purchase", 1_800_000, date(first_year, first_month, 1), note="Kompor dan oven")
        add("loan_received", 2_000_000, date(first_year, first_month, 2), note="Pinjaman koperasi")
        for back in range(11, stop_after - 1, -1):
            year, month = _month(today, back)
            add("stock_purchase", rng.randrange(20, 60) * 10_000, date(year, month, 1))
            for day in days:
                when = date(year, month, day)
                add(
                    "manual_income",
                    rng.randrange(10, 60) * 10_000,
                    when,
                    "penjualan_offline",
                    "Bazar / pesanan tetangga",
                )
                add("expense", rng.randrange(2, 15) * 10_000, when, "transport")
            add("stock_used", rng.randrange(15, 40) * 10_000, date(year, month, 25))
            add("owner_withdrawal", 300_000, date(year, month, 26), note="Kebutuhan rumah")
            add("loan_repaid", 150_000, date(year, month, 27), note="Cicilan koperasi")
            if back % 3 == 0:  # a catering order on credit, paid the next week
                add("credit_sale", 750_000, date(year, month, 10), note="Katering kantor RW")
                add("receivable_collected", 750_000, date(year, month, 17))
                add("credit_purchase", 400_000, date(year, month, 11), note="Tepung, bayar nanti")
                add("payable_paid", 400_000, date(year, month, 24))
