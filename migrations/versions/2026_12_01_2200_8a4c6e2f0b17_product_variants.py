"""product variants (issue 16): product_variant, the product's option names, the variant of a
cart line (one line per product and variant) and of an order line (with its label as sold)

Revision ID: 8a4c6e2f0b17
Revises: 5b7d9f1a3c68
Create Date: 2026-12-01 22:00:00.000000

A cart line's key becomes (cart, product, variant_key), variant_key being the variant's id
or 0: NULLs are distinct in a UNIQUE constraint on SQLite and PostgreSQL alike.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8a4c6e2f0b17"
# The integrator re-chains this after the other host migrations of this round.
down_revision = "5b7d9f1a3c68"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("option1_name", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("option2_name", sa.String(length=30), nullable=True))
    op.create_table(
        "product_variant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("option1", sa.String(length=40), nullable=False),
        sa.Column("option2", sa.String(length=40), server_default="", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("price_delta_idr", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_product_variant_stock_non_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_variant_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variant")),
        sa.UniqueConstraint(
            "product_id", "option1", "option2", name=op.f("uq_product_variant_product_id")
        ),
    )
    with op.batch_alter_table("product_variant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_variant_product_id"), ["product_id"], unique=False
        )
    with op.batch_alter_table("cart_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("variant_key", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_constraint("uq_cart_item_cart_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_cart_item_cart_id", ["cart_id", "product_id", "variant_key"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cart_item_variant_id_product_variant"),
            "product_variant",
            ["variant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            op.f("ck_cart_item_variant_key_matches"), "variant_key = COALESCE(variant_id, 0)"
        )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("variant_label", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_order_line_variant_id"), ["variant_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_order_line_variant_id_product_variant"),
            "product_variant",
            ["variant_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_order_line_variant_id_product_variant"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_order_line_variant_id"))
        batch_op.drop_column("variant_label")
        batch_op.drop_column("variant_id")
    op.execute("DELETE FROM cart_item WHERE variant_id IS NOT NULL")
    with op.batch_alter_table("cart_item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cart_item_variant_key_matches"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_cart_item_variant_id_product_variant"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_cart_item_cart_id", type_="unique")
        batch_op.create_unique_constraint("uq_cart_item_cart_id", ["cart_id", "product_id"])
        batch_op.drop_column("variant_key")
        batch_op.drop_column("variant_id")
    with op.batch_alter_table("product_variant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_variant_product_id"))
    op.drop_table("product_variant")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("option2_name")
        batch_op.drop_column("option1_name")
