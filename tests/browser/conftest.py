"""Browser tests: a live server on the test database, Debian's Chromium through Playwright,
and an axe-core accessibility check.

Every test here is marked ``browser``. A missing browser or a missing axe-core is a test
error, never a skip: `make test` installs both (`make chromium node_modules`).

The live server serves the test's own ``app`` fixture, so ``app_config`` overrides and the
``stripe_base`` (localstripe) fixture apply to it too. Tests create rows with
``tests.factories`` (the ``app`` context is pushed in the test) and commit; the ``app``
fixture empties the tables after each test.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PASARKITA_CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 360, "height": 640}
BLOCKING_IMPACTS = ("serious", "critical")
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # Everything under tests/browser drives a browser, whether or not its module says so. Under
    # pytest-xdist (`make test` runs -n 2 --dist loadgroup) they run one after another on one
    # worker, one Chromium at a time, while the other worker takes the rest of the suite.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


# --- the live server -----------------------------------------------------------------


class LiveServer:
    """``app`` served over real HTTP on 127.0.0.1 (a free port) from a background thread."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="live-server", daemon=True
        )

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __call__(self, path: str = "/") -> str:
        """Absolute URL for an app path: ``live_server("/c/tebet")``."""
        return self.url + path


@pytest.fixture
def live_server(app):
    """The test's own ``app`` (same config, database, upload folder, search index and, with
    ``stripe_base``, localstripe) served over HTTP. Rows made with ``tests.factories`` in the
    test are visible to the browser once committed; the ``app`` fixture empties the tables
    after the test. Starting a server costs a few milliseconds."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


# --- Playwright on Debian's Chromium -------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make chromium` "
            "(apt-get install --no-install-recommends chromium). Browser tests never skip.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The app's strict CSP stays on (no bypass_csp): a page that only works with the CSP
    # off must fail here. axe is injected through page.evaluate, which CSP does not govern.
    return {
        **browser_context_args,
        "viewport": VIEWPORT,
        "screen": VIEWPORT,
        "locale": "id-ID",
        "timezone_id": "Asia/Jakarta",
    }


@pytest.fixture
def page(page, live_server):
    """pytest-playwright's page, failing the test on uncaught script errors and on CSP
    violations (Chromium reports those as console errors). It depends on ``live_server`` so
    the page closes before the server stops and the tables are emptied."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"uncaught error: {exc}"))

    def on_console(msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            problems.append(f"CSP violation: {msg.text}")

    page.on("console", on_console)
    page.set_default_timeout(10_000)
    yield page
    assert not problems, "\n".join(problems)


# --- checks ------------------------------------------------------------------------------


def _settle(page) -> None:
    # A check called right after a click that navigates would otherwise measure a document
    # still being parsed (documentElement is null) or the page being left.
    page.wait_for_load_state("load")


def _axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"{AXE_JS.relative_to(REPO_ROOT)} is missing: run `make node_modules` (npm ci).",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


def _format_violation(v: dict) -> str:
    lines = [f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})"]
    for node in v["nodes"]:
        target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
        lines.append(f"    at {target}")
        summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
        if summary:
            lines.append(f"      {summary}")
    return "\n".join(lines)


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the current page; return the violations with the given impacts."""
    _settle(page)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v.get("impact") in impacts]


def assert_no_serious_axe_violations(page) -> None:
    """Fail listing every axe violation of impact serious or critical on the current page."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"axe found serious/critical violations on {page.url}:\n"
            + "\n".join(_format_violation(v) for v in violations)
        )


def assert_no_horizontal_scroll(page, width: int = VIEWPORT["width"]) -> None:
    _settle(page)
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width:
        pytest.fail(f"{page.url} scrolls sideways at {width}px: document is {scroll_width}px wide")


def open_menu(page):
    """The header's "Menu" is a closed <details> (issue 14): open it (a click on its summary,
    as a person would, JavaScript or not) and return the menu's navigation landmark."""
    _settle(page)
    details = page.locator("header details.menu")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return page.locator("header nav.menu-panel")  # "Menu utama" / "Main menu"
