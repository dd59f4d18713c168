"""issue 13: product answers for AMDK, mandatory SNI and PKRT; the NIK blind index, NPWP = NIK,
and the SIKP fields on the business

Revision ID: 8b2f4d6a1c37
Revises: 8a4f2c6d1e57
Create Date: 2026-12-01 13:00:00.000000

Existing data:
* ``business.nik_index`` is computed here from each decrypted NIK with the app's own crypto
  (``marketplace.core.crypto``: DATA_ENCRYPTION_KEYS to decrypt, NIK_INDEX_KEY to index), so
  the migration runs with the app's configuration (``flask db upgrade``), like the app. When
  one NIK already has several businesses, the oldest keeps the claim and the later ones get
  ``nik_legacy_duplicate = true`` (outside the unique index); their ids are printed, and the
  leads of both chapters see it on the member page.
* An individual's NPWP stored as a 16-digit NIK becomes ``npwp_is_nik = true`` with no second
  plain copy; an old personal NPWP (types 04-09) that was turned into ``0`` + 15 digits is
  treated the same (PMK 112/2022: a resident individual's NPWP is the NIK).
* Products: the new answers default to "no". Products listed before the corrected permit
  table are re-checked by ``flask permits recheck`` (run it right after this upgrade; the
  daily ``flask permits expire`` re-checks too): whatever now lacks a permit is unlisted.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8b2f4d6a1c37'
# The integrator re-chains this after the other issue-13 host migrations.
down_revision = '8a4f2c6d1e57'
branch_labels = None
depends_on = None

PERSONAL_TAXPAYER_TYPES = ("04", "05", "06", "07", "08", "09")


def _without_sqlite_foreign_keys(change):
    # As in b6b659e19bad: SQLite copies "business" to add the CHECKs; rows point at it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def _backfill(bind):
    business = sa.table(
        'business',
        sa.column('id', sa.Integer),
        sa.column('nik_encrypted', sa.LargeBinary),
        sa.column('nik_index', sa.String),
        sa.column('nik_legacy_duplicate', sa.Boolean),
        sa.column('npwp', sa.String),
        sa.column('npwp_is_nik', sa.Boolean),
    )
    rows = bind.execute(
        sa.select(business.c.id, business.c.nik_encrypted, business.c.npwp).order_by(
            business.c.id
        )
    ).all()
    if not rows:
        return
    # The app's crypto, inside the app context `flask db upgrade` provides.
    from marketplace.core.crypto import blind_index, decrypt_text

    seen: set[str] = set()
    duplicates = []
    for row in rows:
        index = blind_index(decrypt_text(row.nik_encrypted))
        duplicate = index in seen
        seen.add(index)
        if duplicate:
            duplicates.append(row.id)
        npwp, npwp_is_nik = row.npwp, False
        if npwp and len(npwp) == 16 and not npwp.startswith("0"):
            npwp, npwp_is_nik = None, True  # the NIK itself: no second plain copy
        elif npwp and len(npwp) == 16 and npwp[1:3] in PERSONAL_TAXPAYER_TYPES:
            npwp, npwp_is_nik = None, True  # a personal legacy NPWP: the NIK is the NPWP
        bind.execute(
            business.update()
            .where(business.c.id == row.id)
            .values(
                nik_index=index,
                nik_legacy_duplicate=duplicate,
                npwp=npwp,
                npwp_is_nik=npwp_is_nik,
            )
        )
    if duplicates:
        print(f"businesses sharing a NIK with an older one (nik_legacy_duplicate): {duplicates}")


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        for name in ('bottled_water', 'mandatory_sni', 'household_cleaning'):
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)
            )

    def change():
        with op.batch_alter_table('business', schema=None) as batch_op:
            batch_op.add_column(sa.Column('nik_index', sa.String(length=64), nullable=True))
            batch_op.add_column(
                sa.Column(
                    'nik_legacy_duplicate', sa.Boolean(), server_default=sa.false(), nullable=False
                )
            )
            batch_op.add_column(
                sa.Column('npwp_is_nik', sa.Boolean(), server_default=sa.false(), nullable=False)
            )
            batch_op.add_column(sa.Column('kk_encrypted', sa.LargeBinary(), nullable=True))
            batch_op.add_column(sa.Column('kk_masked', sa.String(length=16), nullable=True))
            batch_op.add_column(sa.Column('marital_status', sa.String(length=16), nullable=True))
            batch_op.add_column(sa.Column('sikp_sector', sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column('kbli_code', sa.String(length=5), nullable=True))

        _backfill(op.get_bind())

        with op.batch_alter_table('business', schema=None) as batch_op:
            batch_op.alter_column('nik_index', existing_type=sa.String(length=64), nullable=False)
            batch_op.create_check_constraint(
                op.f('ck_business_npwp_nik_not_copied'), sa.text('NOT npwp_is_nik OR npwp IS NULL')
            )
            batch_op.create_check_constraint(
                op.f('ck_business_marital_known'),
                sa.text(
                    "marital_status IS NULL OR marital_status IN "
                    "('belum_kawin', 'kawin', 'cerai_hidup', 'cerai_mati')"
                ),
            )
            batch_op.create_check_constraint(
                op.f('ck_business_sikp_sector_known'),
                sa.text(
                    "sikp_sector IS NULL OR sikp_sector IN ('produksi', 'perdagangan_jasa')"
                ),
            )
            batch_op.create_check_constraint(
                op.f('ck_business_kbli_five_digits'),
                sa.text('kbli_code IS NULL OR length(kbli_code) = 5'),
            )
            batch_op.create_index(batch_op.f('ix_business_nik_index'), ['nik_index'], unique=False)
            batch_op.create_index(
                'uq_business_nik_index',
                ['nik_index'],
                unique=True,
                sqlite_where=sa.text('NOT nik_legacy_duplicate'),
                postgresql_where=sa.text('NOT nik_legacy_duplicate'),
            )

    _without_sqlite_foreign_keys(change)


def downgrade():
    def change():
        with op.batch_alter_table('business', schema=None) as batch_op:
            batch_op.drop_index('uq_business_nik_index')
            batch_op.drop_index(batch_op.f('ix_business_nik_index'))
            for name in (
                'ck_business_kbli_five_digits',
                'ck_business_sikp_sector_known',
                'ck_business_marital_known',
                'ck_business_npwp_nik_not_copied',
            ):
                batch_op.drop_constraint(op.f(name), type_='check')
            for name in (
                'kbli_code',
                'sikp_sector',
                'marital_status',
                'kk_masked',
                'kk_encrypted',
                'npwp_is_nik',
                'nik_legacy_duplicate',
                'nik_index',
            ):
                batch_op.drop_column(name)

    _without_sqlite_foreign_keys(change)
    with op.batch_alter_table('product', schema=None) as batch_op:
        for name in ('household_cleaning', 'mandatory_sni', 'bottled_water'):
            batch_op.drop_column(name)
