"""follow-up day counters and visible products per chapter: member_last_day, chapter_last_day,
member_listing, chapter_listing (issue 11: the lead dashboard and /c/ flat)

Revision ID: 5b7d9f1a3c68
Revises: 3d5f7a9c1e24
Create Date: 2026-12-01 20:10:00.000000

Each member's last check-in day and last books entry day, and per chapter how many members
have each day (marketplace/mentoring/summaries.py), so the lead dashboard's "needs a
check-in" / "stopped the books" counts are a sum over days instead of a count over the
chapter's members; and each member's / chapter's visible products, so the /c/ storefront's
figures are summary rows. On a database that already has members the tables start empty and the
summaries are marked ``needs_rebuild`` (run ``flask summaries rebuild`` once).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7d9f1a3c68'
# The integrator re-chains this after the other host migrations of this round.
down_revision = '3d5f7a9c1e24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_last_day',
        sa.Column('business_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('chapter_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('business_id', 'kind', name=op.f('pk_member_last_day')),
    )
    op.create_index(
        'ix_member_last_day_chapter_kind_day', 'member_last_day', ['chapter_id', 'kind', 'day']
    )
    op.create_table(
        'chapter_last_day',
        sa.Column('chapter_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('n', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('chapter_id', 'kind', 'day', name=op.f('pk_chapter_last_day')),
    )
    op.create_table(
        'member_listing',
        sa.Column('business_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('chapter_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('business_id', name=op.f('pk_member_listing')),
    )
    op.create_table(
        'chapter_listing',
        sa.Column('chapter_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('chapter_id', name=op.f('pk_chapter_listing')),
    )
    if op.get_bind().execute(sa.text("SELECT 1 FROM business LIMIT 1")).first():
        op.execute(
            "INSERT INTO summary_state (name, value) SELECT 'needs_rebuild', 'yes' "
            "WHERE NOT EXISTS (SELECT 1 FROM summary_state WHERE name = 'needs_rebuild')"
        )


def downgrade():
    op.drop_table('chapter_listing')
    op.drop_table('member_listing')
    op.drop_table('chapter_last_day')
    op.drop_index('ix_member_last_day_chapter_kind_day', table_name='member_last_day')
    op.drop_table('member_last_day')
