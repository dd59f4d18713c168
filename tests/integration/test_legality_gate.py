"""The legality gate: registration, documents, verification, listing, expiry."""

import io
import json
import struct
import zlib
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductEvent
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import jakarta_today
from marketplace.legality.models import DocumentEvent, LegalityDocument
from marketplace.notifications.models import Notification
from tests.factories import (
    image_bytes,
    make_document,
    make_listable_product,
    make_product,
    make_user,
    pdf_bytes,
)

VALID_BUSINESS = {
    "name": "Dapur Bu Tini",
    "nik": "3171011708450001",  # registered in Jakarta Pusat...
    "nib": "9120003849102",
    "npwp": "",
    "scale": "mikro",
    "sector": "kuliner",
    "started_on": "2021-03-01",
    "kelurahan_code": "31.75.06.1001",  # ...but the business is in Cakung
    "address_line": "Jl. Raya Cakung No. 5, RT 01/RW 02",
    "postal_code": "13910",
    "whatsapp": "0812-3456-7890",
    # The answers as the "check your answers" page posts them back (issue 14).
    "confirm": "1",
}


def upload(csrf_client, *, kind, number, content, name, products=(), expires_on=""):
    return csrf_client.post(
        "/business/documents/new",
        data={
            "kind": kind,
            "number": number,
            "issued_on": "2024-01-15",
            "expires_on": expires_on,
            "products": [str(p) for p in products],
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


# --- registration ------------------------------------------------------------------------


def test_business_joins_the_chapter_of_its_address_never_of_the_nik(csrf_client, login_as, db):
    owner = make_user()
    login_as(csrf_client.client, owner)
    response = csrf_client.post("/business/register", data=VALID_BUSINESS)
    assert response.status_code == 302
    business = db.session.scalar(select(Business).where(Business.owner_id == owner.id))
    assert business.chapter.slug == "cakung"
    assert business.whatsapp_e164 == "+6281234567890"


def test_nik_is_encrypted_at_rest_and_only_shown_masked(csrf_client, login_as, db):
    from marketplace.core.crypto import decrypt_text

    login_as(csrf_client.client, make_user())
    csrf_client.post("/business/register", data=VALID_BUSINESS)
    business = db.session.scalar(select(Business))
    assert b"3171011708450001" not in business.nik_encrypted
    assert decrypt_text(business.nik_encrypted) == "3171011708450001"
    page = csrf_client.get("/business/").get_data(as_text=True)
    assert "3171********0001" in page
    assert "3171011708450001" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "3171013202900001", "Tanggal lahir di dalam NIK"),
        ("nib", "912000384910", "NIB harus 13 angka"),
        ("whatsapp", "021-2345-6789", "masukkan nomor HP"),
        ("kelurahan_code", "99.99.99.9999", "Pilih kelurahan"),
        ("started_on", "2999-01-01", "masa depan"),
    ],
)
def test_bad_registration_input_explains_and_creates_nothing(
    csrf_client, login_as, db, field, value, message
):
    login_as(csrf_client.client, make_user())
    response = csrf_client.post("/business/register", data={**VALID_BUSINESS, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Business.id))) == 0


def test_registration_ignores_a_smuggled_chapter_or_owner(csrf_client, login_as, db, world):
    owner = make_user()
    login_as(csrf_client.client, owner)
    csrf_client.post(
        "/business/register",
        data={**VALID_BUSINESS, "chapter_id": str(world.tebet.id), "owner_id": str(world.admin.id)},
    )
    business = db.session.scalar(select(Business).where(Business.owner_id == owner.id))
    assert business.chapter.slug == "cakung"


# --- the journey -----------------------------------------------------------------------------


