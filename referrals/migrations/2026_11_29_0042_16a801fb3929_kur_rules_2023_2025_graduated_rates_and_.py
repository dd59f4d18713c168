"""KUR rules: 2023-2025 graduated rates and the 2026 flat 6 percent

Revision ID: 16a801fb3929
Revises: 4fda39f55ceb
Create Date: 2026-11-29 00:42:35.007200

"""
from alembic import op
import sqlalchemy as sa
from datetime import date


# revision identifiers, used by Alembic.
revision = '16a801fb3929'
down_revision = '4fda39f55ceb'
branch_labels = None
depends_on = None


SOURCE_2023 = ("Permenko Perekonomian 1/2023 (graduated 6/7/8/9% by access number); "
               "KMK 317/2023. DOMAIN.md 3.2.")
SOURCE_2026 = ("Announced 17 Nov 2025 by the Minister of UMKM: flat 6%, no access cap, "
               "effective Jan 2026. DOMAIN.md 3.2 (MED: check the amended Permenko).")


def upgrade():
    # KUR rules as data (admins edit them later); the 2026 announcement is current.
    kur = sa.table(
        "kur_scheme",
        sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("min_idr", sa.BigInteger), sa.column("max_idr", sa.BigInteger),
        sa.column("rates_bp", sa.JSON), sa.column("max_tenor_kmk_months", sa.Integer),
        sa.column("max_tenor_ki_months", sa.Integer),
        sa.column("no_collateral_up_to_idr", sa.BigInteger),
        sa.column("npwp_above_idr", sa.BigInteger), sa.column("effective_from", sa.Date),
        sa.column("is_current", sa.Boolean), sa.column("source", sa.Text),
    )
    common = {"no_collateral_up_to_idr": 100_000_000, "npwp_above_idr": 50_000_000}
    graduated = {"1": 600, "2": 700, "3": 800, "4": 900}
    rows = []
    for year, current, source in ((2023, False, SOURCE_2023), (2026, True, SOURCE_2026)):
        start = date(year, 1, 1)
        rows += [
            {"code": "super_mikro", "name": "KUR Super Mikro", "min_idr": 1,
             "max_idr": 10_000_000, "rates_bp": {"*": 300}, "max_tenor_kmk_months": 36,
             "max_tenor_ki_months": 60, "effective_from": start, "is_current": current,
             "source": source, **common},
            {"code": "mikro", "name": "KUR Mikro", "min_idr": 10_000_001,
             "max_idr": 100_000_000, "rates_bp": {"*": 600} if current else graduated,
             "max_tenor_kmk_months": 36, "max_tenor_ki_months": 60, "effective_from": start,
             "is_current": current, "source": source, **common},
            {"code": "kecil", "name": "KUR Kecil", "min_idr": 100_000_001,
             "max_idr": 500_000_000, "rates_bp": {"*": 600} if current else graduated,
             "max_tenor_kmk_months": 48, "max_tenor_ki_months": 60, "effective_from": start,
             "is_current": current, "source": source, **common},
        ]
    op.bulk_insert(kur, rows)


def downgrade():
    op.execute("DELETE FROM kur_scheme")
