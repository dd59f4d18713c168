"""SME businesses: the members of a chapter."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

SCALES = ("mikro", "kecil", "menengah")
# SIKP debtor data (issue 13): marital status as on the KTP, and the two SIKP business sectors.
MARITAL_STATUSES = ("belum_kawin", "kawin", "cerai_hidup", "cerai_mati")
SIKP_SECTORS = ("produksi", "perdagangan_jasa")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})"


class Business(db.Model):
    __tablename__ = "business"
    __table_args__ = (
        CheckConstraint("scale IN ('mikro', 'kecil', 'menengah')", name="scale_known"),
        CheckConstraint("storage_used_bytes >= 0", name="storage_non_negative"),
        # An individual's NPWP is the NIK (PMK 112/2022): recorded as a flag, never a copy.
        CheckConstraint("NOT npwp_is_nik OR npwp IS NULL", name="npwp_nik_not_copied"),
        CheckConstraint(_one_of("marital_status", MARITAL_STATUSES), name="marital_known"),
        CheckConstraint(_one_of("sikp_sector", SIKP_SECTORS), name="sikp_sector_known"),
        CheckConstraint("kbli_code IS NULL OR length(kbli_code) = 5", name="kbli_five_digits"),
        # One NIK, one business: the blind index is unique, except for businesses registered
        # twice before issue 13 (the backfill marks the later ones; see the migration).
        Index(
            "uq_business_nik_index",
            "nik_index",
            unique=True,
            sqlite_where=text("NOT nik_legacy_duplicate"),
            postgresql_where=text("NOT nik_legacy_duplicate"),
        ),
        # The lead's member list: one chapter's members by name, a keyset page at a time.
        Index("ix_business_chapter_name", "chapter_id", "name", "id"),
        # The admin's payouts list: sellers by name, a keyset page at a time.
        Index("ix_business_name_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"))
    name: Mapped[str] = mapped_column(String(120))
    # NIK is personal data (UU PDP): encrypted at rest, only the masked form is kept clear.
    nik_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    nik_masked: Mapped[str] = mapped_column(String(16))
    # HMAC-SHA256 of the NIK under NIK_INDEX_KEY (core/crypto.blind_index): equality without
    # decrypting. Indexed for the "has a business in another chapter" lookup too.
    nik_index: Mapped[str] = mapped_column(String(64), index=True)
    nik_legacy_duplicate: Mapped[bool] = mapped_column(default=False, server_default=false())
    nib: Mapped[str] = mapped_column(String(13), index=True)
    # An entity's NPWP (0 + 15 digits); for an individual npwp_is_nik says "NPWP = NIK".
    npwp: Mapped[str | None] = mapped_column(String(16))
    npwp_is_nik: Mapped[bool] = mapped_column(default=False, server_default=false())
    # SIKP fields (issue 13): the family card number is personal data like the NIK.
    kk_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    kk_masked: Mapped[str | None] = mapped_column(String(16))
    marital_status: Mapped[str | None] = mapped_column(String(16))
    sikp_sector: Mapped[str | None] = mapped_column(String(20))
    kbli_code: Mapped[str | None] = mapped_column(String(5))
    scale: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    address_line: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    whatsapp_e164: Mapped[str] = mapped_column(String(20))
    # The storefront's "about us" (issue 16), written by the owner; empty until then.
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    storage_used_bytes: Mapped[int] = mapped_column(default=0)
    # The seller's rating (issue 16): count and sum of its visible reviews (reviews.services).
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped["User"] = relationship()  # noqa: F821
    chapter: Mapped["Chapter"] = relationship()  # noqa: F821
    kelurahan: Mapped["Kelurahan"] = relationship()  # noqa: F821

    @property
    def has_npwp(self) -> bool:
        """An NPWP is on record: the entity's number, or the owner's NIK acting as NPWP."""
        return bool(self.npwp) or self.npwp_is_nik

    @property
    def sikp_complete(self) -> bool:
        """Every SIKP field a bank needs to register the owner as a KUR debtor is given."""
        return None not in (
            self.kk_encrypted,
            self.marital_status,
            self.sikp_sector,
            self.kbli_code,
        )

    def __repr__(self) -> str:
        return f"<Business {self.id}>"
