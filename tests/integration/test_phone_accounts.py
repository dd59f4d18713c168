"""Issue 14: accounts for phones (register and log in with a WhatsApp number or an e-mail,
the number verified by a code), account recovery by a link to the e-mail or a code to the
phone, the phone notifier's outbox, and the admin's user tools."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace.accounts.models import CodePurpose, LoginSession, OneTimeCode, User
from marketplace.core.timeutil import utcnow
from marketplace.mentoring.models import OutboxEmail
from marketplace.notifications.models import OutboxPhoneMessage
from tests.factories import PASSWORD, make_lead, make_user, make_world

NEW_PASSWORD = "rendang-padang-2026"


def register(csrf_client, **fields):
    data = {
        "name": "Ibu Sumarni",
        "email": "",
        "phone": "",
        "password": "kue-kering-enak",
        "password_confirm": "kue-kering-enak",
        **fields,
    }
    return csrf_client.post("/register", data=data)


def login(csrf_client, identifier, password=PASSWORD):
    return csrf_client.post("/login", data={"email": identifier, "password": password})


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def phone_messages(db, to):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxPhoneMessage)
            .where(OutboxPhoneMessage.to == to)
            .order_by(OutboxPhoneMessage.id)
        )
    )


def last_code(db, to) -> str:
    body = phone_messages(db, to)[-1].body
    return re.search(r"\b(\d{6})\b", body).group(1)


def emails_to(db, address):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to == address).order_by(OutboxEmail.id)
        )
    )


def without_tokens(page: str) -> str:
    return re.sub(r'"[\w-]{20,}\.[\w-]{4,}\.[\w-]{10,}"', '"token"', page)


# --- phone formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "6281234567890",
        "+6281234567890",
        "+62 812-3456-7890",
        "+62 812 3456 7890",
        "(0812) 3456-7890",
        "+62 0812 3456 7890",  # the common mistake: the trunk 0 after +62
    ],
)
def test_phone_formats_people_type_normalise_to_e164(app, typed):
    from marketplace.accounts.services import normalise_phone

    assert normalise_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["021-2345-6789", "(021) 2345 6789", "+62 21 2345 6789"])
def test_a_landline_is_refused_with_a_plain_message(csrf_client, db, typed):
    response = register(csrf_client, phone=typed)
    assert response.status_code == 400
    assert "bukan nomor telepon rumah atau kantor" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize("typed", ["08123", "0012345", "+6212", "nomor saya"])
def test_an_invalid_number_is_refused(csrf_client, db, typed):
    response = register(csrf_client, phone=typed)
    assert response.status_code == 400
    assert "Nomor telepon tidak valid" in response.get_data(as_text=True)


def test_registration_needs_an_email_or_a_number(csrf_client, db):
    response = register(csrf_client)
    assert response.status_code == 400
    assert "salah satu cukup" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


# --- registration and login by phone --------------------------------------------------


def test_journey_register_with_a_phone_only_verify_then_log_in_by_phone(app, csrf_client, db):
    response = register(csrf_client, phone="0812-3456-7890")
    assert response.status_code == 302
    assert response.headers["Location"] == "/verify-phone"
    user = db.session.scalar(select(User).where(User.pending_phone_e164 == "+6281234567890"))
    assert user.email is None
    assert user.phone_e164 is None
    # Not verified yet: the number cannot log in.
    assert login(csrf_client, "081234567890", "kue-kering-enak").status_code == 400

    page = csrf_client.get("/verify-phone")
    assert page.status_code == 200
    assert "+6281234567890" in page.get_data(as_text=True)
    wrong = csrf_client.post("/verify-phone", data={"code": "000000"})
    assert wrong.status_code == 400
    assert "Kode salah" in wrong.get_data(as_text=True)
    done = csrf_client.post("/verify-phone", data={"code": last_code(db, "+6281234567890")})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).phone_e164 == "+6281234567890"
    assert signed_in(csrf_client)

    csrf_client.post("/logout")
    assert not signed_in(csrf_client)
    # Logs in with the number in another format, through the one field.
    assert login(csrf_client, "+62 812-3456-7890", "kue-kering-enak").status_code == 302
    assert signed_in(csrf_client)


def test_a_verification_code_is_single_use(csrf_client, db):
    register(csrf_client, phone="081234567890")
    code = last_code(db, "+6281234567890")
    assert csrf_client.post("/verify-phone", data={"code": code}).status_code == 302
    csrf_client.post("/logout")
    with csrf_client.session_transaction() as sess:
        sess["verify_phone"] = "+6281234567890"
    assert csrf_client.post("/verify-phone", data={"code": code}).status_code == 400


def test_register_answers_identically_for_known_and_unknown_numbers(app, db):
    from tests.conftest import Browserish

    make_user(email="holder@example.com", phone="081234567890")
    known = Browserish(app.test_client(), app)
    unknown = Browserish(app.test_client(), app)
    a = register(known, phone="0812 3456 7890")
    b = register(unknown, phone="0813 1111 2222")
    assert a.status_code == b.status_code == 302
    assert a.headers["Location"] == b.headers["Location"]
    page_a = without_tokens(known.get("/verify-phone").get_data(as_text=True))
    page_b = without_tokens(unknown.get("/verify-phone").get_data(as_text=True))
    assert page_a.replace("+6281234567890", "X") == page_b.replace("+6281311112222", "X")
    # The holder is told someone tried (no code); the new number gets a code.
    holder_message = phone_messages(db, "+6281234567890")[-1]
    assert "sudah terdaftar" in holder_message.body
    assert holder_message.template is None
    assert re.search(r"\b\d{6}\b", phone_messages(db, "+6281311112222")[-1].body)
    # No second account for the verified number.
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_a_number_typed_by_someone_else_cannot_log_in_or_recover(csrf_client, db):
    """Registering another person's number does not make it an identifier: it waits for a
    code that only the number's holder receives."""
    register(csrf_client, phone="081234567890", email="squatter@example.com")
    csrf_client.post("/logout")
    assert login(csrf_client, "081234567890", "kue-kering-enak").status_code == 400
    before = len(phone_messages(db, "+6281234567890"))
    csrf_client.post("/forgot", data={"identifier": "081234567890"})
    assert len(phone_messages(db, "+6281234567890")) == before  # no recovery code sent


