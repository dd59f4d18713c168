"""The product change feed: one row per change that may alter what search shows.

Rows are written in the same transaction as the change; every search node applies them
after the commit, on start-up and from ``flask search follow``, keeping its own position
(see ``services.apply_feed`` for what a position means on each database).
"""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class SearchChange(db.Model):
    __tablename__ = "search_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # PostgreSQL: the writing transaction's id (pg_current_xact_id(), 64-bit, never wraps),
    # stamped by feed.record. NULL on SQLite (one writer: ids commit in order there).
    txid: Mapped[int | None] = mapped_column(BigInteger, index=True)


class SearchNode(db.Model):
    """Where each search node (one index folder, however many workers share it) stands.

    Written by ``flask search follow``; pruning keeps every row some live node still needs.
    """

    __tablename__ = "search_node"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchFeedState(db.Model):
    """One row: the feed was pruned below ``pruned_below`` (a node behind it must rebuild)."""

    __tablename__ = "search_feed_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_below: Mapped[int] = mapped_column(BigInteger, default=0)