def test_journey_sme_registers_uploads_lead_verifies_and_lists(app, db, world):
    from tests.conftest import Browserish

    owner_client = Browserish(app.test_client(), app)
    lead_client = Browserish(app.test_client(), app)
    owner = make_user(name="Bu Tini")
    lead = world.lead_cakung
    from tests.conftest import csrf_token_for  # noqa: F401  (documents the helper in use)

    _login(owner_client, owner)
    _login(lead_client, lead)

    assert owner_client.post("/business/register", data=VALID_BUSINESS).status_code == 302
    response = owner_client.post(
        "/business/products/new",
        data={
            "name": "Keripik Singkong Balado",
            "category": "kuliner",
            "price_idr": "15000",
            "stock": "20",
            "description": "Renyah dan pedas",
            "ingredients": "singkong, cabai",
            "shelf_life_days": "90",
            "storage": "ambient",
            "food_process": "none",
            "production_site": "home",
        },
    )
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    checklist = owner_client.get("/business/").get_data(as_text=True)
    assert "NIB usaha belum diverifikasi" in checklist
    assert "SPP-IRT" in checklist

    assert (
        upload(
            owner_client, kind="nib", number="9120003849102", content=pdf_bytes(), name="nib.pdf"
        ).status_code
        == 302
    )
    assert (
        upload(
            owner_client,
            kind="pirt",
            number="P-IRT No. 2063171010236-29",
            content=image_bytes(),
            name="pirt.jpg",
            products=[product.id],
            expires_on="2029-06-30",
        ).status_code
        == 302
    )
    assert (
        upload(
            owner_client,
            kind="halal",
            number="ID31110000326470622",
            content=pdf_bytes(),
            name="halal.pdf",
            products=[product.id],
        ).status_code
        == 302
    )

    queue = lead_client.get("/lead/cakung/queue").get_data(as_text=True)
    assert queue.count("Dapur Bu Tini") == 3
    for document in db.session.scalars(select(LegalityDocument)).all():
        page = lead_client.get(f"/lead/cakung/documents/{document.id}").get_data(as_text=True)
        assert "Format benar" in page
        response = lead_client.post(
            f"/lead/cakung/documents/{document.id}", data={"action": "verify", "note": ""}
        )
        assert response.status_code == 302

    assert (
        owner_client.post(
            f"/business/products/{product.id}/list", data={"without_photo": "y"}
        ).status_code
        == 302
    )
    db.session.refresh(product)
    assert product.status == "listed"
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == owner.id)
    ).all()
    assert kinds.count("document_verified") == 3


def _login(client, user):
    from marketplace.accounts.services import start_session
    from marketplace.extensions import db

    token = start_session(user)
    db.session.commit()
    with client.client.session_transaction() as sess:
        sess["_user_id"] = token


# --- the gate holds on every path ------------------------------------------------------


def _set_status_web(csrf_client, product):
    return csrf_client.post(f"/business/products/{product.id}/list", data={"without_photo": "y"})


def _set_status_api(csrf_client, product):
    from tests.conftest import csrf_token_for

    token = csrf_token_for(csrf_client.client, csrf_client.app)
    return csrf_client.client.post(
        f"/api/v1/me/products/{product.id}/status",
        data=json.dumps({"status": "listed", "without_photo": True}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def _set_status_cli(csrf_client, product):
    from marketplace.catalog.cli import products

    return csrf_client.app.test_cli_runner().invoke(
        products, ["set-status", str(product.id), "listed", "--without-photo"]
    )


PATHS = {"web": _set_status_web, "api": _set_status_api, "cli": _set_status_cli}


def _case_no_nib(b):
    p = make_product(business=b)
    make_document(business=b, kind="pirt", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "NIB usaha belum diverifikasi"


def _case_nib_rejected(b):
    p = make_product(business=b)
    make_document(business=b, kind="nib", status="rejected")
    make_document(business=b, kind="pirt", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "NIB usaha belum diverifikasi"


def _case_no_pirt(b):
    p = make_product(business=b)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="halal", products=[p])
    return p, "SPP-IRT"


def _case_pirt_submitted_only(b):
    p = make_product(business=b)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", status="submitted", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "SPP-IRT"


def _case_pirt_of_another_product(b):
    p = make_product(business=b)
    other = make_product(business=b, name="Kue Nastar")
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[other])
    make_document(business=b, kind="halal", products=[p])
    return p, "SPP-IRT"


def _case_pirt_lapsed(b):
    p = make_product(business=b)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[p], expires_on=date(2025, 12, 31))
    make_document(business=b, kind="halal", products=[p])
    return p, "SPP-IRT"


def _case_frozen_needs_md(b):
    p = make_product(business=b, name="Dimsum Beku", storage="frozen")
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "BPOM MD"


def _case_imported_needs_ml(b):
    p = make_product(business=b, name="Cokelat Impor", imported=True)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="bpom_md", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "BPOM ML"


def _case_cosmetic_needs_notification(b):
    p = make_product(business=b, name="Lulur Beras", category="kosmetik")
    make_document(business=b, kind="nib")
    make_document(business=b, kind="halal", products=[p])
    return p, "Notifikasi kosmetik BPOM"


def _case_food_without_halal(b):
    p = make_product(business=b)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[p])
    return p, "Sertifikat halal belum ada"


