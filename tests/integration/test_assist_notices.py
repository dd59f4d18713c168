"""Assisted mode (issue 14): the helper is told when a member grants them access (in the
app and by e-mail, or WhatsApp for a phone-only account), and told again when the member
revokes it or the grant ends early because the member closed their account."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.assist import services as assist
from marketplace.assist.models import AssistGrant
from marketplace.core.timeutil import utcnow
from marketplace.mentoring.models import OutboxEmail
from marketplace.notifications.models import Notification, OutboxPhoneMessage
from marketplace.notifications.services import render
from tests.conftest import Browserish
from tests.factories import PASSWORD, make_user


def client_for(app, login_as, user):
    client = Browserish(app.test_client(), app)
    login_as(client.client, user)
    return client


def notices(db, user, kind=None):
    db.session.expire_all()
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def emails_to(db, address):
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == address)))


def give(db, business, helper, days=7):
    made = assist.grant_access(business.owner, business, helper=helper, tasks=["books"], days=days)
    db.session.commit()
    return made


def test_member_grants_from_the_page_and_the_helper_is_told_in_the_app_and_by_email(
    app, login_as, world, db
):
    member = client_for(app, login_as, world.biz_tebet.owner)
    response = member.post(
        "/business/assist/",
        data={"lead": str(world.lead_tebet.id), "tasks": ["books"], "days": "7"},
    )
    assert response.status_code == 302
    [notice] = notices(db, world.lead_tebet, "assist_granted")
    text = render(notice)
    assert world.biz_tebet.name in text
    assert world.biz_tebet.owner.name in text
    assert notice.link.endswith("/assist/")
    [mail] = emails_to(db, world.lead_tebet.email)
    assert world.biz_tebet.name in mail.body
    assert "/assist/" in mail.body


def test_a_phone_only_helper_is_told_on_whatsapp(db, world):
    neighbour = make_user(name="Rina Tetangga", phone="+6281322223333", no_email=True)
    give(db, world.biz_tebet, neighbour)
    assert notices(db, neighbour, "assist_granted")
    [message] = db.session.scalars(
        select(OutboxPhoneMessage).where(OutboxPhoneMessage.to == "+6281322223333")
    )
    assert world.biz_tebet.name in message.body


def test_revoking_tells_the_helper_once(app, login_as, world, db):
    made = give(db, world.biz_tebet, world.lead_tebet)
    member = client_for(app, login_as, world.biz_tebet.owner)
    assert member.post(f"/business/assist/{made.id}/revoke").status_code == 302
    assert member.post(f"/business/assist/{made.id}/revoke").status_code == 302
    [notice] = notices(db, world.lead_tebet, "assist_revoked")
    assert world.biz_tebet.name in render(notice)
    assert len(emails_to(db, world.lead_tebet.email)) == 2  # the grant, the revocation


def test_revoking_a_grant_that_already_expired_tells_nothing(db, world):
    made = give(db, world.biz_tebet, world.lead_tebet)
    made.created_at = utcnow() - timedelta(days=2)
    made.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assist.revoke_access(world.biz_tebet.owner, world.biz_tebet, made.id)
    db.session.commit()
    assert notices(db, world.lead_tebet, "assist_revoked") == []


def test_erasing_the_members_account_ends_the_grant_early_and_tells_the_helper(
    app, login_as, world, db
):
    business = world.biz_tebet
    owner_name = business.owner.name
    made = give(db, business, world.lead_tebet)
    member = client_for(app, login_as, business.owner)
    response = member.post("/account/data/delete", data={"understood": "y", "password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    grant = db.session.get(AssistGrant, made.id)
    assert grant.revoked_at is not None
    assert not grant.is_active()
    [notice] = notices(db, world.lead_tebet, "assist_ended")
    assert "lebih awal" in render(notice)
    assert owner_name not in str(notice.params)  # the erased member is not named
    lead = client_for(app, login_as, world.lead_tebet)
    assert lead.post(f"/assist/{made.id}/start").status_code == 404
