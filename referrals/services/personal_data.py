"""The referral network's part of "My data" (the host's privacy page asks through
``register_personal_data``): the member's referrals and consent receipts, what an erasure
does to them, and doing it (consent withdrawn, the bank told, open referrals withdrawn)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.extensions import db
from referrals.models import ConsentReceipt, Referral
from referrals.services.consent import withdraw_consent
from referrals.services.endorsement import withdraw


def _referrals(user) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral)
            .join(Business, Business.id == Referral.business_id)
            .where(Business.owner_id == user.id)
            .order_by(Referral.id)
        )
    )


def personal_data(user):
    """``[(section, label, rows)]`` for the user's export."""
    referrals = [
        {
            "id": r.id,
            "bank": r.bank.name,
            "scheme": r.scheme,
            "amount_idr": r.amount_idr,
            "tenor_months": r.tenor_months,
            "purpose": r.purpose,
            "status": r.status,
            "created_at": r.created_at,
            "info_answer": r.info_answer,
        }
        for r in _referrals(user)
    ]
    receipts = [
        {
            "id": c.id,
            "referral": c.referral_id,
            "bank": c.bank_name,
            "purpose": c.purpose,
            "text_version": c.text_version,
            "text_sha256": c.text_hash,
            "fields": ", ".join(c.fields or ()),
            "retention_days": c.retention_days,
            "given_at": c.created_at,
            "withdrawn_at": c.withdrawn_at,
            "ip": c.ip,
        }
        for c in db.session.scalars(
            select(ConsentReceipt)
            .where(ConsentReceipt.user_id == user.id)
            .order_by(ConsentReceipt.id)
        )
    ]
    return [
        ("referrals", _l("Rujukan KUR"), referrals),
        ("consents", _l("Bukti persetujuan berbagi data"), receipts),
    ]


def on_delete(user) -> list:
    """What an erasure does to the member's referrals, one line each that matters."""
    lines = []
    for referral in _referrals(user):
        if referral.status in Referral.OPEN:
            lines.append(
                _l(
                    "Rujukan KUR #%(id)s ke %(bank)s yang masih berjalan ditarik; bank "
                    "diberi tahu dan tidak bisa lagi membuka data Anda.",
                    id=referral.id,
                    bank=referral.bank.name,
                )
            )
        elif referral.active_consent is not None:
            lines.append(
                _l(
                    "Persetujuan untuk %(bank)s (rujukan #%(id)s) ditarik. Bank menyimpan "
                    "datanya sendiri sebagai pengendali data menurut aturannya.",
                    id=referral.id,
                    bank=referral.bank.name,
                )
            )
    if lines:
        lines.append(_l("Bukti persetujuan tetap disimpan sebagai bukti (UU 27/2022 pasal 22)."))
    return lines


def erase(user) -> None:
    """Before the host anonymises the account: every active consent is withdrawn (the bank is
    told) and every open referral is withdrawn."""
    for referral in _referrals(user):
        if referral.active_consent is not None:
            withdraw_consent(user, referral)
        elif referral.status in Referral.OPEN:
            withdraw(referral, actor=user, role="sme_owner", note="Akun dihapus atas permintaan")


personal_data.on_delete = on_delete  # type: ignore[attr-defined]
personal_data.erase = erase  # type: ignore[attr-defined]