def _case_leather_without_halal(b):
    p = make_product(
        business=b, name="Tas Kulit", category="fashion", contains_animal_material=True
    )
    make_document(business=b, kind="nib")
    return p, "Sertifikat halal belum ada"


def _case_alcohol_without_statement(b):
    p = make_product(business=b, name="Tape Ketan", alcohol=True)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="bpom_md", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "keterangan tidak halal"


def _case_ready_to_eat_needs_slhs(b):
    p = make_product(business=b, name="Nasi Kotak", shelf_life_days=1)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "SLHS"


def _case_halal_review_pending(b):
    p = make_product(business=b, halal_review_required=True)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[p])
    make_document(business=b, kind="halal", products=[p])
    return p, "memeriksa ulang sertifikat halal"


GATE_CASES = {name[6:]: fn for name, fn in globals().items() if name.startswith("_case_")}


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("case", sorted(GATE_CASES))
def test_gate_refuses_listing_by_every_path(csrf_client, login_as, db, world, case, path):
    business = world.biz_tebet
    product, missing = GATE_CASES[case](business)
    login_as(csrf_client.client, business.owner)
    response = PATHS[path](csrf_client, product)
    if path == "cli":
        assert response.exit_code != 0
        assert missing in response.output
    elif path == "api":
        assert response.status_code == 409
        assert missing in json.dumps(response.get_json(), ensure_ascii=False)
    else:
        page = csrf_client.get("/business/").get_data(as_text=True)
        assert missing in page
    db.session.refresh(product)
    assert product.status == "draft"
    assert db.session.scalar(select(func.count(ProductEvent.id))) == 0


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_complete_product_is_listed_by_every_path(csrf_client, login_as, db, world, path):
    product = make_listable_product(business=world.biz_tebet)
    login_as(csrf_client.client, world.biz_tebet.owner)
    PATHS[path](csrf_client, product)
    db.session.refresh(product)
    assert product.status == "listed"


def test_non_halal_statement_replaces_the_halal_certificate(db, world):
    from marketplace.catalog.services import list_product

    b = world.biz_tebet
    product = make_product(business=b, name="Dendeng Babi", non_halal_statement=True)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[product])
    list_product(product, actor=b.owner, without_photo=True)
    assert product.status == "listed"


def test_before_the_halal_date_a_micro_food_needs_no_certificate(app, db, world):
    from marketplace.legality.services import listing_blockers

    b = world.biz_tebet
    product = make_product(business=b)
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[product])
    # PP 42/2024 art. 160: the UMK phase-in ends on 17 Oct 2026, the obligation starts on the
    # 18th (DOMAIN 0.5; issue 13 moved this boundary by one day).
    assert [x.kind for x in listing_blockers(product, on=date(2026, 10, 17))] == []
    blockers = listing_blockers(product, on=date(2026, 10, 18))
    assert [x.kind for x in blockers] == ["halal"]
    assert "usaha mikro dan kecil" in str(blockers[0].message)


# --- mass assignment ---------------------------------------------------------------------------


