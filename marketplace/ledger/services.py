"""The SME's books (Pelaporan Keuangan).

Platform sales and refunds are written automatically, exactly once per order (a unique
key on (order_id, kind)); owners add offline sales and expenses in a few taps. Monthly
figures are SQL aggregates, so a business with years of entries costs one query.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, delete, func, select
from sqlalchemy.orm import aliased

from marketplace.businesses.models import Business
from marketplace.core import audit
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.models import rowcount
from marketplace.core.money import MAX_LEDGER_ENTRY_IDR, MAX_PAYOUT_IDR, require_amount
from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.ledger.models import (
    BOOKKEEPING_ORIGINS,
    CATEGORIES,
    EFFECTS,
    KINDS,
    OWNER_KINDS,
    UNDO_MINUTES,
    DeletedLedgerEntry,
    LedgerEntry,
    Origin,
    Payout,
)

CATEGORY_LABELS = {
    "penjualan_platform": _l("Penjualan Pasarkita"),
    "ongkir_platform": _l("Ongkir dari pembeli Pasarkita"),
    "refund_platform": _l("Pengembalian dana Pasarkita"),
    "penjualan_offline": _l("Penjualan langsung / offline"),
    "bahan_baku": _l("Bahan baku"),
    "sewa": _l("Sewa tempat"),
    "gaji": _l("Gaji / upah"),
    "transport": _l("Transport / ongkir"),
    "listrik_air": _l("Listrik, air, pulsa"),
    "lainnya": _l("Lainnya"),
    # One category per kind (the kind is the category): marketplace/ledger/models.py
    "credit_sale": _l("Penjualan kredit (piutang)"),
    "receivable_collected": _l("Pelunasan piutang dari pembeli"),
    "stock_purchase": _l("Pembelian stok barang (tunai)"),
    "credit_purchase": _l("Pembelian stok secara kredit (utang)"),
    "payable_paid": _l("Pembayaran utang ke pemasok"),
    "stock_used": _l("Stok terjual / terpakai (harga pokok)"),
    "asset_purchase": _l("Pembelian peralatan usaha"),
    "loan_received": _l("Pinjaman diterima"),
    "loan_repaid": _l("Cicilan pinjaman (pokok)"),
    "owner_capital": _l("Setoran modal pemilik"),
    "owner_withdrawal": _l("Pengambilan pribadi (prive)"),
}
MAX_AMOUNT = MAX_LEDGER_ENTRY_IDR  # marketplace.core.money


def _paid_day(order) -> date:
    from marketplace.core.timeutil import JAKARTA

    when = order.paid_at or order.created_at
    return when.astimezone(JAKARTA).date()


def record_sale(order) -> LedgerEntry:
    """The sale in the books: the goods, and the ongkir the buyer paid as its own income
    category (``ongkir_platform``) when there is any. Returns the goods entry."""
    shipping = getattr(order, "shipping_idr", 0) or 0
    entry = LedgerEntry(
        business_id=order.business_id,
        kind="sale",
        category="penjualan_platform",
        amount_idr=order.total_idr - shipping,
        occurred_on=_paid_day(order),
        order_id=order.id,
        note=_sale_note(order),
        origin=Origin.PLATFORM,
    )
    db.session.add(entry)
    if shipping:
        db.session.add(
            LedgerEntry(
                business_id=order.business_id,
                kind="sale",
                category="ongkir_platform",
                amount_idr=shipping,
                occurred_on=entry.occurred_on,
                order_id=order.id,
                note=f"Ongkir pesanan #{order.id}",
                origin=Origin.PLATFORM,
            )
        )
    db.session.flush()  # the unique (order_id, kind, category) key refuses a second sale
    return entry


def _sale_note(order) -> str:
    """ "Pesanan #12", and what was sold when a line is a variant (issue 16): the books say
    which size went ("Pesanan #12: Daster Rayon (Ukuran: M) × 2")."""
    lines = list(getattr(order, "lines", None) or ())
    if not any(getattr(line, "variant_label", None) for line in lines):
        return f"Pesanan #{order.id}"
    sold = "; ".join(f"{line.display_name} × {line.quantity}" for line in lines)
    return f"Pesanan #{order.id}: {sold}"


def record_refund(order) -> LedgerEntry:
    entry = LedgerEntry(
        business_id=order.business_id,
        kind="refund",
        category="refund_platform",
        amount_idr=order.total_idr,
        occurred_on=jakarta_today(),
        order_id=order.id,
        note=f"Pengembalian pesanan #{order.id}",
        origin=Origin.PLATFORM,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def record_stripe_refund(order, refunded_idr: int) -> LedgerEntry:
    """The order's one refund entry, at what Stripe has given back so far: written by the
    first refund, raised by each later partial one (each Stripe refund reaches here once;
    payments keys them by refund id). The (order_id, kind) key keeps it one row."""
    entry = db.session.scalar(
        select(LedgerEntry).where(LedgerEntry.order_id == order.id, LedgerEntry.kind == "refund")
    )
    if entry is None:
        entry = LedgerEntry(
            business_id=order.business_id,
            kind="refund",
            category="refund_platform",
            amount_idr=refunded_idr,
            occurred_on=jakarta_today(),
            order_id=order.id,
            note=f"Pengembalian pesanan #{order.id}",
            origin=Origin.PLATFORM,
        )
        db.session.add(entry)
    else:
        entry.amount_idr = refunded_idr
    db.session.flush()
    return entry


def add_entry(
    business: Business,
    *,
    kind: str,
    category: str | None,
    amount_idr: int,
    occurred_on: date | None,
    note: str | None,
    actor,
    origin: str = Origin.OWNER,
) -> LedgerEntry:
    """An entry the owner typed: an offline sale, an expense, or one of the kinds the
    statements need (prive, stock, equipment, receivables, payables, loans, capital). A
    kind with a single category takes it whatever ``category`` says. A helper needs the
    member's grant for the books (recorded as done by the helper for the member)."""
    from marketplace.assist import services as assist
    from marketplace.assist.models import AssistTask

    grant = assist.check_helper(actor, business, AssistTask.BOOKS)
    if grant is not None:
        origin = Origin.LEAD  # entered by the assisting lead or helper, for the member
    if kind not in OWNER_KINDS:
        raise ValidationFailed(_l("Pilih jenis catatan."), field="kind")
    allowed = CATEGORIES[kind]
    if len(allowed) == 1:
        category = allowed[0]
    if category not in allowed:
        raise ValidationFailed(_l("Pilih kategori."), field="category")
    if origin not in (Origin.OWNER, Origin.LEAD):
        raise ValidationFailed(_l("Pilih jenis catatan."), field="kind")
    require_amount(amount_idr, maximum=MAX_AMOUNT)
    today = jakarta_today()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationFailed(_l("Tanggal tidak boleh di masa depan."), field="occurred_on")
    entry = LedgerEntry(
        business_id=business.id,
        kind=kind,
        category=category,
        amount_idr=amount_idr,
        occurred_on=occurred_on,
        note=(note or "").strip()[:500] or None,
        created_by_id=actor.id,
        origin=origin,
    )
    db.session.add(entry)
    db.session.flush()
    assist.record_assisted(grant, actor, business, AssistTask.BOOKS, "ledger.entry_added", entry)
    return entry


