"""The KUR referral network: partner banks, KUR rules as data, referrals and consent."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import EventMixin
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

bank_chapter = Table(
    "bank_chapter",
    db.metadata,
    Column("bank_id", ForeignKey("bank.id", ondelete="CASCADE"), primary_key=True),
    Column("chapter_id", ForeignKey("chapter.id", ondelete="CASCADE"), primary_key=True),
)

SCHEMES = ("super_mikro", "mikro", "kecil")
# What the credit is for: working capital (KMK) or investment (KI); the KUR tenor limit
# depends on it (kur_scheme.max_tenor_kmk_months / max_tenor_ki_months).
PURPOSE_KINDS = ("kmk", "ki")
REJECT_REASONS = (
    "slik_bermasalah",  # credit bureau record (SLIK OJK)
    "usaha_belum_layak",  # business not yet feasible
    "dokumen_tidak_lengkap",
    "plafon_terlampaui",  # KUR limits or access cap reached (SIKP)
    "sudah_kredit_produktif",  # already has productive commercial credit
    "lainnya",
)


class ReferralStatus(StrEnum):
    """The states of a referral; the values are what the database and the bank API hold."""

    DRAFT = "draft"
    CONSENTED = "consented"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    UNDER_REVIEW = "under_review"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    WITHDRAWN = "withdrawn"


def _sql_list(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def one_of(column: str, values, name: str) -> CheckConstraint:
    """A CHECK that refuses a value the code does not know (NULL passes: nullability is the
    column's own rule)."""
    return CheckConstraint(f"{column} IN ({_sql_list(values)})", name=name)


# A decision carries its terms: an approved (later disbursed) credit has its amount, tenor and
# rate, as decide() writes them in the same UPDATE as the status; a rejection has its reason.
REFERRAL_CHECKS = (
    one_of("status", ReferralStatus, "status_known"),
    one_of("reject_reason", REJECT_REASONS, "reject_reason_known"),
    one_of("purpose_kind", PURPOSE_KINDS, "purpose_kind_known"),
    CheckConstraint(
        f"status NOT IN ({_sql_list((ReferralStatus.APPROVED, ReferralStatus.DISBURSED))}) OR "
        "(approved_amount_idr IS NOT NULL AND approved_tenor_months IS NOT NULL "
        "AND approved_rate_bp IS NOT NULL)",
        name="approved_has_terms",
    ),
    CheckConstraint(
        f"status <> '{ReferralStatus.REJECTED}' OR reject_reason IS NOT NULL",
        name="rejected_has_reason",
    ),
)
REFERRAL_EVENT_CHECKS = (
    one_of("from_status", ReferralStatus, "from_status_known"),
    one_of("to_status", ReferralStatus, "to_status_known"),
)


class Bank(db.Model):
    __tablename__ = "bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    conventional: Mapped[bool] = mapped_column(default=True)
    sharia: Mapped[bool] = mapped_column(default=False)
    schemes: Mapped[list] = mapped_column(JSON, default=list)  # codes from SCHEMES
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chapters: Mapped[list["Chapter"]] = relationship(secondary=bank_chapter)  # noqa: F821
    officers: Mapped[list["BankOfficer"]] = relationship(
        back_populates="bank", cascade="all, delete-orphan"
    )


class BankOfficer(db.Model):
    __tablename__ = "bank_officer"
    __table_args__ = (UniqueConstraint("bank_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="officers")
    user: Mapped["User"] = relationship()  # noqa: F821


class BankToken(db.Model):
    """API credentials of a bank's own systems: random, shown once, stored hashed."""

    __tablename__ = "bank_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bank: Mapped[Bank] = relationship()


class KurScheme(db.Model):
    """KUR rules as data, with effective dates; admins edit them as regulations change."""

    __tablename__ = "kur_scheme"
    __table_args__ = (UniqueConstraint("code", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))
    min_idr: Mapped[int] = mapped_column(BigInteger)
    max_idr: Mapped[int] = mapped_column(BigInteger)
    # Effective annual rate in basis points by access number ("1", "2", ...); "*" = any.
    rates_bp: Mapped[dict] = mapped_column(JSON)
    # The sharia margin by access number, same keys; NULL = the same figures as rates_bp.
    sharia_rates_bp: Mapped[dict | None] = mapped_column(JSON)
    # How far an approved rate may differ from the scheme's (basis points); the KUR rules
    # fix the borrower's rate, so 0 unless a regulation says otherwise.
    rate_tolerance_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    max_tenor_kmk_months: Mapped[int]  # working-capital credit
    max_tenor_ki_months: Mapped[int]  # investment credit
    no_collateral_up_to_idr: Mapped[int] = mapped_column(BigInteger)
    npwp_above_idr: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(Text, default="")


S = ReferralStatus


class Referral(db.Model):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint("amount_idr > 0", name="amount_positive"),
        CheckConstraint("tenor_months > 0", name="tenor_positive"),
        *REFERRAL_CHECKS,
        # Keyset pages (issue 11): the lead's list (newest first), the bank's inbox (by
        # sending) and the bank API's `since` polling (by last change).
        Index("ix_referral_chapter_created", "chapter_id", "created_at", "id"),
        Index("ix_referral_bank_sent", "bank_id", "sent_at", "id"),
        Index("ix_referral_bank_changed", "bank_id", "status_changed_at", "id"),
        # The officer's inbox filter "assigned to me" (issue 14).
        Index("ix_referral_bank_assignee", "bank_id", "assigned_officer_id"),
    )

    # Bank actions need the referral sent and acknowledged first; nothing moves after a
    # decision except disbursement; the member or the lead may withdraw before one.
    TRANSITIONS = {
        (S.DRAFT, "consent"): S.CONSENTED,
        (S.CONSENTED, "send"): S.SENT,
        (S.SENT, "acknowledge"): S.ACKNOWLEDGED,
        (S.ACKNOWLEDGED, "request_info"): S.INFO_REQUESTED,
        (S.UNDER_REVIEW, "request_info"): S.INFO_REQUESTED,
        (S.INFO_REQUESTED, "answer_info"): S.UNDER_REVIEW,
        (S.ACKNOWLEDGED, "approve"): S.APPROVED,
        (S.UNDER_REVIEW, "approve"): S.APPROVED,
        (S.ACKNOWLEDGED, "reject"): S.REJECTED,
        (S.UNDER_REVIEW, "reject"): S.REJECTED,
        (S.INFO_REQUESTED, "reject"): S.REJECTED,
        (S.APPROVED, "disburse"): S.DISBURSED,
        **{
            (state, "withdraw"): S.WITHDRAWN
            for state in (
                S.DRAFT,
                S.CONSENTED,
                S.SENT,
                S.ACKNOWLEDGED,
                S.UNDER_REVIEW,
                S.INFO_REQUESTED,
            )
        },
    }
    EVENT_FK = "referral_id"
    OPEN = (S.DRAFT, S.CONSENTED, S.SENT, S.ACKNOWLEDGED, S.UNDER_REVIEW, S.INFO_REQUESTED)
    # A withdrawn referral leaves the bank's view along with its dossier.
    VISIBLE_TO_BANK = (
        S.SENT,
        S.ACKNOWLEDGED,
        S.UNDER_REVIEW,
        S.INFO_REQUESTED,
        S.APPROVED,
        S.REJECTED,
        S.DISBURSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(16))
    sharia: Mapped[bool] = mapped_column(default=False)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    tenor_months: Mapped[int]
    purpose: Mapped[str] = mapped_column(Text)
    purpose_kind: Mapped[str] = mapped_column(String(8), default="kmk", server_default="kmk")
    recommendation: Mapped[str | None] = mapped_column(Text)
    # The member's other-credit declaration: True once they answered the questions, and the
    # kinds they said they hold (eligibility.CREDIT_QUESTIONS keys; NULL before answering).
    no_other_credit: Mapped[bool] = mapped_column(default=False)
    credit_held: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.DRAFT.value, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_amount_idr: Mapped[int | None] = mapped_column(BigInteger)
    approved_tenor_months: Mapped[int | None]
    approved_rate_bp: Mapped[int | None]
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    info_request: Mapped[str | None] = mapped_column(Text)
    info_answer: Mapped[str | None] = mapped_column(Text)
    sla_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The bank officer working on it (one of that bank's officers: bank_actions.assign).
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    business: Mapped["Business"] = relationship()  # noqa: F821
    chapter: Mapped["Chapter"] = relationship()  # noqa: F821
    bank: Mapped[Bank] = relationship()
    lead: Mapped["User"] = relationship(foreign_keys=[lead_id])  # noqa: F821
    assigned_officer: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[assigned_officer_id]
    )
    events: Mapped[list["ReferralEvent"]] = relationship(
        order_by="ReferralEvent.seq", viewonly=True
    )
    consents: Mapped[list["ConsentReceipt"]] = relationship(
        back_populates="referral", order_by="ConsentReceipt.id"
    )

    @property
    def active_consent(self):
        return next((c for c in reversed(self.consents) if c.withdrawn_at is None), None)


class ReferralEvent(EventMixin, db.Model):
    __tablename__ = "referral_event"
    __table_args__ = (UniqueConstraint("referral_id", "seq"), *REFERRAL_EVENT_CHECKS)

    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    # Who acted, by name in the history the member and the lead read (issue 14): joined into
    # whichever statement loads the events, never loaded one by one.
    actor: Mapped["User | None"] = relationship(viewonly=True, lazy="joined")  # noqa: F821


Referral.EVENT_MODEL = ReferralEvent


class ConsentReceipt(db.Model):
    """Proof of the member's explicit consent (UU 27/2022 art. 22-24)."""

    __tablename__ = "consent_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    text_version: Mapped[str] = mapped_column(String(20))
    text_hash: Mapped[str] = mapped_column(String(64))
    # Exactly the text the member agreed to, and the bank's name as it was then: a renamed
    # bank (Bank DKI -> Bank Jakarta) leaves the proof unchanged. NULL for receipts given
    # before the text was kept (their hash is all there is).
    text: Mapped[str | None] = mapped_column(Text)
    bank_name: Mapped[str | None] = mapped_column(String(120))
    fields: Mapped[list] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(200))
    retention_days: Mapped[int]
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    referral: Mapped[Referral] = relationship(back_populates="consents")


class EndorsementQuota(db.Model):
    """A lead's endorsements sent in one month (Jakarta time): the counter the monthly quota
    is taken from with one conditional UPDATE, so simultaneous sends cannot pass it."""

    __tablename__ = "endorsement_quota"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    lead_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