def test_product_form_ignores_status_and_ids_and_rejects_negative_price(
    csrf_client, login_as, db, world
):
    login_as(csrf_client.client, world.biz_tebet.owner)
    base = {
        "name": "Kue Nastar",
        "category": "kuliner",
        "stock": "5",
        "storage": "ambient",
        "food_process": "none",
        "production_site": "home",
        "shelf_life_days": "60",
        "status": "listed",
        "business_id": str(world.biz_cakung.id),
        "chapter_id": str(world.cakung.id),
    }
    response = csrf_client.post("/business/products/new", data={**base, "price_idr": "-1"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Product.id))) == 0

    assert (
        csrf_client.post("/business/products/new", data={**base, "price_idr": "30000"}).status_code
        == 302
    )
    product = db.session.scalar(select(Product))
    assert product.status == "draft"
    assert product.business_id == world.biz_tebet.id


# --- uploads --------------------------------------------------------------------------------


def _png_header(width, height) -> bytes:
    def chunk(tag, data):
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "nib.html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "nib.svg"),
        (pdf_bytes(), "nib.jpg"),  # a PDF with a JPEG name
        (b"PK\x03\x04" + b"\x00" * 60, "nib.pdf"),  # a zip renamed .pdf
        (_png_header(20_000, 20_000), "nib.png"),  # 400 megapixels
        (b"", "nib.pdf"),
    ],
)
def test_unsafe_uploads_are_refused_and_store_nothing(
    csrf_client, login_as, db, world, upload_folder, content, name
):
    import os

    before = set(os.listdir(upload_folder))
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = upload(csrf_client, kind="nib", number="9120003849102", content=content, name=name)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(LegalityDocument.id))) == 0
    assert set(os.listdir(upload_folder)) == before


def test_valid_upload_is_stored_under_a_generated_name_and_reencoded(
    csrf_client, login_as, db, world, upload_folder
):
    from PIL import Image

    login_as(csrf_client.client, world.biz_tebet.owner)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "red").save(out, "JPEG", exif=exif)
    response = upload(
        csrf_client,
        kind="nib",
        number="9120003849102",
        content=out.getvalue(),
        name="../../NIB saya.jpg",
    )
    assert response.status_code == 302
    document = db.session.scalar(select(LegalityDocument))
    assert document.original_name == "NIB saya.jpg"
    from pathlib import Path

    stored = (Path(upload_folder) / document.file_key).read_bytes()
    assert document.file_key.isalnum()
    assert b"SecretCam" not in stored
    assert Image.open(io.BytesIO(stored)).size == (80, 60)


@pytest.mark.parametrize("app_config", [{"BUSINESS_STORAGE_QUOTA_BYTES": 60}], indirect=True)
def test_storage_quota_is_enforced(csrf_client, login_as, db, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    first = upload(
        csrf_client, kind="nib", number="9120003849102", content=pdf_bytes(), name="a.pdf"
    )
    assert first.status_code == 302
    second = upload(
        csrf_client, kind="nib", number="9120003849102", content=pdf_bytes(), name="b.pdf"
    )
    assert second.status_code == 400
    assert "Ruang penyimpanan" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LegalityDocument.id))) == 1


