"""The bank officer's working inbox (issue 14): filters, search, sorting and assignment,
the same for the portal, its CSV export and the bank JSON API.

Every query starts from :func:`scope.bank_referrals_select` (the bank's visible referrals),
so a filter can only narrow the bank's scope: another bank's chapter as a filter value gives
an empty list, never another bank's rows. Search by NIK never decrypts: the last digits are
matched against the stored masked form (``3171********0001``: its last four are clear),
a whole 16-digit NIK against the blind index.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_, select
from sqlalchemy.orm import joinedload

from marketplace.businesses.identity import nik_index
from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core import audit, workdays
from marketplace.core.errors import ValidationFailed
from marketplace.core.numbers import parse_amount_idr
from marketplace.core.timeutil import JAKARTA, as_utc, utcnow
from marketplace.extensions import db
from marketplace.notifications.services import notify
from referrals.models import SCHEMES, Bank, BankOfficer, Referral, ReferralStatus
from referrals.services.links import external_url
from referrals.services.scope import bank_referrals_select
from referrals.services.sla import SLA_WORKING_DAYS

# A decided referral needs nothing more from the bank: hidden unless asked for.
CLOSED = (ReferralStatus.REJECTED, ReferralStatus.DISBURSED)
# sort key -> (columns, descending); the last column is unique (keyset pages).
SORTS = {
    "newest": ((Referral.sent_at, Referral.id), True),
    "oldest": ((Referral.sent_at, Referral.id), False),
    "amount_high": ((Referral.amount_idr, Referral.id), True),
    "amount_low": ((Referral.amount_idr, Referral.id), False),
    "changed": ((Referral.status_changed_at, Referral.id), True),
}
SORT_LABELS = {
    "newest": _l("Terbaru dikirim"),
    "oldest": _l("Terlama menunggu"),
    "amount_high": _l("Jumlah terbesar"),
    "amount_low": _l("Jumlah terkecil"),
    "changed": _l("Terakhir berubah"),
}
ASSIGNED_ME, ASSIGNED_NONE = "me", "none"
SEARCH_MAX = 80


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = None
    chapter: str | None = None  # a chapter slug
    scheme: str | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    sent_from: date | None = None  # Jakarta days, inclusive
    sent_to: date | None = None
    q: str = ""  # business name, or the NIK's last digits (or the whole NIK)
    assigned: str | None = None  # "me", "none" or an officer's user id
    include_closed: bool = False
    sort: str = "newest"

    def as_args(self) -> dict[str, str]:
        """The filter as query arguments (the export link keeps the page's filters)."""
        out = {
            "status": self.status or "",
            "chapter": self.chapter or "",
            "scheme": self.scheme or "",
            "amount_min": str(self.amount_min) if self.amount_min is not None else "",
            "amount_max": str(self.amount_max) if self.amount_max is not None else "",
            "sent_from": self.sent_from.isoformat() if self.sent_from else "",
            "sent_to": self.sent_to.isoformat() if self.sent_to else "",
            "q": self.q,
            "assigned": self.assigned or "",
            "closed": "1" if self.include_closed else "",
            "sort": self.sort if self.sort != "newest" else "",
        }
        return {k: v for k, v in out.items() if v}


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ASSIGNED = re.compile(r"^(?:me|none|\d{1,18})$")
_TRUE, _FALSE = ("true", "1", "y", "yes", "on"), ("false", "0", "n", "no", "off")
# Days outside this span bound nothing (and stay clear of datetime's limits).
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(9000, 1, 1)


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def parse_filter(args, *, api: bool = False):
    """(InboxFilter, {field: message}) from query arguments: the portal's form and the bank
    API read the same parameters through here. A refused value is left out of the filter
    and named in the errors: the portal marks the field, the API answers 400. The API is
    strict (exact values, ``closed`` true/false, included by default); the portal trims
    and hides closed referrals unless asked."""
    errors: dict[str, str] = {}
    values: dict = {}

    def given(name: str) -> str | None:
        value = args.get(name)
        if value is None:
            return None
        value = value if api else value.strip()
        return value if (api or value) else None

    def pick(name: str, allowed, message) -> None:
        value = given(name)
        if value is None:
            return
        if value in allowed:
            values[name] = value
        else:
            errors[name] = message

    # Any referral status is a status (one the bank never sees simply matches nothing).
    pick("status", tuple(ReferralStatus), _l("Status tidak dikenal."))
    pick("scheme", SCHEMES, _l("Skema tidak dikenal."))
    pick("sort", SORTS, _l("Urutan tidak dikenal."))
    chapter = given("chapter")
    if chapter:
        values["chapter"] = _printable(chapter)[:60]
    for name in ("amount_min", "amount_max"):
        value = given(name)
        if value is None:
            continue
        try:
            values[name] = parse_amount_idr(value)
        except ValueError as exc:
            errors[name] = exc.args[0]
    for name in ("sent_from", "sent_to"):
        value = given(name)
        if value is None:
            continue
        try:
            if not _DAY.match(value):
                raise ValueError(value)
            values[name] = date.fromisoformat(value)
        except ValueError:
            errors[name] = _l("Tulis tanggal seperti 2026-12-01.")
    values["q"] = _printable(given("q") or "").strip()[:SEARCH_MAX]
    assigned = given("assigned")
    if assigned is not None:
        if _ASSIGNED.match(assigned):
            values["assigned"] = assigned
        else:
            errors["assigned"] = _l("Pilih petugas dari daftar.")
    closed = given("closed")
    if closed is None:
        values["include_closed"] = api
    elif (closed if api else closed.lower()) in (_TRUE[:1] if api else _TRUE):
        values["include_closed"] = True
    elif (closed if api else closed.lower()) in (_FALSE[:1] if api else _FALSE):
        values["include_closed"] = False
    else:
        errors["closed"] = _l("Isi true atau false.")
    return InboxFilter(**values), errors


def _jakarta_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=JAKARTA)


