"""Journeys: register, log in, log out, log out everywhere; session revocation; throttling."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import LoginThrottle, User
from tests.factories import PASSWORD, make_user


def signed_in_name(client) -> str | None:
    page = client.get("/account")
    if page.status_code != 200:
        return None
    return page.get_data(as_text=True)


def login(csrf_client, email, password=PASSWORD, **extra):
    return csrf_client.post("/login", data={"email": email, "password": password, **extra})


def test_journey_register_then_use_the_account(csrf_client, db):
    response = csrf_client.post(
        "/register",
        data={
            "name": "Ibu Tini",
            "email": "Tini@Example.com",
            "phone": "0812-3456-7890",
            "password": "kue-kering-enak",
            "password_confirm": "kue-kering-enak",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "tini@example.com"))
    # Issue 14: a typed number waits for its WhatsApp code before it identifies the account.
    assert user.pending_phone_e164 == "+6281234567890"
    assert user.phone_e164 is None
    assert response.headers["Location"] == "/verify-phone"
    assert user.password_hash != "kue-kering-enak"
    # Registering no longer signs in (that would tell a new e-mail from a known one):
    # the new member logs in with the password just chosen.
    login(csrf_client, "tini@example.com", "kue-kering-enak")
    assert "tini@example.com" in signed_in_name(csrf_client)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Alamat e-mail tidak valid"),
        ("password", "short", "Kata sandi minimal 10 karakter"),
        ("phone", "08123", "Nomor telepon tidak valid"),
    ],
)
def test_register_with_bad_input_explains_and_creates_nothing(
    csrf_client, db, field, value, message
):
    data = {
        "name": "Ibu Tini",
        "email": "tini@example.com",
        "phone": "",
        "password": "kue-kering-enak",
        "password_confirm": "kue-kering-enak",
    }
    data[field] = value
    if field == "password":
        data["password_confirm"] = value
    response = csrf_client.post("/register", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


REGISTRATION = {
    "name": "X",
    "phone": "",
    "password": "kue-kering-enak",
    "password_confirm": "kue-kering-enak",
}


def _register(app, email):
    """Register from a fresh browser; return (status, location, the page it leads to)."""
    from tests.conftest import Browserish

    browser = Browserish(app.test_client(), app)
    response = browser.post("/register", data={**REGISTRATION, "email": email})
    landing = browser.get(response.headers.get("Location", "/register"))
    page = _without_tokens(landing.get_data(as_text=True))
    return response.status_code, response.headers.get("Location"), page, browser


def test_register_answers_identically_for_known_and_unknown_emails(app, db):
    from marketplace.mentoring.models import OutboxEmail

    owner = make_user(email="tini@example.com")
    old_hash = owner.password_hash
    known = _register(app, "TINI@example.com")
    unknown = _register(app, "baru@example.com")
    assert known[0] == unknown[0] == 302
    assert known[1] == unknown[1]
    assert known[2] == unknown[2].replace("baru@example.com", "tini@example.com")
    assert "Kami sudah mengirim e-mail" in known[2]
    # Neither browser is signed in (a sign-in would tell the new e-mail apart).
    assert signed_in_name(known[3]) is None
    assert signed_in_name(unknown[3]) is None
    # The registered account is unchanged, its owner is told by e-mail; the new one exists.
    db.session.expire_all()
    assert db.session.get(User, owner.id).password_hash == old_hash
    assert db.session.scalar(select(func.count(User.id))) == 2
    mails = {m.to: m.body for m in db.session.scalars(select(OutboxEmail))}
    assert "sudah terdaftar" in mails["tini@example.com"]
    assert "/login" in mails["tini@example.com"]
    assert "sudah dibuat" in mails["baru@example.com"]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_register_is_rate_limited_per_ip(app, csrf_client, db):
    from marketplace.extensions import limiter

    limiter.reset()
    limit = int(app.config["REGISTER_IP_LIMIT"].split()[0])
    statuses = [
        csrf_client.post(
            "/register", data={**REGISTRATION, "email": f"u{i}@example.com"}
        ).status_code
        for i in range(limit + 1)
    ]
    assert statuses[:limit] == [302] * limit
    assert statuses[-1] == 429
    assert db.session.scalar(select(func.count(User.id))) == limit
    # Another IP is not affected.
    other = csrf_client.post(
        "/register",
        data={**REGISTRATION, "email": "other@example.com"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 302
    limiter.reset()


def test_journey_log_in_and_log_out(csrf_client, db):
    make_user(email="budi@example.com")
    assert login(csrf_client, "budi@example.com").status_code == 302
    assert "budi@example.com" in signed_in_name(csrf_client)
    assert csrf_client.post("/logout").status_code == 302
    assert signed_in_name(csrf_client) is None


def test_replaying_the_cookie_after_logout_is_anonymous(app, csrf_client, db):
    make_user(email="budi@example.com")
    login(csrf_client, "budi@example.com")
    stolen = csrf_client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    csrf_client.post("/logout")

    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert attacker.get("/account").status_code == 302  # to the login page


def test_logout_everywhere_ends_other_sessions_but_not_this_one(app, csrf_client, db):
    make_user(email="budi@example.com")
    phone = Browserless(app)
    login(phone.client, "budi@example.com")
    login(csrf_client, "budi@example.com")

    assert csrf_client.post("/account/logout-everywhere").status_code == 302
    assert signed_in_name(csrf_client) is not None
    assert signed_in_name(phone.client.client) is None


def test_password_change_ends_other_sessions(app, csrf_client, db):
    make_user(email="budi@example.com")
    other = Browserless(app)
    login(other.client, "budi@example.com")
    login(csrf_client, "budi@example.com")
    response = csrf_client.post(
        "/account/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a brand new secret",
            "pw-new_password_confirm": "a brand new secret",
        },
    )
    assert response.status_code == 302
    assert signed_in_name(csrf_client) is not None
    assert signed_in_name(other.client.client) is None
    csrf_client.post("/logout")
    assert login(csrf_client, "budi@example.com", "a brand new secret").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(csrf_client, login_as, db):
    user = make_user(email="budi@example.com")
    login_as(csrf_client.client, user)
    old_hash = user.password_hash
    response = csrf_client.post(
        "/account/password",
        data={
            "pw-current_password": "wrong one!!",
            "pw-new_password": "a brand new secret",
            "pw-new_password_confirm": "a brand new secret",
        },
    )
    assert response.status_code == 400
    assert "Kata sandi saat ini salah" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


def _without_tokens(page: str) -> str:
    """CSRF tokens carry a timestamp; everything else must be identical."""
    import re

    return re.sub(r'"[\w-]{20,}\.[\w-]{4,}\.[\w-]{10,}"', '"token"', page)


def test_unknown_email_and_wrong_password_get_the_same_answer(csrf_client, db):
    make_user(email="budi@example.com")
    wrong_password = login(csrf_client, "budi@example.com", "not the password")
    unknown = login(csrf_client, "nobody@example.com", "not the password")
    assert wrong_password.status_code == unknown.status_code == 400
    assert "E-mail/nomor WhatsApp atau kata sandi salah" in wrong_password.get_data(as_text=True)
    assert _without_tokens(wrong_password.get_data(as_text=True)) == _without_tokens(
        unknown.get_data(as_text=True).replace("nobody@example.com", "budi@example.com")
    )


def test_failures_for_one_account_from_many_ips_are_throttled(app, csrf_client, db):
    make_user(email="budi@example.com")
    free = app.config["LOGIN_THROTTLE_FREE_FAILURES"]
    for i in range(free):
        response = login(
            csrf_client,
            "budi@example.com",
            "bad guess",
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        )
        assert response.status_code == 400
    # Now even the right password waits: the account is in back-off, whatever the IP.
    response = login(csrf_client, "budi@example.com", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.get_data(as_text=True)
    # The unknown address is throttled in exactly the same way (no enumeration).
    for _ in range(free):
        login(csrf_client, "ghost@example.com", "bad guess")
    assert login(csrf_client, "ghost@example.com", "bad guess").status_code == 429
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 2


def test_throttle_back_off_expires(app, csrf_client, db):
    from freezegun import freeze_time

    make_user(email="budi@example.com")
    with freeze_time("2026-11-01 10:00:00") as frozen:
        for _ in range(app.config["LOGIN_THROTTLE_FREE_FAILURES"]):
            login(csrf_client, "budi@example.com", "bad guess")
        assert login(csrf_client, "budi@example.com").status_code == 429
        frozen.tick(app.config["LOGIN_THROTTLE_BASE_SECONDS"] + 1)
        assert login(csrf_client, "budi@example.com").status_code == 302


def _attack(csrf_client, email, times):
    for i in range(times):
        login(csrf_client, email, "bad guess", environ_base={"REMOTE_ADDR": f"10.6.6.{i % 250}"})


def test_owner_with_a_device_cookie_logs_in_despite_failures_from_other_ips(app, db):
    from tests.conftest import Browserish

    make_user(email="budi@example.com")
    owner = Browserish(app.test_client(), app)
    assert login(owner, "budi@example.com").status_code == 302  # a known device from now on
    owner.post("/logout")
    attacker = Browserish(app.test_client(), app)
    _attack(attacker, "budi@example.com", 3 * app.config["LOGIN_THROTTLE_FREE_FAILURES"])
    assert login(attacker, "budi@example.com").status_code == 429  # the account cools down
    # ...but the owner's browser is not throttled by failures from unknown devices.
    response = login(owner, "budi@example.com", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302
    assert "budi@example.com" in signed_in_name(owner)


def test_a_device_cookie_for_another_account_or_forged_does_not_bypass_the_throttle(app, db):
    from tests.conftest import Browserish

    make_user(email="budi@example.com")
    make_user(email="eve@example.com")
    attacker = Browserish(app.test_client(), app)
    assert login(attacker, "eve@example.com").status_code == 302  # eve's own device cookie
    attacker.post("/logout")
    _attack(attacker, "budi@example.com", app.config["LOGIN_THROTTLE_FREE_FAILURES"])
    assert login(attacker, "budi@example.com").status_code == 429
    attacker.set_cookie(app.config["DEVICE_COOKIE_NAME"], "forged.value")
    assert login(attacker, "budi@example.com").status_code == 429


def test_failures_from_a_known_device_throttle_that_device(app, db):
    from tests.conftest import Browserish

    make_user(email="budi@example.com")
    device = Browserish(app.test_client(), app)
    login(device, "budi@example.com")
    device.post("/logout")
    _attack(device, "budi@example.com", app.config["LOGIN_THROTTLE_FREE_FAILURES"])
    assert login(device, "budi@example.com").status_code == 429
    # The account itself (other browsers) is not throttled by them.
    assert login(Browserish(app.test_client(), app), "budi@example.com").status_code == 302


def test_owner_without_a_device_cookie_waits_minutes_not_an_hour(app, csrf_client, db):
    from freezegun import freeze_time

    make_user(email="budi@example.com")
    with freeze_time("2026-11-01 10:00:00") as frozen:
        # An attacker tries for half a day, one guess whenever the account is not cooling
        # down (at most once an hour).
        for _ in range(12):
            _attack(csrf_client, "budi@example.com", 1)
            frozen.tick(3601)
        # Every guess still costs a cool-down...
        _attack(csrf_client, "budi@example.com", 1)
        assert login(csrf_client, "budi@example.com").status_code == 429
        # ...of minutes: the owner is in after five, not locked out for an hour.
        frozen.tick(5 * 60 + 1)
        assert login(csrf_client, "budi@example.com").status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_many_failed_logins_from_one_ip_answer_429(app, csrf_client, db):
    from marketplace.extensions import limiter

    limiter.reset()
    limit = int(app.config["LOGIN_IP_LIMIT"].split()[0])
    statuses = [
        login(csrf_client, f"user{i}@example.com", "bad guess").status_code
        for i in range(limit + 1)
    ]
    assert statuses[:limit] == [400] * limit
    assert statuses[-1] == 429
    limiter.reset()


BAD_NEXT = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https://evil.example/orders",
    "http:/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\x00//evil.example",
    "/\t/evil.example",
    "\x01javascript:alert(1)",
    " //evil.example",
    "evil.example",
    "data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_login_never_redirects_off_site(csrf_client, db, target):
    make_user(email="budi@example.com")
    response = login(csrf_client, "budi@example.com", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_honours_a_local_next(csrf_client, db):
    make_user(email="budi@example.com")
    response = login(csrf_client, "budi@example.com", next="/orders/3")
    assert response.headers["Location"] == "/orders/3"


def test_a_disabled_account_cannot_log_in_and_loses_its_sessions(csrf_client, login_as, db):
    user = make_user(email="budi@example.com")
    login_as(csrf_client.client, user)
    user.is_disabled = True
    db.session.commit()
    assert signed_in_name(csrf_client) is None
    assert login(csrf_client, "budi@example.com").status_code == 400


class Browserless:
    """A second device: its own cookie jar and CSRF tokens."""

    def __init__(self, app):
        from tests.conftest import Browserish

        self.client = Browserish(app.test_client(), app)
