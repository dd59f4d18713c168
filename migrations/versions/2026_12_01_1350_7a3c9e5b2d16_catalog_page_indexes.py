"""catalog page indexes: newest listed products, a business's listed products by name

Revision ID: 7a3c9e5b2d16
Revises: 7a3c9e1f5b62
Create Date: 2026-12-01 13:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a3c9e5b2d16'
# The integrator re-chains this after the other issue-11 host migrations.
down_revision = '7a3c9e1f5b62'
branch_labels = None
depends_on = None


def upgrade():
    # Home "Produk baru" and the chapter storefront walk listed products newest first; the
    # business id in the index lets the chapter walk skip other chapters' products unread.
    op.create_index(
        'ix_product_status_created_at_id',
        'product',
        ['status', 'created_at', 'id', 'business_id'],
    )
    # A business's storefront: its listed products by name, a page at a time.
    op.create_index(
        'ix_product_business_id_status_name', 'product', ['business_id', 'status', 'name', 'id']
    )


def downgrade():
    op.drop_index('ix_product_business_id_status_name', table_name='product')
    op.drop_index('ix_product_status_created_at_id', table_name='product')
