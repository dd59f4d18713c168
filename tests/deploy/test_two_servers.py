"""The second deployment profile, through HTTP: two gunicorn app servers on one PostgreSQL,
each with its own search index following the change feed, and rate limits in one Redis.

Runs only inside ``deploy/profile.sh`` (it exports PROFILE_SERVER_A and PROFILE_SERVER_B);
.ci/run's fourth pass does that. The servers run the production config behind a TLS proxy,
so requests carry ``X-Forwarded-Proto: https`` and the client keeps its own cookies
(``__Host-`` cookies are Secure: a stock cookie jar would not send them over plain HTTP).
"""

import html
import os
import re
import secrets
import string
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

SERVER_A = os.environ.get("PROFILE_SERVER_A")
SERVER_B = os.environ.get("PROFILE_SERVER_B")

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        not (SERVER_A and SERVER_B),
        reason="two-server profile not running: deploy/profile.sh pytest -m deploy tests/deploy",
    ),
]

OWNER = "sari@umkm.pasarkita.id"  # the demo's Batik Bu Sari (verified NIB), see profile.sh
DEMO_PASSWORD = "pasarkita-demo-2026"  # noqa: S105 - the printed demo login
CONVERGE_SECONDS = 20  # generous: a poll, not a timing (bench/feed.py measures convergence)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor (one cookie set) that may talk to either server."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, server, method, path, data=None):
        origin = server.replace("http://", "https://", 1)
        headers = {"X-Forwarded-Proto": "https", "Referer": origin + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(server + path, data=body, method=method, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (no redirects followed), 4xx, 5xx
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, response.read().decode()

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post(self, server, path, data):
        return self.request(server, "POST", path, data)


def form_fields(page: str) -> dict[str, str]:
    """The values a browser would submit as the form stands: CSRF token and select defaults."""
    fields = {}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert token, "no CSRF token on the page"
    fields["csrf_token"] = html.unescape(token.group(1))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', options) or re.search(
            r'<option[^>]*value="([^"]*)"', options
        )
        if chosen:
            fields[name] = html.unescape(chosen.group(1))
    return fields


def csrf(browser, server, path) -> str:
    status, _, page = browser.get(server, path)
    assert status == 200, (path, status)
    return form_fields(page)["csrf_token"]


@pytest.fixture(autouse=True)
def fresh_limits():
    """Each test starts with empty counters (the journey's own login counts as an attempt)."""
    import redis

    store = redis.Redis.from_url(os.environ["PROFILE_REDIS_URL"])
    store.flushdb()
    yield
    store.flushdb()


def test_journey_product_created_on_server_a_is_found_on_server_b():
    owner = Browser()
    status, headers, _ = owner.post(
        SERVER_A,
        "/login",
        {"csrf_token": csrf(owner, SERVER_A, "/login"), "email": OWNER, "password": DEMO_PASSWORD},
    )
    assert status == 302, status

    word = "tenun" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    status, _, page = owner.get(SERVER_A, "/business/products/new")
    assert status == 200
    fields = form_fields(page)
    fields.update(
        name=f"Kain Tenun {word.capitalize()}",
        category="fashion",
        price_idr="175000",
        stock="4",
        description="Kain tenun ikat tangan dari penenun Tebet",
    )
    status, headers, body = owner.post(SERVER_A, "/business/products/new", fields)
    assert status == 302, body[:2000]
    product_id = int(re.search(r"#product-(\d+)", headers["Location"]).group(1))

    token = csrf(owner, SERVER_A, f"/business/products/{product_id}/edit")
    status, _, _ = owner.post(
        SERVER_A,
        f"/business/products/{product_id}/list",
        {"csrf_token": token, "without_photo": "y"},
    )
    assert status == 302
    assert owner.get(SERVER_A, f"/p/{product_id}")[0] == 200  # listed

    shopper = Browser()
    deadline = time.monotonic() + CONVERGE_SECONDS
    while True:
        status, _, page = shopper.get(SERVER_B, f"/search?q={word}")
        assert status == 200
        if f"/p/{product_id}" in page:
            break
        assert time.monotonic() < deadline, "server B's index never found the new product"
        time.sleep(0.2)


def test_login_limit_counts_across_both_servers():
    limit = int(os.environ["PROFILE_LOGIN_LIMIT"].split()[0])
    visitor = Browser()
    token = csrf(visitor, SERVER_A, "/login")  # one session and key: valid on both servers
    answers = []
    for attempt in range(limit + 1):
        server = SERVER_A if attempt % 2 == 0 else SERVER_B
        status, _, _ = visitor.post(
            server,
            "/login",
            {
                "csrf_token": token,
                # A new identifier each time: the per-account throttle (in the database)
                # never trips, only the per-IP limit can refuse.
                "email": f"tamu{attempt}@pasarkita.id",
                "password": "salah-sekali-kata-sandinya",
            },
        )
        answers.append((server, status))
    # Each server alone saw about half the attempts, under the limit: only a shared count
    # refuses the last one.
    assert [status for _, status in answers[:limit]] == [400] * limit
    assert answers[limit][1] == 429
