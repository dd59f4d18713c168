"""statuses as data: every host status column refuses unknown states; states imply columns

Revision ID: b6b659e19bad
Revises: f42c2d7ac212
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6b659e19bad'
# The integrator re-points this at the host head once the KUR migrations leave the chain.
down_revision = 'f42c2d7ac212'
branch_labels = None
depends_on = None

# A snapshot of the StrEnums in the model modules (migrations never import the app).
PRODUCT = ("draft", "listed", "unlisted")
DOCUMENT = ("submitted", "verified", "rejected", "expired", "revoked")
ORDER = ("pending_payment", "paid", "expired", "cancelled", "shipped", "refunded", "completed")
PAID = ("paid", "shipped", "completed", "refunded")
UNPAID = ("pending_payment", "expired", "cancelled")
SHIPPED = ("shipped", "completed")
REFUSED = ("rejected", "revoked")


def _in(states):
    return ", ".join(f"'{s}'" for s in states)


def _known(table, states):
    return [
        (f"ck_{table}_{column}_known", f"{column} IN ({_in(states)})")
        for column in ("from_status", "to_status")
    ]


# product.status already has ck_product_status_known (same values) since 399bdb394684.
CHECKS = {
    "legality_document": [
        ("ck_legality_document_status_known", f"status IN ({_in(DOCUMENT)})"),
        (
            "ck_legality_document_expired_has_expiry",
            "status <> 'expired' OR expires_on IS NOT NULL",
        ),
        (
            "ck_legality_document_refusal_has_reason",
            f"status NOT IN ({_in(REFUSED)}) OR (review_note IS NOT NULL AND review_note <> '')",
        ),
    ],
    "order": [
        ("ck_order_status_known", f"status IN ({_in(ORDER)})"),
        ("ck_order_paid_has_paid_at", f"status NOT IN ({_in(PAID)}) OR paid_at IS NOT NULL"),
        ("ck_order_unpaid_has_no_paid_at", f"status NOT IN ({_in(UNPAID)}) OR paid_at IS NULL"),
        (
            "ck_order_shipped_has_tracking",
            f"status NOT IN ({_in(SHIPPED)}) OR "
            "(courier IS NOT NULL AND tracking_number IS NOT NULL)",
        ),
    ],
    "product_event": _known("product_event", PRODUCT),
    "document_event": _known("document_event", DOCUMENT),
    "order_event": _known("order_event", ORDER),
}


def _without_sqlite_foreign_keys(change):
    # SQLite adds a CHECK by copying the table; dropping the old copy would fail the
    # foreign keys of rows pointing at it (order_line -> order). The pragma only takes
    # effect outside a transaction, which is the case when this is the first pending step.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    def change():
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, condition in checks:
                    batch_op.create_check_constraint(op.f(name), sa.text(condition))

    _without_sqlite_foreign_keys(change)


def downgrade():
    def change():
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, _condition in checks:
                    batch_op.drop_constraint(op.f(name), type_="check")

    _without_sqlite_foreign_keys(change)
