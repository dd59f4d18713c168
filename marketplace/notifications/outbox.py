"""E-mail outbox: rows written with their cause, delivered after the commit.

The console backend (development and tests) writes each e-mail to the log; a real SMTP
backend is configuration (MAIL_BACKEND = "smtp" with MAIL_SERVER etc.).
"""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, g, has_app_context
from sqlalchemy import and_, or_, select, update

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.mentoring.models import OutboxEmail

log = logging.getLogger("pasarkita.mail")


def queue_email(to: str, *, subject: str, body: str) -> OutboxEmail:
    mail = OutboxEmail(to=to, subject=subject[:200], body=body)
    db.session.add(mail)
    if has_app_context():
        g.outbox_pending = True
    return mail


def _deliver(mail: OutboxEmail) -> None:
    cfg = current_app.config
    if cfg.get("MAIL_BACKEND", "console") == "console":
        log.info("email to=%s subject=%s\n%s", mail.to, mail.subject, mail.body)
        return
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg.get("MAIL_PORT", 587), timeout=20) as smtp:
        smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(message)


# How long a sender holds an e-mail it claimed: longer than one SMTP exchange (20 s timeout).
CLAIM_SECONDS = 120


def _unclaimed():
    return and_(
        OutboxEmail.sent_at.is_(None),
        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until <= utcnow()),
    )


def _claim(mail_id: int) -> bool:
    """Take one unsent e-mail for this sender (a conditional UPDATE, committed): with several
    app servers or workers sending after their requests, each e-mail goes out once."""
    claimed = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == mail_id, _unclaimed())
        .values(claimed_until=utcnow() + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def send_pending(limit: int = 100) -> int:
    """Deliver unsent e-mails, each claimed and then marked sent in its own short transaction."""
    sent = 0
    ids = list(
        db.session.scalars(
            select(OutboxEmail.id).where(_unclaimed()).order_by(OutboxEmail.id).limit(limit)
        )
    )
    db.session.rollback()  # end the read: each claim below is its own transaction
    for mail_id in ids:
        if not _claim(mail_id):
            continue  # another sender has it, or it was sent meanwhile
        mail = db.session.get(OutboxEmail, mail_id)
        try:
            _deliver(mail)
        except (OSError, smtplib.SMTPException):
            log.exception("e-mail %s not sent; it stays in the outbox", mail_id)
            mail.claimed_until = None  # the next sender tries again
            db.session.commit()
            continue
        mail.sent_at = utcnow()
        db.session.commit()
        sent += 1
    return sent


def register(app) -> None:
    @app.teardown_request
    def _send_after_commit(exc):
        if g.pop("outbox_pending", False) and exc is None:
            try:
                send_pending()
            except Exception:
                log.exception("outbox delivery failed; it will be retried")
