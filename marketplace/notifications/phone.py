"""Messages to phones (WhatsApp or SMS) through an outbox, as e-mails go through theirs.

``queue_message`` writes a row in the caller's transaction; after the request commits the
rows are delivered (``flask outbox send`` delivers what is left). A failed delivery stays in
the outbox and is retried after a delay that doubles each time (1, 2, 4 ... minutes, capped at
PHONE_RETRY_MAX_SECONDS), up to PHONE_MAX_ATTEMPTS.

Backends, chosen by PHONE_BACKEND:

- ``console`` (development and tests): the message is written to the log; tests read the
  outbox rows. Production refuses it (a one-time code must never land in a log).
- ``whatsapp``: the WhatsApp Business Cloud API (Meta Graph API):
  ``POST {WHATSAPP_API_BASE}/{WHATSAPP_API_VERSION}/{WHATSAPP_PHONE_NUMBER_ID}/messages``
  with ``Authorization: Bearer {WHATSAPP_TOKEN}``. A message the business starts outside a
  24-hour customer window must be a pre-approved template: codes go through the
  authentication template named in WHATSAPP_CODE_TEMPLATE (language WHATSAPP_TEMPLATE_LANG,
  default ``id``), whose one body parameter (and copy-code button) is the code; other
  messages are sent as text.
- ``sms``: a generic HTTP SMS gateway: ``POST {SMS_GATEWAY_URL}`` with a JSON body
  ``{"to": "+62...", "message": "...", "sender": SMS_SENDER_ID}`` and
  ``Authorization: Bearer {SMS_GATEWAY_TOKEN}``; any 2xx is a success. Most Indonesian
  gateways (and Twilio-style APIs behind a small proxy) take this shape.

The provider adapters are written against the providers' documentation and are never
called by the tests (nothing there may reach the network).
"""

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from flask import current_app, g, has_app_context
from sqlalchemy import and_, or_, select, update

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.notifications.models import OutboxPhoneMessage

log = logging.getLogger("pasarkita.phone")

BACKENDS = ("console", "whatsapp", "sms")
CODE_TEMPLATE = "code"


class PhoneDeliveryError(Exception):
    """The provider refused or could not be reached; the message stays in the outbox."""


def queue_message(to: str, body: str, *, code: bool = False) -> OutboxPhoneMessage:
    """Queue ``body`` for the E.164 number ``to`` in the current transaction; ``code=True``
    marks a one-time-code message (the WhatsApp adapter sends it through its template)."""
    message = OutboxPhoneMessage(
        to=to, body=body, template=CODE_TEMPLATE if code else None, next_attempt_at=utcnow()
    )
    db.session.add(message)
    if has_app_context():
        g.phone_outbox_pending = True
    return message


def _post_json(url: str, token: str, payload: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 - https URLs from configuration
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise PhoneDeliveryError(f"provider answered {response.status}")
    except urllib.error.HTTPError as exc:
        raise PhoneDeliveryError(f"provider answered {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise PhoneDeliveryError(f"provider unreachable: {type(exc).__name__}") from exc


def _code_of(message: OutboxPhoneMessage) -> str:
    # The code is the run of 6 digits in the body (the template needs it on its own).
    import re

    found = re.search(r"\b(\d{6})\b", message.body)
    return found.group(1) if found else ""


def _send_whatsapp(message: OutboxPhoneMessage, cfg) -> None:
    url = (
        f"{cfg['WHATSAPP_API_BASE'].rstrip('/')}/{cfg['WHATSAPP_API_VERSION']}/"
        f"{cfg['WHATSAPP_PHONE_NUMBER_ID']}/messages"
    )
    to = message.to.lstrip("+")
    payload: dict
    if message.template == CODE_TEMPLATE and cfg.get("WHATSAPP_CODE_TEMPLATE"):
        code = _code_of(message)
        payload = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {
                "name": cfg["WHATSAPP_CODE_TEMPLATE"],
                "language": {"code": cfg.get("WHATSAPP_TEMPLATE_LANG") or "id"},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": code}]},
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": code}],
                    },
                ],
            },
        }
    else:
        payload = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "text",
            "text": {"body": message.body},
        }
    _post_json(url, cfg["WHATSAPP_TOKEN"], payload)


def _send_sms(message: OutboxPhoneMessage, cfg) -> None:
    _post_json(
        cfg["SMS_GATEWAY_URL"],
        cfg["SMS_GATEWAY_TOKEN"],
        {"to": message.to, "message": message.body, "sender": cfg.get("SMS_SENDER_ID") or ""},
    )


def deliver(message: OutboxPhoneMessage) -> None:
    """Hand one message to the configured backend; raises PhoneDeliveryError on failure."""
    cfg = current_app.config
    backend = cfg.get("PHONE_BACKEND") or "console"
    if backend == "console":
        log.info("phone to=%s\n%s", message.to, message.body)
    elif backend == "whatsapp":
        _send_whatsapp(message, cfg)
    elif backend == "sms":
        _send_sms(message, cfg)
    else:
        raise PhoneDeliveryError(f"unknown PHONE_BACKEND {backend!r}")


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones (doubling, capped)."""
    cfg = current_app.config
    return timedelta(
        seconds=min(
            cfg["PHONE_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0),
            cfg["PHONE_RETRY_MAX_SECONDS"],
        )
    )


# How long a sender holds a message it claimed: longer than one provider call (15 s timeout).
# A sender that dies mid-call leaves it to be retried once the claim runs out.
CLAIM_SECONDS = 120


def _due():
    return and_(
        OutboxPhoneMessage.sent_at.is_(None),
        OutboxPhoneMessage.attempts < current_app.config["PHONE_MAX_ATTEMPTS"],
        or_(
            OutboxPhoneMessage.next_attempt_at.is_(None),
            OutboxPhoneMessage.next_attempt_at <= utcnow(),
        ),
    )


def _claim(message_id: int) -> bool:
    """Take one due message for this sender (one conditional UPDATE, committed): with several
    app servers or workers sending after their requests, each message goes out once."""
    claimed = db.session.execute(
        update(OutboxPhoneMessage)
        .where(OutboxPhoneMessage.id == message_id, _due())
        .values(next_attempt_at=utcnow() + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def send_pending(limit: int = 100) -> int:
    """Deliver due messages, each claimed, then marked sent (or rescheduled), in its own
    short transactions."""
    ids = list(
        db.session.scalars(
            select(OutboxPhoneMessage.id).where(_due()).order_by(OutboxPhoneMessage.id).limit(limit)
        )
    )
    db.session.rollback()  # end the read: each claim below is its own transaction
    sent = 0
    for message_id in ids:
        if not _claim(message_id):
            continue  # another sender has it, or it was sent meanwhile
        message = db.session.get(OutboxPhoneMessage, message_id)
        try:
            deliver(message)
        except PhoneDeliveryError as exc:
            message.attempts += 1
            message.last_error = str(exc)[:200]
            message.next_attempt_at = utcnow() + retry_delay(message.attempts)
            db.session.commit()
            log.warning("phone message %s not sent (%s); retried later", message_id, exc)
            continue
        message.attempts += 1
        message.sent_at = utcnow()
        db.session.commit()
        sent += 1
    return sent


def register(app) -> None:
    @app.teardown_request
    def _send_phone_after_commit(exc):
        if g.pop("phone_outbox_pending", False) and exc is None:
            try:
                send_pending()
            except Exception:
                log.exception("phone outbox delivery failed; it will be retried")
