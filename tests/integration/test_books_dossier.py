"""Issue 13 in the bank dossier: SAK EMKM statements with the consent that names them, the
verified documents' scans for the consented bank only (SIKP item 5), and the lead's
referral form asking about other credit by kind, as the member's consent form does."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db as _db
from marketplace.ledger.models import LedgerEntry
from referrals.models import ConsentReceipt, Referral
from referrals.services import CONSENT_VERSION, consent_text, dossier, withdraw_consent
from referrals.services.tokens import issue_token
from tests.factories import make_bank, make_document, make_officer, make_referral


@pytest.fixture
def net(db, world):
    bank_x = make_bank(slug="bank-x", name="Bank X", chapters=[world.tebet, world.cakung])
    bank_y = make_bank(slug="bank-y", name="Bank Y", chapters=[world.tebet, world.cakung])
    referral = make_referral(business=world.biz_tebet, bank=bank_x, lead=world.lead_tebet)
    receipt = referral.consents[0]
    receipt.text_version = CONSENT_VERSION  # given under the text that names scans
    _, token_x = issue_token(bank_x, "test")
    _, token_y = issue_token(bank_y, "test")
    db.session.commit()
    return SimpleNamespace(
        w=world,
        bank_x=bank_x,
        bank_y=bank_y,
        officer_x=make_officer(bank=bank_x),
        officer_y=make_officer(bank=bank_y),
        referral=referral,
        token_x=token_x,
        token_y=token_y,
        nib=make_document(business=world.biz_tebet, kind="nib", status="verified"),
    )


def portal_file(bank, referral, doc) -> str:
    return f"/bank/{bank.slug}/referrals/{referral.id}/documents/{doc.id}/file"


def api_file(referral, doc) -> str:
    return f"/api/v1/bank/referrals/{referral.id}/documents/{doc.id}/file"


def bearer(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- statements in the dossier ---------------------------------------------------------------


def test_dossier_carries_balanced_sak_emkm_statements_for_the_last_12_months(net, db):
    today = jakarta_today()
    biz = net.w.biz_tebet
    db.session.add_all(
        [
            LedgerEntry(
                business_id=biz.id,
                kind="owner_capital",
                category="owner_capital",
                amount_idr=3_000_000,
                occurred_on=today - timedelta(days=700),  # before the period: opening equity
            ),
            LedgerEntry(
                business_id=biz.id,
                kind="manual_income",
                category="penjualan_offline",
                amount_idr=800_000,
                occurred_on=today,
            ),
            LedgerEntry(
                business_id=biz.id,
                kind="owner_withdrawal",
                category="owner_withdrawal",
                amount_idr=100_000,
                occurred_on=today,
            ),
        ]
    )
    db.session.commit()
    built = dossier.build(net.referral)
    st = built["statements"]
    assert st["standard"] == "SAK EMKM"
    first = today.replace(day=1)
    index = first.year * 12 + first.month - 1 - 11
    assert st["period"] == {
        "start": date(index // 12, index % 12 + 1, 1).isoformat(),
        "end": today.isoformat(),
    }
    assert st["profit_and_loss"]["profit_idr"] == 800_000
    position = st["financial_position"]
    assert position["equity_idr"] == {
        "opening": 3_000_000,
        "capital_added": 0,
        "profit": 800_000,
        "prive": 100_000,
        "closing": 3_700_000,
    }
    assert position["total_assets_idr"] == position["total_liabilities_and_equity_idr"]
    assert position["assets_idr"]["cash"] == 3_700_000
    # The monthly table is read from the same rows.
    assert built["books"][-1]["self_recorded_sales_idr"] == 800_000


def test_bank_sees_the_statements_on_the_dossier_page_and_in_the_api(
    net, csrf_client, login_as, client
):
    login_as(csrf_client.client, net.officer_x)
    page = csrf_client.get(f"/bank/bank-x/referrals/{net.referral.id}").get_data(as_text=True)
    assert "Laporan keuangan SAK EMKM" in page
    assert "Laporan posisi keuangan" in page
    assert "Catatan atas laporan keuangan" in page
    body = client.get(
        f"/api/v1/bank/referrals/{net.referral.id}", headers=bearer(net.token_x)
    ).get_json()
    assert body["dossier"]["statements"]["standard"] == "SAK EMKM"
    assert body["dossier"]["legality"][0]["document_id"] == net.nib.id


def test_a_consent_under_the_old_text_keeps_its_receipt_and_shows_no_statements(net, db):
    receipt = net.referral.consents[0]
    receipt.text_version = "2026-12-v3"
    receipt.text = "Versi 2026-12-v3\nPenerima data: Bank X"
    db.session.commit()
    built = dossier.build(net.referral)
    assert built["statements"] is None
    assert built["legality"][0]["file_mime"] is None
    # The bumped version is a new text; the old receipt keeps its own, word for word.
    text, _digest = consent_text(net.referral)
    assert text.startswith(f"Versi {CONSENT_VERSION}")
    assert "Laporan keuangan SAK EMKM" in text
    assert "salinan pindaiannya" in text
    _db.session.expire_all()
    assert _db.session.get(ConsentReceipt, receipt.id).text == (
        "Versi 2026-12-v3\nPenerima data: Bank X"
    )


# --- scans: the consented bank only ----------------------------------------------------------


def test_consented_banks_officer_downloads_a_verified_scan_as_an_attachment(
    net, csrf_client, login_as
):
    login_as(csrf_client.client, net.officer_x)
    page = csrf_client.get(f"/bank/bank-x/referrals/{net.referral.id}").get_data(as_text=True)
    assert portal_file(net.bank_x, net.referral, net.nib) in page
    response = csrf_client.get(portal_file(net.bank_x, net.referral, net.nib))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF")


def test_scan_is_404_for_another_bank_through_portal_and_api(net, csrf_client, login_as, client):
    login_as(csrf_client.client, net.officer_y)
    assert csrf_client.get(portal_file(net.bank_y, net.referral, net.nib)).status_code == 404
    assert csrf_client.get(portal_file(net.bank_x, net.referral, net.nib)).status_code == 404
    response = client.get(api_file(net.referral, net.nib), headers=bearer(net.token_y))
    assert response.status_code == 404
    ok = client.get(api_file(net.referral, net.nib), headers=bearer(net.token_x))
    assert ok.status_code == 200
    assert ok.headers["Content-Disposition"].startswith("attachment")


def test_scan_is_404_after_the_member_withdraws_consent(net, csrf_client, login_as, client, db):
    withdraw_consent(net.w.biz_tebet.owner, db.session.get(Referral, net.referral.id))
    db.session.commit()
    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(portal_file(net.bank_x, net.referral, net.nib)).status_code == 404
    response = client.get(api_file(net.referral, net.nib), headers=bearer(net.token_x))
    assert response.status_code == 404


@pytest.mark.parametrize("status", ["submitted", "rejected"])
def test_scan_of_an_unverified_document_is_404(net, csrf_client, login_as, status):
    doc = make_document(business=net.w.biz_tebet, kind="pirt", status=status)
    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(portal_file(net.bank_x, net.referral, doc)).status_code == 404


def test_scan_of_another_members_document_is_404(net, csrf_client, login_as):
    other = make_document(business=net.w.biz_cakung, kind="nib", status="verified")
    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(portal_file(net.bank_x, net.referral, other)).status_code == 404


def test_scan_under_a_consent_that_did_not_name_scans_is_404(net, csrf_client, login_as, db):
    net.referral.consents[0].text_version = "2026-12-v3"
    db.session.commit()
    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(portal_file(net.bank_x, net.referral, net.nib)).status_code == 404


# --- the lead's referral form ----------------------------------------------------------------


def test_lead_declares_the_members_other_credit_by_kind(net, csrf_client, login_as, db):
    biz = net.w.biz_cakung
    login_as(csrf_client.client, net.w.lead_cakung)
    form = csrf_client.get(f"/lead/cakung/referrals/members/{biz.id}/new").get_data(as_text=True)
    assert "Kredit pemilikan rumah (KPR)" in form
    assert "KUR di bank lain" in form
    response = csrf_client.post(
        f"/lead/cakung/referrals/members/{biz.id}/new",
        data={
            "bank_id": net.bank_y.id,
            "scheme": "mikro",
            "variant": "konvensional",
            "amount_idr": "25000000",
            "tenor_months": "24",
            "purpose_kind": "kmk",
            "purpose": "Membeli oven kedua agar produksi kue naik",
            "credit_held": ["kpr", "credit_card"],
            "no_other_credit": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.scalar(select(Referral).where(Referral.business_id == biz.id))
    assert referral.credit_held == ["credit_card", "kpr"]
    assert referral.no_other_credit is True


def test_lead_form_refuses_an_unknown_kind_of_credit(net, csrf_client, login_as, db):
    biz = net.w.biz_cakung
    login_as(csrf_client.client, net.w.lead_cakung)
    response = csrf_client.post(
        f"/lead/cakung/referrals/members/{biz.id}/new",
        data={
            "bank_id": net.bank_y.id,
            "scheme": "mikro",
            "variant": "konvensional",
            "amount_idr": "25000000",
            "tenor_months": "24",
            "purpose_kind": "kmk",
            "purpose": "Membeli oven kedua agar produksi kue naik",
            "credit_held": ["arisan"],
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Referral).where(Referral.business_id == biz.id)) is None
