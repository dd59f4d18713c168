"""Referral states as data: CHECKs refuse an unknown status and a decision without its terms

Revision ID: 0a7178c4a4e3
Revises: 16a801fb3929
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0a7178c4a4e3"
down_revision = "16a801fb3929"
branch_labels = None
depends_on = None

# Written out here, not imported: a migration keeps the values of its day even when the
# code's ReferralStatus and REJECT_REASONS change later (a later migration widens them).
STATUSES = (
    "draft",
    "consented",
    "sent",
    "acknowledged",
    "under_review",
    "info_requested",
    "approved",
    "rejected",
    "disbursed",
    "withdrawn",
)
REJECT_REASONS = (
    "slik_bermasalah",
    "usaha_belum_layak",
    "dokumen_tidak_lengkap",
    "plafon_terlampaui",
    "sudah_kredit_produktif",
    "lainnya",
)


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


REFERRAL_CHECKS = {
    "ck_referral_status_known": one_of("status", STATUSES),
    "ck_referral_reject_reason_known": one_of("reject_reason", REJECT_REASONS),
    "ck_referral_approved_has_terms": (
        "status NOT IN ('approved', 'disbursed') OR (approved_amount_idr IS NOT NULL "
        "AND approved_tenor_months IS NOT NULL AND approved_rate_bp IS NOT NULL)"
    ),
    "ck_referral_rejected_has_reason": "status <> 'rejected' OR reject_reason IS NOT NULL",
}
EVENT_CHECKS = {
    "ck_referral_event_from_status_known": one_of("from_status", STATUSES),
    "ck_referral_event_to_status_known": one_of("to_status", STATUSES),
}


def upgrade():
    # Batch mode: SQLite cannot add a constraint to an existing table, so Alembic copies the
    # table (its reflected indexes, keys and CHECKs included); PostgreSQL gets ALTER TABLE.
    with op.batch_alter_table("referral", schema=None) as batch_op:
        for name, condition in REFERRAL_CHECKS.items():
            batch_op.create_check_constraint(op.f(name), condition)
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        for name, condition in EVENT_CHECKS.items():
            batch_op.create_check_constraint(op.f(name), condition)


def downgrade():
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        for name in reversed(EVENT_CHECKS):
            batch_op.drop_constraint(op.f(name), type_="check")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        for name in reversed(REFERRAL_CHECKS):
            batch_op.drop_constraint(op.f(name), type_="check")
