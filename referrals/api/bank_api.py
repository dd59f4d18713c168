"""The bank API: partner banks' own systems read their referrals and record decisions.

Authentication is a bearer token per bank (random, shown once, stored as a SHA-256 hash,
revocable). Cookies and sessions are never consulted here, so a signed-in browser cannot
call it, and the blueprint is CSRF-exempt (ASVS 3.5.1). Scope comes from the token's bank
through ``services.get_for_bank_or_404``: another bank's referral, one not yet sent,
or one whose consent was withdrawn all answer 404, exactly like a missing one.
"""

import logging
from datetime import UTC, datetime

from flask import Blueprint, g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from marketplace.core import audit, uploads
from marketplace.core.errors import ValidationFailed, error_response
from marketplace.core.pagination import keyset_page
from marketplace.core.security import mark_no_store
from marketplace.core.views import unit_of_work
from referrals import services
from referrals.models import REJECT_REASONS, Referral
from referrals.services.bank_actions import NOTE_MAX
from referrals.services.bounds import DECISION_BOUNDS
from referrals.services.tokens import live_token

log = logging.getLogger("pasarkita.bank_api")

bp = Blueprint("bank_api", __name__, url_prefix="/api/v1/bank")
public = Blueprint("referrals_api", __name__, url_prefix="/api/v1")

ROLE = "bank_api"
PER_PAGE = 200
STATUSES = tuple(
    dict.fromkeys(s for pair, to in Referral.TRANSITIONS.items() for s in (pair[0], to))
)
# Fields each action accepts; anything else in the body is refused, not ignored.
ACTION_FIELDS = {
    "acknowledge": {"note"},
    "request_info": {"note"},
    "approve": {"note", "amount_idr", "tenor_months", "rate_bp", "confirm_above_requested"},
    "reject": {"note", "reason"},
    "disburse": {"note"},
}


# --- authentication ---------------------------------------------------------------------------


def _unauthorized(presented: bool):
    response, status = error_response(
        401, _l("Token API bank tidak ada atau tidak berlaku."), "unauthorized"
    )
    # RFC 6750 section 3: say which scheme, and why when a token was sent.
    challenge = 'Bearer realm="pasarkita-bank-api"'
    if presented:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response, status


@bp.before_request
@unit_of_work  # the token's last use is kept even when the request itself is refused
def authenticate():
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    token = live_token(value) if scheme.lower() == "bearer" else None
    if token is None:
        presented = "Authorization" in request.headers
        log.warning("bank_api_unauthorized presented=%s path=%s", presented, request.path)
        return _unauthorized(presented)
    g.bank_token = token
    g.bank = token.bank
    return None


# --- representation -------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def referral_json(referral: Referral) -> dict:
    approved = None
    if referral.approved_amount_idr is not None:
        approved = {
            "amount_idr": referral.approved_amount_idr,
            "tenor_months": referral.approved_tenor_months,
            "rate_bp": referral.approved_rate_bp,
        }
    return {
        "id": referral.id,
        "status": referral.status,
        "bank": referral.bank.slug,
        "chapter": referral.chapter.slug,
        "scheme": referral.scheme,
        "sharia": referral.sharia,
        "amount_idr": referral.amount_idr,
        "tenor_months": referral.tenor_months,
        "purpose_kind": referral.purpose_kind,
        "created_at": _iso(referral.created_at),
        "sent_at": _iso(referral.sent_at),
        "status_changed_at": _iso(referral.status_changed_at),
        "acknowledged_at": _iso(referral.acknowledged_at),
        "decided_at": _iso(referral.decided_at),
        "approved": approved,
        "reject_reason": referral.reject_reason,
        "info_request": referral.info_request,
        "info_answer": referral.info_answer,
    }


# --- input ------------------------------------------------------------------------------------


def parse_since(raw: str | None) -> datetime | None:
    """ISO 8601 date-time; a value without an offset is taken as UTC."""
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().upper())
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed(
            _l("Parameter since harus tanggal-waktu ISO 8601."), field="since"
        ) from None
    return value


