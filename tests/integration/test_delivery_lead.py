"""Issue 15: the lead keeps the chapter's default rate tables (/lead/<slug>/delivery/),
scoped to their own chapter; a seller of that chapter sees and adopts them."""

import re

from sqlalchemy import func, select

from marketplace.delivery import services as delivery
from marketplace.delivery.models import DeliveryKind, DeliveryOption, DeliveryRate, Zone
from marketplace.delivery.tracking import COURIERS
from marketplace.extensions import db as _db


def page_of(chapter) -> str:
    return f"/lead/{chapter.slug}/delivery/"


def table(chapter, code) -> list[tuple]:
    return [(str(r.zone), r.max_kg, r.price_idr) for r in delivery.chapter_table(chapter.id, code)]


def rate_rows() -> int:
    return int(_db.session.scalar(select(func.count(DeliveryRate.id))) or 0)


def test_the_lead_sets_a_chapter_table_and_a_seller_of_that_chapter_adopts_it(
    world, csrf_client, login_as, db
):
    login_as(csrf_client.client, world.lead_tebet)
    dashboard = csrf_client.get(f"/lead/{world.tebet.slug}/").get_data(as_text=True)
    assert f'href="{page_of(world.tebet)}"' in dashboard  # the dashboard's link
    assert "Belum ada tabel." in csrf_client.get(page_of(world.tebet)).get_data(as_text=True)

    response = csrf_client.post(
        page_of(world.tebet),
        data={
            "courier_code": "jne",
            "price_kelurahan_1": "9.000",
            "price_kecamatan_3": "Rp 14.500",
            "price_jakarta_any": "45000",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert table(world.tebet, "jne") == [
        ("jakarta", None, 45_000),
        ("kecamatan", 3, 14_500),
        ("kelurahan", 1, 9_000),
    ]
    page = csrf_client.get(page_of(world.tebet)).get_data(as_text=True)
    assert "Rp14.500" in page
    assert "Rp45.000" in page
    # "Ubah tabel" fills the form with the current prices.
    form = csrf_client.get(page_of(world.tebet) + "?courier=jne").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="price_kecamatan_3"[^>]*value="14.500"', form)
    assert re.search(r'<option selected value="jne">', form)

    login_as(csrf_client.client, world.biz_tebet.owner)
    own = csrf_client.get("/business/delivery").get_data(as_text=True)
    assert 'id="chapter-table-jne"' in own
    assert "Rp14.500" in own
    assert (
        csrf_client.post("/business/delivery/adopt", data={"courier_code": "jne"}).status_code
        == 302
    )
    option = db.session.scalar(
        select(DeliveryOption).where(DeliveryOption.business_id == world.biz_tebet.id)
    )
    assert option.kind == DeliveryKind.COURIER
    assert option.courier_code == "jne"
    assert sorted((str(r.zone), r.max_kg, r.price_idr) for r in option.rates) == sorted(
        table(world.tebet, "jne")
    )

    # Replacing the chapter's table replaces all its rows; the seller's copy stays theirs.
    login_as(csrf_client.client, world.lead_tebet)
    data = {"courier_code": "jne", "price_jakarta_any": "50.000"}
    assert csrf_client.post(page_of(world.tebet), data=data).status_code == 302
    assert table(world.tebet, "jne") == [("jakarta", None, 50_000)]
    db.session.refresh(option)
    assert sorted(r.price_idr for r in option.rates) == [9_000, 14_500, 45_000]


def test_a_lead_of_another_chapter_gets_404_and_changes_nothing(world, csrf_client, login_as, db):
    delivery.set_chapter_table(world.tebet, "sicepat", [(Zone.JAKARTA, None, 40_000)])
    db.session.commit()
    login_as(csrf_client.client, world.lead_cakung)
    assert csrf_client.get(page_of(world.tebet)).status_code == 404
    data = {"courier_code": "sicepat", "price_jakarta_any": "1.000"}
    assert csrf_client.post(page_of(world.tebet), data=data).status_code == 404
    assert table(world.tebet, "sicepat") == [("jakarta", None, 40_000)]
    # Their own chapter's page knows nothing of Tebet's table.
    own = csrf_client.get(page_of(world.cakung))
    assert own.status_code == 200
    assert "Rp40.000" not in own.get_data(as_text=True)
    # A seller (not a lead) gets 404 too.
    login_as(csrf_client.client, world.biz_tebet.owner)
    assert csrf_client.get(page_of(world.tebet)).status_code == 404


def test_bad_prices_are_refused_with_an_error_summary_and_nothing_changes(
    world, csrf_client, login_as, db
):
    delivery.set_chapter_table(world.tebet, "jne", [(Zone.KOTA, 5, 20_000)])
    db.session.commit()
    before = rate_rows()
    login_as(csrf_client.client, world.lead_tebet)
    attempts = [
        ({"courier_code": "jne", "price_kota_5": "65rb"}, "price_kota_5"),
        ({"courier_code": "jne", "price_kota_5": "-5.000"}, "price_kota_5"),
        ({"courier_code": "jne", "price_kota_1": "9.000.000"}, "price_kota_1"),
        ({"courier_code": "jne"}, "minimal satu zona"),
        ({"courier_code": "kilat", "price_kota_5": "10.000"}, "Pilih kurir dari daftar"),
        ({"price_kota_5": "10.000"}, "Pilih kurir dari daftar"),
    ]
    for data, expected in attempts:
        response = csrf_client.post(page_of(world.tebet), data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert 'class="error-summary"' in page, data
        assert expected in page, data
        assert table(world.tebet, "jne") == [("kota", 5, 20_000)], data
        assert rate_rows() == before, data


def test_the_lead_tables_page_costs_the_same_statements_with_one_or_every_courier_table(
    world, client, login_as, count_statements, db
):
    login_as(client, world.lead_tebet)

    def statements() -> int:
        client.get(page_of(world.tebet))  # warm-up (first-request caches)
        with count_statements() as counted:
            response = client.get(page_of(world.tebet))
        assert response.status_code == 200
        return len(counted)

    delivery.set_chapter_table(world.tebet, "jne", [(Zone.JAKARTA, None, 40_000)])
    db.session.commit()
    small = statements()
    full = [(zone, kg, 10_000 + i) for i, zone in enumerate(Zone) for kg in (1, 3, 5, 10, None)]
    for code in COURIERS:
        delivery.set_chapter_table(world.tebet, code, full)
    db.session.commit()
    assert rate_rows() == len(COURIERS) * len(full)
    assert statements() == small
