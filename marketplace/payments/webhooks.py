"""Stripe webhook: authenticated by its signature, not by a session or CSRF token."""

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
        event = stripe.Webhook.construct_event(
            payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"], tolerance=300
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:
        log.warning("stripe webhook refused: %s", type(exc).__name__)
        return jsonify(error="invalid signature"), 400
    data = event.to_dict() if hasattr(event, "to_dict") else dict(event)
    outcome = services.handle_event(data)
    log.info("stripe event %s %s: %s", data.get("id"), data.get("type"), outcome)
    return jsonify(received=True)
