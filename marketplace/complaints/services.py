"""Complaints (issue 15 item 6): the buyer opens one within the window after shipping; the
seller refunds in full or in part, asks for the goods back (a return with its own tracking)
or answers; what the seller leaves unsettled for COMPLAINT_DECISION_DAYS goes to an admin.

Each step is a compare-and-set transition on the complaint (its own events, with actor and
time); a step that gives money back refunds once (the transition is the guard and the
idempotency key is the complaint's), and writes the order's one refund entry in the books.
While a complaint is unsettled the order stays shipped: its money is held.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace.complaints.models import (
    MAX_PHOTOS,
    UNSETTLED,
    Complaint,
    ComplaintPhoto,
    ComplaintReason,
    ComplaintStatus,
)
from marketplace.core import audit, uploads
from marketplace.core.errors import DomainError, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.orders import aftersales
from marketplace.orders.models import Order

MAX_TEXT = 2000
MAX_PHOTO_BYTES = 5_000_000


def complaint_of(order: Order) -> Complaint | None:
    return db.session.scalar(
        select(Complaint)
        .where(Complaint.order_id == order.id)
        .options(selectinload(Complaint.photos), selectinload(Complaint.events))
    )


def can_complain(order: Order, now: datetime | None = None) -> bool:
    """Within the window: shipped, not completed, before the order would complete by itself,
    and no complaint yet."""
    ends = aftersales.window_ends(order)
    return ends is not None and (now or utcnow()) < ends and complaint_of(order) is None


def _text(value, field: str, message) -> str:
    text = (value or "").strip()
    if not 10 <= len(text) <= MAX_TEXT:
        raise ValidationFailed(message, field=field)
    return text


def open_complaint(order: Order, *, reason, text, photos=(), actor) -> Complaint:
    """The buyer's complaint (``order`` comes from the buyer scope: anyone else's is 404)."""
    if not can_complain(order):
        raise IllegalTransition(
            _l("Keluhan hanya bisa diajukan setelah dikirim dan sebelum pesanan selesai."),
            state=order.status,
            action="complain",
        )
    if reason not in {r.value for r in ComplaintReason}:
        raise ValidationFailed(_l("Pilih alasan keluhan."), field="reason")
    text = _text(text, "text", _l("Ceritakan masalahnya (minimal 10 huruf)."))
    files = [f for f in photos if f is not None and getattr(f, "filename", None)]
    if len(files) > MAX_PHOTOS:
        raise ValidationFailed(_l("Paling banyak %(n)d foto.", n=MAX_PHOTOS), field="photos")
    complaint = Complaint(
        order_id=order.id,
        business_id=order.business_id,
        consumer_id=order.consumer_id,
        reason=reason,
        text=text,
        status=ComplaintStatus.OPEN,
    )
    db.session.add(complaint)
    for storage in files:
        checked = uploads.check_upload(storage, max_bytes=MAX_PHOTO_BYTES)
        if not checked.mime.startswith("image/"):
            raise ValidationFailed(_l("Hanya foto (JPG, PNG)."), field="photos")
        complaint.photos.append(
            ComplaintPhoto(file_key=uploads.store(checked.data), mime=checked.mime)
        )
    db.session.flush()  # the unique order_id refuses a second complaint on a race
    aftersales.tell_both(order, "complaint_opened")
    audit.record("complaint.opened", actor=actor, role="consumer", target=complaint)
    return complaint


def _step(complaint: Complaint, action: str, *, actor, role: str, note=None, **changes) -> None:
    apply_transition(complaint, action, actor=actor, role=role, note=note, **changes)
    audit.record(f"complaint.{action}", actor=actor, role=role, target=complaint)


def _refund(complaint: Complaint, amount: int, *, actor, role: str) -> None:
    from marketplace.payments.services import refund_part

    refund_part(
        complaint.order,
        amount,
        idempotency_key=f"refund-complaint-{complaint.id}",
        actor=actor,
        role=role,
        note=f"complaint {complaint.id}",
    )


def _settle(complaint: Complaint, refund_idr: int, *, actor, role: str) -> None:
    """After the complaint's own transition: the money, then the order's state (refunded
    when all went back, else completed with the rest payable), both sides told."""
    order = complaint.order
    if refund_idr:
        _refund(complaint, refund_idr, actor=actor, role=role)
    if order.refunded_idr >= order.total_idr:
        apply_transition(
            order,
            "complaint_refund",
            actor=actor,
            role=role,
            note=f"complaint {complaint.id}",
        )
        aftersales.tell_both(order, "order_refunded", total=format_rupiah(order.total_idr))
    else:
        aftersales.complete(
            order, "complaint_closed", actor=actor, role=role, note=f"complaint {complaint.id}"
        )


def _amount(value, order: Order) -> int:
    room = order.total_idr - order.refunded_idr
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < room:
        raise ValidationFailed(
            _l(
                "Pengembalian sebagian: isi 1 sampai kurang dari %(max)s.",
                max=format_rupiah(room),
            ),
            field="amount_idr",
        )
    return value


def accept_full(complaint: Complaint, *, actor) -> None:
    order = complaint.order
    amount = order.total_idr - order.refunded_idr
    _step(complaint, "accept_full", actor=actor, role="sme_owner", refund_idr=amount)
    _settle(complaint, amount, actor=actor, role="sme_owner")
    aftersales.tell_buyer(order, "complaint_resolved", amount=format_rupiah(amount))


def accept_partial(complaint: Complaint, *, amount_idr, actor) -> None:
    order = complaint.order
    amount = _amount(amount_idr, order)
    _step(complaint, "accept_partial", actor=actor, role="sme_owner", refund_idr=amount)
    _settle(complaint, amount, actor=actor, role="sme_owner")
    aftersales.tell_buyer(order, "complaint_resolved", amount=format_rupiah(amount))


def answer(complaint: Complaint, *, text, actor) -> None:
    text = _text(text, "answer", _l("Tulis jawaban untuk pembeli (minimal 10 huruf)."))
    _step(complaint, "answer", actor=actor, role="sme_owner", note=text[:300], answer=text)
    aftersales.tell_buyer(complaint.order, "complaint_answered")


def accept_answer(complaint: Complaint, *, actor) -> None:
    _step(complaint, "accept_answer", actor=actor, role="consumer")
    _settle(complaint, 0, actor=actor, role="consumer")
    aftersales.tell_seller(complaint.order, "complaint_resolved", amount=format_rupiah(0))


def request_return(complaint: Complaint, *, actor) -> None:
    _step(complaint, "request_return", actor=actor, role="sme_owner")
    aftersales.tell_buyer(complaint.order, "complaint_return_requested")


def ship_return(complaint: Complaint, *, courier, tracking_number, actor) -> None:
    courier = (courier or "").strip()
    tracking = (tracking_number or "").strip()
    if not 2 <= len(courier) <= 60:
        raise ValidationFailed(_l("Isi nama kurir, contoh JNE, J&T, GoSend."), field="courier")
    if not 3 <= len(tracking) <= 60:
        raise ValidationFailed(_l("Isi nomor resi pengiriman."), field="tracking_number")
    _step(
        complaint,
        "ship_return",
        actor=actor,
        role="consumer",
        note=f"{courier} {tracking}",
        return_courier=courier,
        return_tracking=tracking,
    )
    aftersales.tell_seller(
        complaint.order, "complaint_return_shipped", courier=courier, tracking=tracking
    )


def receive_return(complaint: Complaint, *, actor) -> None:
    """The goods came back: the buyer gets everything back."""
    order = complaint.order
    amount = order.total_idr - order.refunded_idr
    _step(complaint, "receive_return", actor=actor, role="sme_owner", refund_idr=amount)
    _settle(complaint, amount, actor=actor, role="sme_owner")
    aftersales.tell_buyer(order, "complaint_resolved", amount=format_rupiah(amount))


def escalate_overdue(now: datetime | None = None) -> int:
    """Complaints unsettled for COMPLAINT_DECISION_DAYS since they were opened go to an
    admin (part of the daily ``orders auto-complete``); each once."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["COMPLAINT_DECISION_DAYS"])
    due = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.status.in_([s for s in UNSETTLED if s != ComplaintStatus.ESCALATED]),
            Complaint.created_at < cutoff,
        )
        .order_by(Complaint.id)
    ).all()
    escalated = 0
    for complaint in due:
        try:
            _step(complaint, "escalate", actor=None, role="system", note="unsettled in time")
        except DomainError:
            continue
        aftersales.tell_both(complaint.order, "complaint_escalated")
        escalated += 1
    return escalated


