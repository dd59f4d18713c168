"""The admin's everyday tools (issue 14 item 10): search and page orders (by number, buyer,
seller, status), a confirmation before a refund, and taking a product down with a recorded
reason that the seller is told, can fix and ask again."""

import re

import pytest

from tests.factories import make_order, make_user

ORDER_IDS = re.compile(r"<span>#(\d+) ")


@pytest.fixture
def admin(client, login_as, world):
    login_as(client, world.admin)
    return client


def _found(client, query: str) -> set[int]:
    response = client.get(f"/admin/orders{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {int(i) for i in ORDER_IDS.findall(page.split("Cari pesanan", 1)[1])}


@pytest.fixture
def orders(world):
    buyer = make_user(name="Rina Kusuma", email="rina@contoh.test")
    return {
        "rina_tebet": make_order(business=world.biz_tebet, consumer=buyer, status="paid"),
        "ani_cakung": make_order(
            business=world.biz_cakung, consumer=world.consumer_a, status="paid"
        ),
        "ani_pending": make_order(business=world.biz_tebet, consumer=world.consumer_a),
    }


def test_admin_finds_orders_by_number_buyer_seller_and_status(admin, orders, world):
    o = orders
    assert _found(admin, f"?q=%23{o['ani_cakung'].id}") == {o["ani_cakung"].id}
    assert _found(admin, "?q=rina") == {o["rina_tebet"].id}
    assert _found(admin, "?q=rina%40contoh") == {o["rina_tebet"].id}
    assert _found(admin, "?q=Batik+Pak") == {o["ani_cakung"].id}
    assert _found(admin, "?q=ani&status=pending_payment") == {o["ani_pending"].id}
    assert _found(admin, "?status=pending_payment") == {o["ani_pending"].id}
    # Without a search: the latest paid ones, as before.
    assert _found(admin, "") == {o["rina_tebet"].id, o["ani_cakung"].id}
    assert _found(admin, "?q=tidak-ada-yang-cocok") == set()


def test_order_search_pages_by_keyset(admin, world):
    made = {
        make_order(business=world.biz_tebet, consumer=world.consumer_b, status="paid").id
        for _ in range(30)
    }
    first = admin.get("/admin/orders?q=Bayu").get_data(as_text=True)
    seen = {int(i) for i in ORDER_IDS.findall(first.split("Cari pesanan", 1)[1])}
    link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert link
    import html

    second = admin.get(html.unescape(link.group(1))).get_data(as_text=True)
    seen |= {int(i) for i in ORDER_IDS.findall(second.split("Cari pesanan", 1)[1])}
    assert seen == made


def test_refund_asks_for_confirmation_first(csrf_client, login_as, orders, world, db):
    login_as(csrf_client.client, world.admin)
    order = orders["rina_tebet"]
    response = csrf_client.post(f"/admin/orders/{order.id}/refund", data={"note": "Barang rusak"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Kembalikan dana pesanan #{order.id}?" in page
    assert "Barang rusak" in page
    assert 'name="confirmed" value="1"' in page
    db.session.refresh(order)
    assert order.status == "paid"


def test_only_admins_search_orders(client, login_as, world):
    login_as(client, world.lead_tebet)
    assert client.get("/admin/orders?q=1").status_code == 403


# --- taking a product down ---------------------------------------------------------------


def _search_names(text: str) -> list[str]:
    from marketplace.search import services as search
    from marketplace.search.index import Filters

    _result, products = search.search_products(text, Filters())
    return [p.name for p in products]


@pytest.fixture
def listed(db, world):
    from marketplace.catalog.services import list_product
    from tests.factories import make_listable_product

    product = make_listable_product(business=world.biz_tebet, name="Abon Ikan Tongkol")
    list_product(product, actor=world.biz_tebet.owner, without_photo=True)
    db.session.commit()
    assert "Abon Ikan Tongkol" in _search_names("abon")
    return product


def test_admin_takes_a_product_down_with_a_reason_the_seller_reads(
    csrf_client, login_as, client, db, world, listed
):
    from sqlalchemy import select

    from marketplace.core.audit import AuditEvent
    from marketplace.notifications.models import Notification

    login_as(csrf_client.client, world.admin)
    found = csrf_client.get("/admin/products/?q=abon").get_data(as_text=True)
    assert f"/admin/products/{listed.id}/take-down" in found
    assert csrf_client.get(f"/admin/products/{listed.id}/take-down").status_code == 200
    refused = csrf_client.post(f"/admin/products/{listed.id}/take-down", data={"reason": " "})
    assert refused.status_code == 400

    reason = "Foto produk memakai merek terdaftar milik pihak lain."
    response = csrf_client.post(f"/admin/products/{listed.id}/take-down", data={"reason": reason})
    assert response.status_code == 302
    db.session.refresh(listed)
    assert listed.status == "unlisted"
    # Out of the catalog and out of search.
    assert _search_names("abon") == []
    assert client.get(f"/p/{listed.id}").status_code == 404
    # The seller is told why.
    notice = db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.biz_tebet.owner_id,
            Notification.kind == "product_taken_down",
        )
    )
    assert notice.params["reason"] == reason
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.taken_down"))
    assert "Diturunkan admin" in csrf_client.get("/admin/products/?q=abon").get_data(as_text=True)


def test_seller_fixes_asks_again_and_lists_after_the_admin_lifts_it(
    csrf_client, login_as, db, world, listed
):
    from marketplace.catalog import takedown

    takedown.take_down(listed, "Deskripsi menjanjikan khasiat obat.", admin=world.admin)
    db.session.commit()
    owner = world.biz_tebet.owner
    login_as(csrf_client.client, owner)
    page = csrf_client.get(f"/business/products/{listed.id}/edit").get_data(as_text=True)
    assert "Deskripsi menjanjikan khasiat obat." in page
    # Listing is refused while the take-down stands, whoever asks.
    csrf_client.post(f"/business/products/{listed.id}/list")
    db.session.refresh(listed)
    assert listed.status == "unlisted"

    response = csrf_client.post(
        f"/business/products/{listed.id}/review-request",
        data={"note": "Klaim khasiat sudah saya hapus."},
    )
    assert response.status_code == 302
    row = takedown.open_takedown(listed)
    assert row.appeal_note == "Klaim khasiat sudah saya hapus."

    login_as(csrf_client.client, world.admin)
    listing = csrf_client.get("/admin/products/taken-down").get_data(as_text=True)
    assert "Klaim khasiat sudah saya hapus." in listing
    assert csrf_client.post(f"/admin/products/taken-down/{row.id}/lift").status_code == 302
    assert takedown.open_takedown(listed) is None

    login_as(csrf_client.client, owner)
    csrf_client.post(f"/business/products/{listed.id}/list", data={"without_photo": "y"})
    db.session.refresh(listed)
    assert listed.status == "listed"
    assert "Abon Ikan Tongkol" in _search_names("abon")


def test_another_seller_cannot_ask_for_a_review_of_someone_elses_product(
    csrf_client, login_as, db, world, listed
):
    from marketplace.catalog import takedown

    takedown.take_down(listed, "Alasan", admin=world.admin)
    db.session.commit()
    login_as(csrf_client.client, world.biz_cakung.owner)
    response = csrf_client.post(
        f"/business/products/{listed.id}/review-request", data={"note": "bukan punya saya"}
    )
    assert response.status_code == 404
    assert takedown.open_takedown(listed).appeal_note is None


def test_only_admins_take_products_down(csrf_client, login_as, db, world, listed):
    login_as(csrf_client.client, world.lead_tebet)
    assert csrf_client.get("/admin/products/").status_code == 403
    response = csrf_client.post(f"/admin/products/{listed.id}/take-down", data={"reason": "x"})
    assert response.status_code == 403
    db.session.refresh(listed)
    assert listed.status == "listed"
