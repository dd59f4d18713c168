"""indexes for the consoles (issue 11): members by chapter and name, a member's verified NIB,
a member's first paid order

Revision ID: 7c4a9e2d1f05
Revises: 8b2f4d6a1c37
Create Date: 2026-12-01 13:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c4a9e2d1f05'
# The integrator re-chains this after the other issue-11 host migrations.
down_revision = '8b2f4d6a1c37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_business_chapter_name', 'business', ['chapter_id', 'name', 'id'])
    op.create_index(
        'ix_legality_document_business_kind_status',
        'legality_document',
        ['business_id', 'kind', 'status'],
    )
    op.create_index('ix_order_business_paid', 'order', ['business_id', 'paid_at'])


def downgrade():
    op.drop_index('ix_order_business_paid', table_name='order')
    op.drop_index('ix_legality_document_business_kind_status', table_name='legality_document')
    op.drop_index('ix_business_chapter_name', table_name='business')