def decide(complaint: Complaint, *, refund_idr, note, actor) -> None:
    """The admin's decision on an escalated complaint: any refund from nothing to all that
    is left of the order, with the reason both sides read."""
    order = complaint.order
    room = order.total_idr - order.refunded_idr
    if (
        not isinstance(refund_idr, int)
        or isinstance(refund_idr, bool)
        or not 0 <= refund_idr <= room
    ):
        raise ValidationFailed(
            _l("Pengembalian dana: isi 0 sampai %(max)s.", max=format_rupiah(room)),
            field="refund_idr",
        )
    note = _text(note, "note", _l("Tulis alasan keputusan (minimal 10 huruf)."))
    _step(complaint, "decide", actor=actor, role="admin", note=note[:300], refund_idr=refund_idr)
    _settle(complaint, refund_idr, actor=actor, role="admin")
    aftersales.tell_both(order, "complaint_decided", amount=format_rupiah(refund_idr))


# --- scope loaders ---------------------------------------------------------------------------


def buyer_complaint_or_404(user, order_id) -> Complaint:
    complaint = db.session.scalar(
        select(Complaint).where(
            Complaint.order_id == parse_id(order_id), Complaint.consumer_id == user.id
        )
    )
    if complaint is None:
        raise NotFound()
    return complaint


