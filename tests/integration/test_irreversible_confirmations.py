"""Check your answers before the irreversible referral steps (issue 14): a bank officer
rejecting a referral and a chapter lead withdrawing one. The first POST shows the answers
and changes nothing; "Ubah" goes back with the answers kept; only the confirming POST acts,
once."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db as _db
from marketplace.notifications.models import Notification
from referrals.models import Referral, ReferralEvent
from tests.factories import make_bank, make_officer, make_referral

NOTE = "Omzet tiga bulan terakhir belum cukup untuk cicilan."


@pytest.fixture
def net(world):
    bank = make_bank(slug="bank-nusantara", name="Bank Nusantara", chapters=[world.tebet])
    return SimpleNamespace(w=world, bank=bank, officer=make_officer(bank=bank))


def reload(referral_id) -> Referral:
    _db.session.expire_all()
    return _db.session.get(Referral, referral_id)


def events_of(referral_id) -> list[str]:
    return list(
        _db.session.scalars(
            select(ReferralEvent.action).where(ReferralEvent.referral_id == referral_id)
        )
    )


def notifications() -> int:
    return _db.session.scalar(select(func.count(Notification.id)))


def _referral(net, status):
    return make_referral(
        business=net.w.biz_tebet, bank=net.bank, lead=net.w.lead_tebet, status=status
    )


# --- the bank rejects --------------------------------------------------------------------


def test_bank_reject_first_post_shows_member_amount_and_reason_and_changes_nothing(
    net, csrf_client, login_as
):
    referral = _referral(net, "acknowledged")
    login_as(csrf_client.client, net.officer)
    before = notifications()
    page = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/reject",
        data={"rej-reason": "lainnya", "rej-note": NOTE},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Periksa sebelum menolak" in text
    assert net.w.biz_tebet.name in text
    assert "Rp25.000.000" in text
    assert "Alasan lain (lihat catatan)" in text
    assert NOTE in text
    assert "Tolak rujukan" in text
    assert "Ubah" in text
    assert reload(referral.id).status == "acknowledged"
    assert events_of(referral.id) == []
    assert notifications() == before


def test_bank_reject_change_goes_back_with_the_reason_and_note_kept(net, csrf_client, login_as):
    referral = _referral(net, "acknowledged")
    login_as(csrf_client.client, net.officer)
    back = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/reject",
        data={"rej-reason": "slik_bermasalah", "rej-note": NOTE, "rej-change": "1"},
    )
    assert back.status_code == 200
    text = back.get_data(as_text=True)
    assert '<option selected value="slik_bermasalah">' in text
    assert NOTE in text
    assert reload(referral.id).status == "acknowledged"


def test_bank_reject_confirmed_rejects_once(net, csrf_client, login_as):
    referral = _referral(net, "acknowledged")
    login_as(csrf_client.client, net.officer)
    url = f"/bank/bank-nusantara/referrals/{referral.id}/reject"
    data = {"rej-reason": "slik_bermasalah", "rej-note": NOTE, "confirm": "1"}
    assert csrf_client.post(url, data=data).status_code == 302
    assert reload(referral.id).status == "rejected"
    assert reload(referral.id).reject_reason == "slik_bermasalah"
    again = csrf_client.post(url, data=data)
    assert again.status_code == 409
    assert events_of(referral.id).count("reject") == 1


def test_bank_reject_check_page_refuses_other_reason_without_a_note(net, csrf_client, login_as):
    referral = _referral(net, "acknowledged")
    login_as(csrf_client.client, net.officer)
    refused = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/reject",
        data={"rej-reason": "lainnya", "rej-note": " "},
    )
    assert refused.status_code == 400
    assert "tulis penjelasannya" in refused.get_data(as_text=True)
    assert "Periksa sebelum menolak" not in refused.get_data(as_text=True)


def test_bank_reject_check_page_is_refused_when_the_status_no_longer_allows_it(
    net, csrf_client, login_as
):
    referral = _referral(net, "approved")
    login_as(csrf_client.client, net.officer)
    refused = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/reject",
        data={"rej-reason": "slik_bermasalah", "rej-note": NOTE},
    )
    assert refused.status_code == 409
    assert "Periksa sebelum menolak" not in refused.get_data(as_text=True)
    assert reload(referral.id).status == "approved"


# --- the lead withdraws ------------------------------------------------------------------


def test_lead_withdraw_first_post_shows_the_answers_and_changes_nothing(net, csrf_client, login_as):
    referral = _referral(net, "sent")
    login_as(csrf_client.client, net.w.lead_tebet)
    before = notifications()
    page = csrf_client.post(f"/lead/tebet/referrals/{referral.id}/withdraw", data={"wd-note": NOTE})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Periksa sebelum menarik rujukan" in text
    assert net.w.biz_tebet.name in text
    assert "Bank Nusantara" in text
    assert "Rp25.000.000" in text
    assert NOTE in text
    assert "Tarik rujukan" in text
    assert "Ubah" in text
    assert reload(referral.id).status == "sent"
    assert events_of(referral.id) == []
    assert notifications() == before


def test_lead_withdraw_change_goes_back_with_the_reason_kept(net, csrf_client, login_as):
    referral = _referral(net, "sent")
    login_as(csrf_client.client, net.w.lead_tebet)
    back = csrf_client.post(
        f"/lead/tebet/referrals/{referral.id}/withdraw",
        data={"wd-note": NOTE, "wd-change": "1"},
    )
    assert back.status_code == 200
    assert NOTE in back.get_data(as_text=True)
    assert "Tarik rujukan ini" in back.get_data(as_text=True)
    assert reload(referral.id).status == "sent"


def test_lead_withdraw_confirmed_withdraws_once_and_tells_the_bank(net, csrf_client, login_as):
    referral = _referral(net, "sent")
    login_as(csrf_client.client, net.w.lead_tebet)
    url = f"/lead/tebet/referrals/{referral.id}/withdraw"
    assert csrf_client.post(url, data={"wd-note": NOTE, "confirm": "1"}).status_code == 302
    assert reload(referral.id).status == "withdrawn"
    assert csrf_client.post(url, data={"wd-note": NOTE, "confirm": "1"}).status_code == 302
    assert events_of(referral.id).count("withdraw") == 1
    assert (
        _db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == net.officer.id,
                Notification.kind == "consent_withdrawn",
            )
        )
        == 1
    )


def test_lead_withdraw_check_page_is_not_shown_once_decided(net, csrf_client, login_as):
    referral = _referral(net, "rejected")
    login_as(csrf_client.client, net.w.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/{referral.id}/withdraw", data={"wd-note": NOTE}
    )
    assert response.status_code == 302
    assert reload(referral.id).status == "rejected"
