"""The record that an account was erased on its owner's request (UU 27/2022 art. 8)."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class Erasure(db.Model):  # type: ignore[name-defined]  # built at run time
    """One per erased account: when it was asked and done. It holds no personal data; it
    is what proves the request was carried out (and keeps the user row from being reused)."""

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