def test_upload_over_the_request_limit_answers_413(app, csrf_client, login_as, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    assert (
        upload(
            csrf_client, kind="nib", number="9120003849102", content=big, name="big.pdf"
        ).status_code
        == 413
    )


def test_document_of_more_than_5_mb_is_refused(app, csrf_client, login_as, db, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    content = b"%PDF-1.4\n" + b"0" * 5_100_000 + b"\n%%EOF\n"
    response = upload(
        csrf_client, kind="nib", number="9120003849102", content=content, name="big.pdf"
    )
    assert response.status_code == 400
    assert "Maksimal 5 MB" in response.get_data(as_text=True)


def test_number_format_is_checked_before_storing(csrf_client, login_as, db, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = upload(
        csrf_client,
        kind="pirt",
        number="P-IRT 9063171010236-29",
        content=pdf_bytes(),
        name="p.pdf",
        expires_on="2029-12-31",
    )
    assert response.status_code == 400
    assert "kode kemasan" in response.get_data(as_text=True)
    response = upload(
        csrf_client,
        kind="pirt",
        number="P-IRT No. 2063171010236-29",
        content=pdf_bytes(),
        name="p.pdf",
        expires_on="2030-12-31",
    )
    assert response.status_code == 400
    assert "Tahun berlaku tidak cocok" in response.get_data(as_text=True)


# --- downloads -----------------------------------------------------------------------------


def test_owner_downloads_own_document_as_a_safe_attachment(csrf_client, login_as, db, world):
    document = make_document(business=world.biz_tebet, kind="nib")
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = csrf_client.get(f"/business/documents/{document.id}/file")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.data == pdf_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/business/documents/../../instance/app.db/file",
        "/business/documents/%2e%2e%2f%2e%2e%2finstance%2fapp.db/file",
        "/business/documents/..%2F..%2Finstance%2Fapp.db/file",
        "/lead/tebet/documents/../../instance/app.db/file",
    ],
)
def test_path_traversal_in_download_urls_answers_404(client, login_as, world, path):
    login_as(client, world.lead_tebet)
    assert client.get(path).status_code == 404


def test_owner_cannot_touch_another_smes_documents_or_products(csrf_client, login_as, db, world):
    theirs = make_document(business=world.biz_cakung, kind="nib")
    their_product = make_listable_product(business=world.biz_cakung)
    from marketplace.catalog.services import list_product

    list_product(their_product, actor=world.biz_cakung.owner, without_photo=True)
    db.session.commit()
    login_as(csrf_client.client, world.biz_tebet.owner)
    for url in (
        f"/business/documents/{theirs.id}",
        f"/business/documents/{theirs.id}/file",
        f"/business/products/{their_product.id}/edit",
    ):
        assert csrf_client.get(url).status_code == 404
    assert csrf_client.post(f"/business/products/{their_product.id}/unlist").status_code == 404
    assert (
        csrf_client.post(
            f"/business/products/{their_product.id}/edit", data={"name": "hacked"}
        ).status_code
        == 404
    )
    db.session.refresh(their_product)
    assert (their_product.status, their_product.name) == ("listed", "Keripik Singkong Pedas")


def test_admin_reviews_documents_of_any_chapter(csrf_client, login_as, db, world):
    document = make_document(business=world.biz_cakung, kind="nib", status="submitted")
    login_as(csrf_client.client, world.admin)
    assert "Batik Pak Joko" in csrf_client.get("/admin/documents").get_data(as_text=True)
    response = csrf_client.post(
        f"/admin/documents/{document.id}",
        data={"action": "reject", "note": "Foto buram", "confirmed": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(document)
    assert (document.status, document.review_note) == ("rejected", "Foto buram")
    assert document.events[-1].role == "admin"


def test_rejecting_without_a_reason_is_refused(csrf_client, login_as, db, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    login_as(csrf_client.client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/documents/{document.id}", data={"action": "reject", "note": ""}
    )
    assert response.status_code == 400
    db.session.refresh(document)
    assert document.status == "submitted"


def test_owner_sees_every_status_and_reason(csrf_client, login_as, db, world):
    make_document(business=world.biz_tebet, kind="nib", status="submitted")
    rejected = make_document(business=world.biz_tebet, kind="halal", status="submitted")
    apply_transition(
        rejected,
        "reject",
        actor=world.lead_tebet,
        role="lead",
        note="Nomor tidak cocok",
        review_note="Nomor tidak cocok",
    )
    db.session.commit()
    login_as(csrf_client.client, world.biz_tebet.owner)
    page = csrf_client.get("/business/").get_data(as_text=True)
    assert "Menunggu pemeriksaan" in page
    assert "Ditolak" in page
    assert "Nomor tidak cocok" in page


# --- state machines ------------------------------------------------------------------------


DOC_STATES = ("submitted", "verified", "rejected", "expired", "revoked")
DOC_ACTIONS = ("verify", "reject", "expire", "revoke")
PRODUCT_STATES = ("draft", "listed", "unlisted")
PRODUCT_ACTIONS = ("list", "unlist")


@pytest.mark.parametrize("state", DOC_STATES)
@pytest.mark.parametrize("action", DOC_ACTIONS)
def test_document_transition_table(db, world, state, action):
    from marketplace.core.errors import IllegalTransition

    # A permit with an expiry date, so "expire" is possible (ck_..._expired_has_expiry).
    document = make_document(business=world.biz_tebet, kind="pirt", status=state)
    target = LegalityDocument.TRANSITIONS.get((state, action))
    if target is None:
        with pytest.raises(IllegalTransition):
            apply_transition(document, action, actor=world.lead_tebet, role="lead")
        db.session.rollback()
        assert db.session.scalar(select(func.count(DocumentEvent.id))) == 0
    else:
        # As review_document does: the note is also the reason a refusal must carry.
        apply_transition(
            document, action, actor=world.lead_tebet, role="lead", note="n", review_note="n"
        )
        db.session.commit()
        events = db.session.scalars(select(DocumentEvent)).all()
        assert len(events) == 1
        event = events[0]
        assert (event.from_status, event.to_status, event.actor_id, event.role, event.seq) == (
            state,
            target,
            world.lead_tebet.id,
            "lead",
            1,
        )
        assert event.created_at.utcoffset() == timedelta(0)
        db.session.refresh(document)
        assert document.status == target


@pytest.mark.parametrize("state", PRODUCT_STATES)
@pytest.mark.parametrize("action", PRODUCT_ACTIONS)
def test_product_transition_table(db, world, state, action):
    from marketplace.core.errors import IllegalTransition

    product = make_product(business=world.biz_tebet, status=state)
    target = Product.TRANSITIONS.get((state, action))
    if target is None:
        with pytest.raises(IllegalTransition):
            apply_transition(product, action, actor=world.biz_tebet.owner, role="sme_owner")
        db.session.rollback()
        assert db.session.scalar(select(func.count(ProductEvent.id))) == 0
    else:
        apply_transition(product, action, actor=world.biz_tebet.owner, role="sme_owner")
        db.session.commit()
        assert db.session.scalar(select(func.count(ProductEvent.id))) == 1


def test_a_stale_transition_loses_the_race_and_records_nothing(db, world):
    from marketplace.core.errors import IllegalTransition

    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    stale = db.session.get(LegalityDocument, document.id)
    apply_transition(document, "verify", actor=world.lead_tebet, role="lead")
    db.session.commit()
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(stale, "status", "submitted")  # what a second tab still shows
    with pytest.raises(IllegalTransition):
        apply_transition(stale, "reject", actor=world.admin, role="admin", note="x")
    db.session.rollback()
    assert db.session.scalar(select(func.count(DocumentEvent.id))) == 1


def test_lifecycle_events_cannot_be_changed(db, world):
    from marketplace.core.statemachine import EventImmutableError

    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    apply_transition(document, "verify", actor=world.lead_tebet, role="lead")
    db.session.commit()
    event = db.session.scalar(select(DocumentEvent))
    event.note = "rewritten history"
    with pytest.raises(EventImmutableError):
        db.session.commit()
    db.session.rollback()


# --- expiry and re-verification -------------------------------------------------------------


def test_permits_expire_unlists_dependents_notifies_and_is_idempotent(app, db, world):
    from marketplace.catalog.cli import permits
    from marketplace.catalog.services import list_product

    b = world.biz_tebet
    product = make_listable_product(business=b)
    list_product(product, actor=b.owner, without_photo=True)
    pirt = db.session.scalar(select(LegalityDocument).where(LegalityDocument.kind == "pirt"))
    pirt.expires_on = jakarta_today() - timedelta(days=1)
    db.session.commit()

    runner = app.test_cli_runner()
    first = runner.invoke(permits, ["expire"])
    assert first.exit_code == 0, first.output
    assert "expired 1 permit(s), unlisted 1 product(s)" in first.output
    db.session.refresh(product)
    db.session.refresh(pirt)
    assert (product.status, pirt.status) == ("unlisted", "expired")
    notified = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "permit_expired")
        )
    )
    assert notified == {b.owner_id, world.lead_tebet.id}

    counts = (
        db.session.scalar(select(func.count(Notification.id))),
        db.session.scalar(select(func.count(ProductEvent.id))),
        db.session.scalar(select(func.count(DocumentEvent.id))),
    )
    second = runner.invoke(permits, ["expire"])
    assert "expired 0 permit(s), unlisted 0 product(s)" in second.output
    assert counts == (
        db.session.scalar(select(func.count(Notification.id))),
        db.session.scalar(select(func.count(ProductEvent.id))),
        db.session.scalar(select(func.count(DocumentEvent.id))),
    )


def test_permits_expire_warns_30_days_ahead_once(app, db, world):
    from marketplace.legality.services import expire_permits

    b = world.biz_tebet
    today = jakarta_today()
    make_document(business=b, kind="pirt", expires_on=today + timedelta(days=30))
    make_document(business=b, kind="bpom_md", expires_on=today + timedelta(days=31))
    assert expire_permits(today)["warned"] == 1
    assert expire_permits(today)["warned"] == 0
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "permit_expiring")
        )
        == 2
    )  # the owner and the lead


