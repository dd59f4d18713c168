"""The cross-tenant route matrix, generated from app.url_map (QUALITY.md test 1).

Every route of the lead area is called by the lead of Cakung with Tebet's slug and ids,
with GET and with POST. Each must answer 404, change no row, and log ``authz_denied``.
A new lead route without an entry in ROUTE_ARGS fails ``test_every_lead_route_is_covered``.
"""

import logging

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db as _db
from tests.factories import make_world_referral

# endpoint -> function(world) giving the URL arguments that point at Tebet's objects.
ROUTE_ARGS = {
    "lead.dashboard": lambda w: {},
    "lead.member": lambda w: {"business_id": w.biz_tebet.id},
    "lead.queue": lambda w: {},
    "lead.document": lambda w: {"document_id": w.doc_tebet.id},
    "lead.document_file": lambda w: {"document_id": w.doc_tebet.id},
    "lead.document_preview": lambda w: {"document_id": w.doc_tebet.id},
    "lead.product": lambda w: {"product_id": w.product_tebet.id},
    "lead.confirm_halal": lambda w: {"product_id": w.product_tebet.id},
    "lead.unlist": lambda w: {"product_id": w.product_tebet.id},
    "lead.check_in": lambda w: {"business_id": w.biz_tebet.id},
    "lead.training": lambda w: {"business_id": w.biz_tebet.id},
    "lead.sessions": lambda w: {},
    "lead.session": lambda w: {"session_id": w.session_tebet.id},
    "lead.settings": lambda w: {},
    "assist_lead.lead_index": lambda w: {},
    "delivery_lead.tables": lambda w: {},
    "delivery_lead.set_table": lambda w: {},
    "lead_referrals.index": lambda w: {},
    "lead_referrals.new": lambda w: {"member": w.biz_tebet.id},
    "lead_referrals.new_for_member": lambda w: {"business_id": w.biz_tebet.id},
    "lead_referrals.show": lambda w: {"referral_id": make_world_referral(w).id},
    "lead_referrals.send": lambda w: {"referral_id": make_world_referral(w).id},
    "lead_referrals.withdraw": lambda w: {"referral_id": make_world_referral(w).id},
}


@pytest.fixture
def world(world):
    """The shared world plus Tebet objects that a Cakung lead will aim at."""
    from tests.factories import make_document, make_product, make_session

    world.product_tebet = make_product(
        business=world.biz_tebet, status="listed", halal_review_required=True
    )
    world.doc_tebet = make_document(
        business=world.biz_tebet, kind="pirt", status="submitted", products=[world.product_tebet]
    )
    # A file the preview can show, so the lead's own preview answers 200.
    from marketplace.core.uploads import store
    from tests.factories import image_bytes

    world.doc_tebet.file_key = store(image_bytes("PNG"))
    world.doc_tebet.file_mime = "image/png"
    _db.session.commit()
    world.session_tebet = make_session(chapter=world.tebet, lead=world.lead_tebet)
    return world


def lead_rules(app):
    """Every route of the lead area, whichever package registers it."""
    return [
        rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/lead/<chapter_slug>")
    ]


def table_counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
        if table.name not in ("audit_event",)
    }


def test_every_lead_route_is_covered(app):
    missing = sorted({r.endpoint for r in lead_rules(app)} - set(ROUTE_ARGS))
    assert not missing, f"add these lead routes to ROUTE_ARGS: {missing}"


def _cases():
    from tests.conftest import build_app

    app = build_app("sqlite://")
    for rule in lead_rules(app):
        for method in ("GET", "POST"):
            yield pytest.param(rule.rule, rule.endpoint, method, id=f"{method} {rule.rule}")


@pytest.mark.parametrize(("rule", "endpoint", "method"), list(_cases()))
def test_returns_404_if_lead_from_another_chapter(
    app, csrf_client, login_as, world, caplog, rule, endpoint, method
):
    from flask import url_for

    login_as(csrf_client.client, world.lead_cakung)
    with app.test_request_context():
        url = url_for(endpoint, chapter_slug="tebet", **ROUTE_ARGS[endpoint](world))
    before = table_counts()
    with caplog.at_level(logging.WARNING, logger="pasarkita.security"):
        if method == "GET":
            response = csrf_client.get(url)
        else:
            response = csrf_client.post(url, data={"status": "verified", "note": "x"})
    # A method the route does not accept is 405 before any scope check: equally harmless.
    expected = {404} if method in _methods(app, endpoint) else {404, 405}
    assert response.status_code in expected
    assert table_counts() == before
    if response.status_code == 404:
        assert any("authz_denied" in r.getMessage() for r in caplog.records)


def _methods(app, endpoint):
    return {m for r in app.url_map.iter_rules(endpoint) for m in r.methods}


@pytest.mark.parametrize("endpoint", sorted(ROUTE_ARGS))
def test_same_route_works_for_the_chapters_own_lead(app, client, login_as, world, endpoint):
    """The matrix proves nothing if the route never answers 200 to its rightful lead."""
    from flask import url_for

    if "GET" not in _methods(app, endpoint):
        pytest.skip("POST-only route; covered by its feature tests")
    login_as(client, world.lead_tebet)
    with app.test_request_context():
        url = url_for(endpoint, chapter_slug="tebet", **ROUTE_ARGS[endpoint](world))
    assert client.get(url).status_code == 200
