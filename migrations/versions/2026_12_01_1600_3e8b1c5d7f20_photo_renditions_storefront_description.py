"""product photo renditions (WebP/JPEG widths, content digests), the storefront description
and its by-category index

Revision ID: 3e8b1c5d7f20
Revises: 354f047fc2eb
Create Date: 2026-12-01 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8b1c5d7f20'
# The integrator re-chains this after the other issue-14/15/16 host migrations.
down_revision = "354f047fc2eb"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renditions', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=True))
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_business_id_status_category_name', ['business_id', 'status', 'category', 'name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_business_id_status_category_name')
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('description')
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_column('height')
        batch_op.drop_column('width')
        batch_op.drop_column('renditions')
