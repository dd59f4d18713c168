"""Links built outside a request (the CLI jobs, seed-demo) must not run the request's
teardowns: those deliver the phone and e-mail outboxes, which commit or roll back the
session, in the middle of the caller's unit of work."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.notifications import phone
from marketplace.notifications.models import OutboxPhoneMessage

UNREACHABLE_SMS = {
    "PHONE_BACKEND": "sms",
    "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",  # nothing listens: every send fails
    "SMS_GATEWAY_TOKEN": "test",
    "PUBLIC_BASE_URL": "",
}


@pytest.mark.plugin("referrals")
@pytest.mark.parametrize("app_config", [UNREACHABLE_SMS], indirect=True)
def test_a_cli_job_building_a_link_keeps_its_uncommitted_work_and_its_queued_message(app, db):
    from referrals.services.links import external_url

    db.session.add(User(email="job@example.com", name="Job", password_hash="x"))
    phone.queue_message("+6281234567890", "Rujukan Anda sudah dikirim ke bank.")

    link = external_url("main.index")

    assert link == "http://localhost/"
    # Nothing was sent, rolled back or committed behind the job's back ...
    pending = [obj for obj in db.session.new if isinstance(obj, User | OutboxPhoneMessage)]
    assert len(pending) == 2
    db.session.rollback()
    # ... so the job's own rollback leaves nothing behind either.
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(OutboxPhoneMessage.id))) == 0
