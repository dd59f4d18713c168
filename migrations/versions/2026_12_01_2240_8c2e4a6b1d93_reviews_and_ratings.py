"""ratings and reviews (issue 16): reviews, their photos and reports; kept rating sums per
product and business, units sold per product

Revision ID: 8c2e4a6b1d93
Revises: e1a3c5b7d9f2
Create Date: 2026-12-01 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c2e4a6b1d93"
down_revision = "e1a3c5b7d9f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("product") as batch:
        batch.add_column(
            sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("units_sold", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("business") as batch:
        batch.add_column(
            sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False))
    # Units of the orders completed before this migration.
    op.execute(
        "UPDATE product SET units_sold = (SELECT COALESCE(SUM(order_line.quantity), 0) "
        'FROM order_line JOIN "order" ON "order".id = order_line.order_id '
        "WHERE order_line.product_id = product.id AND \"order\".status = 'completed')"
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=10), server_default="visible", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_by_id", sa.Integer(), nullable=True),
        sa.Column("report_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_review_rating_range")),
        sa.CheckConstraint("report_count >= 0", name=op.f("ck_review_report_count_non_negative")),
        sa.CheckConstraint("status IN ('visible', 'hidden')", name=op.f("ck_review_status_known")),
        sa.CheckConstraint(
            "status <> 'hidden' OR (hidden_reason IS NOT NULL AND hidden_at IS NOT NULL)",
            name=op.f("ck_review_hidden_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_line.id"], name=op.f("fk_review_order_line_id_order_line")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], name=op.f("fk_review_order_id_order")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_review_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["business_id"], ["business.id"], name=op.f("fk_review_business_id_business")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_review_author_id_user")),
        sa.ForeignKeyConstraint(
            ["reply_by_id"], ["user.id"], name=op.f("fk_review_reply_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["user.id"], name=op.f("fk_review_hidden_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_review_order_line_id")),
    )
    op.create_index("ix_review_order_id", "review", ["order_id"])
    op.create_index("ix_review_author_id", "review", ["author_id"])
    op.create_index(
        "ix_review_product_status_created", "review", ["product_id", "status", "created_at", "id"]
    )
    op.create_index(
        "ix_review_business_status_created",
        "review",
        ["business_id", "status", "created_at", "id"],
    )
    op.create_index("ix_review_reported_at", "review", ["reported_at", "id"])
    op.create_table(
        "review_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("renditions", sa.JSON(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_photo_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_photo")),
        sa.UniqueConstraint("review_id", "position", name=op.f("uq_review_photo_review_id")),
    )
    op.create_table(
        "review_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_review_report_reason_given")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_report_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_review_report_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_report")),
        sa.UniqueConstraint("review_id", "user_id", name=op.f("uq_review_report_review_id")),
    )
    op.create_index("ix_review_report_user_id", "review_report", ["user_id"])


def downgrade():
    op.drop_index("ix_review_report_user_id", table_name="review_report")
    op.drop_table("review_report")
    op.drop_table("review_photo")
    for name in (
        "ix_review_reported_at",
        "ix_review_business_status_created",
        "ix_review_product_status_created",
        "ix_review_author_id",
        "ix_review_order_id",
    ):
        op.drop_index(name, table_name="review")
    op.drop_table("review")
    with op.batch_alter_table("business") as batch:
        batch.drop_column("rating_sum")
        batch.drop_column("rating_count")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("units_sold")
        batch.drop_column("rating_sum")
        batch.drop_column("rating_count")
