"""assisted mode grants and actions, erasure records

Revision ID: 354f047fc2eb
Revises: 3e8d5a1c7b40
Create Date: 2026-12-01 15:59:23.031948

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "354f047fc2eb"
# Issue 14 (pdp); the integrator re-chains this after the other issue-14 host migrations.
down_revision = "3e8d5a1c7b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assist_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_assist_grant_expires_after_start")
        ),
        sa.CheckConstraint("helper_id <> member_id", name=op.f("ck_assist_grant_not_self")),
        sa.ForeignKeyConstraint(
            ["business_id"], ["business.id"], name=op.f("fk_assist_grant_business_id_business")
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["user.id"], name=op.f("fk_assist_grant_helper_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["user.id"], name=op.f("fk_assist_grant_member_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_grant")),
    )
    with op.batch_alter_table("assist_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assist_grant_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index(
            "ix_assist_grant_helper_business", ["helper_id", "business_id"], unique=False
        )

    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["business.id"], name=op.f("fk_erasure_business_id_business")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_erasure_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
        sa.UniqueConstraint("user_id", name=op.f("uq_erasure_user_id")),
    )
    op.create_table(
        "assisted_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "task IN ('books', 'products', 'documents', 'bank_reply')",
            name=op.f("ck_assisted_action_task_known"),
        ),
        sa.ForeignKeyConstraint(
            ["business_id"], ["business.id"], name=op.f("fk_assisted_action_business_id_business")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["assist_grant.id"], name=op.f("fk_assisted_action_grant_id_assist_grant")
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["user.id"], name=op.f("fk_assisted_action_helper_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assisted_action")),
    )
    with op.batch_alter_table("assisted_action", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assisted_action_business_created", ["business_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assisted_action_grant_id"), ["grant_id"], unique=False)


def downgrade():
    with op.batch_alter_table("assisted_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assisted_action_grant_id"))
        batch_op.drop_index("ix_assisted_action_business_created")

    op.drop_table("assisted_action")
    op.drop_table("erasure")
    with op.batch_alter_table("assist_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_assist_grant_helper_business")
        batch_op.drop_index(batch_op.f("ix_assist_grant_business_id"))

    op.drop_table("assist_grant")
