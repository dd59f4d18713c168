"""Several senders at once (every app server and worker delivers the outbox after its
requests, and `flask outbox send` runs beside them): each e-mail goes out exactly once."""

import logging
import threading
import time

from sqlalchemy import select

from marketplace.mentoring.models import OutboxEmail
from marketplace.notifications import outbox
from tests.concurrency import race


class SlowMailbox(logging.Handler):
    """The console backend's log line is the delivery; this one takes a while, like SMTP."""

    def __init__(self):
        super().__init__()
        self.guard = threading.Lock()
        self.received: list[str] = []

    def emit(self, record):
        if not record.getMessage().startswith("email to="):
            return
        time.sleep(0.05)
        with self.guard:
            self.received.append(record.args[1])  # the subject


def test_several_senders_at_once_deliver_each_email_exactly_once(app, db):
    mailbox = SlowMailbox()
    logger = logging.getLogger("pasarkita.mail")
    logger.addHandler(mailbox)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        for n in range(6):
            outbox.queue_email("sari@umkm.test", subject=f"pesan {n}", body="halo")
        db.session.commit()

        def attempt(i, prepared):
            if prepared is None:
                return True
            outbox.send_pending()

        race(app, 4, attempt)
    finally:
        logger.removeHandler(mailbox)
        logger.setLevel(level)
    assert sorted(mailbox.received) == [f"pesan {n}" for n in range(6)]
    db.session.expire_all()
    assert all(m.sent_at is not None for m in db.session.scalars(select(OutboxEmail)))


def test_a_failed_email_is_left_for_the_next_sender(app, db):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # refused
    outbox.queue_email("sari@umkm.test", subject="pesan", body="halo")
    db.session.commit()
    assert outbox.send_pending() == 0
    mail = db.session.scalar(select(OutboxEmail))
    assert mail.sent_at is None
    assert mail.claimed_until is None
    app.config["MAIL_BACKEND"] = "console"
    assert outbox.send_pending() == 1
