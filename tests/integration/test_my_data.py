"""PDP self-service (issue 14 item 11; UU 27/2022 arts. 5-13, 21): "My data" shows and exports
what is held about the user and no one else's, corrects it, and erases on request while
keeping what the law requires."""

import csv
import io
import json

from sqlalchemy import func, select

from marketplace.accounts.models import LoginSession
from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.core.audit import AuditEvent
from marketplace.ledger.models import LedgerEntry
from marketplace.orders.models import Checkout, Order
from marketplace.privacy.models import Erasure
from tests.conftest import Browserish
from tests.factories import PASSWORD, make_bank, make_order, make_product, make_referral

DATA = "/account/data/"


def client_for(app, login_as, user):
    client = Browserish(app.test_client(), app)
    login_as(client.client, user)
    return client


def add_book_entry(db, business, note):
    db.session.add(
        LedgerEntry(
            business_id=business.id,
            kind="expense",
            category="bahan_baku",
            amount_idr=12_345,
            occurred_on=business.started_on,
            note=note,
        )
    )
    db.session.commit()


def test_export_contains_the_users_data_and_no_one_elses(app, login_as, world, db):
    mine, theirs = world.biz_tebet, world.biz_cakung
    add_book_entry(db, mine, "minyak goreng punya saya")
    add_book_entry(db, theirs, "catatan orang lain")
    make_order(business=mine, consumer=world.consumer_a, status="completed", total_idr=77_000)
    make_order(business=theirs, consumer=mine.owner, status="completed", total_idr=55_000)
    make_order(business=theirs, consumer=world.consumer_b, status="completed", total_idr=99_000)
    client = client_for(app, login_as, mine.owner)

    page = client.get(DATA)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    assert mine.name in text
    assert theirs.name not in text

    exported = client.get(DATA + "export.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    body = exported.get_data(as_text=True)
    data = json.loads(body)["sections"]
    assert data["account"]["rows"][0]["email"] == mine.owner.email
    assert data["business"]["rows"][0]["nik"] == mine.nik_masked
    assert [r["note"] for r in data["books"]["rows"]] == ["minyak goreng punya saya"]
    assert [r["total_idr"] for r in data["purchases"]["rows"]] == [55_000]
    assert [r["total_idr"] for r in data["sales"]["rows"]] == [77_000]
    # The buyer of a sale is the buyer's data, not the seller's.
    assert world.consumer_a.name not in body
    for other in (theirs.name, "catatan orang lain", world.consumer_b.name, "99000"):
        assert other not in body

    rows = list(csv.reader(io.StringIO(client.get(DATA + "export.csv").get_data(as_text=True))))
    assert rows[0] == ["section", "row", "field", "value"]
    assert ["books", "1", "note", "minyak goreng punya saya"] in rows
    assert not any("catatan orang lain" in cell for row in rows for cell in row)


def test_export_carries_the_plug_ins_referrals_and_consent_receipts(app, login_as, world, db):
    bank = make_bank(slug="bank-data", name="Bank Data", chapters=[world.tebet])
    referral = make_referral(business=world.biz_tebet, bank=bank, lead=world.lead_tebet)
    make_referral(business=world.biz_cakung, bank=bank, lead=world.lead_cakung)
    client = client_for(app, login_as, world.biz_tebet.owner)
    data = json.loads(client.get(DATA + "export.json").get_data(as_text=True))["sections"]
    assert [r["id"] for r in data["referrals"]["rows"]] == [referral.id]
    assert [r["referral"] for r in data["consents"]["rows"]] == [referral.id]


def test_owner_corrects_the_business_name_and_address(app, login_as, world, db):
    client = client_for(app, login_as, world.biz_tebet.owner)
    response = client.post(
        DATA + "business",
        data={
            "name": "Keripik Bu Tini Asli",
            "address": "Jl. Tebet Raya No. 9",
            "postal_code": "12810",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (world.biz_tebet.name, world.biz_tebet.address_line) == (
        "Keripik Bu Tini Asli",
        "Jl. Tebet Raya No. 9",
    )
    refused = client.post(DATA + "business", data={"name": "X", "address": "", "postal_code": "1"})
    assert refused.status_code == 400


def test_the_page_states_the_retention_periods(app, login_as, world):
    client = client_for(app, login_as, world.biz_tebet.owner)
    text = client.get(DATA).get_data(as_text=True)
    assert "10 tahun" in text
    assert "UU KUP pasal 28 ayat 11" in text
    assert "10 tahun" in client.get(DATA + "delete").get_data(as_text=True)


def test_erasure_anonymises_and_keeps_the_retained_records(app, login_as, world, db):
    business = world.biz_tebet
    owner = business.owner
    email, nik_index, name = owner.email, business.nik_index, business.name
    add_book_entry(db, business, "bahan baku")
    sale = make_order(business=business, consumer=world.consumer_a, status="completed")
    purchase = make_order(business=world.biz_cakung, consumer=owner, status="completed")
    listed = make_product(business=business, status="listed")
    db.session.commit()
    client = client_for(app, login_as, owner)
    other_device = client_for(app, login_as, owner)

    response = client.post(DATA + "delete", data={"understood": "y", "password": PASSWORD})
    assert response.status_code == 302

    db.session.expire_all()
    assert owner.email is None
    assert owner.phone_e164 is None
    assert owner.is_disabled
    assert owner.name != "Budi Santoso"
    assert business.name != name
    assert business.nik_index != nik_index
    assert (business.nik_encrypted, business.nik_masked, business.address_line) == (b"", "", "")
    assert business.whatsapp_e164 == ""
    assert business.kk_encrypted is None
    assert db.session.get(Product, listed.id).status == "unlisted"
    # Orders and books stay (tax retention), the buyer's delivery contact does not.
    assert db.session.get(Order, sale.id) is not None
    assert (
        db.session.scalar(
            select(func.count(LedgerEntry.id)).where(LedgerEntry.business_id == business.id)
        )
        == 1
    )
    checkout = db.session.get(Checkout, db.session.get(Order, purchase.id).checkout_id)
    assert (checkout.address_line, checkout.whatsapp_e164) == ("", "")
    # Sessions end; the erasure is on record; audit rows carry no personal data.
    assert (
        db.session.scalar(
            select(func.count(LoginSession.id)).where(
                LoginSession.user_id == owner.id, LoginSession.revoked_at.is_(None)
            )
        )
        == 0
    )
    assert other_device.get("/account").status_code == 302
    assert db.session.scalar(select(Erasure).where(Erasure.user_id == owner.id)) is not None
    for row in db.session.scalars(select(AuditEvent)):
        assert email not in json.dumps(row.data)
        assert name not in json.dumps(row.data)
    # The NIK may be registered again: its blind index is gone.
    assert db.session.scalar(select(Business).where(Business.nik_index == nik_index)) is None


def test_an_erased_user_cannot_log_in(app, world, db, login_as):
    owner = world.biz_tebet.owner
    email = owner.email
    client = client_for(app, login_as, owner)
    client.post(DATA + "delete", data={"understood": "y", "password": PASSWORD})
    fresh = Browserish(app.test_client(), app)
    response = fresh.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code != 302 or "/login" in response.headers.get("Location", "")
    assert fresh.get("/account").status_code == 302


def test_erasure_needs_the_password(app, login_as, world, db):
    client = client_for(app, login_as, world.biz_tebet.owner)
    response = client.post(DATA + "delete", data={"understood": "y", "password": "wrong one"})
    assert response.status_code == 400
    db.session.expire_all()
    assert not world.biz_tebet.owner.is_disabled


def test_a_member_with_an_open_referral_is_told_what_happens_to_it(app, login_as, world, db):
    bank = make_bank(slug="bank-open", name="Bank Terbuka", chapters=[world.tebet])
    referral = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="under_review"
    )
    client = client_for(app, login_as, world.biz_tebet.owner)
    page = client.get(DATA + "delete").get_data(as_text=True)
    assert f"Rujukan KUR #{referral.id} ke Bank Terbuka" in page
    assert "ditarik" in page

    client.post(DATA + "delete", data={"understood": "y", "password": PASSWORD})
    db.session.expire_all()
    assert referral.status == "withdrawn"
    assert referral.active_consent is None
    assert referral.consents  # the receipt itself is kept as proof


def test_erasure_waits_for_paid_orders_to_finish(app, login_as, world, db):
    make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    client = client_for(app, login_as, world.biz_tebet.owner)
    assert "belum selesai" in client.get(DATA + "delete").get_data(as_text=True)
    response = client.post(DATA + "delete", data={"understood": "y", "password": PASSWORD})
    assert response.status_code == 400
    db.session.expire_all()
    assert not world.biz_tebet.owner.is_disabled


def test_the_nik_notice_is_shown_where_the_nik_is_collected(app, login_as, world, db):
    from tests.factories import make_user

    client = client_for(app, login_as, make_user(name="Calon Anggota"))
    text = client.get("/business/register").get_data(as_text=True)
    for heading in ("Tujuan", "Dasar hukum", "Siapa yang melihat", "Lama simpan"):
        assert heading in text
    assert "UU 27/2022" in text
