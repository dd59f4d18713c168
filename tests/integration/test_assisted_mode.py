"""Assisted mode (issue 14 item 8): a member lets a lead of their chapter (or a named
helper) act for them on listed tasks, for a limited time, revocable at once; every assisted
action is recorded "done by <helper> for <member>"; consent and money out never."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.assist import services as assist
from marketplace.assist.models import AssistedAction, AssistGrant, AssistTask
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerEntry
from tests.conftest import Browserish
from tests.factories import make_bank, make_business, make_referral, make_user, pdf_bytes

ALL_TASKS = [str(t) for t in AssistTask]


def grant(db, member_business, helper, tasks=ALL_TASKS, days=7):
    made = assist.grant_access(
        member_business.owner, member_business, helper=helper, tasks=tasks, days=days
    )
    db.session.commit()
    return made


def client_for(app, login_as, user):
    client = Browserish(app.test_client(), app)
    login_as(client.client, user)
    return client


def start(client, grant_id):
    return client.post(f"/assist/{grant_id}/start")


def entry(**overrides):
    data = {
        "kind": "expense",
        "category": "bahan_baku",
        "amount_idr": "25000",
        "occurred_on": jakarta_today().isoformat(),
        "note": "",
    }
    return {**data, **overrides}


def entries_of(db, business):
    db.session.expire_all()
    return list(
        db.session.scalars(select(LedgerEntry).where(LedgerEntry.business_id == business.id))
    )


# --- grant ---------------------------------------------------------------------------------


def test_member_grants_the_lead_of_their_chapter_from_the_page(app, login_as, world, db):
    member = client_for(app, login_as, world.biz_tebet.owner)
    page = member.get("/business/assist/")
    assert page.status_code == 200
    assert world.lead_tebet.name in page.get_data(as_text=True)
    response = member.post(
        "/business/assist/",
        data={"lead": str(world.lead_tebet.id), "tasks": ["books", "products"], "days": "7"},
    )
    assert response.status_code == 302
    made = db.session.scalar(select(AssistGrant))
    assert (made.helper_id, made.business_id) == (world.lead_tebet.id, world.biz_tebet.id)
    assert made.tasks == ["books", "products"]
    assert timedelta(days=6) < made.expires_at - utcnow() <= timedelta(days=7)


def test_another_chapters_lead_cannot_be_granted(app, login_as, world, db):
    member = client_for(app, login_as, world.biz_tebet.owner)
    response = member.post(
        "/business/assist/",
        data={"other": world.lead_cakung.email, "tasks": ["books"], "days": "7"},
    )
    assert response.status_code == 200
    assert "kecamatan lain" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AssistGrant.id))) == 0


def test_a_named_helper_account_can_be_granted(db, world):
    neighbour = make_user(name="Rina Tetangga")
    made = grant(db, world.biz_tebet, neighbour, tasks=["books"])
    assert made.helper_id == neighbour.id
    assert made.is_active()


# --- act, see the record ---------------------------------------------------------------------


def test_lead_acts_for_the_member_and_the_member_reads_the_record(app, login_as, world, db):
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["books"])
    lead = client_for(app, login_as, world.lead_tebet)
    console = lead.get(f"/lead/{world.tebet.slug}/assisted/")
    assert console.status_code == 200
    assert world.biz_tebet.name in console.get_data(as_text=True)

    assert start(lead, made.id).status_code == 302
    books = lead.get("/business/books/")
    assert books.status_code == 200
    text = books.get_data(as_text=True)
    assert "Anda bertindak untuk" in text
    assert world.biz_tebet.name in text
    assert lead.post("/business/books/entries", data=entry()).status_code == 302

    [added] = entries_of(db, world.biz_tebet)
    assert added.created_by_id == world.lead_tebet.id
    action = db.session.scalar(select(AssistedAction))
    assert (action.helper_id, action.task, action.target_id) == (
        world.lead_tebet.id,
        "books",
        added.id,
    )
    audit_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assist.acted"))
    assert audit_row.actor_id == world.lead_tebet.id
    assert audit_row.role == "helper"
    assert audit_row.data["member_id"] == world.biz_tebet.owner_id

    member = client_for(app, login_as, world.biz_tebet.owner)
    page = member.get("/business/assist/").get_data(as_text=True)
    assert f"dikerjakan oleh {world.lead_tebet.name} untuk Anda" in page


def test_acting_helper_stays_inside_the_members_business(app, login_as, world, db):
    """The scope for a helper is the member's business: their own business and every other
    area are closed while acting; the way out reopens them."""
    lead_business = make_business(chapter=world.tebet, owner=world.lead_tebet, name="Warung Lead")
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["books"])
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    lead.post("/business/books/entries", data=entry())
    assert len(entries_of(db, world.biz_tebet)) == 1
    assert entries_of(db, lead_business) == []
    # Not a granted task, nor the lead console, nor the account page.
    for path in ("/business/orders", f"/lead/{world.tebet.slug}/", "/account", "/account/data/"):
        response = lead.get(path)
        assert response.status_code in (302, 403), path
    assert lead.post("/assist/stop").status_code == 302
    assert lead.get("/account").status_code == 200
    assert lead.post("/business/books/entries", data=entry()).status_code == 302
    assert len(entries_of(db, lead_business)) == 1


# --- revoke and expiry ---------------------------------------------------------------------


def test_revoke_ends_access_on_the_next_request(app, login_as, world, db):
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["books"])
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    member = client_for(app, login_as, world.biz_tebet.owner)
    assert member.post(f"/business/assist/{made.id}/revoke").status_code == 302

    response = lead.post("/business/books/entries", data=entry())
    assert response.status_code == 302
    assert "/assist/" in response.headers["Location"]
    assert entries_of(db, world.biz_tebet) == []
    # And the service refuses it even without the web layer's check.
    with pytest.raises(NotFound):
        ledger.add_entry(
            world.biz_tebet,
            kind="expense",
            category="bahan_baku",
            amount_idr=1000,
            occurred_on=None,
            note=None,
            actor=world.lead_tebet,
        )


def test_an_expired_grant_opens_nothing(app, login_as, world, db):
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["books"], days=1)
    made.created_at -= timedelta(days=2)
    made.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    lead = client_for(app, login_as, world.lead_tebet)
    assert start(lead, made.id).status_code == 404
    assert assist.grants_held(world.lead_tebet) == []
    with pytest.raises(NotFound):
        assist.check_helper(world.lead_tebet, world.biz_tebet, AssistTask.BOOKS)


def test_a_grant_for_one_member_does_not_open_another(app, login_as, world, db):
    other = make_business(chapter=world.tebet, name="Kue Bu Ani")
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["books"])
    with pytest.raises(NotFound):
        assist.check_helper(world.lead_tebet, other, AssistTask.BOOKS)
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    # The acting session's grant names one business; the other member's is never reached.
    lead.post("/business/books/entries", data=entry())
    assert entries_of(db, other) == []
    assert len(entries_of(db, world.biz_tebet)) == 1


def test_a_task_not_granted_is_refused_in_the_service(db, world):
    grant(db, world.biz_tebet, world.lead_tebet, tasks=["books"])
    from werkzeug.datastructures import FileStorage

    from marketplace.legality import services as legality

    with pytest.raises(NotFound):
        legality.submit_document(
            world.biz_tebet,
            kind="nib",
            number="9120003849102",
            issued_on=None,
            expires_on=None,
            file=FileStorage(io.BytesIO(pdf_bytes()), "nib.pdf"),
            actor=world.lead_tebet,
        )


# --- refused tasks -------------------------------------------------------------------------


def test_helper_cannot_consent_to_a_referral_even_with_every_task(app, login_as, world, db):
    bank = make_bank(slug="bank-assist", chapters=[world.tebet])
    referral = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="draft", consented=False
    )
    made = grant(db, world.biz_tebet, world.lead_tebet)
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    lead.post(
        f"/business/referrals/{referral.id}/consent",
        data={"agree": "y", "no_other_credit": "y"},
    )
    db.session.expire_all()
    assert referral.status == "draft"
    # The service refuses it too (web, API and CLI call the same one).
    from referrals import services as referrals

    world.lead_tebet.acting_grant = made
    try:
        with pytest.raises(assist.HelperRefused):
            referrals.give_consent(
                world.lead_tebet, referral, agreed=True, ip=None, no_other_credit=True
            )
    finally:
        del world.lead_tebet.acting_grant


def test_helper_answers_the_banks_request_for_the_member(app, login_as, world, db):
    bank = make_bank(slug="bank-info", chapters=[world.tebet])
    referral = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="info_requested"
    )
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["bank_reply"])
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    assert lead.get(f"/business/referrals/{referral.id}").status_code == 200
    response = lead.post(
        f"/business/referrals/{referral.id}/answer",
        data={"answer": "Foto usaha sudah dikirim lewat pengurus."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert referral.status == "under_review"
    action = db.session.scalar(select(AssistedAction))
    assert (action.task, action.target_id) == ("bank_reply", referral.id)


@pytest.mark.parametrize(
    "path",
    ["/account/password", "/account/profile", "/account/data/delete"],
)
def test_helper_cannot_change_the_account_or_request_erasure(app, login_as, world, db, path):
    made = grant(db, world.biz_tebet, world.lead_tebet)
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    before = (world.lead_tebet.password_hash, world.lead_tebet.name)
    response = lead.post(
        path,
        data={
            "current_password": "correct horse battery",
            "new_password": "another long password 2026",
            "new_password_confirm": "another long password 2026",
            "name": "Diganti",
            "password": "correct horse battery",
            "understood": "y",
        },
    )
    assert response.status_code in (302, 403)
    db.session.expire_all()
    assert (world.lead_tebet.password_hash, world.lead_tebet.name) == before


def test_money_out_is_refused_to_an_acting_helper_in_the_service(db, world):
    from marketplace.payments.services import refund_order
    from tests.factories import make_order

    made = grant(db, world.biz_tebet, world.lead_tebet)
    order = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    world.lead_tebet.acting_grant = made
    try:
        with pytest.raises(assist.HelperRefused):
            refund_order(order, actor=world.lead_tebet, role="sme_owner")
        with pytest.raises(assist.HelperRefused):
            ledger.record_payout(
                world.biz_tebet,
                amount_idr=1000,
                reference="TRF-1",
                paid_on=jakarta_today(),
                actor=world.lead_tebet,
            )
    finally:
        del world.lead_tebet.acting_grant


def test_a_helper_cannot_publish_or_edit_a_listed_product(app, login_as, world, db):
    from tests.factories import make_product

    listed = make_product(business=world.biz_tebet, status="listed")
    db.session.commit()
    made = grant(db, world.biz_tebet, world.lead_tebet, tasks=["products"])
    lead = client_for(app, login_as, world.lead_tebet)
    start(lead, made.id)
    assert lead.post(f"/business/products/{listed.id}/unlist").status_code in (302, 403)
    db.session.expire_all()
    assert listed.status == "listed"
