"""The monthly endorsement quota as a counter row per (lead, month): taken with a conditional
UPDATE, so simultaneous sends by one lead cannot pass the quota

Revision ID: 5c1e9a7d2b40
Revises: 0a7178c4a4e3
Create Date: 2026-12-01 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "5c1e9a7d2b40"
down_revision = "0a7178c4a4e3"
branch_labels = None
depends_on = None


def upgrade():
    # The counter starts from the referrals already sent that month, when first used.
    op.create_table(
        "endorsement_quota",
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_endorsement_quota_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["user.id"], name=op.f("fk_endorsement_quota_lead_id_user")
        ),
        sa.PrimaryKeyConstraint("lead_id", "month", name=op.f("pk_endorsement_quota")),
    )


def downgrade():
    op.drop_table("endorsement_quota")
