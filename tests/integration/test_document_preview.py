"""The lead's document preview (issue 14 item 7): an image shown inline and scaled, a PDF's
first page rendered to an image, both from the private store with the download's scope; a
broken PDF is a message, never a 500; a refusal is confirmed before it is recorded."""

import io

import pytest
from PIL import Image

from marketplace.core.uploads import store
from marketplace.extensions import db as _db
from tests.factories import image_bytes, make_document


def _pdf(size=(600, 800), resolution=72.0) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 250, 250)).save(out, "PDF", resolution=resolution)
    return out.getvalue()


def _with_file(document, data: bytes, mime: str):
    document.file_key = store(data)
    document.file_mime = mime
    document.file_size = len(data)
    _db.session.commit()
    return document


@pytest.fixture
def lead_client(client, login_as, world):
    login_as(client, world.lead_tebet)
    return client


def test_lead_sees_a_photo_of_the_permit_inline_and_scaled(lead_client, world):
    document = make_document(business=world.biz_tebet, kind="pirt", status="submitted")
    _with_file(document, image_bytes("JPEG", size=(2400, 1800)), "image/jpeg")

    page = lead_client.get(f"/lead/tebet/documents/{document.id}").get_data(as_text=True)
    assert f'src="/lead/tebet/documents/{document.id}/preview"' in page

    response = lead_client.get(f"/lead/tebet/documents/{document.id}/preview")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(response.data)) as shown:
        assert max(shown.size) == 1200  # scaled down, aspect kept
        assert shown.size == (1200, 900)


def test_lead_sees_the_first_page_of_a_pdf_rendered(lead_client, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    _with_file(document, _pdf(), "application/pdf")

    page = lead_client.get(f"/lead/tebet/documents/{document.id}").get_data(as_text=True)
    assert "Halaman pertama PDF" in page
    response = lead_client.get(f"/lead/tebet/documents/{document.id}/preview")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as shown:
        assert shown.size == (900, 1200)


def test_a_broken_pdf_shows_a_message_never_a_500(lead_client, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")  # no page

    response = lead_client.get(f"/lead/tebet/documents/{document.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Pratinjau tidak bisa ditampilkan" in page
    assert "/preview" not in page
    assert lead_client.get(f"/lead/tebet/documents/{document.id}/preview").status_code == 404
    # The review itself still works.
    assert 'name="action"' in page


def test_a_pdf_page_of_absurd_size_is_not_rendered(lead_client, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    _with_file(document, _pdf(size=(100, 100), resolution=1.0), "application/pdf")  # 7200 pt

    page = lead_client.get(f"/lead/tebet/documents/{document.id}").get_data(as_text=True)
    assert "Pratinjau tidak bisa ditampilkan" in page


@pytest.mark.parametrize("app_config", [{"LEGALITY_PREVIEW_TIMEOUT_SECONDS": 0.001}])
def test_a_pdf_that_takes_too_long_is_a_message(lead_client, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    _with_file(document, _pdf(), "application/pdf")

    response = lead_client.get(f"/lead/tebet/documents/{document.id}")
    assert response.status_code == 200
    assert "Pratinjau tidak bisa ditampilkan" in response.get_data(as_text=True)


def test_another_chapters_lead_gets_404_for_the_preview(client, login_as, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    _with_file(document, _pdf(), "application/pdf")
    login_as(client, world.lead_cakung)

    assert client.get(f"/lead/cakung/documents/{document.id}/preview").status_code == 404
    assert client.get(f"/lead/tebet/documents/{document.id}/preview").status_code == 404


def test_owner_and_anonymous_cannot_use_the_lead_preview(client, login_as, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    _with_file(document, _pdf(), "application/pdf")
    url = f"/lead/tebet/documents/{document.id}/preview"

    assert client.get(url).status_code in (302, 401)
    login_as(client, world.biz_tebet.owner)
    assert client.get(url).status_code == 404


def test_admin_sees_the_preview_of_any_chapter(client, login_as, world):
    document = make_document(business=world.biz_cakung, kind="nib", status="submitted")
    _with_file(document, image_bytes("PNG", size=(300, 200)), "image/png")
    login_as(client, world.admin)

    page = client.get(f"/admin/documents/{document.id}").get_data(as_text=True)
    assert f"/admin/documents/{document.id}/preview" in page
    assert client.get(f"/admin/documents/{document.id}/preview").mimetype == "image/jpeg"


@pytest.mark.parametrize(
    ("kind", "issuer"),
    [("bpom_md", "https://cekbpom.pom.go.id/"), ("halal", "halal.go.id"), ("nib", "oss.go.id")],
)
def test_review_links_to_the_issuers_public_check(lead_client, world, kind, issuer):
    document = make_document(business=world.biz_tebet, kind=kind, status="submitted")

    page = lead_client.get(f"/lead/tebet/documents/{document.id}").get_data(as_text=True)
    assert issuer in page
    assert f"Cek nomor {document.number}" in page


def test_rejecting_asks_for_confirmation_before_it_is_recorded(csrf_client, login_as, db, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    login_as(csrf_client.client, world.lead_tebet)
    url = f"/lead/tebet/documents/{document.id}"

    first = csrf_client.post(url, data={"action": "reject", "note": "Foto buram"})
    assert first.status_code == 200
    assert "Tolak dokumen ini?" in first.get_data(as_text=True)
    db.session.refresh(document)
    assert document.status == "submitted"

    second = csrf_client.post(
        url, data={"action": "reject", "note": "Foto buram", "confirmed": "1"}
    )
    assert second.status_code == 302
    db.session.refresh(document)
    assert (document.status, document.review_note) == ("rejected", "Foto buram")


def test_verifying_needs_no_confirmation(csrf_client, login_as, db, world):
    document = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    login_as(csrf_client.client, world.lead_tebet)

    response = csrf_client.post(
        f"/lead/tebet/documents/{document.id}", data={"action": "verify", "note": ""}
    )
    assert response.status_code == 302
    db.session.refresh(document)
    assert document.status == "verified"
