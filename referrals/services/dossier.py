"""The dossier a bank sees for one of its consented referrals.

Built with SQL aggregation: a business with years of orders costs the same handful of
statements as one with a week of them (tests/integration/test_flat_pages.py: at most 8 for
the view, the pathway counted as its 2). Folded: the monthly table and the SAK EMKM
statements are one grouped query of the books (ledger.statements); the order figures are
read in the pre-screen's SELECT of counts (``screen_for(extra_facts=...)``), which also
counts the months with books and the lead's track record.

The full NIK (also as NPWP = NIK) and the family card
number appear here and nowhere else: this is built only for the consented bank.
"""

from datetime import date

from sqlalchemy import func, select

from marketplace.businesses import identity
from marketplace.core.crypto import decrypt_text
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.ledger import statements as ledger_statements
from marketplace.ledger.services import months_from_rows
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.mentoring import pathway
from marketplace.mentoring.models import CheckIn
from marketplace.orders.models import PAID_STATES, Order, OrderStatus
from referrals.models import Referral
from referrals.services.consent import covers_statements
from referrals.services.eligibility import screen_for, screen_json
from referrals.services.records import track_record_columns, track_record_from

PAID = PAID_STATES


def order_fact_columns(business_id: int) -> dict:
    """Order count, buyers, repeat buyers, fulfilled and refunded orders as scalar
    subqueries, for the pre-screen's SELECT of counts (one statement for both)."""
    paid = (Order.business_id == business_id, Order.status.in_(PAID))
    repeaters = (
        select(Order.consumer_id).where(*paid).group_by(Order.consumer_id).having(func.count() >= 2)
    ).subquery()

    def scalar(stmt):
        return stmt.scalar_subquery()

    return {
        "orders": scalar(select(func.count(Order.id)).where(*paid)),
        "buyers": scalar(select(func.count(func.distinct(Order.consumer_id))).where(*paid)),
        "repeat_buyers": scalar(select(func.count()).select_from(repeaters)),
        "fulfilled": scalar(
            select(func.count(Order.id)).where(
                *paid, Order.status.in_((OrderStatus.SHIPPED, OrderStatus.COMPLETED))
            )
        ),
        "refunded": scalar(
            select(func.count(Order.id)).where(*paid, Order.status == OrderStatus.REFUNDED)
        ),
    }


def order_figures_from(facts: dict) -> dict:
    """Repeat-buyer share and fulfilment rate from ``order_fact_columns``' values."""
    orders, buyers = int(facts["orders"] or 0), int(facts["buyers"] or 0)
    repeat, fulfilled = int(facts["repeat_buyers"] or 0), int(facts["fulfilled"] or 0)
    refunded = int(facts["refunded"] or 0)
    return {
        "orders": orders,
        "buyers": buyers,
        "repeat_buyer_share": round(100 * repeat / buyers) if buyers else 0,
        # Refunded orders were never to be delivered: they do not count against it.
        "fulfilment_rate": (
            round(100 * fulfilled / (orders - refunded)) if orders - refunded > 0 else 0
        ),
        "refunded": refunded,
    }


def order_figures(business_id: int) -> dict:
    """Order count, repeat-buyer share and fulfilment rate, in one SELECT."""
    columns = order_fact_columns(business_id)
    row = db.session.execute(select(*(c.label(k) for k, c in columns.items()))).one()
    return order_figures_from(row._asdict())


