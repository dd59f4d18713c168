"""KUR decisions within the rules: the referral's purpose kind (KMK/KI), the scheme's sharia
margin and rate tolerance

Revision ID: 5c1e2d7a9b40
Revises: 7c3e9a1f2b64
Create Date: 2026-12-01 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5c1e2d7a9b40"
down_revision = "7c3e9a1f2b64"
branch_labels = None
depends_on = None


def upgrade():
    # Existing referrals were all working-capital requests in practice (the demo's and the
    # form's wording): "kmk" is their default, the shorter tenor limit, so nothing widens.
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose_kind", sa.String(length=8), nullable=False, server_default="kmk")
        )
        batch_op.create_check_constraint(
            op.f("ck_referral_purpose_kind_known"), "purpose_kind IN ('kmk', 'ki')"
        )
    with op.batch_alter_table("kur_scheme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sharia_rates_bp", sa.JSON(), nullable=True))
        # DOMAIN.md 3.2/3.4: the borrower's rate (and the sharia margin) is fixed: no tolerance.
        batch_op.add_column(
            sa.Column("rate_tolerance_bp", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("kur_scheme", schema=None) as batch_op:
        batch_op.drop_column("rate_tolerance_bp")
        batch_op.drop_column("sharia_rates_bp")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_referral_purpose_kind_known"), type_="check")
        batch_op.drop_column("purpose_kind")
