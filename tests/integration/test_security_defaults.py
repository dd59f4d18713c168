"""Security defaults: config fail-fast, cookies, headers, CSRF, error pages, limits."""

import logging

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.config import DEV_SECRET_KEY, ConfigError, ProdConfig
from tests.factories import PASSWORD, make_user

STRONG_KEY = "0123456789abcdef0123456789abcdef-production"


def prod_config(**overrides):
    return type(
        "Prod",
        (ProdConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "STRIPE_SECRET_KEY": "sk_live_example",
            "STRIPE_WEBHOOK_SECRET": "whsec_live_example",
            "TRUSTED_HOSTS": ["pasarkita.example"],
            "PUBLIC_BASE_URL": "https://pasarkita.example",
            "MAIL_BACKEND": "smtp",
            "NIK_INDEX_KEY": "a-separate-nik-index-key-of-32-bytes-or-more",
            "PHONE_BACKEND": "whatsapp",
            "WHATSAPP_TOKEN": "EAAG-example",
            "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
            **overrides,
        },
    )


@pytest.mark.parametrize("key", [None, "", "dev", "short-key", DEV_SECRET_KEY])
def test_production_refuses_to_start_without_a_strong_secret_key(key):
    with pytest.raises(ConfigError):
        create_app(prod_config(SECRET_KEY=key))


@pytest.mark.parametrize("name", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_production_refuses_to_start_with_development_stripe_keys(name):
    from marketplace.config import BaseConfig

    with pytest.raises(ConfigError, match=name):
        create_app(prod_config(SECRET_KEY=STRONG_KEY, **{name: getattr(BaseConfig, name)}))


@pytest.mark.parametrize(
    "overrides",
    [
        {"TRUSTED_HOSTS": None},
        {"TRUSTED_HOSTS": []},
        {"MAIL_BACKEND": None},
        {"MAIL_BACKEND": ""},
        {"PUBLIC_BASE_URL": None},
        {"PUBLIC_BASE_URL": "http://pasarkita.example"},
    ],
)
def test_production_refuses_to_start_without_trusted_hosts_mail_backend_or_https_base(overrides):
    with pytest.raises(ConfigError, match=next(iter(overrides))):
        create_app(prod_config(SECRET_KEY=STRONG_KEY, **overrides))


def test_production_session_cookie_is_secure_httponly_lax_and_host_prefixed(migrated):
    app = create_app(prod_config(SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI=migrated))
    with app.app_context():
        from marketplace.extensions import db

        make_user(email="budi@example.com")
        client = app.test_client()
        page = client.get("/login", base_url="https://pasarkita.example")
        token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
        response = client.post(
            "/login",
            data={"email": "budi@example.com", "password": PASSWORD, "csrf_token": token},
            base_url="https://pasarkita.example",
            headers={"Referer": "https://pasarkita.example/login"},
        )
        assert response.status_code == 302
        cookie = next(
            c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")
        )
        assert cookie.startswith("__Host-session=")
        for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
            assert flag in cookie
        assert "Domain" not in cookie
        assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
        db.session.remove()
        from tests.conftest import clean_tables

        clean_tables()
        db.engine.dispose()


def test_every_html_response_carries_the_security_headers(client):
    for path in ("/", "/login", "/register", "/c/tebet", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp
        assert "base-uri 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers  # only in production


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, db):
    response = client.post(
        "/register",
        data={
            "name": "X",
            "email": "x@example.com",
            "password": "kue-kering-enak",
            "password_confirm": "kue-kering-enak",
        },
    )
    assert response.status_code == 400
    assert "Muat ulang halaman" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_post_with_csrf_token_succeeds(csrf_client, db):
    response = csrf_client.post(
        "/register",
        data={
            "name": "X",
            "email": "x@example.com",
            "password": "kue-kering-enak",
            "password_confirm": "kue-kering-enak",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_logout_without_csrf_token_keeps_the_session(client, csrf_client, login_as, db):
    user = make_user()
    login_as(client, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


@pytest.mark.fresh_app
def test_a_crash_shows_a_generic_page_logs_a_request_id_and_rolls_back(app, client, db, caplog):
    def boom():
        db.session.add(User(email="ghost@example.com", name="Ghost", password_hash="x"))
        db.session.flush()
        raise RuntimeError("secret internals: SECRET_KEY=" + app.config["SECRET_KEY"])

    app.add_url_rule("/boom", "boom", boom)
    with caplog.at_level(logging.ERROR, logger="pasarkita"):
        response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Maaf, terjadi kesalahan" in page
    assert "Traceback" not in page
    assert "secret internals" not in page
    assert app.config["SECRET_KEY"] not in page
    request_id = response.headers["X-Request-Id"]
    assert request_id in page
    assert any(request_id in record.getMessage() for record in caplog.records)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_body_over_the_limit_answers_413(app, client):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/register", data=big, content_type="application/octet-stream")
    assert response.status_code == 413


def test_sqlite_enforces_foreign_keys(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific pragma")
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO chapter_lead (chapter_id, user_id, assigned_at) "
                "VALUES (9999, 9999, '2026-01-01')"
            )
        )


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
