"""The host built WITHOUT any plug-in, checked in a fresh interpreter.

``python -m tests.host_only sweep DATABASE_URL WORKDIR`` serves every host page from a
database that `flask --app "marketplace:create_app()" db upgrade` migrated;
``python -m tests.host_only registries`` builds two apps, one with the referral network,
and reports what each registry holds. Both print one JSON report on stdout. They run in a
fresh interpreter because SQLAlchemy's metadata is process-wide: a process that ever
imported the referral network's models would see its tables (and the test process has).
"""

import json
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db

# Endpoints not swept: the static files and the language switch (it changes the session's
# language for every later page; its own test is in test_i18n).
SKIP = {"static", "main.set_language"}


class Links(HTMLParser):
    """Every href and form action on a page, with the method a browser would use."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("href"):
            self.found.append(("GET", attrs["href"]))
        if tag == "form":
            method = (attrs.get("method") or "GET").upper()
            self.found.append((method, attrs.get("action") or ""))


def internal_path(url: str) -> str | None:
    """The app path ``url`` points at, or None for another site, a fragment or a scheme."""
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None  # mailto:, tel:, data:
    if parts.netloc and parts.netloc not in ("localhost", "127.0.0.1"):
        return None
    if not parts.path:
        return None  # "#main", "?page=2": the same page
    if not parts.path.startswith("/"):
        return None
    return parts.path


def make_data():
    """The demo-like world through the factories the suite uses."""
    from tests import factories

    world = factories.make_world()
    product = factories.make_listable_product(business=world.biz_tebet, status="listed")
    document = factories.make_document(business=world.biz_tebet, kind="halal", status="submitted")
    session = factories.make_session(chapter=world.tebet, lead=world.lead_tebet)
    db.session.commit()
    values = {
        "slug": world.tebet.slug,
        "chapter_slug": world.tebet.slug,
        "business_id": world.biz_tebet.id,
        "product_id": product.id,
        "document_id": document.id,
        "session_id": session.id,
    }
    image = next(iter(getattr(product, "images", []) or []), None)
    if image is not None:
        values.update(image_id=image.id, size="thumb")
    roles = {
        "anonymous": None,
        "consumer": world.consumer_a,
        "owner": world.biz_tebet.owner,
        "lead": world.lead_tebet,
        "admin": world.admin,
    }
    return values, roles


def sweep(database_url: str, workdir: str) -> dict:
    from tests.conftest import IsolatedClient

    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": f"{workdir}/uploads",
        "SEARCH_INDEX_DIR": f"{workdir}/search_index",
    }
    app = create_app(type("HostOnly", (TestConfig,), config))
    app.test_client_class = IsolatedClient
    report = {"requests": 0, "errors": [], "broken_links": [], "pages": [], "links": 0}
    with app.app_context():
        values, roles = make_data()
        adapter = app.url_map.bind("localhost")
        rules = [
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint not in SKIP
            and all(arg in values for arg in rule.arguments)
        ]
        from marketplace.accounts.services import start_session

        for role, user in roles.items():
            client = app.test_client()
            if user is not None:
                token = start_session(user)
                db.session.commit()
                with client.session_transaction() as sess:
                    sess["_user_id"] = token
                    sess["_fresh"] = True
            for rule in sorted(rules, key=lambda r: r.rule):
                path = adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
                response = client.get(path)
                report["requests"] += 1
                if response.status_code >= 500:
                    report["errors"].append(f"{role} GET {path}: {response.status_code}")
                    continue
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                report["pages"].append(f"{role} {path}")
                parser = Links()
                parser.feed(response.get_data(as_text=True))
                for method, url in parser.found:
                    target = internal_path(url) if url else path
                    if target is None:
                        continue
                    report["links"] += 1
                    try:
                        adapter.match(target, method=method)
                    except RequestRedirect:
                        pass  # a missing trailing slash: Werkzeug redirects to the endpoint
                    except (NotFound, MethodNotAllowed) as exc:
                        report["broken_links"].append(
                            f"{role} {path}: {method} {url} ({type(exc).__name__})"
                        )
        report["plugin_modules"] = sorted(m for m in sys.modules if m.split(".")[0] == "referrals")
        report["tables"] = sorted(db.metadata.tables)
    return report


def registries() -> dict:
    """Two apps in this one process, the host alone first and last, one with the plug-in."""
    from marketplace.core.extension import install_plugins, registry

    def build(plugins):
        config = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
        app = create_app(type("Cfg", (TestConfig,), config))
        install_plugins(app, plugins)
        return app

    def name(fn):
        return f"{fn.__module__}.{fn.__qualname__}"

    def version_locations(app):
        with app.app_context():
            config = app.extensions["migrate"].migrate.get_config()
            return config.get_main_option("version_locations")

    host = build(())
    host_locations_before = version_locations(host)
    with_plugin = build(["referrals"])
    out = {"host_version_locations_before": host_locations_before}
    for key, app in (("host", host), ("plugin", with_plugin)):
        reg = registry(app)
        out[key] = {
            "endpoints": sorted(r.endpoint for r in app.url_map.iter_rules()),
            "nav": sorted({e.endpoint for entries in reg.nav.values() for e in entries}),
            "status_labels": {k: str(v) for k, v in reg.labels.get("status", {}).items()},
            "messages": sorted(reg.messages),
            "demo_steps": [name(step) for step in reg.demo_steps],
            "pathway_providers": [name(p) for p in reg.pathway_providers],
            "features": list(reg.features),
            "migration_folders": list(reg.migration_folders),
            "version_locations": version_locations(app),
        }
    from referrals.services import MESSAGES, STATUS_LABELS

    out["referrals"] = {
        "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
        "messages": sorted(MESSAGES),
    }
    return out


if __name__ == "__main__":
    if sys.argv[1] == "registries":
        print(json.dumps(registries()))
    else:
        print(json.dumps(sweep(sys.argv[2], sys.argv[3])))
