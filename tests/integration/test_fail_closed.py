"""Issue 12: production defaults that fail closed, and no state change on GET."""

from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from tests.factories import make_product

BASE = {"PUBLIC_BASE_URL": "https://pasarkita.example"}


@pytest.mark.parametrize("app_config", [BASE], indirect=True)
def test_share_links_and_api_url_use_the_public_base_url_not_the_host_header(client, world, db):
    product = make_product(business=world.biz_tebet, status="listed")
    db.session.commit()
    page = client.get(f"/p/{product.id}", headers={"Host": "evil.example"})
    assert page.status_code == 200
    text = unquote(page.get_data(as_text=True))
    assert f"https://pasarkita.example/p/{product.id}" in text
    assert "evil.example" not in text
    body = client.get(f"/api/v1/products/{product.id}", headers={"Host": "evil.example"})
    assert body.get_json()["url"] == f"https://pasarkita.example/p/{product.id}"


def test_get_notifications_changes_nothing(client, login_as, world, db):
    user = world.consumer_a
    notify(user.id, "order_shipped", business="Toko", order=1, courier="JNE", tracking="X1")
    db.session.commit()
    login_as(client, user)

    def unread():
        db.session.expire_all()
        return db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )

    before = unread()
    assert before >= 1
    assert client.get("/notifications/").status_code == 200
    assert client.get("/notifications/").status_code == 200
    assert unread() == before


def test_notifications_are_marked_read_by_a_post(csrf_client, login_as, world, db):
    user = world.consumer_a
    notify(user.id, "order_shipped", business="Toko", order=1, courier="JNE", tracking="X1")
    db.session.commit()
    login_as(csrf_client.client, user)
    assert "Tandai sudah dibaca" in csrf_client.get("/notifications/").get_data(as_text=True)
    assert csrf_client.post("/notifications/read").status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        == 0
    )


@pytest.mark.parametrize("path", ["/account", "/notifications/", "/business/", "/orders"])
def test_signed_in_pages_with_personal_data_are_sent_with_no_store(client, login_as, world, path):
    login_as(client, world.biz_tebet.owner)
    response = client.get(path)
    assert response.status_code in (200, 302)
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_public_pages_stay_cacheable(client, world):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
