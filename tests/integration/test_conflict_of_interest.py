"""Issue 12 (item 2): nobody attests to a business they own. A lead who registered his own
business in his chapter may not review its documents, confirm its halal certificate, record
its check-ins, training or attendance; another lead of the chapter or an admin does."""

import pytest

from marketplace.businesses.conflict import ConflictOfInterest
from marketplace.catalog import services as catalog
from marketplace.legality import services as legality
from marketplace.legality.models import DocumentStatus
from marketplace.mentoring import services as mentoring
from tests.factories import (
    make_business,
    make_document,
    make_lead,
    make_product,
    make_session,
    make_user,
)

NOTE = "Dokumen usaha Anda sendiri: diperiksa pengurus lain atau admin"


@pytest.fixture
def own(world):
    """The Tebet lead's own business in Tebet, with a submitted NIB."""
    business = make_business(chapter=world.tebet, owner=world.lead_tebet, name="Warung Pengurus")
    document = make_document(business=business, kind="nib", status="submitted")
    return business, document


@pytest.mark.parametrize("action", ["verify", "reject"])
def test_a_lead_cannot_review_a_document_of_his_own_business(db, world, own, action):
    _, document = own
    with pytest.raises(ConflictOfInterest):
        legality.review_document(
            document, action, actor=world.lead_tebet, role="lead", note="Berkas tidak terbaca"
        )
    db.session.rollback()
    assert db.session.get(type(document), document.id).status == DocumentStatus.SUBMITTED


def test_a_lead_cannot_revoke_a_document_of_his_own_business(db, world):
    business = make_business(chapter=world.tebet, owner=world.lead_tebet, name="Warung Pengurus")
    document = make_document(business=business, kind="nib", status="verified")
    with pytest.raises(ConflictOfInterest):
        legality.review_document(
            document, "revoke", actor=world.lead_tebet, role="lead", note="salah"
        )


def test_an_admin_cannot_review_a_document_of_his_own_business(db, world):
    business = make_business(chapter=world.tebet, owner=world.admin, name="Usaha Admin")
    document = make_document(business=business, kind="nib", status="submitted")
    with pytest.raises(ConflictOfInterest):
        legality.review_document(document, "verify", actor=world.admin, role="admin")


def test_another_lead_of_the_chapter_reviews_the_leads_own_document(db, world, own):
    _, document = own
    other = make_lead(chapter=world.tebet)
    legality.review_document(document, "verify", actor=other, role="lead")
    assert document.status == DocumentStatus.VERIFIED


def test_own_document_self_verify_through_the_lead_console_is_refused(
    db, world, own, csrf_client, login_as
):
    _, document = own
    login_as(csrf_client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/documents/{document.id}", data={"action": "verify", "note": ""}
    )
    assert response.status_code in (302, 400, 403)
    db.session.expire_all()
    assert db.session.get(type(document), document.id).status == DocumentStatus.SUBMITTED


def test_the_queue_marks_the_leads_own_document_without_review_buttons(
    db, world, own, client, login_as
):
    _, document = own
    theirs = make_document(business=world.biz_tebet, kind="nib", status="submitted")
    login_as(client, world.lead_tebet)
    page = client.get("/lead/tebet/queue").get_data(as_text=True)
    assert NOTE in page
    assert page.count(NOTE) == 1  # only for his own document, not for the member's
    assert f"/lead/tebet/documents/{theirs.id}" in page
    review = client.get(f"/lead/tebet/documents/{document.id}").get_data(as_text=True)
    assert NOTE in review
    assert 'name="action"' not in review  # no verify/reject form
    other = client.get(f"/lead/tebet/documents/{theirs.id}").get_data(as_text=True)
    assert 'name="action"' in other


def test_a_lead_cannot_confirm_halal_for_a_product_of_his_own_business(db, world, own):
    business, _ = own
    product = make_product(business=business, halal_review_required=True)
    with pytest.raises(ConflictOfInterest):
        catalog.confirm_halal_review(product, actor=world.lead_tebet)
    db.session.rollback()
    assert db.session.get(type(product), product.id).halal_review_required is True


