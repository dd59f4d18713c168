"""Links in e-mails and notifications are absolute, under the configured PUBLIC_BASE_URL:
from a CLI job (no request at all) and from a request (whatever its Host header says)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.core.timeutil import JAKARTA, jakarta_today
from marketplace.core.urls import absolute, external_url
from marketplace.mentoring.models import OutboxEmail, SessionSignup
from marketplace.notifications.models import Notification
from tests.factories import make_document, make_session

BASE = "https://pasarkita.example/pasar"


@pytest.fixture
def app_config():
    return {"PUBLIC_BASE_URL": BASE + "/"}


def test_cli_reminder_email_links_under_public_base_url(app, world, db):
    from marketplace.mentoring.cli import mentoring

    session = make_session(chapter=world.tebet, lead=world.lead_tebet)
    session.starts_at = datetime.combine(
        jakarta_today() + timedelta(days=1), datetime.min.time(), tzinfo=JAKARTA
    ) + timedelta(hours=19)
    db.session.add(SessionSignup(session_id=session.id, business_id=world.biz_tebet.id))
    db.session.commit()

    result = app.test_cli_runner().invoke(mentoring, ["remind"])

    assert result.exit_code == 0, result.output
    mail = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.to == world.biz_tebet.owner.email)
    )
    assert f"{BASE}/business/pathway" in mail.body
    notice = db.session.scalar(select(Notification).where(Notification.kind == "session_reminder"))
    assert notice.link == f"{BASE}/business/pathway"


def test_request_link_uses_public_base_url_not_the_host_header(app, world, db):
    from marketplace.legality import services as legality

    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")

    # A request whose Host header was forged: the review's notice must not link there.
    with app.test_request_context("/lead/tebet/", headers={"Host": "evil.example"}):
        legality.review_document(document, "verify", actor=world.lead_tebet, role="lead")
        db.session.commit()

    notice = db.session.scalar(select(Notification).where(Notification.kind == "document_verified"))
    assert notice.link == f"{BASE}/business/"
    assert "evil.example" not in notice.link


def test_external_url_inside_a_request_ignores_the_host_header(app):
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("orders.my_order", order_id=7) == f"{BASE}/orders/7"


def test_external_url_without_a_base_url_falls_back_to_the_request_host(app):
    app.config["PUBLIC_BASE_URL"] = ""
    with app.test_request_context("/", base_url="https://shop.example"):
        assert external_url("orders.my_order", order_id=7) == "https://shop.example/orders/7"
        assert absolute("/orders/7") == "https://shop.example/orders/7"


def test_external_url_refuses_a_base_url_that_is_not_http(app):
    app.config["PUBLIC_BASE_URL"] = "javascript:alert(1)"
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        external_url("orders.my_order", order_id=7)


def test_absolute_makes_a_plugin_path_absolute_and_leaves_urls_alone(app):
    assert absolute("/bank/bri/") == f"{BASE}/bank/bri/"
    assert absolute("https://elsewhere.example/x") == "https://elsewhere.example/x"
    assert absolute("//evil.example/x") == "//evil.example/x"
    assert absolute(None) is None
