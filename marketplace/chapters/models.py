"""Chapters (one per kecamatan: the tenant), their kelurahan and their leads."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class Chapter(db.Model):
    __tablename__ = "chapter"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(8), unique=True)  # Kemendagri 31.71.01
    kota: Mapped[str] = mapped_column(String(80))
    kota_code: Mapped[str] = mapped_column(String(5), index=True)
    # Chapter settings (leads' own rules for the pathway and the KUR pre-screen).
    mentoring_sessions_required: Mapped[int] = mapped_column(default=4, server_default="4")
    books_months_required: Mapped[int] = mapped_column(default=3, server_default="3")
    # The chapter's centre (sekretariat): where buyers may pick up (issue 15), shown after payment.
    centre_address: Mapped[str | None] = mapped_column(String(200))
    centre_hours: Mapped[str | None] = mapped_column(String(120))
    # A month counts as "books kept" when the owner made entries in at least this many of
    # its weeks (days 1-7, 8-14, 15-21, 22-28, 29-31): marketplace/ledger/services.py.
    books_weeks_required: Mapped[int] = mapped_column(default=4, server_default="4")

    kelurahan: Mapped[list["Kelurahan"]] = relationship(
        back_populates="chapter", order_by="Kelurahan.name"
    )
    leads: Mapped[list["ChapterLead"]] = relationship(
        back_populates="chapter", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Chapter {self.slug}>"


class Kelurahan(db.Model):
    __tablename__ = "kelurahan"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)  # 31.71.01.1001
    name: Mapped[str] = mapped_column(String(80))
    postal_code: Mapped[str] = mapped_column(String(5))
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)

    chapter: Mapped[Chapter] = relationship(back_populates="kelurahan")


class ChapterLead(db.Model):
    __tablename__ = "chapter_lead"
    __table_args__ = (UniqueConstraint("chapter_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    chapter: Mapped[Chapter] = relationship(back_populates="leads")
    user: Mapped["User"] = relationship(  # noqa: F821
        back_populates="lead_roles", foreign_keys=[user_id]
    )
