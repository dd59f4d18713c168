"""refunds from any source: each Stripe refund once (payment_refund), the order's refunded amount

Revision ID: 5d1c0e7a9b24
Revises: 5e1d2c3b4a10
Create Date: 2026-12-01 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0e7a9b24'
# The integrator re-chains this after the other issue-12 host migrations.
down_revision = '5e1d2c3b4a10'
branch_labels = None
depends_on = None


def _without_sqlite_foreign_keys(change):
    # As in b6b659e19bad: SQLite copies "order" to add the CHECK; rows point at it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    op.create_table(
        'payment_refund',
        sa.Column('refund_id', sa.String(length=255), nullable=False),
        sa.Column('checkout_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('amount_idr', sa.BigInteger(), nullable=False),
        sa.Column('allocated', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount_idr > 0', name=op.f('ck_payment_refund_amount_positive')),
        sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_payment_refund_checkout_id_checkout')),
        sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_payment_refund_order_id_order')),
        sa.PrimaryKeyConstraint('refund_id', name=op.f('pk_payment_refund')),
    )
    with op.batch_alter_table('payment_refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_refund_checkout_id'), ['checkout_id'], unique=False)

    def change():
        with op.batch_alter_table('order', schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('refunded_idr', sa.BigInteger(), server_default='0', nullable=False)
            )
        # Orders refunded before this migration were refunded in full.
        op.execute('UPDATE "order" SET refunded_idr = total_idr WHERE status = \'refunded\'')
        with op.batch_alter_table('order', schema=None) as batch_op:
            batch_op.create_check_constraint(
                op.f('ck_order_refunded_in_total'),
                sa.text('refunded_idr >= 0 AND refunded_idr <= total_idr'),
            )

    _without_sqlite_foreign_keys(change)


def downgrade():
    def change():
        with op.batch_alter_table('order', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_order_refunded_in_total'), type_='check')
            batch_op.drop_column('refunded_idr')

    _without_sqlite_foreign_keys(change)
    with op.batch_alter_table('payment_refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_refund_checkout_id'))
    op.drop_table('payment_refund')