def _restorable(entry: LedgerEntry) -> dict:
    return {
        "kind": entry.kind,
        "category": entry.category,
        "amount_idr": entry.amount_idr,
        "occurred_on": entry.occurred_on.isoformat(),
        "note": entry.note,
        "created_by_id": entry.created_by_id,
        "created_at": entry.created_at.isoformat(),
        "origin": entry.origin,
    }


def delete_manual_entry(business: Business, entry_id, *, actor, now=None) -> LedgerEntry:
    """Owners may correct their own typing; platform sales and refunds stay. The entry
    leaves the books at once and waits UNDO_MINUTES in ``deleted_ledger_entry`` for
    ``undo_delete``; older waiting entries of the business are dropped here."""
    now = now or utcnow()
    entry = get_owner_entry(business, entry_id)
    db.session.execute(
        delete(DeletedLedgerEntry).where(
            DeletedLedgerEntry.business_id == business.id,
            DeletedLedgerEntry.deleted_at < now - timedelta(minutes=UNDO_MINUTES),
        )
    )
    db.session.add(
        DeletedLedgerEntry(
            id=entry.id,
            business_id=business.id,
            entry=_restorable(entry),
            deleted_by_id=actor.id,
            deleted_at=now,
        )
    )
    db.session.delete(entry)
    db.session.flush()
    return entry


