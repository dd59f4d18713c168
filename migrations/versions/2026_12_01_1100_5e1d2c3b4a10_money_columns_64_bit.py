"""money columns are 64-bit: every *_idr column of the host becomes BIGINT

Revision ID: 5e1d2c3b4a10
Revises: b6b659e19bad
Create Date: 2026-12-01 11:00:00.000000

A 32-bit INTEGER holds at most Rp2.147.483.647; a ledger entry may be Rp10 miliar
(marketplace.core.money). SQLite stores both as the same 64-bit integer, but the declared
type is what `flask db check` compares, so it changes there too (batch mode).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d2c3b4a10'
# Several issue-12 migrations may follow b6b659e19bad; the integrator re-chains them.
down_revision = 'b6b659e19bad'
branch_labels = None
depends_on = None

COLUMNS = {
    "product": ("price_idr",),
    "checkout": ("total_idr",),
    "order": ("total_idr",),
    "order_line": ("unit_price_idr",),
    "ledger_entry": ("amount_idr",),
    "payout": ("amount_idr",),
}


def _without_sqlite_foreign_keys(change):
    # SQLite changes a type by copying the table; see b6b659e19bad for the pragma.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def _alter(old, new):
    def change():
        for table, columns in COLUMNS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in columns:
                    batch_op.alter_column(
                        column, existing_type=old, type_=new, existing_nullable=False
                    )

    _without_sqlite_foreign_keys(change)


def upgrade():
    _alter(sa.Integer(), sa.BigInteger())


def downgrade():
    _alter(sa.BigInteger(), sa.Integer())
