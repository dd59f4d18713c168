"""PDP erasure (issue 14): deleting an account also deletes the uploaded legality scans
(NIB, PIRT, halal...) and their previews from the private store, after the commit; a
rolled-back erasure keeps them. The My data page says which files are kept and why."""

from sqlalchemy import select

from marketplace.core import uploads
from marketplace.extensions import db as _db
from marketplace.legality import preview
from marketplace.legality.models import LegalityDocument
from marketplace.privacy import services as privacy
from tests.conftest import Browserish
from tests.factories import PASSWORD, image_bytes, make_document

DATA = "/account/data/"


def client_for(app, login_as, user):
    client = Browserish(app.test_client(), app)
    login_as(client.client, user)
    return client


def on_disk(key) -> bool:
    return (uploads.upload_dir() / key).is_file()


def photo_document(business, **kw):
    """A document whose scan is a photo (its preview renders in this process)."""
    document = make_document(business=business, **kw)
    data = image_bytes("JPEG", size=(800, 600))
    document.file_key = uploads.store(data)
    document.file_mime = "image/jpeg"
    document.file_size = len(data)
    _db.session.commit()
    return document


def test_erasure_deletes_the_members_scans_and_previews_after_commit(app, login_as, world):
    business = world.biz_tebet
    nib = photo_document(business)
    halal = make_document(business=business, kind="halal", status="rejected")
    neighbour = make_document(business=world.biz_cakung)
    keys = [nib.file_key, halal.file_key]
    lead = client_for(app, login_as, world.lead_tebet)
    assert lead.get(f"/lead/tebet/documents/{nib.id}/preview").status_code == 200  # cached
    assert all(on_disk(k) for k in keys)

    owner = client_for(app, login_as, business.owner)
    response = owner.post(DATA + "delete", data={"understood": "y", "password": PASSWORD})
    assert response.status_code == 302

    assert not any(on_disk(k) for k in keys)
    assert on_disk(neighbour.file_key)  # another member's scan stays
    assert lead.get(f"/lead/tebet/documents/{nib.id}/file").status_code == 404
    assert lead.get(f"/lead/tebet/documents/{nib.id}/preview").status_code == 404
    _db.session.expire_all()
    assert _db.session.get(LegalityDocument, nib.id).original_name == privacy.ERASED_FILE_NAME


def test_a_rolled_back_erasure_keeps_the_files(world, db):
    business = world.biz_tebet
    document = make_document(business=business)
    name = document.original_name
    privacy.erase_account(business.owner, password=PASSWORD)
    db.session.rollback()
    assert on_disk(document.file_key)
    db.session.expire_all()
    assert db.session.get(LegalityDocument, document.id).original_name == name
    assert db.session.get(type(business.owner), business.owner_id).email is not None
    # A later, unrelated commit does not delete them either.
    db.session.commit()
    assert on_disk(document.file_key)


def test_a_preview_cached_in_another_process_goes_with_its_file(app, login_as, world):
    document = photo_document(world.biz_tebet)
    lead = client_for(app, login_as, world.lead_tebet)
    assert lead.get(f"/lead/tebet/documents/{document.id}/preview").status_code == 200
    # Another worker's erasure removed the file; this process still holds the rendering.
    uploads.discard(document.file_key)
    assert lead.get(f"/lead/tebet/documents/{document.id}/preview").status_code == 404
    assert not preview.available(document)


def test_my_data_page_says_which_files_are_erased_and_which_are_kept(app, login_as, world):
    client = client_for(app, login_as, world.biz_tebet.owner)
    text = client.get(DATA).get_data(as_text=True)
    assert "Scan dokumen izin" in text
    assert "Foto bukti komplain pesanan" in text
    assert "Foto produk" in text
    check = client.get(DATA + "delete").get_data(as_text=True)
    assert "Scan dokumen izin Anda dan pratinjaunya dihapus" in check


def test_erasure_audit_counts_the_files_without_naming_them(world, db):
    from marketplace.core.audit import AuditEvent

    document = make_document(business=world.biz_tebet)
    privacy.erase_account(world.biz_tebet.owner, password=PASSWORD)
    db.session.commit()
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erased"))
    assert row.data["files"] == 1
    assert document.file_key not in str(row.data)