def get_owner_entry(business: Business, entry_id) -> LedgerEntry:
    """One of the business's own typed entries, or NotFound (platform entries too)."""
    entry = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.id == parse_id(entry_id),
            LedgerEntry.business_id == business.id,
            LedgerEntry.kind.in_(OWNER_KINDS),
        )
    )
    if entry is None:
        raise NotFound()
    return entry


def undoable(business: Business, entry_id, now=None) -> DeletedLedgerEntry | None:
    """The business's deleted entry if it can still be put back."""
    now = now or utcnow()
    return db.session.scalar(
        select(DeletedLedgerEntry).where(
            DeletedLedgerEntry.id == parse_id(entry_id),
            DeletedLedgerEntry.business_id == business.id,
            DeletedLedgerEntry.deleted_at >= now - timedelta(minutes=UNDO_MINUTES),
        )
    )


def undo_delete(business: Business, entry_id, *, actor, now=None) -> LedgerEntry:
    """Put a deleted entry back, with its id, within UNDO_MINUTES of the delete; later,
    or for another business's entry: NotFound. The row is taken with a compare-and-delete,
    so two clicks restore it once."""
    entry_id = parse_id(entry_id)
    kept = undoable(business, entry_id, now)
    if kept is None:
        raise NotFound()
    data = dict(kept.entry)
    taken = db.session.execute(delete(DeletedLedgerEntry).where(DeletedLedgerEntry.id == entry_id))
    if rowcount(taken) != 1:
        raise NotFound()
    entry = LedgerEntry(
        id=entry_id,
        business_id=business.id,
        kind=data["kind"],
        category=data["category"],
        amount_idr=data["amount_idr"],
        occurred_on=date.fromisoformat(data["occurred_on"]),
        note=data["note"],
        created_by_id=data["created_by_id"],
        created_at=datetime.fromisoformat(data["created_at"]),
        origin=data["origin"],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _signed():
    return case(
        *(
            (LedgerEntry.kind == kind, LedgerEntry.amount_idr * sign)
            for kind, sign in KINDS.items()
        ),
    )


@dataclass
class Month:
    year: int
    month: int
    platform_sales: int = 0
    offline_sales: int = 0
    refunds: int = 0
    expenses: int = 0

    @property
    def income(self) -> int:
        return self.platform_sales + self.offline_sales - self.refunds

    @property
    def profit(self) -> int:
        return self.income - self.expenses

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def monthly_summary(business_id: int, months: int = 12, today: date | None = None) -> list[Month]:
    """The last ``months`` months (oldest first), from one grouped query."""
    today = today or jakarta_today()
    start = _month_start(today, months - 1)
    year = func.extract("year", LedgerEntry.occurred_on)
    month = func.extract("month", LedgerEntry.occurred_on)
    rows = db.session.execute(
        select(
            year, month, LedgerEntry.kind, LedgerEntry.category, func.sum(LedgerEntry.amount_idr)
        )
        .where(LedgerEntry.business_id == business_id, LedgerEntry.occurred_on >= start)
        .group_by(year, month, LedgerEntry.kind, LedgerEntry.category)
    ).all()
    out = {}
    for back in range(months - 1, -1, -1):
        first = _month_start(today, back)
        out[(first.year, first.month)] = Month(first.year, first.month)
    for y, m, kind, _category, total in rows:
        item = out.get((int(y), int(m)))
        if item is not None:
            _add(item, kind, int(total))
    return list(out.values())


def _add(item: Month, kind: str, total: int) -> None:
    effect = EFFECTS[kind]
    if kind == "sale":
        item.platform_sales += total
    elif kind == "refund":
        item.refunds += total
    elif effect.income:  # offline cash or credit sales
        item.offline_sales += total
    elif effect.expense:  # expenses and the cost of stock sold
        item.expenses += total
    # prive, stock bought, equipment, loans, capital: no profit or loss


def months_from_rows(rows, today: date, months: int = 12) -> list[Month]:
    """``monthly_summary`` from ``statements.rows_for``'s rows (bucket = month index), so
    the dossier reads its monthly table and its statements in one statement."""
    out = {}
    for back in range(months - 1, -1, -1):
        first = _month_start(today, back)
        out[first.year * 12 + first.month - 1] = Month(first.year, first.month)
    for kind, _category, bucket, total, _n in rows:
        item = out.get(bucket)
        if item is not None:
            _add(item, kind, total)
    return list(out.values())


def week_of_month(day_column):
    """1 for days 1-7, 2 for 8-14, 3 for 15-21, 4 for 22-28, 5 for 29-31 (SQL)."""
    day = cast(func.extract("day", day_column), Integer)
    return case((day <= 7, 1), (day <= 14, 2), (day <= 21, 3), (day <= 28, 4), else_=5)


def books_months(business_ids, *, since: date, until: date | None = None):
    """The one "books kept" rule, as SQL: a SELECT of ``(business_id, month_index)`` (month
    index = year * 12 + month - 1), one row per month from ``since`` (up to ``until``,
    excluded) in which the business kept books: the owner (or an assisting lead) made
    entries in at least the chapter's ``books_weeks_required`` distinct weeks of the month
    (weeks = days 1-7, 8-14, 15-21, 22-28, 29-31; default 4). Platform sales and refunds are
    written by the platform and never count: the seed paper's point is that owners stop
    keeping records after training. ``business_ids`` is a SELECT of ids (never a bound list
    that grows with the data) or None for every business. One grouped SELECT."""
    member, chapter = aliased(Business), aliased(_chapter_model())
    index = (
        func.extract("year", LedgerEntry.occurred_on) * 12
        + func.extract("month", LedgerEntry.occurred_on)
        - 1
    )
    stmt = (
        select(LedgerEntry.business_id, index.label("month_index"))
        .join(member, member.id == LedgerEntry.business_id)
        .join(chapter, chapter.id == member.chapter_id)
        .where(
            LedgerEntry.occurred_on >= since,
            LedgerEntry.origin.in_([str(o) for o in BOOKKEEPING_ORIGINS]),
        )
    )
    if until is not None:
        stmt = stmt.where(LedgerEntry.occurred_on < until)
    if business_ids is not None:
        stmt = stmt.where(LedgerEntry.business_id.in_(business_ids))
    return stmt.group_by(LedgerEntry.business_id, index, chapter.books_weeks_required).having(
        func.count(func.distinct(week_of_month(LedgerEntry.occurred_on)))
        >= chapter.books_weeks_required
    )


def _chapter_model():
    from marketplace.chapters.models import Chapter

    return Chapter


def books_kept(business_id: int, year: int, month: int) -> bool:
    """The month has books (``books_months``)."""
    first = date(year, month, 1)
    months = books_months(
        select(Business.id).where(Business.id == business_id),
        since=first,
        until=_month_start(first, -1),
    ).subquery()
    return bool(db.session.scalar(select(func.count()).select_from(months)))


def months_with_books(business_ids, since: date) -> dict[int, set[tuple[int, int]]]:
    """For many businesses at once: which (year, month) have books since ``since``.
    ``business_ids`` is a SELECT of ids (never a bound list that grows with the data); a
    short list of known ids (one member's pre-screen) is accepted too."""
    rows = db.session.execute(books_months(business_ids, since=since)).all()
    out: dict[int, set] = {}
    for business_id, index in rows:
        index = int(index)
        out.setdefault(business_id, set()).add((index // 12, index % 12 + 1))
    return out


def entries_select(business_id: int):
    """The business's entries, for a keyset page sorted by (occurred_on, id)."""
    return select(LedgerEntry).where(LedgerEntry.business_id == business_id)


def entries(business_id: int, limit: int = 100) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            entries_select(business_id)
            .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())
            .limit(limit)
        )
    )


