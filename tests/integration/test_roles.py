"""Function-level roles: each area checks the role in use, never the union of roles."""

import pytest

from tests.factories import make_business, make_lead

LEAD_PAGE = "/lead/tebet/"
ADMIN_PAGE = "/admin/"


@pytest.mark.parametrize("path", [LEAD_PAGE, ADMIN_PAGE, "/account"])
def test_anonymous_users_are_sent_to_login(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_consumer_gets_403_in_admin_and_404_in_a_lead_console(client, login_as, world):
    login_as(client, world.consumer_a)
    assert client.get(ADMIN_PAGE).status_code == 403
    assert client.get(LEAD_PAGE).status_code == 404


def test_sme_owner_is_not_a_lead_of_their_own_chapter(client, login_as, world):
    login_as(client, world.biz_tebet.owner)
    assert client.get(LEAD_PAGE).status_code == 404


def test_admin_is_not_a_lead_unless_assigned(client, login_as, world):
    login_as(client, world.admin)
    assert client.get(ADMIN_PAGE).status_code == 200
    assert client.get(LEAD_PAGE).status_code == 404


def test_lead_sees_only_their_chapter_members(client, login_as, world):
    login_as(client, world.lead_tebet)
    page = client.get(LEAD_PAGE).get_data(as_text=True)
    assert world.biz_tebet.name in page
    assert world.biz_cakung.name not in page


def test_multi_role_user_gets_the_scope_of_the_area_in_use(client, login_as, world, db):
    """An SME owner in Cakung who leads Tebet: Tebet's console, never Cakung's."""
    person = world.biz_cakung.owner
    make_lead(chapter=world.tebet, user=person)
    login_as(client, person)
    assert client.get(LEAD_PAGE).status_code == 200
    assert client.get("/lead/cakung/").status_code == 404
    assert client.get(f"/lead/tebet/members/{world.biz_cakung.id}").status_code == 404
    assert client.get(f"/lead/tebet/members/{world.biz_tebet.id}").status_code == 200


def test_lead_of_two_chapters_sees_each_console_separately(client, login_as, world):
    make_lead(chapter=world.cakung, user=world.lead_tebet)
    make_business(chapter=world.cakung, name="Sambal Cakung")
    login_as(client, world.lead_tebet)
    tebet = client.get("/lead/tebet/").get_data(as_text=True)
    cakung = client.get("/lead/cakung/").get_data(as_text=True)
    assert "Sambal Cakung" in cakung
    assert "Sambal Cakung" not in tebet


def test_json_endpoints_answer_401_without_a_session(client, world):
    response = client.get("/api/v1/me/products")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_owner_json_endpoint_refuses_cookie_post_without_csrf_header(client, login_as, world):
    from tests.factories import make_listable_product

    product = make_listable_product(business=world.biz_tebet)
    login_as(client, world.biz_tebet.owner)
    response = client.post(f"/api/v1/me/products/{product.id}/status", json={"status": "listed"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"


def test_a_consumer_without_a_business_gets_404_from_owner_json(client, login_as, world):
    login_as(client, world.consumer_a)
    assert client.get("/api/v1/me/products").status_code == 404