def test_editing_ingredients_asks_for_halal_reverification(csrf_client, login_as, db, world):
    from marketplace.catalog.services import list_product

    b = world.biz_tebet
    product = make_listable_product(business=b)
    list_product(product, actor=b.owner, without_photo=True)
    db.session.commit()
    login_as(csrf_client.client, b.owner)
    response = csrf_client.post(
        f"/business/products/{product.id}/edit",
        data={
            "name": product.name,
            "category": "kuliner",
            "price_idr": "25000",
            "stock": "10",
            "ingredients": "singkong, cabai, minyak babi",
            "shelf_life_days": "90",
            "storage": "ambient",
            "food_process": "none",
            "production_site": "home",
        },
    )
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.halal_review_required is True
    assert product.status == "unlisted"
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.kind == "halal_review", Notification.user_id == world.lead_tebet.id
            )
        )
        == 1
    )

    login_as(csrf_client.client, world.lead_tebet)
    assert csrf_client.post(f"/lead/tebet/products/{product.id}/halal-confirm").status_code == 302
    login_as(csrf_client.client, b.owner)
    csrf_client.post(f"/business/products/{product.id}/list", data={"without_photo": "y"})
    db.session.refresh(product)
    assert product.status == "listed"


def test_revoking_a_permit_unlists_the_products_that_needed_it(csrf_client, login_as, db, world):
    from marketplace.catalog.services import list_product

    b = world.biz_tebet
    product = make_listable_product(business=b)
    list_product(product, actor=b.owner, without_photo=True)
    db.session.commit()
    halal = db.session.scalar(select(LegalityDocument).where(LegalityDocument.kind == "halal"))
    login_as(csrf_client.client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/documents/{halal.id}",
        data={"action": "revoke", "note": "Sertifikat palsu", "confirmed": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.status == "unlisted"


# --- stored XSS ------------------------------------------------------------------------------


def test_product_and_business_text_is_escaped(csrf_client, login_as, db, world):
    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    world.biz_tebet.name = payload
    make_product(business=world.biz_tebet, name=payload)
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    db.session.commit()
    login_as(csrf_client.client, world.biz_tebet.owner)
    pages = [csrf_client.get("/business/").get_data(as_text=True)]
    login_as(csrf_client.client, world.lead_tebet)
    pages += [
        csrf_client.get(url).get_data(as_text=True)
        for url in ("/lead/tebet/", "/lead/tebet/queue", f"/lead/tebet/documents/{document.id}")
    ]
    for page in pages:
        assert "<script>alert(2)" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_the_daily_job_unlists_products_once_halal_becomes_mandatory(app, db, world):
    from marketplace.legality.services import expire_permits

    b = world.biz_tebet
    product = make_product(business=b, status="listed")  # listed before the deadline
    make_document(business=b, kind="nib")
    make_document(business=b, kind="pirt", products=[product])
    # The obligation starts on 18 Oct 2026 (DOMAIN 0.5; issue 13 moved it from the 17th).
    expire_permits(on=date(2026, 10, 17))
    db.session.refresh(product)
    assert product.status == "listed"
    stats = expire_permits(on=date(2026, 10, 18))
    db.session.refresh(product)
    assert product.status == "unlisted"
    assert stats["unlisted"] == 1
    assert expire_permits(on=date(2026, 10, 18))["unlisted"] == 0
