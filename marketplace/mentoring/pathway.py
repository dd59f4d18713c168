"""The 7 PAS pathway, computed from data and never typed in.

P1 Pendaftaran, P2 Pelatihan, P3 Pendampingan, P4 Perizinan, P5 Pemasaran, P6 Pelaporan
Keuangan, P7 Permodalan. Jakpreneur treats them as facilities completed in any order, so
each step has its own completion date; only the gates the platform itself enforces (legality
before listing) are sequential elsewhere.

Each fact a step reads is one grouped SELECT of ``(business_id, value)`` (``_fact_selects``),
never a Python loop over rows and never a bound list of ids (SQLite caps bind parameters at
32,766, psycopg at 65,535). One member or one page of members: the facts are outer-joined in
one statement (``compute``). Figures: one statement counting per chapter
(``funnel_by_chapter``), each fact looked up per member of one chapter, or read once for the
platform.

P7 comes from whichever feature registers a pathway provider giving "permodalan" and
"endorsed" SELECTs (``core.extension.register_pathway_provider``; the referral network does).
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductEvent, ProductStatus
from marketplace.core.extension import registry
from marketplace.core.timeutil import JAKARTA, jakarta_today
from marketplace.extensions import db
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


# The facts each step reads, as SQL: one grouped SELECT of (business_id, value) per fact,
# restricted to the members ``ids`` selects (a SELECT or CTE of ids, never a bound list:
# drivers cap bind parameters, SQLite at 32,766 and psycopg at 65,535) or to every business.
MEMBER_FACTS = (
    "training",
    "first_session",
    "sessions",
    "mentoring",
    "nib",
    "listed",
    "first_sale",
    "books",
    "last_check_in",
    "last_entry",
)
# Plug-in facts the pathway reads when a provider gives them (the referral network does).
PROVIDED_FACTS = ("endorsed", "permodalan")


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _within(column, ids):
    return column.in_(ids) if ids is not None else true()


def _fact_selects(ids, today: date, keys) -> dict:
    """``{fact: SELECT (business_id, value)}``, one row per business that has the fact."""
    from marketplace.chapters.models import Chapter
    from marketplace.ledger.models import LedgerEntry
    from marketplace.ledger.services import books_months
    from marketplace.mentoring.models import CheckIn

    out: dict = {}
    # Own aliases: these subqueries may sit inside a statement over business (correlated).
    member, chapter = aliased(Business), aliased(Chapter)

    def grouped(key, bid, value, *where, join=None):
        if key not in keys:
            return
        stmt = select(bid.label("business_id"), value.label("value"))
        if join is not None:
            stmt = stmt.select_from(join)
        out[key] = stmt.where(_within(bid, ids), *where).group_by(bid)

    grouped("training", ExternalTraining.business_id, func.min(ExternalTraining.completed_on))
    attended = Attendance.__table__.join(
        MentoringSession, MentoringSession.id == Attendance.session_id
    )
    grouped(
        "first_session",
        Attendance.business_id,
        func.min(MentoringSession.starts_at),
        join=attended,
    )
    grouped("sessions", Attendance.business_id, func.count(Attendance.id))
    if "mentoring" in keys:
        # The day of the n-th session attended, n being the member's chapter's setting.
        ranked = (
            select(
                Attendance.business_id,
                MentoringSession.starts_at,
                func.row_number()
                .over(
                    partition_by=Attendance.business_id,
                    order_by=(MentoringSession.starts_at, Attendance.id),
                )
                .label("rn"),
            )
            .join(MentoringSession, MentoringSession.id == Attendance.session_id)
            .where(_within(Attendance.business_id, ids))
            .subquery()
        )
        out["mentoring"] = (
            select(ranked.c.business_id, ranked.c.starts_at.label("value"))
            .join(member, member.id == ranked.c.business_id)
            .join(chapter, chapter.id == member.chapter_id)
            .where(ranked.c.rn == chapter.mentoring_sessions_required)
        )
    grouped(
        "nib",
        LegalityDocument.business_id,
        func.min(LegalityDocument.status_changed_at),
        LegalityDocument.kind == "nib",
        LegalityDocument.status == DocumentStatus.VERIFIED,
    )
    grouped(
        "listed",
        Product.business_id,
        func.min(ProductEvent.created_at),
        ProductEvent.to_status == ProductStatus.LISTED,
        join=Product.__table__.join(ProductEvent, ProductEvent.product_id == Product.id),
    )
    grouped("first_sale", Order.business_id, func.min(Order.paid_at), Order.paid_at.is_not(None))
    if "books" in keys:
        # Each of the last n complete months has books (n: the chapter's setting, at most 12).
        this_month = month_index(today)
        months = books_months(
            ids, since=_month_start(today, MAX_BOOKS_MONTHS), until=_month_start(today, 0)
        ).subquery()
        out["books"] = (
            select(months.c.business_id, func.count().label("value"))
            .join(member, member.id == months.c.business_id)
            .join(chapter, chapter.id == member.chapter_id)
            .where(months.c.month_index >= this_month - chapter.books_months_required)
            .group_by(months.c.business_id, chapter.books_months_required)
            .having(func.count() >= chapter.books_months_required)
        )
    grouped("last_check_in", CheckIn.business_id, func.max(CheckIn.created_at))
    grouped("last_entry", LedgerEntry.business_id, func.max(LedgerEntry.occurred_on))
    wanted = [k for k in keys if k in PROVIDED_FACTS]
    if wanted:
        for provider in registry().pathway_providers:
            for key, stmt in provider(ids).items():
                if key in wanted and key not in out:
                    out[key] = stmt
    return {key: stmt.subquery(f"fact_{key}") for key, stmt in out.items()}


def _facts_joined(stmt, ids, today: date, keys):
    """``stmt`` (a SELECT from business) with each fact outer-joined; returns it and the
    fact subqueries (a fact nobody provides is absent)."""
    subs = _fact_selects(ids, today, keys)
    for sub in subs.values():
        stmt = stmt.outerjoin(sub, sub.c.business_id == Business.id)
    return stmt, subs


def _month_start(day: date, back: int) -> date:
    index = month_index(day) - back
    return date(index // 12, index % 12 + 1, 1)


MAX_BOOKS_MONTHS = 12  # the chapter setting's upper bound (mentoring.services.update_settings)


def compute(business_filter, today: date | None = None, *, dates: bool = False) -> list[Pathway]:
    """Pathways for the members ``business_filter`` selects (a function adding a WHERE,
    ORDER BY or LIMIT to a SELECT of Business ids) in one statement, whatever their number
    and however many documents, orders, ledger rows or sessions they have; ``dates`` adds
    one statement for the days of each member's sessions (one member's page).

    Each member is judged by their own chapter's settings (sessions needed, months of
    books). Meant for one member or one page of members: the SQL is per member.
    """
    today = today or jakarta_today()
    members = business_filter(select(Business.id)).cte("members")
    ids = select(members.c.id)
    keys = (*MEMBER_FACTS, *PROVIDED_FACTS)
    stmt = (
        select(Business)
        .join(members, members.c.id == Business.id)
        .options(joinedload(Business.chapter))
    )
    stmt, subs = _facts_joined(stmt, ids, today, keys)
    stmt = stmt.add_columns(*(subs[k].c.value for k in subs)).order_by(Business.name, Business.id)
    rows = db.session.execute(stmt).all()
    attended: dict[int, list[date]] = {}
    if dates and rows:
        for bid, starts_at in db.session.execute(
            select(Attendance.business_id, MentoringSession.starts_at)
            .join(MentoringSession, MentoringSession.id == Attendance.session_id)
            .where(Attendance.business_id.in_(ids))
            .order_by(Attendance.business_id, MentoringSession.starts_at)
        ).all():
            attended.setdefault(bid, []).append(as_day(starts_at))
    names = list(subs)
    out = []
    for business, *values in rows:
        fact = dict(zip(names, values, strict=True))
        out.append(_pathway(business, fact, today, attended.get(business.id, [])))
    return out


def _pathway(business: Business, fact: dict, today: date, attended: list[date]) -> Pathway:
    sessions_required = business.chapter.mentoring_sessions_required
    books_months = business.chapter.books_months_required
    first_sale = as_day(fact.get("first_sale"))
    marketing = min(filter(None, [as_day(fact.get("listed")), first_sale]), default=None)
    training = min(
        filter(None, [as_day(fact.get("training")), as_day(fact.get("first_session"))]),
        default=None,
    )
    steps = [
        Step("pendaftaran", STEPS[0][1], as_day(business.created_at)),
        Step("pelatihan", STEPS[1][1], training),
        Step("pendampingan", STEPS[2][1], as_day(fact.get("mentoring"))),
        Step("perizinan", STEPS[3][1], as_day(fact.get("nib"))),
        Step("pemasaran", STEPS[4][1], marketing),
        Step(
            "pelaporan_keuangan",
            STEPS[5][1],
            _month_start(today, 0) if fact.get("books") else None,
        ),
        Step("permodalan", STEPS[6][1], as_day(fact.get("permodalan"))),
    ]
    extra = {
        "first_sale": first_sale,
        "endorsed": as_day(fact.get("endorsed")),
        "attended_dates": attended,
        "last_check_in": as_day(fact.get("last_check_in")),
        "last_entry": as_day(fact.get("last_entry")),
    }
    return Pathway(
        business, steps, int(fact.get("sessions") or 0), sessions_required, books_months, extra
    )


def for_business(business: Business, today: date | None = None) -> Pathway:
    """One member's pathway in two statements (facts, session days)."""
    return compute(lambda stmt: stmt.where(Business.id == business.id), today=today, dates=True)[0]


