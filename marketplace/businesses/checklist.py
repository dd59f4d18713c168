"""The owner's truthful checklist: each requirement (the business's NIB, each permit a
product needs) in exactly ONE state, decided from the documents in this order:

1. verified — a verified document valid today covers it ("verified until <date>", or with
   no end date);
2. waiting — a document for it is waiting for the lead's review ("waiting since <date>"):
   it is never asked for again while it waits;
3. rejected — the latest decision refused it (the lead's reason, and the upload again);
4. missing — nothing yet (the upload).

Plus how long the chapter's lead usually takes (the median of the last decisions, one SQL
statement) and the lead's WhatsApp contact. Non-document blockers (a forbidden product, a
halal re-check, a price) stay messages of their own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from marketplace.businesses.models import Business
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.legality import services as legality
from marketplace.legality.models import REFUSED, DocumentStatus, LegalityDocument

# The decisions the median is taken over: the chapter's last ones, within a window.
MEDIAN_WINDOW_DAYS = 180
MEDIAN_SAMPLE = 200


class RequirementState(StrEnum):
    MISSING = "missing"
    WAITING = "waiting"
    REJECTED = "rejected"
    VERIFIED = "verified"


@dataclass(frozen=True)
class Requirement:
    kind: str  # a permit kind ("nib", "pirt", "halal", ...)
    state: RequirementState
    since: datetime | None = None  # waiting since
    until: date | None = None  # verified until (None: no end date)
    reason: str | None = None  # the lead's reason when rejected
    document_id: int | None = None

    @property
    def asks_upload(self) -> bool:
        return self.state in (RequirementState.MISSING, RequirementState.REJECTED)


@dataclass(frozen=True)
class Row:
    """One requirement of one product: its state and, while not verified, the gate's own
    message saying what is missing (the same words the listing refusal uses)."""

    requirement: Requirement
    message: Any = None
    why: Any = None  # why the product needs this permit


@dataclass
class Checklist:
    nib: Requirement
    products: dict[int, list[Row]] = field(default_factory=dict)
    other_blockers: dict[int, list[Any]] = field(default_factory=dict)
    median_review: timedelta | None = None
    lead_contacts: list[tuple[str, str]] = field(default_factory=list)  # (name, wa.me URL)


def requirement(kind: str, documents: list[LegalityDocument], today: date) -> Requirement:
    """The one state of ``kind`` among ``documents`` (those that could satisfy it)."""
    docs = [d for d in documents if d.kind == kind]
    valid = [d for d in docs if d.is_valid_on(today)]
    if valid:
        ends = [d.expires_on for d in valid]
        until = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
        return Requirement(kind, RequirementState.VERIFIED, until=until, document_id=valid[0].id)
    waiting = [d for d in docs if d.status == DocumentStatus.SUBMITTED]
    if waiting:
        first = min(waiting, key=lambda d: (d.created_at, d.id))
        return Requirement(
            kind, RequirementState.WAITING, since=first.created_at, document_id=first.id
        )
    refused = [d for d in docs if d.status in REFUSED]
    if refused:
        latest = max(refused, key=lambda d: (d.status_changed_at, d.id))
        return Requirement(
            kind, RequirementState.REJECTED, reason=latest.review_note, document_id=latest.id
        )
    return Requirement(kind, RequirementState.MISSING)


def for_business(
    business: Business, documents: list[LegalityDocument], products: list, today: date
) -> Checklist:
    """The checklist of ``business`` from its documents (``scope.owner_documents``, with
    the products each covers) and products: no statement of its own beyond the median and
    the leads' contacts."""
    checklist = Checklist(nib=requirement("nib", documents, today))
    valid = [d for d in documents if d.is_valid_on(today)]
    for product in products:
        blockers = legality.listing_blockers(product, today, valid)
        by_kind = {b.upload_kind: b for b in blockers if b.upload_kind}
        needed = legality.requirement_for(product, today)
        kinds = sorted(needed.kinds) + (["halal"] if needed.halal else [])
        covering = [d for d in documents if product in d.products]
        rows = [Row(checklist.nib, getattr(by_kind.get("nib"), "message", None))]
        for kind in kinds:
            rows.append(
                Row(
                    requirement(kind, covering, today),
                    getattr(by_kind.get(kind), "message", None),
                    needed.because.get(kind),
                )
            )
        checklist.products[product.id] = rows
        checklist.other_blockers[product.id] = [
            b for b in blockers if not b.upload_kind or b.upload_kind not in {"nib", *kinds}
        ]
    checklist.median_review = median_review_time(business.chapter_id)
    checklist.lead_contacts = lead_contacts(business.chapter_id)
    return checklist


def median_review_time(chapter_id: int, now: datetime | None = None) -> timedelta | None:
    """The median time from upload to the lead's decision over the chapter's last decisions
    (verified or rejected, within MEDIAN_WINDOW_DAYS, at most MEDIAN_SAMPLE): one statement,
    the median by window functions (SQLite and PostgreSQL alike); None without decisions."""
    now = now or utcnow()
    if db.engine.dialect.name == "postgresql":
        seconds = func.extract(
            "epoch", LegalityDocument.status_changed_at - LegalityDocument.created_at
        )
    else:
        seconds = (
            func.julianday(LegalityDocument.status_changed_at)
            - func.julianday(LegalityDocument.created_at)
        ) * 86400.0
    recent = (
        select(seconds.label("seconds"))
        .where(
            LegalityDocument.chapter_id == chapter_id,
            LegalityDocument.status.in_((DocumentStatus.VERIFIED, DocumentStatus.REJECTED)),
            LegalityDocument.status_changed_at >= now - timedelta(days=MEDIAN_WINDOW_DAYS),
        )
        .order_by(LegalityDocument.status_changed_at.desc())
        .limit(MEDIAN_SAMPLE)
        .subquery()
    )
    ranked = select(
        recent.c.seconds,
        func.row_number().over(order_by=recent.c.seconds).label("rn"),
        func.count().over().label("n"),
    ).subquery()
    middle = select(func.avg(ranked.c.seconds)).where(
        ranked.c.rn.in_(((ranked.c.n + 1) / 2, (ranked.c.n + 2) / 2))
    )
    value = db.session.scalar(middle)
    return None if value is None else timedelta(seconds=max(float(value), 0.0))


def lead_contacts(chapter_id: int) -> list[tuple[str, str]]:
    """(name, wa.me link) of each lead of the chapter with a verified WhatsApp number."""
    from marketplace.accounts.models import User
    from marketplace.chapters.models import ChapterLead

    # The chapter's few leads, the number checked here: with ``phone_e164 IS NOT NULL`` in
    # SQL, PostgreSQL merge-joined along the user key and filtered out every user before
    # the first one with a phone (200k rows at 400k members) to find two leads.
    rows = db.session.execute(
        select(User.name, User.phone_e164)
        .join(ChapterLead, ChapterLead.user_id == User.id)
        .where(ChapterLead.chapter_id == chapter_id)
        .order_by(User.name)
    )
    return [(name, f"https://wa.me/{phone.lstrip('+')}") for name, phone in rows if phone]


def describe_duration(value: timedelta | None) -> tuple[str, int] | None:
    """("hours", n) below two days, else ("days", n), for the template's wording."""
    if value is None:
        return None
    hours = value.total_seconds() / 3600
    if hours < 48:
        return "hours", max(1, round(hours))
    return "days", round(hours / 24)


__all__ = [
    "Checklist",
    "Requirement",
    "Row",
    "RequirementState",
    "describe_duration",
    "for_business",
    "median_review_time",
]
