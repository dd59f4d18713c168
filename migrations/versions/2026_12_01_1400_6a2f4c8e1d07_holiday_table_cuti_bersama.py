"""holiday table: cuti bersama and decreed days off the holidays package lacks, 2026 seeded

Revision ID: 6a2f4c8e1d07
Revises: 7a3c9e5b2d16
Create Date: 2026-12-01 13:00:00.000000

"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a2f4c8e1d07'
# The integrator re-chains this after the other issue-13 host migrations.
down_revision = '7a3c9e5b2d16'
branch_labels = None
depends_on = None

SKB_2026 = (
    "SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB No. 1497, 2 dan 5 "
    "Tahun 2025 (19 September 2025): hari libur nasional dan cuti bersama 2026"
)
# The eight cuti bersama days of 2026; the 17 national holidays are in the holidays package.
CUTI_BERSAMA_2026 = (
    (date(2026, 2, 16), "Cuti bersama Tahun Baru Imlek"),
    (date(2026, 3, 18), "Cuti bersama Hari Suci Nyepi"),
    (date(2026, 3, 20), "Cuti bersama Idul Fitri"),
    (date(2026, 3, 23), "Cuti bersama Idul Fitri"),
    (date(2026, 3, 24), "Cuti bersama Idul Fitri"),
    (date(2026, 5, 15), "Cuti bersama Kenaikan Yesus Kristus"),
    (date(2026, 5, 28), "Cuti bersama Idul Adha"),
    (date(2026, 12, 24), "Cuti bersama Hari Raya Natal"),
)


def upgrade():
    holiday = op.create_table('holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cuti_bersama', 'libur_nasional')", name=op.f('ck_holiday_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday')),
    sa.UniqueConstraint('day', name=op.f('uq_holiday_day'))
    )
    op.bulk_insert(holiday, [
        {"day": day, "name": name, "kind": "cuti_bersama", "source": SKB_2026,
         "created_at": datetime(2026, 12, 1, tzinfo=UTC)}
        for day, name in CUTI_BERSAMA_2026
    ])


def downgrade():
    op.drop_table('holiday')