def for_chapter(chapter, today: date | None = None) -> list[Pathway]:
    """Every member of ``chapter`` (for small chapters and tests; pages use ``compute``
    with a page of members and ``funnel_by_chapter`` for the figures)."""
    return compute(lambda stmt: stmt.where(Business.chapter_id == chapter.id), today=today)


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
    """The funnel of pathways already computed (one member's page, tests)."""
    return {
        "members": len(pathways),
        "verified": sum(p.step("perizinan").done for p in pathways),
        "listed": sum(p.step("pemasaran").done for p in pathways),
        "first_sale": sum(p.extra["first_sale"] is not None for p in pathways),
        "books": sum(p.step("pelaporan_keuangan").done for p in pathways),
        "endorsed": sum(p.extra["endorsed"] is not None for p in pathways),
        "approved": sum(p.step("permodalan").done for p in pathways),
    }


FUNNEL_FACTS = ("nib", "listed", "first_sale", "books", *PROVIDED_FACTS)


def _facts_correlated(today: date, keys) -> dict:
    """Each fact as a scalar subquery correlated to ``business`` (its value for the row's
    member). PostgreSQL pushes the member's id into the grouped subquery, so each is an index
    lookup per member: a chapter's figures cost what the chapter's size costs, not what the
    tables' sizes cost (a hash join over the grouped facts would read whole tables)."""
    return {
        key: select(sub.c.value).where(sub.c.business_id == Business.id).scalar_subquery()
        for key, sub in _fact_selects(None, today, keys).items()
    }