def all_entries(business_id: int):
    return db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.business_id == business_id)
        .order_by(LedgerEntry.occurred_on, LedgerEntry.id)
    )


# --- payable balance and payouts ---------------------------------------------------------


def _completed_order_ids():
    """The orders whose money is the seller's: completed (issue 15: held until receipt).
    Once completed, an order stays counted; a later refund is counted against it."""
    from marketplace.orders.models import Order

    return select(Order.id).where(Order.completed_at.is_not(None))


def _payable_net():
    return func.sum(
        case(
            (LedgerEntry.kind == "sale", LedgerEntry.amount_idr),
            (LedgerEntry.kind == "refund", -LedgerEntry.amount_idr),
            else_=0,
        )
    )


def payable_balance(business_id: int) -> int:
    """Completed platform orders minus their refunds minus payouts already made."""
    sales = db.session.scalar(
        select(func.coalesce(_payable_net(), 0)).where(
            LedgerEntry.business_id == business_id,
            LedgerEntry.kind.in_(("sale", "refund")),
            LedgerEntry.order_id.in_(_completed_order_ids()),
        )
    )
    paid_out = db.session.scalar(
        select(func.coalesce(func.sum(Payout.amount_idr), 0)).where(
            Payout.business_id == business_id
        )
    )
    return int(sales or 0) - int(paid_out or 0)


