"""SME businesses: the members of a chapter."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

SCALES = ("mikro", "kecil", "menengah")


class Business(db.Model):
    __tablename__ = "business"
    __table_args__ = (
        CheckConstraint("scale IN ('mikro', 'kecil', 'menengah')", name="scale_known"),
        CheckConstraint("storage_used_bytes >= 0", name="storage_non_negative"),
        # The lead's member list: one chapter's members by name, a keyset page at a time.
        Index("ix_business_chapter_name", "chapter_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"))
    name: Mapped[str] = mapped_column(String(120))
    # NIK is personal data (UU PDP): encrypted at rest, only the masked form is kept clear.
    nik_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    nik_masked: Mapped[str] = mapped_column(String(16))
    nib: Mapped[str] = mapped_column(String(13), index=True)
    npwp: Mapped[str | None] = mapped_column(String(16))
    scale: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    address_line: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    whatsapp_e164: Mapped[str] = mapped_column(String(20))
    storage_used_bytes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped["User"] = relationship()  # noqa: F821
    chapter: Mapped["Chapter"] = relationship()  # noqa: F821
    kelurahan: Mapped["Kelurahan"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Business {self.id}>"