def test_own_halal_confirmation_through_the_lead_console_is_refused(
    db, world, own, csrf_client, login_as
):
    business, _ = own
    product = make_product(business=business, halal_review_required=True)
    login_as(csrf_client, world.lead_tebet)
    page = csrf_client.get(f"/lead/tebet/products/{product.id}").get_data(as_text=True)
    assert "halal-confirm" not in page
    csrf_client.post(f"/lead/tebet/products/{product.id}/halal-confirm")
    db.session.expire_all()
    assert db.session.get(type(product), product.id).halal_review_required is True


def test_a_lead_cannot_record_a_check_in_of_his_own_business(db, world, own):
    business, _ = own
    with pytest.raises(ConflictOfInterest):
        mentoring.record_check_in(
            world.tebet,
            business.id,
            applies_learning=True,
            books_kept=True,
            next_step="Lanjutkan",
            actor=world.lead_tebet,
        )


def test_a_lead_cannot_record_external_training_of_his_own_business(db, world, own):
    from datetime import date

    business, _ = own
    provider = next(iter(mentoring.EXTERNAL_PROVIDERS))
    with pytest.raises(ConflictOfInterest):
        mentoring.record_external_training(
            world.tebet,
            business.id,
            provider=provider,
            title="Pelatihan pembukuan",
            completed_on=date(2026, 1, 5),
            actor=world.lead_tebet,
        )


def test_a_lead_cannot_record_attendance_of_his_own_business(db, world, own):
    business, _ = own
    session = make_session(chapter=world.tebet, lead=world.lead_tebet, days_from_now=-2)
    with pytest.raises(ConflictOfInterest):
        mentoring.record_attendance(
            world.tebet, session.id, [business.id, world.biz_tebet.id], actor=world.lead_tebet
        )
    db.session.rollback()
    # The members' attendance is his to record; his own stays as another lead left it.
    other = make_lead(chapter=world.tebet)
    mentoring.record_attendance(world.tebet, session.id, [business.id], actor=other)
    db.session.commit()
    count = mentoring.record_attendance(
        world.tebet, session.id, [business.id, world.biz_tebet.id], actor=world.lead_tebet
    )
    assert count == 2


def test_attendance_page_keeps_the_leads_own_business_unchanged(
    db, world, own, csrf_client, login_as
):
    business, _ = own
    session = make_session(chapter=world.tebet, lead=world.lead_tebet, days_from_now=-2)
    login_as(csrf_client, world.lead_tebet)
    page = csrf_client.get(f"/lead/tebet/sessions/{session.id}").get_data(as_text=True)
    assert f'name="present" value="{business.id}"' not in page
    response = csrf_client.post(
        f"/lead/tebet/sessions/{session.id}", data={"present": [str(world.biz_tebet.id)]}
    )
    assert response.status_code == 302


@pytest.mark.plugin("referrals")
def test_a_lead_cannot_endorse_a_referral_of_his_own_business(db, world, own):
    from referrals import services as referrals
    from tests.factories import make_bank, make_referral

    business, _ = own
    bank = make_bank(slug="bank-coi", name="Bank COI", chapters=[world.tebet])
    # Opened by another lead for the lead's business; he may still not send it himself.
    other = make_lead(chapter=world.tebet)
    referral = make_referral(
        business=business, bank=bank, lead=other, status="consented", consented=True
    )
    with pytest.raises(ConflictOfInterest):
        referrals.endorse_and_send(
            referral, lead=world.lead_tebet, recommendation="Usaha ini siap, pembukuan rapi."
        )


def test_the_conflict_rule_names_the_owner_only(db, world):
    from marketplace.businesses.conflict import owns

    assert owns(world.biz_tebet, world.biz_tebet.owner)
    assert not owns(world.biz_tebet, make_user())
    assert not owns(world.biz_tebet, world.lead_tebet)