def _integer(value) -> int | None:
    """A JSON integer; 12.0 counts, as in JSON Schema, but 12.5, "12" and true do not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def parse_event(payload) -> dict:
    """The body of a bank event, type-checked; the rules themselves stay in the service."""
    if not isinstance(payload, dict):
        raise ValidationFailed(_l('Isi permintaan harus objek JSON: {"action": ...}.'))
    action = payload.get("action")
    if not isinstance(action, str) or action not in ACTION_FIELDS:
        raise ValidationFailed(_l("Tindakan tidak dikenal."), field="action")
    for key in payload:
        if key != "action" and key not in ACTION_FIELDS[action]:
            raise ValidationFailed(_l("Kolom tidak dikenal untuk tindakan ini."), field=key)
    note = payload.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > NOTE_MAX):
        raise ValidationFailed(_l("Catatan harus teks (maksimal 2000 karakter)."), field="note")
    out = {"action": action, "note": note}
    if action == "approve":
        for field, bound in DECISION_BOUNDS.items():
            value = _integer(payload.get(field))
            if value not in bound:
                raise ValidationFailed(_l("Isi angka yang benar."), field=field)
            out[field] = value
        confirm = payload.get("confirm_above_requested", False)
        if not isinstance(confirm, bool):
            raise ValidationFailed(
                _l("Konfirmasi jumlah lebih tinggi harus true atau false."),
                field="confirm_above_requested",
            )
        out["confirm_above_requested"] = confirm
    elif action == "reject":
        reason = payload.get("reason")
        if not isinstance(reason, str) or reason not in REJECT_REASONS:
            raise ValidationFailed(_l("Pilih alasan penolakan."), field="reason")
        out["reason"] = reason
    return out


# --- bank endpoints ---------------------------------------------------------------------------


@bp.get("/referrals")
@unit_of_work
def list_referrals():
    """The bank's referrals with the portal's filters (services.inbox.parse_filter); closed
    ones included unless ``closed=false`` (polling clients see every change)."""
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(_l("Status tidak dikenal."), field="status")
    f, errors = services.inbox.parse_filter(request.args, api=True)
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=field)
    since = parse_since(request.args.get("since"))
    stmt = services.inbox.inbox_select(g.bank, f).options(joinedload(Referral.bank))
    if since is not None:
        # Oldest change first, so a bank polling with `since` pages forward without gaps.
        stmt = stmt.where(Referral.status_changed_at >= since)
        order, descending = (Referral.status_changed_at, Referral.id), False
    else:
        order, descending = services.inbox.order_of(f)
    page = keyset_page(
        stmt,
        order,
        request.args.get("cursor"),
        per_page=PER_PAGE,
        descending=descending,
        arg="cursor",
        not_null=True,  # a bank only sees sent referrals
    )
    return jsonify(
        {"items": [referral_json(r) for r in page], "count": len(page), "next_cursor": page.next}
    )


@bp.get("/referrals/<referral_id>")
@unit_of_work
def get_referral(referral_id: str):
    referral = services.get_for_bank_or_404(referral_id, g.bank)
    # With the same pre-screen the member, the lead and the portal's dossier page show.
    dossier = services.dossier.build(referral)
    body = {**referral_json(referral), "dossier": dossier}
    mark_no_store()
    audit.record(
        "bank_api.dossier_read",
        role=ROLE,
        chapter=referral.chapter,
        bank_id=g.bank.id,
        target=referral,
        token_id=g.bank_token.id,
    )
    return jsonify(body)


@bp.get("/referrals/<referral_id>/documents/<document_id>/file")
@unit_of_work
def get_document_file(referral_id: str, document_id: str):
    """A verified legality document's scan (SIKP item 5), for the consented bank only;
    404 for another bank's referral, after withdrawal, or an unverified document."""
    referral = services.get_for_bank_or_404(referral_id, g.bank)
    doc = services.dossier.verified_scan(referral, document_id)
    audit.record(
        "bank_api.document_downloaded",
        role=ROLE,
        chapter=referral.chapter,
        bank_id=g.bank.id,
        target=referral,
        token_id=g.bank_token.id,
        document_id=doc.id,
    )
    response = uploads.send_stored(
        doc.file_key, mime=doc.file_mime, download_name=doc.original_name
    )
    # Read the (size-capped) scan into the response and close the file now: a bank's HTTP
    # client that drops the connection early must not leave the file handle open.
    stream = response.response
    response.direct_passthrough = False
    response.set_data(b"".join(stream))
    stream.close()
    return response


@bp.post("/referrals/<referral_id>/events")
@unit_of_work
def post_event(referral_id: str):
    referral = services.get_for_bank_or_404(referral_id, g.bank)
    event = parse_event(request.get_json(silent=True))
    action = event.pop("action")
    services.bank_action(referral, action, actor=None, role=ROLE, **event)
    # The referral event has no user to name; the audit row names the token that acted.
    audit.record(
        "bank_api.event",
        role=ROLE,
        chapter=referral.chapter,
        bank_id=g.bank.id,
        target=referral,
        token_id=g.bank_token.id,
        event=action,
    )
    return jsonify(referral_json(referral))


# --- public endpoints -------------------------------------------------------------------------


@public.get("/banks")
@unit_of_work
def list_banks():
    banks = services.public_banks()
    return jsonify(
        [
            {
                "slug": b.slug,
                "name": b.name,
                "conventional": b.conventional,
                "sharia": b.sharia,
                "schemes": list(b.schemes or []),
                "chapters": sorted(c.slug for c in b.chapters),
            }
            for b in banks
        ]
    )
