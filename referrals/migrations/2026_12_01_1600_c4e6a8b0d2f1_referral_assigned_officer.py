"""the bank officer a referral is assigned to (issue 14: the officer's working inbox)

Revision ID: c4e6a8b0d2f1
Revises: 8b3d5e7f9a12
Create Date: 2026-12-01 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "c4e6a8b0d2f1"
down_revision = "8b3d5e7f9a12"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("assigned_officer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_referral_assigned_officer_id_user", "user", ["assigned_officer_id"], ["id"]
        )
    op.create_index("ix_referral_bank_assignee", "referral", ["bank_id", "assigned_officer_id"])


def downgrade():
    op.drop_index("ix_referral_bank_assignee", table_name="referral")
    with op.batch_alter_table("referral") as batch:
        batch.drop_constraint("fk_referral_assigned_officer_id_user", type_="foreignkey")
        batch.drop_column("assigned_at")
        batch.drop_column("assigned_officer_id")