def inbox_select(bank: Bank, f: InboxFilter, *, officer=None):
    """The bank's visible referrals narrowed by ``f`` (``officer``: who "me" is), with the
    business and chapter joined in the same statement. Unordered: see :func:`order_of`."""
    stmt = (
        bank_referrals_select(bank, status=f.status)
        .join(Business, Business.id == Referral.business_id)
        .options(
            joinedload(Referral.business),
            joinedload(Referral.chapter),
            joinedload(Referral.assigned_officer),
        )
    )
    if not f.include_closed and f.status not in CLOSED:
        stmt = stmt.where(Referral.status.not_in(CLOSED))
    if f.chapter:
        # A slug, not an id: a chapter the bank does not serve matches no referral of it.
        stmt = stmt.where(
            Referral.chapter_id.in_(select(Chapter.id).where(Chapter.slug == f.chapter))
        )
    if f.scheme:
        stmt = stmt.where(Referral.scheme == f.scheme)
    if f.amount_min is not None:
        stmt = stmt.where(Referral.amount_idr >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(Referral.amount_idr <= f.amount_max)
    if f.sent_from is not None and f.sent_from > _FIRST_DAY:
        stmt = stmt.where(Referral.sent_at >= _jakarta_midnight(min(f.sent_from, _LAST_DAY)))
    if f.sent_to is not None and f.sent_to < _LAST_DAY:
        stmt = stmt.where(
            Referral.sent_at < _jakarta_midnight(max(f.sent_to, _FIRST_DAY) + timedelta(days=1))
        )
    q = f.q.replace(" ", "").replace(".", "").replace("-", "")
    if q.isascii() and q.isdigit() and len(q) == 16:
        stmt = stmt.where(Business.nik_index == nik_index(q))
    elif q.isascii() and q.isdigit() and len(q) <= 4:
        # The NIK's last digits, or a referral number ("#12" is a number only).
        stmt = stmt.where(or_(Business.nik_masked.like(f"%{q}"), Referral.id == int(q)))
    elif f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(Business.name.ilike(pattern, escape="\\"), Referral.id == _as_id(f.q))
        )
    if f.assigned == ASSIGNED_NONE:
        stmt = stmt.where(Referral.assigned_officer_id.is_(None))
    elif f.assigned == ASSIGNED_ME:
        me = getattr(officer, "id", None)  # a bank API token is nobody: "me" matches nothing
        stmt = stmt.where(Referral.assigned_officer_id == me if me is not None else false())
    elif f.assigned:
        stmt = stmt.where(Referral.assigned_officer_id == int(f.assigned))
    return stmt


def _as_id(text: str) -> int:
    text = text.lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else -1


def order_of(f: InboxFilter):
    """(columns, descending) for the filter's sort."""
    return SORTS.get(f.sort, SORTS["newest"])


def export_rows(bank: Bank, f: InboxFilter, *, officer=None, batch: int = 500):
    """Every referral of the filter, in the filter's order, ``batch`` rows a statement (a
    keyset walk: memory stays flat however many rows the bank has)."""
    from marketplace.core.pagination import keyset_page

    order, descending = order_of(f)
    cursor = None
    while True:
        page = keyset_page(
            inbox_select(bank, f, officer=officer),
            order,
            cursor,
            per_page=batch,
            descending=descending,
            not_null=True,
        )
        yield from page
        if not page.next:
            return
        cursor = page.next


# --- age and the SLA countdown ------------------------------------------------------------


@dataclass(frozen=True)
class Age:
    working_days: int  # since it was sent (Jakarta working days)
    due: date | None  # the acknowledgement's due day while it waits for one
    days_left: int | None  # working days until ``due`` (0 = today; negative = late by)
    late: bool


