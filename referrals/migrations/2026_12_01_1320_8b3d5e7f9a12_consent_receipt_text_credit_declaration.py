"""consent receipts keep the exact text shown (and the bank's name then); the referral keeps
the member's other-credit answers

Revision ID: 8b3d5e7f9a12
Revises: b8d2f4a6c013
Create Date: 2026-12-01 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8b3d5e7f9a12"
down_revision = "b8d2f4a6c013"
branch_labels = None
depends_on = None


def upgrade():
    # Receipts given before this revision kept only the hash: their text stays NULL (it was
    # rebuilt from the bank's current name, which is what this fixes), never a guess.
    with op.batch_alter_table("consent_receipt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("bank_name", sa.String(length=120), nullable=True))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_held", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("credit_held")
    with op.batch_alter_table("consent_receipt", schema=None) as batch_op:
        batch_op.drop_column("bank_name")
        batch_op.drop_column("text")
