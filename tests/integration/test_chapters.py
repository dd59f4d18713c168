"""Chapters as tenants: the 44 kecamatan, public pages, the API, and lead assignment."""

import pytest
from sqlalchemy import func, select

from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.core.audit import AuditEvent, AuditImmutableError


def test_migrations_load_the_44_jakarta_kecamatan_as_chapters(db):
    assert db.session.scalar(select(func.count(Chapter.id))) == 44
    assert db.session.scalar(select(func.count(Kelurahan.code))) == 267
    gambir = db.session.scalar(select(Chapter).where(Chapter.slug == "gambir"))
    assert (gambir.code, gambir.kota) == ("31.71.01", "Jakarta Pusat")


def test_chapters_api_lists_44_with_member_counts(client, world):
    response = client.get("/api/v1/chapters")
    assert response.status_code == 200
    items = response.get_json()
    assert len(items) == 44
    assert set(items[0]) == {"slug", "name", "code", "kota", "members_count"}
    by_slug = {item["slug"]: item for item in items}
    assert by_slug["tebet"]["members_count"] == 1
    assert by_slug["cakung"]["members_count"] == 1
    assert by_slug["gambir"]["members_count"] == 0
    assert by_slug["kepulauan-seribu-utara"]["kota"] == "Kepulauan Seribu"


def test_public_chapter_page_shows_leads_and_kelurahan(client, world):
    response = client.get("/c/tebet")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Chapter Tebet" in page
    assert world.lead_tebet.name in page
    assert "Manggarai" in page  # a kelurahan of Tebet


def test_unknown_chapter_answers_404(client):
    assert client.get("/c/atlantis").status_code == 404


def test_admin_assigns_and_removes_a_lead_with_audit(csrf_client, login_as, world, db):
    candidate = world.consumer_a
    login_as(csrf_client.client, world.admin)
    response = csrf_client.post("/admin/chapters/gambir", data={"email": candidate.email})
    assert response.status_code == 302
    lead = db.session.scalar(select(ChapterLead).where(ChapterLead.user_id == candidate.id))
    assert lead.chapter.slug == "gambir"

    response = csrf_client.post(f"/admin/chapters/gambir/leads/{lead.id}/remove")
    assert response.status_code == 302
    assert db.session.scalar(select(ChapterLead).where(ChapterLead.user_id == candidate.id)) is None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["chapter.lead_assigned", "chapter.lead_removed"]


def test_admin_cannot_remove_a_lead_through_another_chapter_url(csrf_client, login_as, world, db):
    login_as(csrf_client.client, world.admin)
    lead = db.session.scalar(select(ChapterLead).where(ChapterLead.user_id == world.lead_tebet.id))
    response = csrf_client.post(f"/admin/chapters/cakung/leads/{lead.id}/remove")
    assert response.status_code == 404
    assert db.session.get(ChapterLead, lead.id) is not None


def test_assigning_an_unknown_email_explains_and_changes_nothing(csrf_client, login_as, world, db):
    login_as(csrf_client.client, world.admin)
    before = db.session.scalar(select(func.count(ChapterLead.id)))
    response = csrf_client.post("/admin/chapters/gambir", data={"email": "nobody@example.com"})
    assert response.status_code == 400
    assert "Tidak ada akun dengan e-mail tersebut" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ChapterLead.id))) == before


def test_audit_rows_cannot_be_updated_or_deleted(db, world):
    from marketplace.core import audit

    entry = audit.record("test.event", actor=world.admin, role="admin")
    db.session.commit()
    entry.action = "tampered"
    with pytest.raises(AuditImmutableError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, entry.id))
    with pytest.raises(AuditImmutableError):
        db.session.commit()
    db.session.rollback()