# The facts that complete each step (any one of them does), for filtering members by step.
STEP_FACTS = {
    "pelatihan": ("training", "first_session"),
    "pendampingan": ("mentoring",),
    "perizinan": ("nib",),
    "pemasaran": ("listed", "first_sale"),
    "pelaporan_keuangan": ("books",),
    "permodalan": ("permodalan",),
}


def step_pending(key: str, today: date | None = None):
    """A WHERE on business: the member has not completed step ``key`` (per member, by
    index); None for a step that cannot be pending or that no installed feature provides."""
    facts = STEP_FACTS.get(key)
    if not facts:
        return None
    values = _facts_correlated(today or jakarta_today(), facts)
    if not values:
        return None
    return and_(*(value.is_(None) for value in values.values()))


def funnel_by_chapter(
    chapter_id: int | None = None, today: date | None = None, *, counts=None
) -> dict:
    """``{chapter_id: {funnel key: count}}`` for one chapter or (``None``) every chapter,
    in one statement, counted per chapter with COUNT(CASE ...) (the same on SQLite and
    PostgreSQL). For every chapter each fact's members are read once (an uncorrelated IN,
    hashed); for one chapter each fact is looked up per member of that chapter
    (``_facts_correlated``), so its cost follows the chapter's size, not the tables'.

    ``counts`` adds figures to the same statement: ``{name: (facts, fn)}`` where
    ``fn(value)`` gives a SQL count over the member's facts (``value(fact)``)."""
    today = today or jakarta_today()
    counts = counts or {}
    wanted = [*FUNNEL_FACTS, *(k for facts, _fn in counts.values() for k in facts)]
    if chapter_id is None:
        # Every member: each fact's members read once into a hash (an uncorrelated IN),
        # every business probed; a whole-table read per fact, as the platform needs.
        stmt = select(Business.chapter_id)
        has_fact = {
            key: Business.id.in_(select(sub.c.business_id))
            for key, sub in _fact_selects(None, today, wanted).items()
        }
        correlated = _facts_correlated(today, [k for f, _fn in counts.values() for k in f])
    else:
        stmt = select(Business.chapter_id).where(Business.chapter_id == chapter_id)
        correlated = _facts_correlated(today, wanted)
        has_fact = {key: value.is_not(None) for key, value in correlated.items()}

    def has(*keys):
        present = [has_fact[k] for k in keys if k in has_fact]
        return func.count(case((or_(*present), 1))) if present else literal(0)

    stmt = stmt.add_columns(
        func.count(Business.id),
        has("nib"),
        has("listed", "first_sale"),
        has("first_sale"),
        has("books"),
        has("endorsed"),
        has("permodalan"),
        *(fn(lambda key: correlated[key]) for _facts, fn in counts.values()),
    ).group_by(Business.chapter_id)
    keys = [key for key, _label in FUNNEL] + list(counts)
    return {
        cid: dict(zip(keys, (int(v) for v in row), strict=True))
        for cid, *row in db.session.execute(stmt).all()
    }


def empty_funnel() -> dict[str, int]:
    return {key: 0 for key, _label in FUNNEL}