def statements_period(today: date) -> tuple[date, date]:
    """The dossier's statements cover the monthly table's 12 months: from the first day of
    the month 11 months back up to today."""
    index = today.year * 12 + today.month - 1 - 11
    return date(index // 12, index % 12 + 1, 1), today


def verified_documents(business_id: int, today: date) -> list[LegalityDocument]:
    return [
        d
        for d in db.session.scalars(
            select(LegalityDocument)
            .where(
                LegalityDocument.business_id == business_id,
                LegalityDocument.status == DocumentStatus.VERIFIED,
            )
            .order_by(LegalityDocument.kind, LegalityDocument.id)
        )
        if d.is_valid_on(today)
    ]


def verified_scan(referral: Referral, document_id, today: date | None = None):
    """A verified, valid legality document of the referral's business whose scan the
    consented bank may download (``referral`` comes from ``get_for_bank_or_404``, so the
    bank and a standing consent are already checked); NotFound for anything else, and
    for a consent given under a text that did not name the scans."""
    today = today or jakarta_today()
    doc = db.session.scalar(
        select(LegalityDocument).where(
            LegalityDocument.id == parse_id(document_id),
            LegalityDocument.business_id == referral.business_id,
            LegalityDocument.status == DocumentStatus.VERIFIED,
        )
    )
    if doc is None or not doc.is_valid_on(today) or not covers_statements(referral):
        raise NotFound()
    return doc


def build(referral: Referral, today: date | None = None) -> dict:
    """Everything the bank needs to decide, as plain data (the page and the JSON share it),
    the pre-screen included."""
    return for_page(referral, today)[0]


def for_page(referral: Referral, today: date | None = None):
    """(``build``'s data, the PreScreen, the Statements or None) for the portal's page."""
    today = today or jakarta_today()
    business = referral.business
    documents = verified_documents(business.id, today)
    start, end = statements_period(today)
    rows = ledger_statements.rows_for(business.id, start, end)
    months = months_from_rows(rows, today, 12)
    with_statements = covers_statements(referral)
    statements = ledger_statements.from_rows(rows, start, end) if with_statements else None
    screen = screen_for(
        referral,
        today,
        extra_facts={
            **order_fact_columns(business.id),
            **track_record_columns(referral.lead_id),
        },
    )
    path = pathway.for_business(business, today)
    check_ins = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.business_id == business.id)
        .order_by(CheckIn.month.desc())
        .limit(6)
    ).all()
    record = track_record_from(screen.facts)
    nik = decrypt_text(business.nik_encrypted)
    born = identity.owner_birth_date(business, today)
    data = {
        "referral": {
            "id": referral.id,
            "status": referral.status,
            "bank": referral.bank.slug,
            "chapter": referral.chapter.slug,
            "scheme": referral.scheme,
            "sharia": referral.sharia,
            "amount_idr": referral.amount_idr,
            "tenor_months": referral.tenor_months,
            "purpose": referral.purpose,
            "created_at": referral.created_at.isoformat(),
            "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
            "no_other_credit_declared": referral.no_other_credit,
            "credit_held": list(referral.credit_held or []),
            "info_request": referral.info_request,
            "info_answer": referral.info_answer,
        },
        "business": {
            "id": business.id,
            "name": business.name,
            "owner_name": business.owner.name,
            "nik": nik,
            "nib": business.nib,
            # An individual's NPWP is the NIK (PMK 112/2022): shown as such, never stored twice.
            "npwp": nik if business.npwp_is_nik else business.npwp,
            "npwp_is_nik": business.npwp_is_nik,
            "scale": business.scale,
            "sector": business.sector,
            "started_on": business.started_on.isoformat(),
            # SIKP debtor data (issue 13): the bank registers the KUR debtor with these.
            "sikp": {
                "kk": decrypt_text(business.kk_encrypted) if business.kk_encrypted else None,
                "birth_date": born.isoformat(),
                "age": identity.age_on(born, today),
                "marital_status": business.marital_status,
                "sector": business.sikp_sector,
                "kbli_code": business.kbli_code,
                "business_started_on": business.started_on.isoformat(),
            },
            "address": f"{business.address_line}, {business.kelurahan.name}, "
            f"{business.chapter.name}, {business.chapter.kota} "
            f"{business.postal_code}",
            "whatsapp": business.whatsapp_e164,
        },
        "legality": [
            {
                "kind": d.kind,
                "number": d.number_display,
                "issued_on": d.issued_on.isoformat() if d.issued_on else None,
                "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                "verified_at": d.status_changed_at.isoformat(),
                # The scan, for the consented bank only (bank portal / API document routes).
                "document_id": d.id,
                "file_mime": d.file_mime if with_statements else None,
            }
            for d in documents
        ],
        # SAK EMKM statements (ledger.statements), when the consent in force names them.
        "statements": statements.as_json() if statements is not None else None,
        "books": [
            {
                "month": f"{m.year}-{m.month:02d}",
                "platform_sales_idr": m.platform_sales,
                "self_recorded_sales_idr": m.offline_sales,
                "refunds_idr": m.refunds,
                "expenses_idr": m.expenses,
                "profit_idr": m.profit,
            }
            for m in months
        ],
        "orders": order_figures_from(screen.facts),
        "mentoring": {
            "sessions_attended": path.sessions_attended,
            "last_sessions": [d.isoformat() for d in path.extra["attended_dates"][-6:]],
            "check_ins": [
                {
                    "month": c.month.isoformat()[:7],
                    "applies_learning": c.applies_learning,
                    "books_kept": c.books_kept,
                    "next_step": c.next_step,
                }
                for c in check_ins
            ],
        },
        "pathway": [
            {"step": s.key, "done_on": s.done_on.isoformat() if s.done_on else None}
            for s in path.steps
        ],
        "endorsement": {
            "lead_name": referral.lead.name,
            "recommendation": referral.recommendation,
            "track_record": {
                "sent": record.sent if record else 0,
                "acknowledged": record.acknowledged if record else 0,
                "approved": record.approved if record else 0,
                "rejected": record.rejected if record else 0,
                "rejected_reasons": (record.reasons if record else {}) or {},
            },
        },
        "pre_screen": screen_json(screen),
    }
    return data, screen, statements