def held_orders(business_id: int, limit: int = 50):
    """The business's paid orders whose money is held (not completed yet), oldest first,
    with what each will add to the payable balance: (order, net) rows."""
    from marketplace.orders.models import Order, OrderStatus

    return db.session.execute(
        select(Order, Order.total_idr - Order.refunded_idr)
        .where(
            Order.business_id == business_id,
            Order.status.in_((OrderStatus.PAID, OrderStatus.SHIPPED)),
            Order.completed_at.is_(None),
        )
        .order_by(Order.paid_at, Order.id)
        .limit(limit)
    ).all()


def held_balance(business_id: int) -> int:
    """What paid orders not completed yet will bring (money held until receipt)."""
    from marketplace.orders.models import Order, OrderStatus

    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Order.total_idr - Order.refunded_idr), 0)).where(
                Order.business_id == business_id,
                Order.status.in_((OrderStatus.PAID, OrderStatus.SHIPPED)),
                Order.completed_at.is_(None),
            )
        )
        or 0
    )


def balances() -> list[tuple[Business, int]]:
    """Every business with money owed to it, for the admin payouts page."""
    sale_sum = (
        select(
            LedgerEntry.business_id.label("bid"),
            func.sum(
                case(
                    (LedgerEntry.kind == "sale", LedgerEntry.amount_idr),
                    else_=-LedgerEntry.amount_idr,
                )
            ).label("net"),
        )
        .where(
            LedgerEntry.kind.in_(("sale", "refund")),
            LedgerEntry.order_id.in_(_completed_order_ids()),
        )
        .group_by(LedgerEntry.business_id)
        .subquery()
    )
    payout_sum = (
        select(Payout.business_id.label("bid"), func.sum(Payout.amount_idr).label("out"))
        .group_by(Payout.business_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Business, sale_sum.c.net - func.coalesce(payout_sum.c.out, 0))
        .join(sale_sum, sale_sum.c.bid == Business.id)
        .outerjoin(payout_sum, and_(payout_sum.c.bid == Business.id))
        .order_by(Business.name)
    ).all()
    return [(business, int(balance)) for business, balance in rows]


def record_payout(
    business: Business, *, amount_idr: int, reference: str, paid_on: date, actor
) -> Payout:
    from marketplace.assist.services import refuse_helper

    refuse_helper(actor)  # money out: never in assisted mode
    require_amount(amount_idr, maximum=MAX_PAYOUT_IDR)
    if amount_idr > payable_balance(business.id):
        raise ValidationFailed(_l("Jumlah melebihi saldo yang harus dibayar."), field="amount_idr")
    reference = (reference or "").strip()
    if not 3 <= len(reference) <= 80:
        raise ValidationFailed(_l("Isi nomor referensi transfer."), field="reference")
    payout = Payout(
        business_id=business.id,
        amount_idr=amount_idr,
        reference=reference,
        paid_on=paid_on,
        created_by_id=actor.id,
    )
    db.session.add(payout)
    db.session.flush()
    audit.record(
        "payout.recorded",
        actor=actor,
        role="admin",
        chapter=business.chapter,
        target=payout,
        amount_idr=amount_idr,
    )
    return payout
