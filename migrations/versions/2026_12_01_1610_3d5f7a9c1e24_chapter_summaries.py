"""dashboard summaries: member_fact, chapter_summary, summary_state; sellers by name (issue 11)

Revision ID: 3d5f7a9c1e24
Revises: d7f1b3c5e9a2
Create Date: 2026-12-01 16:10:00.000000

The 7 PAS funnel per chapter kept up to date in the same transaction as each change
(marketplace/mentoring/summaries.py). On a database that already has members the tables
start empty and marked ``needs_rebuild``: run ``flask summaries rebuild`` once (until then
the dashboards count live, as before).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d5f7a9c1e24'
# The integrator re-chains this after the other host migrations of this round.
down_revision = "d7f1b3c5e9a2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_fact',
        sa.Column('business_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('fact', sa.String(length=20), nullable=False),
        sa.Column('chapter_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('business_id', 'fact', name=op.f('pk_member_fact')),
    )
    op.create_index('ix_member_fact_chapter_fact', 'member_fact', ['chapter_id', 'fact'])
    op.create_table(
        'chapter_summary',
        sa.Column('chapter_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('fact', sa.String(length=20), nullable=False),
        sa.Column('n', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('chapter_id', 'fact', name=op.f('pk_chapter_summary')),
    )
    op.create_table(
        'summary_state',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_summary_state')),
    )
    op.create_table(
        'member_month_sales',
        sa.Column('business_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('month_index', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('chapter_id', sa.Integer(), nullable=False),
        sa.Column('amount_idr', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('business_id', 'month_index', name=op.f('pk_member_month_sales')),
    )
    op.create_table(
        'chapter_month_sales',
        sa.Column('chapter_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('month_index', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('amount_idr', sa.BigInteger(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('chapter_id', 'month_index', name=op.f('pk_chapter_month_sales')),
    )
    # A database with members already: empty tables until `flask summaries rebuild` (the
    # dashboards count live meanwhile). A new database is kept exact from its first write.
    if op.get_bind().execute(sa.text("SELECT 1 FROM business LIMIT 1")).first():
        op.execute("INSERT INTO summary_state (name, value) VALUES ('needs_rebuild', 'yes')")
    # The admin's payouts list walks sellers by name (keyset).
    op.create_index('ix_business_name_id', 'business', ['name', 'id'])


def downgrade():
    op.drop_table('chapter_month_sales')
    op.drop_table('member_month_sales')
    op.drop_index('ix_business_name_id', table_name='business')
    op.drop_table('summary_state')
    op.drop_table('chapter_summary')
    op.drop_index('ix_member_fact_chapter_fact', table_name='member_fact')
    op.drop_table('member_fact')