def owner_complaint_or_404(business, order_id) -> Complaint:
    complaint = db.session.scalar(
        select(Complaint).where(
            Complaint.order_id == parse_id(order_id), Complaint.business_id == business.id
        )
    )
    if complaint is None:
        raise NotFound()
    return complaint


def photo_or_404(user, photo_id) -> ComplaintPhoto:
    """A complaint photo for its buyer, the seller it is about, or an admin; else 404."""
    from marketplace.businesses.models import Business

    stmt = (
        select(ComplaintPhoto)
        .join(Complaint, Complaint.id == ComplaintPhoto.complaint_id)
        .join(Business, Business.id == Complaint.business_id)
        .where(ComplaintPhoto.id == parse_id(photo_id))
    )
    if not user.is_admin:
        stmt = stmt.where(or_(Complaint.consumer_id == user.id, Business.owner_id == user.id))
    photo = db.session.scalar(stmt)
    if photo is None:
        raise NotFound()
    return photo


def escalated_select():
    """The admin's queue: escalated complaints (unordered; the caller pages)."""
    return (
        select(Complaint)
        .where(Complaint.status == ComplaintStatus.ESCALATED)
        .options(selectinload(Complaint.order).selectinload(Order.business))
    )


def escalated_or_404(complaint_id) -> Complaint:
    complaint = db.session.get(Complaint, parse_id(complaint_id))
    if complaint is None:
        raise NotFound()
    return complaint


def timeline(order: Order, complaint: Complaint | None) -> list[tuple[datetime, str, str, str]]:
    """Every step of the order and of its complaint, oldest first: (time, role, action,
    note) for both sides' pages."""
    rows = [(order.created_at, "consumer", "order_placed", "")]
    rows += [(e.created_at, e.role, e.action, e.note or "") for e in order.events]
    if complaint is not None:
        rows.append((complaint.created_at, "consumer", "complaint_opened", ""))
        rows += [
            (e.created_at, e.role, f"complaint_{e.action}", e.note or "") for e in complaint.events
        ]
    return sorted(rows, key=lambda r: r[0])
