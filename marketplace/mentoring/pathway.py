"""The 7 PAS pathway, computed from data and never typed in.

P1 Pendaftaran, P2 Pelatihan, P3 Pendampingan, P4 Perizinan, P5 Pemasaran, P6 Pelaporan
Keuangan, P7 Permodalan. Jakpreneur treats them as facilities completed in any order, so
each step has its own completion date; only the gates the platform itself enforces (legality
before listing) are sequential elsewhere. Computed for a whole chapter with a fixed number of
grouped queries, however many members it has.

P7 comes from whichever feature registers a pathway provider giving "permodalan" and
"endorsed" dates (``core.extension.register_pathway_provider``; the referral network does).
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductEvent, ProductStatus
from marketplace.core.extension import registry
from marketplace.core.timeutil import JAKARTA, jakarta_today
from marketplace.extensions import db
from marketplace.ledger.services import months_with_books
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.mentoring.models import Attendance, ExternalTraining, MentoringSession
from marketplace.orders.models import Order

STEPS = (
    ("pendaftaran", _l("Pendaftaran")),
    ("pelatihan", _l("Pelatihan")),
    ("pendampingan", _l("Pendampingan")),
    ("perizinan", _l("Perizinan")),
    ("pemasaran", _l("Pemasaran")),
    ("pelaporan_keuangan", _l("Pelaporan Keuangan")),
    ("permodalan", _l("Permodalan")),
)

NEXT_STEP_TEXT = {
    "pelatihan": _l("Ikuti satu pelatihan: daftar sesi chapter Anda di bawah ini."),
    "pendampingan": _l("Hadiri sesi pendampingan chapter sampai %(n)d kali (sekarang %(done)d)."),
    "perizinan": _l("Unggah foto NIB Anda agar diperiksa pengurus chapter."),
    "pemasaran": _l("Tambahkan produk dan tampilkan di etalase Pasarkita."),
    "pelaporan_keuangan": _l(
        "Catat penjualan dan pengeluaran di buku kas setiap bulan (%(n)d bulan berturut-turut)."
    ),
    "permodalan": _l("Tanyakan ke pengurus chapter tentang rujukan KUR ke bank."),
}


@dataclass
class Step:
    key: str
    label: object
    done_on: date | None

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass
class Pathway:
    business: Business
    steps: list[Step]
    sessions_attended: int
    sessions_required: int
    books_months_required: int
    extra: dict = field(default_factory=dict)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    @property
    def next_step(self):
        """The one next step, in plain Indonesian (None when all are done)."""
        for step in self.steps:
            if not step.done:
                text = NEXT_STEP_TEXT.get(step.key)
                if text is None:
                    continue
                return step, text % {
                    "n": self.sessions_required
                    if step.key == "pendampingan"
                    else self.books_months_required,
                    "done": self.sessions_attended,
                }
        return None


def as_day(value) -> date | None:
    """A date from a date, an aware datetime (its Jakarta day) or SQLite text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value[:10]
        return date.fromisoformat(value)
    if hasattr(value, "astimezone") and getattr(value, "tzinfo", None) is not None:
        return value.astimezone(JAKARTA).date()
    return value if isinstance(value, date) and not hasattr(value, "hour") else value.date()


def _min_by_business(stmt) -> dict[int, date]:
    return {bid: as_day(value) for bid, value in db.session.execute(stmt).all()}


def _books_since(months: set, today: date, required: int) -> date | None:
    """Completion date when each of the last ``required`` complete months has entries."""
    year, month = today.year, today.month
    needed = []
    for _ in range(required):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        needed.append((year, month))
    if all(m in months for m in needed):
        y, m = needed[0]  # the most recent complete month closes the streak
        return date(y + (m == 12), m % 12 + 1, 1)
    return None


def _member_rows(business_filter):
    """Members with the dates the pathway needs, as correlated subqueries: one statement."""
    from marketplace.ledger.models import LedgerEntry
    from marketplace.mentoring.models import CheckIn

    def first(column, *where):
        return select(func.min(column)).where(*where).scalar_subquery()

    def last(column, *where):
        return select(func.max(column)).where(*where).scalar_subquery()

    stmt = (
        select(
            Business,
            first(ExternalTraining.completed_on, ExternalTraining.business_id == Business.id),
            first(
                LegalityDocument.status_changed_at,
                LegalityDocument.business_id == Business.id,
                LegalityDocument.kind == "nib",
                LegalityDocument.status == DocumentStatus.VERIFIED,
            ),
            select(func.min(ProductEvent.created_at))
            .join(Product, Product.id == ProductEvent.product_id)
            .where(
                Product.business_id == Business.id, ProductEvent.to_status == ProductStatus.LISTED
            )
            .scalar_subquery(),
            first(Order.paid_at, Order.business_id == Business.id, Order.paid_at.is_not(None)),
            last(CheckIn.created_at, CheckIn.business_id == Business.id),
            last(LedgerEntry.occurred_on, LedgerEntry.business_id == Business.id),
        )
        .options(joinedload(Business.chapter))
        .order_by(Business.name)
    )
    return db.session.execute(business_filter(stmt)).all()


