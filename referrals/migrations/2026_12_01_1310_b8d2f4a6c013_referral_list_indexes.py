"""indexes for the referral list pages (issue 11): the lead's list, the bank's inbox and the
bank API's since-polling

Revision ID: b8d2f4a6c013
Revises: 5c1e2d7a9b40
Create Date: 2026-12-01 13:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b8d2f4a6c013"
down_revision = "5c1e2d7a9b40"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_referral_chapter_created", ["chapter_id", "created_at", "id"]),
    ("ix_referral_bank_sent", ["bank_id", "sent_at", "id"]),
    ("ix_referral_bank_changed", ["bank_id", "status_changed_at", "id"]),
)


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, "referral", columns)


def downgrade():
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="referral")
