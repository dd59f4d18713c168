"""search feed exact under concurrent writers: txid on feed rows, node positions, pruned horizon

Revision ID: 8a4f2c6d1e57
Revises: 5d1c0e7a9b24
Create Date: 2026-12-01 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a4f2c6d1e57'
# The integrator re-chains this after the other issue-11/13 host migrations.
down_revision = '5d1c0e7a9b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('txid', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_search_change_txid'), ['txid'], unique=False)
    op.create_table('search_node',
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_node'))
    )
    op.create_table('search_feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pruned_below', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_search_feed_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_feed_state'))
    )
    # Rows written before this revision have no txid; on PostgreSQL they read as 0, below
    # every horizon. Nodes are not in search_node yet, so each rebuilds once on its next
    # `flask search follow` (an index position written before this meant a row id).


def downgrade():
    op.drop_table('search_feed_state')
    op.drop_table('search_node')
    with op.batch_alter_table('search_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_change_txid'))
        batch_op.drop_column('txid')