def compute(business_filter, today: date | None = None) -> list[Pathway]:
    """Pathways for the members selected by ``business_filter`` (a function that adds a
    WHERE to a SELECT of Business) in four queries, whatever their number.

    Each member is judged by their own chapter's settings (sessions needed, months of
    books).
    """
    today = today or jakarta_today()
    rows = _member_rows(business_filter)
    if not rows:
        return []
    # The members as a subquery, never as a bound list of ids (drivers cap bind parameters:
    # SQLite at 32,766, psycopg at 65,535; a chapter or the platform has more members).
    ids = business_filter(select(Business.id))
    attended: dict[int, list] = {}
    for bid, starts_at in db.session.execute(
        select(Attendance.business_id, MentoringSession.starts_at)
        .join(MentoringSession, MentoringSession.id == Attendance.session_id)
        .where(Attendance.business_id.in_(ids))
        .order_by(Attendance.business_id, MentoringSession.starts_at)
    ).all():
        attended.setdefault(bid, []).append(as_day(starts_at))
    longest = max(row[0].chapter.books_months_required for row in rows)
    year, month = today.year, today.month - longest - 1
    while month <= 0:
        year, month = year - 1, month + 12
    books = months_with_books(ids, date(year, month, 1))
    provided: dict = {}
    for fn in registry().pathway_providers:
        provided.update(fn(ids))

    out = []
    for business, training, nib, listed, first_sale, checked, last_entry in rows:
        sessions_required = business.chapter.mentoring_sessions_required
        books_months = business.chapter.books_months_required
        dates = attended.get(business.id, [])
        first_training = min(
            filter(None, [as_day(training), dates[0] if dates else None]), default=None
        )
        marketing = min(filter(None, [as_day(listed), as_day(first_sale)]), default=None)
        steps = [
            Step("pendaftaran", STEPS[0][1], as_day(business.created_at)),
            Step("pelatihan", STEPS[1][1], first_training),
            Step(
                "pendampingan",
                STEPS[2][1],
                dates[sessions_required - 1] if len(dates) >= sessions_required else None,
            ),
            Step("perizinan", STEPS[3][1], as_day(nib)),
            Step("pemasaran", STEPS[4][1], marketing),
            Step(
                "pelaporan_keuangan",
                STEPS[5][1],
                _books_since(books.get(business.id, set()), today, books_months),
            ),
            Step("permodalan", STEPS[6][1], provided.get("permodalan", {}).get(business.id)),
        ]
        extra = {
            "first_sale": as_day(first_sale),
            "endorsed": provided.get("endorsed", {}).get(business.id),
            "attended_dates": dates,
            "last_check_in": as_day(checked),
            "last_entry": as_day(last_entry),
        }
        out.append(Pathway(business, steps, len(dates), sessions_required, books_months, extra))
    return out


def for_business(business: Business, today: date | None = None) -> Pathway:
    return compute(lambda stmt: stmt.where(Business.id == business.id), today=today)[0]


def for_chapter(chapter, today: date | None = None) -> list[Pathway]:
    return compute(lambda stmt: stmt.where(Business.chapter_id == chapter.id), today=today)


def for_platform(today: date | None = None) -> list[Pathway]:
    return compute(lambda stmt: stmt, today=today)


FUNNEL = (
    ("members", _l("Anggota")),
    ("verified", _l("NIB terverifikasi")),
    ("listed", _l("Produk tampil")),
    ("first_sale", _l("Penjualan pertama")),
    ("books", _l("Buku kas 3 bulan")),
    ("endorsed", _l("Direkomendasikan KUR")),
    ("approved", _l("KUR disetujui")),
)


def funnel(pathways: list[Pathway]) -> dict[str, int]:
    return {
        "members": len(pathways),
        "verified": sum(p.step("perizinan").done for p in pathways),
        "listed": sum(p.step("pemasaran").done for p in pathways),
        "first_sale": sum(p.extra["first_sale"] is not None for p in pathways),
        "books": sum(p.step("pelaporan_keuangan").done for p in pathways),
        "endorsed": sum(p.extra["endorsed"] is not None for p in pathways),
        "approved": sum(p.step("permodalan").done for p in pathways),
    }