def _add_working_days(start: date, n: int, off) -> date:
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if workdays.is_working_day(day, off):
            left -= 1
    return day


def ages(referrals, now=None) -> dict[int, Age]:
    """Each referral's age and SLA countdown, with one holiday query for the page (it runs
    even for an empty page: the page costs the same statements whatever its rows)."""
    now = now or utcnow()
    today = as_utc(now).astimezone(JAKARTA).date()
    sent_days = {
        r.id: as_utc(r.sent_at).astimezone(JAKARTA).date()
        for r in referrals
        if r.sent_at is not None
    }
    first = min(sent_days.values(), default=today)
    off = workdays.days_off(min(first, today), today + timedelta(days=21))
    out = {}
    for r in referrals:
        sent = sent_days.get(r.id)
        if sent is None:
            continue
        age = workdays.working_days_between(sent, today, off)
        due = days_left = None
        late = False
        if r.status == ReferralStatus.SENT:
            due = _add_working_days(sent, SLA_WORKING_DAYS, off)
            late = age >= SLA_WORKING_DAYS
            days_left = (
                -workdays.working_days_between(due, today, off)
                if late
                else workdays.working_days_between(today, due, off)
            )
        out[r.id] = Age(age, due, days_left, late)
    return out


# --- export --------------------------------------------------------------------------------

CSV_HEADER = (
    "id",
    "status",
    "business",
    "chapter",
    "scheme",
    "amount_idr",
    "tenor_months",
    "sent_at_wib",
    "status_changed_at_wib",
    "assigned_officer",
)


def _csv_cell(value) -> str:
    """A cell a spreadsheet will not run: a leading = + - @ (or tab, CR) is quoted away."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def _wib(moment) -> str:
    return as_utc(moment).astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M") if moment else ""


def csv_lines(bank: Bank, f: InboxFilter, *, officer=None):
    """The filtered list as CSV lines (a generator: the response streams it)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield "\ufeff" + flush()
    for r in export_rows(bank, f, officer=officer):
        writer.writerow(
            [
                r.id,
                r.status,
                _csv_cell(r.business.name),
                _csv_cell(r.chapter.name),
                r.scheme,
                r.amount_idr,
                r.tenor_months,
                _wib(r.sent_at),
                _wib(r.status_changed_at),
                _csv_cell(r.assigned_officer.name if r.assigned_officer else ""),
            ]
        )
        yield flush()


def record_export(bank: Bank, f: InboxFilter, *, actor) -> None:
    """Who exported what (the filter, no personal data) goes in the audit."""
    filters = f.as_args()
    filters.pop("q", None)  # a search may be digits of a NIK: never in the audit
    audit.record(
        "referrals_exported",
        actor=actor,
        role="bank_officer",
        bank_id=bank.id,
        filters=filters,
        searched=bool(f.q),
    )


# --- assignment ----------------------------------------------------------------------------


def officers_of(bank: Bank) -> list:
    """The bank's officers (users), by name: the assignment choices."""
    from marketplace.accounts.models import User

    return list(
        db.session.scalars(
            select(User)
            .join(BankOfficer, BankOfficer.user_id == User.id)
            .where(BankOfficer.bank_id == bank.id)
            .order_by(User.name, User.id)
        )
    )


def assign(referral: Referral, officer_user_id: int | None, *, actor, role="bank_officer") -> None:
    """Assign ``referral`` (already loaded in the bank's scope) to one of *its bank's*
    officers, or clear the assignment (None). Audited; the new officer is told."""
    if officer_user_id is not None:
        is_officer = db.session.scalar(
            select(BankOfficer.id).where(
                BankOfficer.bank_id == referral.bank_id, BankOfficer.user_id == officer_user_id
            )
        )
        if is_officer is None:
            raise ValidationFailed(_l("Pilih petugas bank ini."), field="officer")
    previous = referral.assigned_officer_id
    if previous == officer_user_id:
        return
    referral.assigned_officer_id = officer_user_id
    referral.assigned_at = utcnow() if officer_user_id is not None else None
    audit.record(
        "referral_assigned",
        actor=actor,
        role=role,
        bank_id=referral.bank_id,
        target=referral,
        officer_id=officer_user_id,
        previous_officer_id=previous,
    )
    if officer_user_id is not None and officer_user_id != getattr(actor, "id", None):
        link = external_url(
            "bank_portal.referral", bank_slug=referral.bank.slug, referral_id=referral.id
        )
        notify(officer_user_id, "referral_assigned", id=referral.id, link=link)
    db.session.flush()


def with_assignee(f: InboxFilter, value: str | None) -> InboxFilter:
    return replace(f, assigned=value)
