"""load jakarta chapters

Revision ID: abdd49205f74
Revises: b9b4e82037a3
Create Date: 2026-11-28 23:37:38.672452

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'abdd49205f74'
down_revision = 'b9b4e82037a3'
branch_labels = None
depends_on = None


def upgrade():
    # Reference data: the 44 kecamatan of DKI Jakarta as chapters, with their kelurahan
    # (marketplace/data/dki_kelurahan.csv, see NOTICE there). reference.py is pure.
    from marketplace.chapters import reference

    chapter = sa.table(
        "chapter",
        sa.column("id", sa.Integer),
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("code", sa.String),
        sa.column("kota", sa.String),
        sa.column("kota_code", sa.String),
    )
    kelurahan = sa.table(
        "kelurahan",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("postal_code", sa.String),
        sa.column("chapter_id", sa.Integer),
    )
    rows = reference.chapters()
    op.bulk_insert(chapter, [{"id": i, **row} for i, row in enumerate(rows, start=1)])
    ids = {row["code"]: i for i, row in enumerate(rows, start=1)}
    op.bulk_insert(
        kelurahan,
        [
            {
                "code": k["code"],
                "name": k["name"],
                "postal_code": k["postal_code"],
                "chapter_id": ids[k["kecamatan_code"]],
            }
            for k in reference.kelurahan()
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids were inserted; move the sequence past them.
        op.execute("SELECT setval(pg_get_serial_sequence('chapter', 'id'), (SELECT MAX(id) FROM chapter))")


def downgrade():
    op.execute("DELETE FROM kelurahan")
    op.execute("DELETE FROM chapter")
