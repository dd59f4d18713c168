"""The product change feed: one row per change that may alter what search shows.

Rows are written in the same transaction as the change; every search node applies them
after the commit, on start-up and from ``flask search follow``, keeping its own position.
"""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class SearchChange(db.Model):
    __tablename__ = "search_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
