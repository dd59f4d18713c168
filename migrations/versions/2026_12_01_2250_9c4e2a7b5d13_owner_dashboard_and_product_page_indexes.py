"""indexes for the owner dashboard and the product page (issue 11): a chapter's last review
decisions, a product's documents

Revision ID: 9c4e2a7b5d13
Revises: 8c2e4a6b1d93
Create Date: 2026-12-01 22:15:00.000000

- ``legality_document (chapter_id, status_changed_at)``: the owner dashboard's median review
  time takes the chapter's last decisions newest first (checklist.median_review_time); it
  read every document of the chapter (~20k in Tebet at 400k members).
- ``document_product (product_id, document_id)``: the primary key starts with the document,
  so the product page's permits (and the cart's gate) read the whole table per product.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c4e2a7b5d13'
# The integrator re-chains this after the other host migrations of this round.
down_revision = '8c2e4a6b1d93'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_legality_document_chapter_changed',
        'legality_document',
        ['chapter_id', 'status_changed_at'],
    )
    op.create_index(
        'ix_document_product_product_id', 'document_product', ['product_id', 'document_id']
    )


def downgrade():
    op.drop_index('ix_document_product_product_id', table_name='document_product')
    op.drop_index('ix_legality_document_chapter_changed', table_name='legality_document')
