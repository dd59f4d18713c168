"""ledger: kinds for SAK EMKM books (prive, stock, equipment, receivables, payables, loans,
capital), who made each entry (origin), deleted entries kept 10 minutes for undo; the chapter's weekly rhythm
for "books kept"

Revision ID: 3e8b1c5d7f24
Revises: 3e8b1c5d7f20
Create Date: 2026-12-01 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8b1c5d7f24'
# The integrator re-chains this after the other issue-13 host migrations.
down_revision = "3e8b1c5d7f20"
branch_labels = None
depends_on = None

OLD_KINDS = ('sale', 'refund', 'manual_income', 'expense')
KINDS = OLD_KINDS + (
    'credit_sale', 'receivable_collected', 'stock_purchase', 'credit_purchase',
    'payable_paid', 'stock_used', 'asset_purchase', 'loan_received', 'loan_repaid',
    'owner_capital', 'owner_withdrawal',
)
ORIGINS = ('platform', 'owner', 'lead')


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        # 'receivable_collected' and kinds other features add need more than 16.
        batch_op.alter_column('kind', existing_type=sa.String(length=16), type_=sa.String(length=24), existing_nullable=False)
        batch_op.add_column(sa.Column('origin', sa.String(length=16), server_default='owner', nullable=False))
    # The platform wrote every sale and refund so far; everything else was typed.
    op.execute("UPDATE ledger_entry SET origin = 'platform' WHERE kind IN ('sale', 'refund')")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', one_of('kind', KINDS))
        batch_op.create_check_constraint('origin_known', one_of('origin', ORIGINS))
    op.create_table('deleted_ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('entry', sa.JSON(), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_deleted_ledger_entry_business_id_business')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user.id'], name=op.f('fk_deleted_ledger_entry_deleted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deleted_ledger_entry'))
    )
    with op.batch_alter_table('deleted_ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deleted_ledger_entry_business_id'), ['business_id'], unique=False)
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('books_weeks_required', sa.Integer(), server_default='4', nullable=False))


def downgrade():
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.drop_column('books_weeks_required')
    op.drop_table('deleted_ledger_entry')
    op.execute(f"DELETE FROM ledger_entry WHERE NOT ({one_of('kind', OLD_KINDS)})")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_origin_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', one_of('kind', OLD_KINDS))
        batch_op.drop_column('origin')
        batch_op.alter_column('kind', existing_type=sa.String(length=24), type_=sa.String(length=16), existing_nullable=False)
