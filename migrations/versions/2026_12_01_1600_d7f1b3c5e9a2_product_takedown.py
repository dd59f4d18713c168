"""product take-downs by the admin, with the reason the seller reads (issue 14)

Revision ID: d7f1b3c5e9a2
Revises: 3e8b1c5d7f24
Create Date: 2026-12-01 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7f1b3c5e9a2"
down_revision = "3e8b1c5d7f24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_takedown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("appeal_note", sa.Text(), nullable=True),
        sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_product_takedown_reason_given")),
        sa.ForeignKeyConstraint(
            ["business_id"], ["business.id"], name=op.f("fk_product_takedown_business_id_business")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_takedown_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["user.id"], name=op.f("fk_product_takedown_taken_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["user.id"], name=op.f("fk_product_takedown_lifted_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_takedown")),
    )
    op.create_index(
        "ix_product_takedown_business_id", "product_takedown", ["business_id"], unique=False
    )
    op.create_index(
        "ix_product_takedown_product_lifted", "product_takedown", ["product_id", "lifted_at"]
    )
    op.create_index(
        "ix_product_takedown_lifted_created",
        "product_takedown",
        ["lifted_at", "created_at", "id"],
    )


def downgrade():
    op.drop_index("ix_product_takedown_lifted_created", table_name="product_takedown")
    op.drop_index("ix_product_takedown_product_lifted", table_name="product_takedown")
    op.drop_index("ix_product_takedown_business_id", table_name="product_takedown")
    op.drop_table("product_takedown")
