"""The dossier a bank sees for one of its consented referrals.

Built with SQL aggregation: a business with years of orders costs the same handful of
statements as one with a week of them. The full NIK (also as NPWP = NIK) and the family card
number appear here and nowhere else: this is built only for the consented bank.
"""

from datetime import date

from sqlalchemy import case, func, select

from marketplace.businesses import identity
from marketplace.core.crypto import decrypt_text
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.ledger.services import monthly_summary
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.mentoring import pathway
from marketplace.mentoring.models import CheckIn
from marketplace.orders.models import PAID_STATES, Order, OrderStatus
from referrals.models import Referral
from referrals.services.records import track_records

PAID = PAID_STATES


def order_figures(business_id: int) -> dict:
    """Order count, repeat-buyer share and fulfilment rate, in one grouped query (per buyer,
    then summed)."""
    per_buyer = (
        select(
            Order.consumer_id,
            func.count(Order.id).label("n"),
            func.sum(case((Order.status.in_(("shipped", "completed")), 1), else_=0)).label("f"),
            func.sum(case((Order.status == OrderStatus.REFUNDED, 1), else_=0)).label("r"),
        )
        .where(Order.business_id == business_id, Order.status.in_(PAID))
        .group_by(Order.consumer_id)
        .subquery()
    )
    buyers, repeat, orders, fulfilled, refunded = db.session.execute(
        select(
            func.count(),
            func.sum(case((per_buyer.c.n >= 2, 1), else_=0)),
            func.sum(per_buyer.c.n),
            func.sum(per_buyer.c.f),
            func.sum(per_buyer.c.r),
        ).select_from(per_buyer)
    ).one()
    orders, fulfilled, refunded = orders or 0, fulfilled or 0, refunded or 0
    return {
        "orders": orders,
        "buyers": buyers or 0,
        "repeat_buyer_share": round(100 * (repeat or 0) / buyers) if buyers else 0,
        # Refunded orders were never to be delivered: they do not count against it.
        "fulfilment_rate": (
            round(100 * fulfilled / (orders - refunded)) if orders - refunded > 0 else 0
        ),
        "refunded": refunded,
    }


def build(referral: Referral, today: date | None = None) -> dict:
    """Everything the bank needs to decide, as plain data (the page and the JSON share it)."""
    today = today or jakarta_today()
    business = referral.business
    documents = [
        d
        for d in db.session.scalars(
            select(LegalityDocument)
            .where(
                LegalityDocument.business_id == business.id,
                LegalityDocument.status == DocumentStatus.VERIFIED,
            )
            .order_by(LegalityDocument.kind)
        )
        if d.is_valid_on(today)
    ]
    months = monthly_summary(business.id, months=12, today=today)
    path = pathway.for_business(business, today)
    check_ins = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.business_id == business.id)
        .order_by(CheckIn.month.desc())
        .limit(6)
    ).all()
    record = track_records([referral.lead_id]).get(referral.lead_id)
    nik = decrypt_text(business.nik_encrypted)
    born = identity.owner_birth_date(business, today)
    return {
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
            }
            for d in documents
        ],
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
        "orders": order_figures(business.id),
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
    }
