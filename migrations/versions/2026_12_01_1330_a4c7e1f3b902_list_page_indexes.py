"""indexes for the keyset list pages (issue 11): review queues, sessions, orders, halal
re-checks, notifications

Revision ID: a4c7e1f3b902
Revises: 7c4a9e2d1f05
Create Date: 2026-12-01 13:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c7e1f3b902"
# The integrator re-chains this after the other issue-11 host migrations.
down_revision = "7c4a9e2d1f05"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_legality_document_chapter_status_created",
        "legality_document",
        ["chapter_id", "status", "created_at", "id"],
    ),
    ("ix_legality_document_status_created", "legality_document", ["status", "created_at", "id"]),
    (
        "ix_mentoring_session_chapter_starts",
        "mentoring_session",
        ["chapter_id", "starts_at", "id"],
    ),
    ("ix_order_business_created", "order", ["business_id", "created_at", "id"]),
    ("ix_order_consumer_created", "order", ["consumer_id", "created_at", "id"]),
    ("ix_order_created", "order", ["created_at", "id"]),
    ("ix_product_halal_review", "product", ["halal_review_required", "id"]),
    ("ix_notification_user_created", "notification", ["user_id", "created_at", "id"]),
)


FLAGGED = sa.text("flagged_reason IS NOT NULL")


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # The admin's flagged payments: a handful among all orders.
    op.create_index(
        "ix_order_flagged_created",
        "order",
        ["created_at"],
        postgresql_where=FLAGGED,
        sqlite_where=FLAGGED,
    )


def downgrade():
    op.drop_index("ix_order_flagged_created", table_name="order")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
