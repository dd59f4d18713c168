"""delivery options, ongkir, cod, pickup (issue 15): options and rate tables per seller,
chapter default tables and centre, product weight and size, the order's delivery snapshot,
ongkir and payment method, awaiting_delivery (COD), the sale's shipping row in the books

Revision ID: 3e8d5a1c7b40
Revises: c1d1beb95658
Create Date: 2026-12-01 15:58:21.571303

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8d5a1c7b40'
down_revision = "c1d1beb95658"
branch_labels = None
depends_on = None

# A snapshot of the StrEnums (migrations never import the app).
ORDER = (
    "pending_payment", "paid", "expired", "cancelled", "shipped", "refunded", "completed",
    "awaiting_delivery",
)
ORDER_BEFORE = ORDER[:-1]
UNPAID = ("pending_payment", "expired", "cancelled", "awaiting_delivery")
UNPAID_BEFORE = UNPAID[:-1]
SHIPPED = ("shipped", "completed")
NO_RESI = ("pickup_chapter", "pickup_seller", "seller")
KINDS = ("pickup_seller", "pickup_chapter", "seller", "courier")
PICKUPS = ("pickup_seller", "pickup_chapter")


def _in(states):
    return ", ".join(f"'{s}'" for s in states)


def _order_checks(after: bool):
    order, unpaid = (ORDER, UNPAID) if after else (ORDER_BEFORE, UNPAID_BEFORE)
    shipped = f"status NOT IN ({_in(SHIPPED)}) OR "
    if after:
        shipped += f"COALESCE(delivery_kind, '') IN ({_in(NO_RESI)}) OR "
    shipped += "(courier IS NOT NULL AND tracking_number IS NOT NULL)"
    return [
        ("ck_order_status_known", f"status IN ({_in(order)})"),
        ("ck_order_unpaid_has_no_paid_at", f"status NOT IN ({_in(unpaid)}) OR paid_at IS NULL"),
        ("ck_order_shipped_has_tracking", shipped),
    ]


ORDER_NEW_CHECKS = [
    ("ck_order_delivery_kind_known", f"delivery_kind IN ({_in(KINDS)})"),
    ("ck_order_payment_method_known", "payment_method IN ('card', 'cod')"),
    ("ck_order_shipping_in_total", "shipping_idr >= 0 AND shipping_idr < total_idr"),
    (
        "ck_order_pickup_has_code",
        f"delivery_kind NOT IN ({_in(PICKUPS)}) OR pickup_code IS NOT NULL",
    ),
]
CHECKOUT_TOTAL = (
    "total_idr > 0",
    "total_idr >= 0 AND cod_idr >= 0 AND total_idr + cod_idr > 0",
)


def _without_sqlite_foreign_keys(change):
    # SQLite changes a CHECK by copying the table; dropping the old copy would fail the
    # foreign keys of rows pointing at it (order_line -> order). See b6b659e19bad.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def _swap_checks(after: bool):
    with op.batch_alter_table('checkout', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_checkout_total_positive'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_checkout_total_positive'), sa.text(CHECKOUT_TOTAL[1 if after else 0])
        )
    with op.batch_alter_table('order', schema=None) as batch_op:
        for name, condition in _order_checks(after):
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), sa.text(condition))
        for name, condition in ORDER_NEW_CHECKS:
            if after:
                batch_op.create_check_constraint(op.f(name), sa.text(condition))
            else:
                batch_op.drop_constraint(op.f(name), type_='check')
    states = ORDER if after else ORDER_BEFORE
    with op.batch_alter_table('order_event', schema=None) as batch_op:
        for column in ("from_status", "to_status"):
            name = f"ck_order_event_{column}_known"
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), sa.text(f"{column} IN ({_in(states)})"))


def upgrade():
    op.create_table('delivery_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('courier_code', sa.String(length=16), nullable=True),
    sa.Column('service', sa.String(length=16), nullable=True),
    sa.Column('opening_hours', sa.String(length=120), nullable=True),
    sa.Column('cod_allowed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'courier') = (courier_code IS NOT NULL)", name=op.f('ck_delivery_option_courier_only_for_courier')),
    sa.CheckConstraint("kind IN ('pickup_seller', 'pickup_chapter', 'seller', 'courier')", name=op.f('ck_delivery_option_kind_known')),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_delivery_option_business_id_business')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_option'))
    )
    with op.batch_alter_table('delivery_option', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_option_business_active', ['business_id', 'active'], unique=False)

    op.create_table('delivery_settings',
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('cod_enabled', sa.Boolean(), nullable=False),
    sa.Column('free_shipping_min_idr', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('free_shipping_min_idr IS NULL OR free_shipping_min_idr > 0', name=op.f('ck_delivery_settings_free_shipping_positive')),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_delivery_settings_business_id_business')),
    sa.PrimaryKeyConstraint('business_id', name=op.f('pk_delivery_settings'))
    )
    op.create_table('delivery_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('chapter_id', sa.Integer(), nullable=True),
    sa.Column('courier_code', sa.String(length=16), nullable=True),
    sa.Column('zone', sa.String(length=12), nullable=False),
    sa.Column('max_kg', sa.Integer(), nullable=True),
    sa.Column('price_idr', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("zone IN ('kelurahan', 'kecamatan', 'kota', 'jakarta')", name=op.f('ck_delivery_rate_zone_known')),
    sa.CheckConstraint('(option_id IS NULL) <> (chapter_id IS NULL)', name=op.f('ck_delivery_rate_option_or_chapter')),
    sa.CheckConstraint('max_kg IS NULL OR max_kg > 0', name=op.f('ck_delivery_rate_max_kg_positive')),
    sa.CheckConstraint('price_idr >= 0', name=op.f('ck_delivery_rate_price_non_negative')),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapter.id'], name=op.f('fk_delivery_rate_chapter_id_chapter')),
    sa.ForeignKeyConstraint(['option_id'], ['delivery_option.id'], name=op.f('fk_delivery_rate_option_id_delivery_option'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_rate'))
    )
    with op.batch_alter_table('delivery_rate', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_rate_chapter_courier', ['chapter_id', 'courier_code', 'zone'], unique=False)
        batch_op.create_index('ix_delivery_rate_option_zone', ['option_id', 'zone', 'max_kg'], unique=False)

    _without_sqlite_foreign_keys(_alter_up)


def _alter_up():
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('centre_address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('centre_hours', sa.String(length=120), nullable=True))

    with op.batch_alter_table('checkout', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cod_idr', sa.BigInteger(), server_default='0', nullable=False))

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ledger_entry_order_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entry_order_id'), ['order_id', 'kind', 'category'])

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('delivery_option_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('courier_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('service', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('delivery_label', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('delivery_zone', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('pickup_address', sa.String(length=330), nullable=True))
        batch_op.add_column(sa.Column('pickup_code', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('shipping_idr', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('payment_method', sa.String(length=8), server_default='card', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_order_delivery_option_id_delivery_option'), 'delivery_option', ['delivery_option_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight_grams', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('length_cm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('width_cm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height_cm', sa.Integer(), nullable=True))

    _swap_checks(after=True)


def downgrade():
    _without_sqlite_foreign_keys(_alter_down)


def _alter_down():
    _swap_checks(after=False)
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('height_cm')
        batch_op.drop_column('width_cm')
        batch_op.drop_column('length_cm')
        batch_op.drop_column('weight_grams')

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_delivery_option_id_delivery_option'), type_='foreignkey')
        batch_op.drop_column('payment_method')
        batch_op.drop_column('shipping_idr')
        batch_op.drop_column('pickup_code')
        batch_op.drop_column('pickup_address')
        batch_op.drop_column('delivery_zone')
        batch_op.drop_column('delivery_label')
        batch_op.drop_column('service')
        batch_op.drop_column('courier_code')
        batch_op.drop_column('delivery_option_id')
        batch_op.drop_column('delivery_kind')

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ledger_entry_order_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entry_order_id'), ['order_id', 'kind'])

    with op.batch_alter_table('checkout', schema=None) as batch_op:
        batch_op.drop_column('cod_idr')

    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.drop_column('centre_hours')
        batch_op.drop_column('centre_address')

    with op.batch_alter_table('delivery_rate', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_rate_option_zone')
        batch_op.drop_index('ix_delivery_rate_chapter_courier')

    op.drop_table('delivery_rate')
    op.drop_table('delivery_settings')
    with op.batch_alter_table('delivery_option', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_option_business_active')

    op.drop_table('delivery_option')