# --- recovery by phone code -------------------------------------------------------------


def test_journey_recover_by_phone_code_ends_every_session(app, csrf_client, login_as, db):
    user = make_user(phone="081234567890")
    other_device = app.test_client()
    login_as(other_device, user)
    assert signed_in(other_device)

    response = csrf_client.post("/forgot", data={"identifier": "0812-3456-7890"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/forgot/code"
    message = phone_messages(db, "+6281234567890")[-1]
    assert message.template == "code"
    assert message.sent_at is not None
    code = last_code(db, "+6281234567890")
    row = db.session.scalar(select(OneTimeCode).where(OneTimeCode.user_id == user.id))
    assert code not in row.code_hash  # stored hashed
    assert row.expires_at - row.created_at == timedelta(minutes=10)

    done = csrf_client.post(
        "/forgot/code",
        data={"code": code, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/login"
    assert not signed_in(other_device)
    assert (
        db.session.scalar(
            select(func.count(LoginSession.id)).where(
                LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
            )
        )
        == 0
    )
    assert login(csrf_client, "081234567890").status_code == 400
    assert login(csrf_client, "081234567890", NEW_PASSWORD).status_code == 302


def _ask_code(csrf_client):
    return csrf_client.post("/forgot", data={"identifier": "081234567890"})


def _try(csrf_client, code):
    return csrf_client.post(
        "/forgot/code",
        data={"code": code, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )


def test_a_recovery_code_expires_after_ten_minutes(csrf_client, db):
    make_user(phone="081234567890")
    _ask_code(csrf_client)
    code = last_code(db, "+6281234567890")
    db.session.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = _try(csrf_client, code)
    assert response.status_code == 400
    assert "Kode salah atau sudah tidak berlaku" in response.get_data(as_text=True)


def test_a_recovery_code_allows_five_attempts_then_refuses_even_the_right_one(csrf_client, db):
    make_user(phone="081234567890")
    _ask_code(csrf_client)
    code = last_code(db, "+6281234567890")
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        assert _try(csrf_client, wrong).status_code == 400
    assert _try(csrf_client, code).status_code == 400
    assert login(csrf_client, "081234567890").status_code == 302  # password unchanged


def test_the_fifth_attempt_may_still_be_the_right_code(csrf_client, db):
    make_user(phone="081234567890")
    _ask_code(csrf_client)
    code = last_code(db, "+6281234567890")
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(4):
        _try(csrf_client, wrong)
    assert _try(csrf_client, code).status_code == 302


def test_recovery_answers_identically_for_known_and_unknown_numbers(app, db):
    from tests.conftest import Browserish

    make_user(phone="081234567890")
    known, unknown = (Browserish(app.test_client(), app) for _ in range(2))
    a = known.post("/forgot", data={"identifier": "081234567890"})
    b = unknown.post("/forgot", data={"identifier": "081311112222"})
    assert a.status_code == b.status_code == 302
    assert a.headers["Location"] == b.headers["Location"]
    page_a = without_tokens(known.get("/forgot/code").get_data(as_text=True))
    page_b = without_tokens(unknown.get("/forgot/code").get_data(as_text=True))
    assert page_a.replace("+6281234567890", "X") == page_b.replace("+6281311112222", "X")
    ra, rb = _try(known, "123456"), _try(unknown, "123456")
    assert ra.status_code == rb.status_code == 400
    assert without_tokens(ra.get_data(as_text=True)).replace("+6281234567890", "X") == (
        without_tokens(rb.get_data(as_text=True)).replace("+6281311112222", "X")
    )
    assert phone_messages(db, "+6281311112222") == []


@pytest.mark.parametrize("identifier", ["081234567890", "081399998888"])
def test_recovery_codes_are_limited_per_number_known_or_not(app, csrf_client, db, identifier):
    make_user(phone="081234567890")
    limit = app.config["CODE_SENDS_PER_NUMBER"]
    statuses = [
        csrf_client.post(
            "/forgot",
            data={"identifier": identifier},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]


def test_recovery_requests_are_limited_per_ip(app, csrf_client, db):
    limit = app.config["CODE_SENDS_PER_IP"]
    statuses = [
        csrf_client.post("/forgot", data={"identifier": f"0812000000{i:02d}"}).status_code
        for i in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]
    other_ip = csrf_client.post(
        "/forgot", data={"identifier": "081299990000"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other_ip.status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_the_recovery_page_is_rate_limited_per_ip_by_flask_limiter(app, csrf_client, db):
    from marketplace.extensions import limiter

    limiter.reset()
    limit = int(app.config["RECOVERY_IP_LIMIT"].split()[0])
    app.config["CODE_SENDS_PER_IP"] = 1000
    statuses = [
        csrf_client.post("/forgot", data={"identifier": f"0812000000{i:02d}"}).status_code
        for i in range(limit + 1)
    ]
    assert statuses[-1] == 429
    limiter.reset()


def test_the_per_number_limit_holds_under_concurrent_requests(app, db):
    from marketplace.accounts import recovery
    from tests.concurrency import race

    user = make_user(phone="081234567890")
    limit = app.config["CODE_SENDS_PER_NUMBER"]

    def attempt(i, prepared):
        if prepared is None:
            return True
        recovery.request_recovery("081234567890", f"10.0.1.{i}")

    ok, refused = race(app, 10, attempt)
    assert len(ok) == limit
    assert len(refused) == 10 - limit
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(OneTimeCode.id)).where(
                OneTimeCode.user_id == user.id, OneTimeCode.purpose == CodePurpose.RECOVERY
            )
        )
        == limit
    )


# --- recovery by e-mail link ------------------------------------------------------------


def _link(db, address) -> str:
    body = emails_to(db, address)[-1].body
    return re.search(r"http://[^/]+(/reset/\S+)", body).group(1)


def test_journey_recover_by_email_link_used_once_and_ending_every_session(
    app, csrf_client, login_as, db
):
    user = make_user(email="budi@example.com")
    other_device = app.test_client()
    login_as(other_device, user)
    page = csrf_client.post("/forgot", data={"identifier": "Budi@Example.com"})
    assert page.status_code == 200
    assert "Periksa e-mail Anda" in page.get_data(as_text=True)
    link = _link(db, "budi@example.com")
    form = csrf_client.get(link)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    done = csrf_client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert not signed_in(other_device)
    assert login(csrf_client, "budi@example.com", NEW_PASSWORD).status_code == 302
    # Single use: the same link no longer works.
    again = csrf_client.post(
        link, data={"password": "another-password-1", "password_confirm": "another-password-1"}
    )
    assert again.status_code == 400
    assert "sudah dipakai atau sudah kedaluwarsa" in again.get_data(as_text=True)


def test_a_recovery_link_expires(app, csrf_client, db):
    make_user(email="budi@example.com")
    csrf_client.post("/forgot", data={"identifier": "budi@example.com"})
    link = _link(db, "budi@example.com")
    app.config["RECOVERY_LINK_SECONDS"] = -1  # every link is older than that
    assert csrf_client.get(link).status_code == 400
    assert (
        csrf_client.post(
            link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
        ).status_code
        == 400
    )


def test_recovery_answers_identically_for_known_and_unknown_emails(csrf_client, db):
    make_user(email="budi@example.com")
    a = csrf_client.post("/forgot", data={"identifier": "budi@example.com"})
    b = csrf_client.post("/forgot", data={"identifier": "nobody@example.com"})
    assert a.status_code == b.status_code == 200
    assert without_tokens(a.get_data(as_text=True)).replace("budi@", "X@") == without_tokens(
        b.get_data(as_text=True)
    ).replace("nobody@", "X@")
    assert emails_to(db, "nobody@example.com") == []


def test_a_forged_recovery_link_is_refused(csrf_client, db):
    assert csrf_client.get("/reset/not-a-token").status_code == 400


# --- the phone notifier ---------------------------------------------------------------


def test_a_phone_message_is_queued_in_the_transaction_and_gone_on_rollback(app, db):
    from marketplace.notifications.phone import queue_message

    queue_message("+6281234567890", "halo")
    db.session.rollback()
    assert phone_messages(db, "+6281234567890") == []
    queue_message("+6281234567890", "halo")
    db.session.commit()
    assert [m.body for m in phone_messages(db, "+6281234567890")] == ["halo"]


def test_a_failed_phone_delivery_is_retried_later_with_a_growing_delay(app, db):
    from marketplace.notifications import phone

    app.config["PHONE_BACKEND"] = "unavailable"  # deliver() refuses: no provider is called
    phone.queue_message("+6281234567890", "halo")
    db.session.commit()
    assert phone.send_pending() == 0
    message = phone_messages(db, "+6281234567890")[0]
    assert message.attempts == 1
    assert message.sent_at is None
    first_wait = message.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    assert phone.send_pending() == 0  # not due yet: not tried again
    assert phone_messages(db, "+6281234567890")[0].attempts == 1
    assert phone.retry_delay(2) == 2 * phone.retry_delay(1)
    # Due again, with the console back: delivered.
    db.session.execute(update(OutboxPhoneMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    app.config["PHONE_BACKEND"] = "console"
    assert phone.send_pending() == 1
    assert phone_messages(db, "+6281234567890")[0].sent_at is not None


@pytest.mark.parametrize(
    "overrides",
    [
        {"PHONE_BACKEND": None},
        {"PHONE_BACKEND": "console"},
        {"PHONE_BACKEND": "whatsapp", "WHATSAPP_TOKEN": None},
        {"PHONE_BACKEND": "sms", "SMS_GATEWAY_URL": None, "SMS_GATEWAY_TOKEN": "t"},
    ],
)
def test_production_refuses_the_console_or_an_unconfigured_phone_backend(overrides):
    from marketplace import create_app
    from marketplace.config import ConfigError
    from tests.integration.test_security_defaults import STRONG_KEY, prod_config

    with pytest.raises(ConfigError, match="PHONE_BACKEND|WHATSAPP_TOKEN|SMS_GATEWAY_URL"):
        create_app(prod_config(SECRET_KEY=STRONG_KEY, **overrides))


# --- the admin's user tools -------------------------------------------------------------


@pytest.fixture
def admin(csrf_client, login_as, db):
    user = make_user(email="admin@example.com", name="Admin", is_admin=True)
    login_as(csrf_client.client, user)
    return user


def test_admin_finds_a_user_by_name_email_or_phone(csrf_client, admin, db):
    make_user(name="Ibu Sumarni", email="sumarni@example.com", phone="081234567890")
    make_user(name="Pak Budi", email="budi@example.com")
    for query in ("sumarni", "SUMARNI@example", "0812-3456-7890", "+6281234567890"):
        page = csrf_client.get("/admin/users/", query_string={"q": query})
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Ibu Sumarni" in text, query
        assert "Pak Budi" not in text, query
    assert "Tidak ada pengguna" in csrf_client.get("/admin/users/?q=zzz").get_data(as_text=True)


def test_admin_user_list_is_paged(csrf_client, admin, db):
    from marketplace.accounts.administration import PAGE_SIZE

    for i in range(PAGE_SIZE + 2):
        make_user(name=f"Anggota {i:02d}")
    first = csrf_client.get("/admin/users/?q=Anggota").get_data(as_text=True)
    second = csrf_client.get("/admin/users/?q=Anggota&page=2").get_data(as_text=True)
    assert first.count("Anggota ") == PAGE_SIZE
    assert "page=2" in first
    assert second.count("Anggota ") == 2


def test_admin_sees_every_role_of_a_user(csrf_client, admin, db):
    from tests.factories import make_bank, make_officer

    world = make_world()
    owner = db.session.get(User, world.biz_tebet.owner_id)
    make_lead(chapter=world.cakung, user=owner)
    make_officer(bank=make_bank(slug="bri", name="BRI"), user=owner)
    text = csrf_client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert world.biz_tebet.name in text
    assert world.cakung.name in text
    assert "Petugas bank: BRI" in text
    # Another user's roles are not mixed in.
    other = csrf_client.get(f"/admin/users/{world.consumer_a.id}").get_data(as_text=True)
    assert "Petugas bank" not in other
    assert world.biz_tebet.name not in other


def test_admin_disable_asks_first_then_ends_sessions_and_blocks_login(
    app, csrf_client, admin, login_as, db
):
    member = make_user(email="budi@example.com", phone="081234567890")
    device = app.test_client()
    login_as(device, member)
    check = csrf_client.get(f"/admin/users/{member.id}/disable")
    assert check.status_code == 200
    assert "Ya, nonaktifkan" in check.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, member.id).is_disabled  # nothing changed on GET
    assert signed_in(device)

    done = csrf_client.post(f"/admin/users/{member.id}/disable")
    assert done.status_code == 302
    assert not signed_in(device)
    from tests.conftest import Browserish

    other = Browserish(app.test_client(), app)
    for identifier in ("budi@example.com", "081234567890"):
        refused = login(other, identifier)
        assert refused.status_code == 400
        assert "dinonaktifkan oleh admin" in refused.get_data(as_text=True)
    # A wrong password says nothing about the account's state.
    assert "dinonaktifkan" not in login(other, "budi@example.com", "wrong-password").get_data(
        as_text=True
    )
    csrf_client.post(f"/admin/users/{member.id}/enable")
    assert login(other, "budi@example.com").status_code == 302


def test_admin_starts_a_recovery_that_reaches_the_user_not_the_admin(csrf_client, admin, db):
    by_mail = make_user(email="budi@example.com")
    by_phone = make_user(no_email=True, phone="081234567890")
    assert csrf_client.post(f"/admin/users/{by_mail.id}/recovery").status_code == 302
    assert "/reset/" in emails_to(db, "budi@example.com")[-1].body
    assert csrf_client.post(f"/admin/users/{by_phone.id}/recovery").status_code == 302
    assert phone_messages(db, "+6281234567890")[-1].template == "code"
    assert emails_to(db, "admin@example.com") == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/users/"),
        ("get", "/admin/users/{id}"),
        ("get", "/admin/users/{id}/disable"),
        ("post", "/admin/users/{id}/disable"),
        ("post", "/admin/users/{id}/enable"),
        ("post", "/admin/users/{id}/recovery"),
    ],
)
def test_returns_403_if_a_non_admin_uses_the_user_tools(csrf_client, login_as, db, method, path):
    member = make_user()
    login_as(csrf_client.client, make_user(name="Pembeli"))
    response = getattr(csrf_client, method)(path.format(id=member.id))
    assert response.status_code == 403
    db.session.expire_all()
    assert not db.session.get(User, member.id).is_disabled


def test_several_senders_at_once_deliver_each_phone_message_exactly_once(app, db):
    """Every app server and worker sends the outbox after its requests: two of them running
    send_pending together must not both hand the same message to the provider."""
    import http.server
    import json
    import threading
    import time

    from marketplace.notifications import phone
    from tests.concurrency import race

    received, lock = [], threading.Lock()

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(0.05)  # a provider takes a while: the other sender runs meanwhile
            with lock:
                received.append(body["message"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app.config.update(
            PHONE_BACKEND="sms",
            SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/send",
            SMS_GATEWAY_TOKEN="t",  # noqa: S106 - a test gateway
        )
        for n in range(6):
            phone.queue_message("+6281234567890", f"pesan {n}")
        db.session.commit()

        def attempt(i, prepared):
            if prepared is None:
                return True
            phone.send_pending()

        race(app, 4, attempt)
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(received) == [f"pesan {n}" for n in range(6)]
    db.session.expire_all()
    assert all(
        m.sent_at is not None and m.attempts == 1 for m in phone_messages(db, "+6281234567890")
    )
