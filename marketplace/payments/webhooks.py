"""Stripe webhook: authenticated by its signature, not by a session or CSRF token.

What it answers (Stripe retries anything but 2xx, for days):
- 400, nothing recorded: no valid signature; a signed body that is not JSON, not an
  object, or lacks a readable ``id``, ``type``, ``data.object`` or payment id. Nothing
  can be matched to a checkout, so nothing can be flagged; the log line names the field.
- 200, event recorded, checkout flagged for an admin: a readable event for a known
  checkout with unreadable amounts (not an integer, not whole rupiah, out of range) —
  the same body would come back on every retry.
- 503, nothing recorded: the gateway could not be asked when events disagree — a retry
  later can succeed.
Log lines carry the event id, type and the reason, never the body, header or secret.
"""

import json
import logging

import stripe
from flask import Blueprint, current_app, jsonify, request

from marketplace.core.views import unit_of_work
from marketplace.extensions import csrf
from marketplace.payments import services

log = logging.getLogger("pasarkita.payments")
bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@csrf.exempt
@unit_of_work  # the event is recorded as processed in the same commit as its effects
def stripe_webhook():
    payload = request.get_data()  # the raw body, before anything parses it
    signature = request.headers.get("Stripe-Signature", "")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature,
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            tolerance=300,
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:  # UnicodeDecodeError too
        log.warning("stripe webhook refused: %s", type(exc).__name__)
        return jsonify(error="invalid signature"), 400
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        log.warning("stripe webhook malformed: body is not JSON")
        return jsonify(error="malformed event"), 400
    try:
        outcome = services.handle_event(data)
    except services.MalformedEvent as exc:
        log.warning("stripe webhook malformed: %s", exc.reason)
        return jsonify(error="malformed event"), 400
    log.info("stripe event %s %s: %s", data.get("id"), data.get("type"), outcome)
    return jsonify(received=True)
