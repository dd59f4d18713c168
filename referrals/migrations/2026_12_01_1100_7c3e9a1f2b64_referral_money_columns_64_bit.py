"""referral money columns are 64-bit: every *_idr column of the referral network is BIGINT

Revision ID: 7c3e9a1f2b64
Revises: 5c1e9a7d2b40
Create Date: 2026-12-01 11:00:00.000000

Rp3.000.000.000 does not fit a 32-bit INTEGER on PostgreSQL; the bounds of every amount
are in marketplace.core.money (and referrals.services.bounds for a bank's decision).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1f2b64'
down_revision = '5c1e9a7d2b40'
branch_labels = None
depends_on = None

COLUMNS = {
    "kur_scheme": (
        ("min_idr", False),
        ("max_idr", False),
        ("no_collateral_up_to_idr", False),
        ("npwp_above_idr", False),
    ),
    "referral": (("amount_idr", False), ("approved_amount_idr", True)),
}


def _alter(old, new):
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(
                    column, existing_type=old, type_=new, existing_nullable=nullable
                )
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    _alter(sa.Integer(), sa.BigInteger())


def downgrade():
    _alter(sa.BigInteger(), sa.Integer())
