"""Journey 4 through the web: a lead opens a KUR referral, the member consents, the lead
endorses, a partner bank decides. With the pre-screen rules at their boundaries, the quota,
consent withdrawal, the cross-bank route matrix (QUALITY 2 and 3), the referral state
machine (QUALITY 23), function-level roles (QUALITY 5), bank administration, and the
dossier's figures and statement count.

Every universe has two chapters (Tebet, Cakung) and two banks (Nusantara, Sejahtera).
"""

import logging
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Kelurahan
from marketplace.core.errors import IllegalTransition, ValidationFailed
from marketplace.core.labels import status_label
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.extensions import db as _db
from marketplace.ledger.models import LedgerEntry
from marketplace.notifications.models import Notification
from marketplace.orders.models import Checkout, Order
from referrals import services
from referrals.models import (
    REJECT_REASONS,
    Bank,
    BankOfficer,
    ConsentReceipt,
    KurScheme,
    Referral,
    ReferralEvent,
)
from referrals.services import dossier
from referrals.services.eligibility import DISCLAIMER, pre_screen
from tests.factories import (
    make_attendance,
    make_bank,
    make_business,
    make_document,
    make_lead,
    make_officer,
    make_ready_member,
    make_referral,
    make_session,
    make_user,
)


def nik_of(business) -> str:
    """The business's full NIK (each factory business has its own: one NIK, one business)."""
    from marketplace.core.crypto import decrypt_text

    return decrypt_text(business.nik_encrypted)


def all_niks() -> list[str]:
    return [nik_of(b) for b in _db.session.scalars(select(Business))]


STATES = (
    "draft",
    "consented",
    "sent",
    "acknowledged",
    "under_review",
    "info_requested",
    "approved",
    "rejected",
    "disbursed",
    "withdrawn",
)
ACTIONS = sorted({action for _state, action in Referral.TRANSITIONS})


@pytest.fixture
def net(world):
    """The shared world plus two banks serving both chapters, one officer each."""
    bank_x = make_bank(
        slug="bank-nusantara",
        name="Bank Nusantara",
        chapters=[world.tebet, world.cakung],
        sharia=True,
    )
    bank_y = make_bank(
        slug="bank-sejahtera",
        name="Bank Sejahtera",
        chapters=[world.tebet, world.cakung],
        schemes=("super_mikro", "mikro"),
    )
    return SimpleNamespace(
        w=world,
        bank_x=bank_x,
        bank_y=bank_y,
        officer_x=make_officer(bank=bank_x),
        officer_y=make_officer(bank=bank_y),
    )


def referral_id_from(response) -> int:
    return int(re.search(r"/referrals/(\d+)$", response.headers["Location"]).group(1))


def events_of(referral_id) -> list[ReferralEvent]:
    return list(
        _db.session.scalars(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral_id)
            .order_by(ReferralEvent.seq)
        )
    )


def reload(referral_id) -> Referral:
    _db.session.expire_all()
    return _db.session.get(Referral, referral_id)


def consented_referral(net, business, *, lead=None, bank=None, amount_idr=25_000_000):
    """A consented referral (with the member's self-declaration), ready to be sent."""
    referral = make_referral(
        business=business,
        bank=bank or net.bank_x,
        lead=lead or net.w.lead_tebet,
        status="consented",
        amount_idr=amount_idr,
    )
    referral.no_other_credit = True
    _db.session.commit()
    return referral


# --- journey 4, end to end ----------------------------------------------------------------


def test_journey_lead_opens_member_consents_lead_endorses_bank_decides(net, csrf_client, login_as):
    w, biz = net.w, net.w.biz_tebet
    make_ready_member(business=biz, lead=w.lead_tebet)

    # The lead opens a draft referral for the member.
    login_as(csrf_client.client, w.lead_tebet)
    form = csrf_client.get(f"/lead/tebet/referrals/new?member={biz.id}")
    assert form.status_code == 200
    assert "Bank Nusantara" in form.get_data(as_text=True)
    response = csrf_client.post(
        f"/lead/tebet/referrals/members/{biz.id}/new",
        data={
            "bank_id": net.bank_x.id,
            "scheme": "mikro",
            "variant": "konvensional",
            "amount_idr": "Rp25.000.000",
            "tenor_months": "24",
            "purpose": "Membeli oven kedua agar produksi kue naik dua kali lipat",
        },
    )
    assert response.status_code == 302
    rid = referral_id_from(response)
    referral = reload(rid)
    assert (referral.status, referral.amount_idr, referral.lead_id) == (
        "draft",
        25_000_000,
        w.lead_tebet.id,
    )
    lead_page = csrf_client.get(f"/lead/tebet/referrals/{rid}").get_data(as_text=True)
    assert "Menunggu persetujuan anggota" in lead_page
    assert "disabled" in lead_page  # no endorsing before consent

    # The member reads the consent screen: bank, purpose, fields, retention, controller.
    login_as(csrf_client.client, biz.owner)
    page = csrf_client.get(f"/business/referrals/{rid}").get_data(as_text=True)
    text, digest = services.consent_text(referral)
    for expected in (
        "Bank Nusantara",
        "Pra-penilaian dan pengajuan KUR",
        f"{services.RETENTION_DAYS} hari",
        "pengendali data sendiri",
        "Saya setuju, kirim data ke Bank Nusantara",
        *(str(f) for f in services.SHARED_FIELDS),
    ):
        assert expected in page
    assert text.splitlines()[-1] in page
    agree = re.search(r'<input[^>]*name="agree"[^>]*>', page).group(0)
    assert "checked" not in agree

    # An unticked box is no consent: 400 and nothing changes.
    refused = csrf_client.post(f"/business/referrals/{rid}/consent", data={"no_other_credit": "y"})
    assert refused.status_code == 400
    assert "Centang kotak persetujuan" in refused.get_data(as_text=True)
    assert reload(rid).status == "draft"
    assert _db.session.scalar(select(func.count(ConsentReceipt.id))) == 0
    assert events_of(rid) == []

    given = csrf_client.post(
        f"/business/referrals/{rid}/consent", data={"agree": "y", "no_other_credit": "y"}
    )
    assert given.status_code == 302
    referral = reload(rid)
    assert referral.status == "consented"
    assert referral.no_other_credit is True
    receipt = referral.active_consent
    assert (receipt.user_id, receipt.bank_id, receipt.ip, receipt.text_hash) == (
        biz.owner_id,
        net.bank_x.id,
        "127.0.0.1",
        digest,
    )

    # The lead endorses and sends; the bank's officers are told.
    login_as(csrf_client.client, w.lead_tebet)
    sent = csrf_client.post(
        f"/lead/tebet/referrals/{rid}/send",
        data={
            "recommendation": "Rajin hadir pendampingan, buku kas rapi, penjualan naik tiap bulan."
        },
    )
    assert sent.status_code == 302
    assert reload(rid).status == "sent"
    assert (
        _db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == net.officer_x.id, Notification.kind == "referral_sent"
            )
        )
        == 1
    )

    # The bank officer sees it in the inbox and opens the dossier, full NIK included.
    login_as(csrf_client.client, net.officer_x)
    inbox = csrf_client.get("/bank/bank-nusantara/").get_data(as_text=True)
    assert f"/bank/bank-nusantara/referrals/{rid}" in inbox
    dossier_page = csrf_client.get(f"/bank/bank-nusantara/referrals/{rid}")
    assert dossier_page.status_code == 200
    assert nik_of(reload(rid).business) in dossier_page.get_data(as_text=True)
    portal = f"/bank/bank-nusantara/referrals/{rid}"
    assert csrf_client.post(f"{portal}/acknowledge", data={"ack-note": ""}).status_code == 302
    assert reload(rid).status == "acknowledged"
    assert (
        csrf_client.post(
            f"{portal}/request-info", data={"info-note": "Mohon kirim foto tempat produksi."}
        ).status_code
        == 302
    )
    assert reload(rid).status == "info_requested"

    # The member sees the question and answers it.
    login_as(csrf_client.client, biz.owner)
    page = csrf_client.get(f"/business/referrals/{rid}").get_data(as_text=True)
    assert "Mohon kirim foto tempat produksi." in page
    assert (
        csrf_client.post(
            f"/business/referrals/{rid}/answer",
            data={"answer": "Foto sudah saya titipkan ke pengurus chapter."},
        ).status_code
        == 302
    )
    assert reload(rid).status == "under_review"

    # The bank approves (amount, tenor, rate in percent), checks the summary, confirms,
    # and disburses.
    login_as(csrf_client.client, net.officer_x)
    terms = {
        "appr-amount_idr": "20.000.000",
        "appr-tenor_months": "18",
        "appr-rate_percent": "6",
        "appr-note": "Selamat, silakan datang ke cabang Tebet.",
    }
    summary = csrf_client.post(f"{portal}/approve", data=terms)
    assert summary.status_code == 200
    assert "Rp20.000.000" in summary.get_data(as_text=True)
    assert reload(rid).status == "under_review"
    approved = csrf_client.post(f"{portal}/approve", data={**terms, "appr-confirmed": "1"})
    assert approved.status_code == 302
    referral = reload(rid)
    assert (
        referral.status,
        referral.approved_amount_idr,
        referral.approved_tenor_months,
        referral.approved_rate_bp,
    ) == ("approved", 20_000_000, 18, 600)
    assert (
        csrf_client.post(
            f"{portal}/disburse", data={"disb-note": "Dana cair ke rekening usaha."}
        ).status_code
        == 302
    )
    assert reload(rid).status == "disbursed"

    # Every step is recorded, and the member and the lead see each status and note.
    assert [e.to_status for e in events_of(rid)] == [
        "consented",
        "sent",
        "acknowledged",
        "info_requested",
        "under_review",
        "approved",
        "disbursed",
    ]
    notes = (
        "Mohon kirim foto tempat produksi.",
        "Foto sudah saya titipkan ke pengurus chapter.",
        "Selamat, silakan datang ke cabang Tebet.",
        "Dana cair ke rekening usaha.",
    )
    for who, url in (
        (biz.owner, f"/business/referrals/{rid}"),
        (w.lead_tebet, f"/lead/tebet/referrals/{rid}"),
    ):
        login_as(csrf_client.client, who)
        page = csrf_client.get(url).get_data(as_text=True)
        for state in (
            "consented",
            "sent",
            "acknowledged",
            "info_requested",
            "under_review",
            "approved",
            "disbursed",
        ):
            assert status_label(state) in page, (who, state)
        for note in notes:
            assert note in page
        assert "Rp20.000.000" in page
        assert "6,00%" in page


def test_rejection_reason_reaches_the_member_in_plain_words(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="acknowledged"
    )
    login_as(csrf_client.client, net.officer_x)
    response = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/reject",
        data={
            "rej-reason": "dokumen_tidak_lengkap",
            "rej-note": "Lengkapi laporan keuangan.",
            "confirm": "1",  # the check-your-answers step's confirming POST
        },
    )
    assert response.status_code == 302
    assert reload(referral.id).reject_reason == "dokumen_tidak_lengkap"
    login_as(csrf_client.client, net.w.biz_tebet.owner)
    page = csrf_client.get(f"/business/referrals/{referral.id}").get_data(as_text=True)
    assert "Dokumen belum lengkap" in page
    assert "Lengkapi laporan keuangan." in page


def test_bank_refuses_a_reason_that_is_not_on_the_list_and_nothing_changes(
    net, csrf_client, login_as
):
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="acknowledged"
    )
    login_as(csrf_client.client, net.officer_x)
    response = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/reject", data={"rej-reason": "tidak_suka"}
    )
    assert response.status_code == 400
    assert reload(referral.id).status == "acknowledged"
    assert events_of(referral.id) == []


def test_approval_above_the_requested_amount_is_refused_plainly(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="acknowledged",
        amount_idr=10_000_000,
    )
    login_as(csrf_client.client, net.officer_x)
    response = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/approve",
        data={"appr-amount_idr": "10.000.001", "appr-tenor_months": "12", "appr-rate_percent": "6"},
    )
    assert response.status_code == 400
    assert "melebihi yang diajukan" in response.get_data(as_text=True)
    assert reload(referral.id).status == "acknowledged"


def test_rate_in_percent_becomes_basis_points(net, csrf_client, login_as):
    # Issue 12: the rate must equal the scheme's (6 % for KUR Mikro 2026), so "6,125"
    # (613 bp) is now refused; the half-up rounding is the parser's (test_numbers.py).
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="under_review"
    )
    login_as(csrf_client.client, net.officer_x)
    csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/approve",
        data={
            "appr-amount_idr": "25000000",
            "appr-tenor_months": "24",
            "appr-rate_percent": "6,00 %",
            "appr-confirmed": "1",
        },
    )
    assert reload(referral.id).approved_rate_bp == 600


# --- the pre-screen, rule by rule, at each boundary -------------------------------------


def rule(screen, key):
    return next(r for r in screen.rules if r.key == key)


def screen_of(
    business, *, scheme="mikro", amount=25_000_000, no_other_credit=True, today=None, exclude=None
):
    return pre_screen(
        business,
        scheme_code=scheme,
        amount_idr=amount,
        no_other_credit=no_other_credit,
        today=today,
        exclude_referral_id=exclude,
    )


@pytest.fixture
def ready(net):
    return make_ready_member(business=net.w.biz_tebet, lead=net.w.lead_tebet)


def test_a_ready_member_passes_every_rule_with_a_plain_reason(ready):
    screen = screen_of(ready)
    assert screen.passed
    # Issue 13 added age, platform KUR and the notes (collateral); tenor needs a tenor.
    assert {r.key for r in screen.rules} == {
        "nib",
        "active_6_months",
        "age_or_married",
        "books",
        "mentoring",
        "amount",
        "npwp",
        "no_open_referral",
        "no_other_credit",
        "platform_kur",
        "collateral",
    }
    assert all(str(r.reason) for r in screen.rules)


def test_nib_must_be_verified_not_only_submitted(net):
    biz = net.w.biz_cakung
    make_document(business=biz, kind="nib", status="submitted")
    assert not rule(screen_of(biz), "nib").passed
    make_document(business=biz, kind="nib", status="verified")
    assert rule(screen_of(biz), "nib").passed


@pytest.mark.parametrize(
    ("started", "passes"), [(date(2025, 9, 1), True), (date(2025, 9, 2), False)]
)
def test_business_must_have_run_six_calendar_months(ready, started, passes):
    ready.started_on = started
    _db.session.commit()
    assert rule(screen_of(ready, today=date(2026, 3, 1)), "active_6_months").passed is passes


def test_super_mikro_accepts_a_young_business_that_follows_mentoring(net):
    biz = net.w.biz_cakung
    biz.started_on = jakarta_today() - timedelta(days=30)
    _db.session.commit()
    young = rule(screen_of(biz, scheme="super_mikro", amount=5_000_000), "active_6_months")
    assert not young.passed
    assert "Super Mikro" in str(young.reason)
    assert not rule(screen_of(biz, scheme="mikro"), "active_6_months").passed
    session = make_session(chapter=net.w.cakung, lead=net.w.lead_cakung, days_from_now=-10)
    make_attendance(session=session, business=biz, lead=net.w.lead_cakung)
    assert rule(screen_of(biz, scheme="super_mikro", amount=5_000_000), "active_6_months").passed
    assert not rule(screen_of(biz, scheme="mikro"), "active_6_months").passed


def test_books_must_cover_each_of_the_last_three_complete_months(net):
    two = make_ready_member(business=net.w.biz_cakung, lead=net.w.lead_cakung, books_months=2)
    assert not rule(screen_of(two), "books").passed
    three = make_ready_member(business=net.w.biz_tebet, lead=net.w.lead_tebet, books_months=3)
    assert rule(screen_of(three), "books").passed


def test_mentoring_needs_the_chapters_number_of_sessions_within_90_days(net):
    biz, lead = net.w.biz_tebet, net.w.lead_tebet
    required = net.w.tebet.mentoring_sessions_required
    make_ready_member(business=biz, lead=lead, sessions=required - 1)
    old = make_session(chapter=net.w.tebet, lead=lead, days_from_now=-92)
    make_attendance(session=old, business=biz, lead=lead)
    assert not rule(screen_of(biz), "mentoring").passed  # N-1 recent, one too old
    recent = make_session(chapter=net.w.tebet, lead=lead, days_from_now=-88)
    make_attendance(session=recent, business=biz, lead=lead)
    assert rule(screen_of(biz), "mentoring").passed


@pytest.mark.parametrize(
    ("scheme", "amount", "passes"),
    [
        ("mikro", 10_000_001, True),  # KUR Mikro minimum
        ("mikro", 10_000_000, False),
        ("mikro", 100_000_000, True),  # maximum
        ("mikro", 100_000_001, False),
        ("super_mikro", 10_000_000, True),
        ("super_mikro", 10_000_001, False),
    ],
)
def test_amount_must_be_within_the_schemes_limits(ready, scheme, amount, passes):
    ready.npwp = "0123456789012345"
    _db.session.commit()
    assert rule(screen_of(ready, scheme=scheme, amount=amount), "amount").passed is passes


@pytest.mark.parametrize(
    ("amount", "npwp", "passes"),
    [
        (50_000_000, None, True),
        (50_000_001, None, False),
        (50_000_001, "0123456789012345", True),
    ],
)
def test_npwp_is_needed_above_rp50_juta(ready, amount, npwp, passes):
    ready.npwp = npwp
    _db.session.commit()
    assert rule(screen_of(ready, amount=amount), "npwp").passed is passes


@pytest.mark.parametrize(
    ("other", "passes"),
    # A draft is the lead's preparation only: two drafts to two banks do not block.
    [
        ("sent", False),
        ("consented", False),
        ("draft", True),
        ("withdrawn", True),
        ("rejected", True),
    ],
)
def test_another_open_referral_blocks_a_new_one(net, ready, other, passes):
    make_referral(business=ready, bank=net.bank_y, lead=net.w.lead_tebet, status=other)
    mine = make_referral(business=ready, bank=net.bank_x, lead=net.w.lead_tebet, status="consented")
    assert rule(screen_of(ready, exclude=mine.id), "no_open_referral").passed is passes


def test_member_must_declare_no_other_productive_credit(ready):
    assert not rule(screen_of(ready, no_other_credit=False), "no_other_credit").passed


def test_lead_page_explains_each_rule_and_says_it_is_not_a_credit_decision(
    net, csrf_client, login_as
):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    login_as(csrf_client.client, net.w.lead_tebet)
    page = csrf_client.get(f"/lead/tebet/referrals/{referral.id}").get_data(as_text=True)
    assert "pra-penilaian, bukan keputusan kredit" in page
    assert str(DISCLAIMER) in page
    screen = screen_of(net.w.biz_tebet, no_other_credit=False, exclude=referral.id)
    for r in screen.rules:
        assert f'data-rule="{r.key}"' in page
        assert str(r.reason) in page


def test_send_is_refused_plainly_when_the_pre_screen_fails(net, csrf_client, login_as):
    referral = consented_referral(net, net.w.biz_tebet)  # no NIB, no books, no sessions
    login_as(csrf_client.client, net.w.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/{referral.id}/send",
        data={"recommendation": "Anggota ini rajin dan jujur, saya kenal sejak lama."},
    )
    assert response.status_code == 400
    assert "Pra-penilaian belum lolos" in response.get_data(as_text=True)
    assert reload(referral.id).status == "consented"
    assert events_of(referral.id) == []


def test_send_before_consent_is_an_illegal_transition(net, csrf_client, login_as):
    make_ready_member(business=net.w.biz_tebet, lead=net.w.lead_tebet)
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    login_as(csrf_client.client, net.w.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/{referral.id}/send",
        data={"recommendation": "Anggota ini rajin dan jujur, saya kenal sejak lama."},
    )
    assert response.status_code == 409
    assert "setelah anggota memberi persetujuan" in response.get_data(as_text=True)
    assert reload(referral.id).status == "draft"


# --- the lead's limits ---------------------------------------------------------------------


def test_lead_cannot_open_a_referral_for_their_own_business(net, csrf_client, login_as):
    own = make_business(chapter=net.w.tebet, owner=net.w.lead_tebet, name="Warung Pengurus")
    login_as(csrf_client.client, net.w.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/members/{own.id}/new",
        data={
            "bank_id": net.bank_x.id,
            "scheme": "mikro",
            "variant": "konvensional",
            "amount_idr": "25000000",
            "tenor_months": "24",
            "purpose": "Modal kerja untuk bahan baku warung",
        },
    )
    assert response.status_code == 403
    assert "tidak boleh merekomendasikan usahanya sendiri" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Referral.id))) == 0


def test_lead_cannot_endorse_their_own_business_opened_by_another_lead(net, csrf_client, login_as):
    own = make_business(chapter=net.w.tebet, owner=net.w.lead_tebet, name="Warung Pengurus")
    make_ready_member(business=own, lead=net.w.lead_tebet)
    other_lead = make_lead(chapter=net.w.tebet)
    referral = consented_referral(net, own, lead=other_lead)
    login_as(csrf_client.client, net.w.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/{referral.id}/send",
        data={"recommendation": "Usaha saya sendiri, tapi sungguh sudah siap untuk KUR."},
    )
    assert response.status_code == 403
    assert reload(referral.id).status == "consented"
    login_as(csrf_client.client, other_lead)
    assert (
        csrf_client.post(
            f"/lead/tebet/referrals/{referral.id}/send",
            data={"recommendation": "Saya kenal usaha ini, buku kasnya rapi dan rajin hadir."},
        ).status_code
        == 302
    )


@pytest.mark.parametrize("app_config", [{"REFERRAL_BASE_QUOTA": 1}], indirect=True)
def test_quota_refuses_the_second_endorsement_in_a_month(net, csrf_client, login_as):
    second_member = make_business(chapter=net.w.tebet, name="Sambal Bu Rini")
    first = consented_referral(
        net, make_ready_member(business=net.w.biz_tebet, lead=net.w.lead_tebet)
    )
    second = consented_referral(
        net, make_ready_member(business=second_member, lead=net.w.lead_tebet)
    )
    login_as(csrf_client.client, net.w.lead_tebet)
    assert "0 dari 1" in csrf_client.get("/lead/tebet/referrals/").get_data(as_text=True)
    recommendation = {"recommendation": "Buku kas rapi, hadir semua sesi, siap untuk KUR."}
    assert (
        csrf_client.post(f"/lead/tebet/referrals/{first.id}/send", data=recommendation).status_code
        == 302
    )
    refused = csrf_client.post(f"/lead/tebet/referrals/{second.id}/send", data=recommendation)
    assert refused.status_code == 400
    assert "Kuota rekomendasi Anda bulan ini sudah habis (1)" in refused.get_data(as_text=True)
    assert reload(second.id).status == "consented"
    assert "1 dari 1" in csrf_client.get("/lead/tebet/referrals/").get_data(as_text=True)


def test_lead_list_flags_referrals_not_acknowledged_within_three_working_days(
    net, csrf_client, login_as
):
    late = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="sent"
    )
    late.sent_at = utcnow() - timedelta(days=6)  # six days always hold three working days
    _db.session.commit()
    fresh = make_referral(
        business=make_business(chapter=net.w.tebet, name="Kopi Pak Dedi"),
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="sent",
    )
    fresh.sent_at = utcnow()
    _db.session.commit()
    login_as(csrf_client.client, net.w.lead_tebet)
    page = csrf_client.get("/lead/tebet/referrals/").get_data(as_text=True)
    assert page.count("Terlambat: belum diterima bank") == 1
    login_as(csrf_client.client, net.officer_x)
    inbox = csrf_client.get("/bank/bank-nusantara/").get_data(as_text=True)
    assert inbox.count("Lewat 3 hari kerja") == 1


def test_lead_withdraws_a_referral_and_the_bank_is_told(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="sent"
    )
    login_as(csrf_client.client, net.w.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/{referral.id}/withdraw",
        data={"wd-note": "Anggota memilih bank lain.", "confirm": "1"},
    )
    assert response.status_code == 302
    assert reload(referral.id).status == "withdrawn"
    assert events_of(referral.id)[-1].role == "lead"
    assert _db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == net.officer_x.id, Notification.kind == "consent_withdrawn"
        )
    )


def test_returns_404_if_lead_opens_a_referral_of_another_chapter(
    net, csrf_client, login_as, caplog
):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    login_as(csrf_client.client, net.w.lead_cakung)
    with caplog.at_level(logging.WARNING, logger="pasarkita.security"):
        assert csrf_client.get(f"/lead/cakung/referrals/{referral.id}").status_code == 404
        assert (
            csrf_client.post(f"/lead/cakung/referrals/{referral.id}/withdraw", data={}).status_code
            == 404
        )
    assert reload(referral.id).status == "draft"
    assert any("authz_denied" in r.getMessage() for r in caplog.records)
    page = csrf_client.get("/lead/cakung/referrals/").get_data(as_text=True)
    assert net.w.biz_tebet.name not in page


# --- the member's consent and its withdrawal -------------------------------------------------


def test_returns_404_if_member_opens_another_members_referral(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    login_as(csrf_client.client, net.w.biz_cakung.owner)
    assert csrf_client.get(f"/business/referrals/{referral.id}").status_code == 404
    assert (
        csrf_client.post(
            f"/business/referrals/{referral.id}/consent", data={"agree": "y"}
        ).status_code
        == 404
    )
    assert reload(referral.id).status == "draft"


def test_consent_withdrawal_cuts_the_bank_off_at_once_and_tells_it(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="acknowledged"
    )
    portal = f"/bank/bank-nusantara/referrals/{referral.id}"
    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(portal).status_code == 200

    login_as(csrf_client.client, net.w.biz_tebet.owner)
    confirm = csrf_client.get(f"/business/referrals/{referral.id}/withdraw-consent")
    assert "Ya, tarik persetujuan saya" in confirm.get_data(as_text=True)
    assert reload(referral.id).active_consent is not None  # asking changes nothing
    assert (
        csrf_client.post(f"/business/referrals/{referral.id}/withdraw-consent", data={}).status_code
        == 302
    )
    referral = reload(referral.id)
    assert referral.status == "withdrawn"
    assert referral.active_consent is None

    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(portal).status_code == 404
    assert csrf_client.post(f"{portal}/request-info", data={"info-note": "x"}).status_code == 404
    inbox = csrf_client.get("/bank/bank-nusantara/").get_data(as_text=True)
    assert f"/referrals/{referral.id}" not in inbox
    note = _db.session.scalar(
        select(Notification).where(
            Notification.user_id == net.officer_x.id, Notification.kind == "consent_withdrawn"
        )
    )
    assert note is not None
    from marketplace.mentoring.models import OutboxEmail

    assert (
        _db.session.scalar(
            select(func.count(OutboxEmail.id)).where(OutboxEmail.to == net.officer_x.email)
        )
        == 1
    )


def test_consent_withdrawn_after_approval_still_closes_the_dossier(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="approved"
    )
    login_as(csrf_client.client, net.w.biz_tebet.owner)
    csrf_client.post(f"/business/referrals/{referral.id}/withdraw-consent", data={})
    assert reload(referral.id).status == "approved"
    login_as(csrf_client.client, net.officer_x)
    assert csrf_client.get(f"/bank/bank-nusantara/referrals/{referral.id}").status_code == 404


def test_member_can_decline_a_draft_and_nothing_is_shared(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    login_as(csrf_client.client, net.w.biz_tebet.owner)
    assert (
        csrf_client.post(f"/business/referrals/{referral.id}/decline", data={}).status_code == 302
    )
    assert reload(referral.id).status == "withdrawn"
    assert _db.session.scalar(select(func.count(ConsentReceipt.id))) == 0


def test_members_list_shows_only_their_referrals(net, csrf_client, login_as):
    mine = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    theirs = make_referral(
        business=net.w.biz_cakung, bank=net.bank_y, lead=net.w.lead_cakung, status="sent"
    )
    login_as(csrf_client.client, net.w.biz_tebet.owner)
    page = csrf_client.get("/business/referrals/").get_data(as_text=True)
    assert f"/business/referrals/{mine.id}" in page
    assert f"/business/referrals/{theirs.id}" not in page
    assert "Perlu persetujuan Anda" in page


# --- the cross-bank matrix (QUALITY 2 and 3) ---------------------------------------------

# The status each route needs to act, so that a missing scope check would show as success.
ROUTE_STATUS = {
    "bank_portal.inbox": None,
    "bank_portal.referral": "sent",
    "bank_portal.acknowledge": "sent",
    "bank_portal.request_info": "acknowledged",
    "bank_portal.approve": "acknowledged",
    "bank_portal.reject": "acknowledged",
    "bank_portal.disburse": "approved",
    "bank_portal.export": None,
    "bank_portal.assign": "sent",
    "bank_portal.document_file": "sent",  # with a verified scan (route_args)
}
ACTION_DATA = {
    "ack-note": "ok",
    "info-note": "Mohon foto usaha.",
    # Inside KUR Mikro and the requested 25 000 000, confirmed (the second step records).
    "appr-amount_idr": "25000000",
    "appr-tenor_months": "12",
    "appr-rate_percent": "6",
    "appr-confirmed": "1",
    "appr-note": "ok",
    "rej-reason": "lainnya",
    "rej-note": "x",
    "confirm": "1",  # the rejection's check-your-answers step, confirmed
    "disb-note": "ok",
}


def portal_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/bank/<bank_slug>")]


def route_args(endpoint, net, bank):
    """URL arguments aimed at ``bank``'s objects (a fresh referral in the right status)."""
    status = ROUTE_STATUS[endpoint]
    if status is None:
        return {}
    owner = make_business(chapter=net.w.cakung, name=f"Usaha {bank.slug} {status}")
    referral = make_referral(business=owner, bank=bank, lead=net.w.lead_cakung, status=status)
    if endpoint == "bank_portal.document_file":
        from referrals.services import CONSENT_VERSION

        referral.consents[0].text_version = CONSENT_VERSION  # a consent that names scans
        _db.session.commit()
        return {"referral_id": referral.id, "document_id": make_document(business=owner).id}
    return {"referral_id": referral.id}


def table_counts() -> dict[str, int]:
    return {
        t.name: _db.session.scalar(select(func.count()).select_from(t))
        for t in _db.metadata.sorted_tables
        if t.name != "audit_event"
    }


def test_every_bank_portal_route_is_covered(app):
    missing = sorted({r.endpoint for r in portal_rules(app)} - set(ROUTE_STATUS))
    assert not missing, f"add these bank portal routes to ROUTE_STATUS: {missing}"


def _portal_cases():
    from tests.conftest import build_app

    for rule in portal_rules(build_app("sqlite://")):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield pytest.param(rule.endpoint, method, id=f"{method} {rule.rule}")


@pytest.mark.parametrize(("endpoint", "method"), list(_portal_cases()))
def test_returns_404_if_officer_from_another_bank(
    app, net, csrf_client, login_as, caplog, endpoint, method
):
    from flask import url_for

    args = route_args(endpoint, net, net.bank_y)
    login_as(csrf_client.client, net.officer_x)
    with app.test_request_context():
        url = url_for(endpoint, bank_slug=net.bank_y.slug, **args)
    before = table_counts()
    with caplog.at_level(logging.WARNING, logger="pasarkita.security"):
        response = (
            csrf_client.get(url) if method == "GET" else csrf_client.post(url, data=ACTION_DATA)
        )
    assert response.status_code == 404
    assert table_counts() == before
    assert any("authz_denied" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("endpoint", "method"), [c.values for c in _portal_cases() if ROUTE_STATUS.get(c.values[0])]
)
def test_returns_404_if_officer_opens_another_banks_referral_under_own_slug(
    app, net, csrf_client, login_as, endpoint, method
):
    from flask import url_for

    args = route_args(endpoint, net, net.bank_y)
    login_as(csrf_client.client, net.officer_x)
    with app.test_request_context():
        url = url_for(endpoint, bank_slug=net.bank_x.slug, **args)
    before = table_counts()
    response = csrf_client.get(url) if method == "GET" else csrf_client.post(url, data=ACTION_DATA)
    assert response.status_code == 404
    assert not [n for n in all_niks() if n in response.get_data(as_text=True)]
    assert table_counts() == before


@pytest.mark.parametrize(("endpoint", "method"), list(_portal_cases()))
def test_same_portal_route_works_for_the_banks_own_officer(
    app, net, csrf_client, login_as, endpoint, method
):
    """The matrix proves nothing unless the rightful officer gets through."""
    from flask import url_for

    args = route_args(endpoint, net, net.bank_y)
    login_as(csrf_client.client, net.officer_y)
    with app.test_request_context():
        url = url_for(endpoint, bank_slug=net.bank_y.slug, **args)
    response = csrf_client.get(url) if method == "GET" else csrf_client.post(url, data=ACTION_DATA)
    assert response.status_code == (200 if method == "GET" else 302)


@pytest.mark.parametrize("status", ["draft", "consented"])
def test_returns_404_for_a_referral_not_yet_sent(net, csrf_client, login_as, status):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status=status,
        consented=status != "draft",
    )
    login_as(csrf_client.client, net.officer_x)
    response = csrf_client.get(f"/bank/bank-nusantara/referrals/{referral.id}")
    assert response.status_code == 404
    assert not [n for n in all_niks() if n in response.get_data(as_text=True)]
    assert referral.id not in [r.id for r in services.bank_referrals(net.bank_x)]


def test_inbox_lists_only_the_banks_own_referrals_and_filters_by_status(net, csrf_client, login_as):
    ours = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="sent"
    )
    approved = make_referral(
        business=net.w.biz_cakung, bank=net.bank_x, lead=net.w.lead_cakung, status="approved"
    )
    theirs = make_referral(
        business=make_business(chapter=net.w.tebet, name="Tahu Pak Ujang"),
        bank=net.bank_y,
        lead=net.w.lead_tebet,
        status="sent",
    )
    login_as(csrf_client.client, net.officer_x)
    page = csrf_client.get("/bank/bank-nusantara/").get_data(as_text=True)
    assert f'/referrals/{ours.id}"' in page
    assert f'/referrals/{approved.id}"' in page
    assert f'/referrals/{theirs.id}"' not in page
    assert "Tahu Pak Ujang" not in page
    filtered = csrf_client.get("/bank/bank-nusantara/?status=approved").get_data(as_text=True)
    assert f'/referrals/{approved.id}"' in filtered
    assert f'/referrals/{ours.id}"' not in filtered


# --- QUALITY 23: the referral state machine ----------------------------------------------


# A decision carries its terms (the database refuses an approval without them, a rejection
# without its reason), so the table is walked with the columns decide() sets alongside.
DECISION_TERMS = {
    "approve": {
        "approved_amount_idr": 20_000_000,
        "approved_tenor_months": 24,
        "approved_rate_bp": 600,
    },
    "reject": {"reject_reason": "lainnya"},
}


@pytest.mark.parametrize("state", STATES)
def test_every_state_and_action_of_the_referral_table(net, state):
    actor = net.w.lead_tebet
    for action in ACTIONS:
        referral = make_referral(
            business=net.w.biz_tebet,
            bank=net.bank_x,
            lead=actor,
            status=state,
            consented=state != "draft",
        )
        target = Referral.TRANSITIONS.get((state, action))
        if target is None:
            with pytest.raises(IllegalTransition):
                apply_transition(referral, action, actor=actor, role="lead")
            _db.session.rollback()
            assert events_of(referral.id) == [], (state, action)
            assert reload(referral.id).status == state
            continue
        before = utcnow()
        terms = DECISION_TERMS.get(action, {})
        assert (
            apply_transition(referral, action, actor=actor, role="lead", note="uji", **terms)
            == target
        )
        _db.session.commit()
        [event] = events_of(referral.id)
        assert (event.seq, event.action, event.from_status, event.to_status) == (
            1,
            action,
            state,
            target,
        )
        assert (event.actor_id, event.role, event.note) == (actor.id, "lead", "uji")
        assert event.created_at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=5) <= event.created_at <= utcnow()
        assert reload(referral.id).status == target


def test_services_refuse_illegal_steps_and_record_nothing(net):
    """Endorse without consent, approve before acknowledge, act on a withdrawn referral."""
    officer = net.officer_x
    draft = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    with pytest.raises(IllegalTransition):
        services.endorse_and_send(
            draft,
            lead=net.w.lead_tebet,
            recommendation="Rekomendasi yang cukup panjang untuk lolos.",
        )
    sent = make_referral(
        business=net.w.biz_cakung, bank=net.bank_x, lead=net.w.lead_cakung, status="sent"
    )
    with pytest.raises(IllegalTransition):
        services.bank_action(
            sent, "approve", actor=officer, amount_idr=1_000_000, tenor_months=12, rate_bp=600
        )
    withdrawn = make_referral(
        business=make_business(chapter=net.w.tebet, name="Es Teh"),
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="withdrawn",
    )
    with pytest.raises(IllegalTransition):
        services.bank_action(withdrawn, "acknowledge", actor=officer)
    _db.session.rollback()
    for referral in (draft, sent, withdrawn):
        assert events_of(referral.id) == []


# --- QUALITY 5: function-level roles ---------------------------------------------------------

AREAS = {
    "lead": "/lead/tebet/referrals/",
    "lead_referral": "/lead/tebet/referrals/{rid}",
    "bank": "/bank/bank-nusantara/",
    "bank_referral": "/bank/bank-nusantara/referrals/{rid}",
    "admin": "/admin/banks/",
    "admin_kur": "/admin/banks/kur",
    "admin_figures": "/admin/banks/figures",
    "member": "/business/referrals/",
}


@pytest.mark.parametrize("area", sorted(AREAS))
def test_anonymous_users_are_sent_to_login(net, client, area):
    referral = make_referral(business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet)
    response = client.get(AREAS[area].format(rid=referral.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("area", "status"),
    [
        ("lead", 404),
        ("lead_referral", 404),
        ("bank", 404),
        ("bank_referral", 404),
        ("admin", 403),
        ("admin_kur", 403),
        ("admin_figures", 403),
    ],
)
@pytest.mark.parametrize("who", ["consumer", "member", "other_officer"])
def test_other_roles_get_404_in_lead_and_bank_areas_and_403_in_admin(
    net, client, login_as, area, status, who
):
    referral = make_referral(business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet)
    user = {
        "consumer": net.w.consumer_a,
        "member": net.w.biz_tebet.owner,
        "other_officer": net.officer_y,
    }[who]
    login_as(client, user)
    assert client.get(AREAS[area].format(rid=referral.id)).status_code == status


def test_lead_who_is_also_an_officer_gets_each_scope_separately(net, client, login_as):
    """A lead of Cakung who is an officer of Sejahtera: a bank scope, not a chapter union."""
    make_officer(bank=net.bank_y, user=net.w.lead_cakung)
    referral = make_referral(business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet)
    login_as(client, net.w.lead_cakung)
    assert client.get("/bank/bank-sejahtera/").status_code == 200
    assert client.get("/bank/bank-nusantara/").status_code == 404
    assert client.get(f"/bank/bank-sejahtera/referrals/{referral.id}").status_code == 404
    assert client.get(f"/lead/tebet/referrals/{referral.id}").status_code == 404


# --- the admin's banks, KUR rules and figures ------------------------------------------------


def test_admin_creates_a_bank_edits_its_chapters_and_officers(net, csrf_client, login_as):
    w = net.w
    login_as(csrf_client.client, w.admin)
    page = csrf_client.get("/admin/banks/new").get_data(as_text=True)
    assert page.count('name="chapters"') == 44
    assert "Bank Nusantara" in csrf_client.get("/admin/banks/").get_data(as_text=True)
    response = csrf_client.post(
        "/admin/banks/new",
        data={
            "name": "Bank Syariah Kita",
            "slug": "bank-syariah-kita",
            "sharia": "y",
            "schemes": ["mikro", "kecil"],
            "chapters": [w.tebet.id, w.cakung.id],
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/banks/bank-syariah-kita"
    bank = _db.session.scalar(select(Bank).where(Bank.slug == "bank-syariah-kita"))
    assert (bank.name, bank.conventional, bank.sharia, bank.schemes) == (
        "Bank Syariah Kita",
        False,
        True,
        ["mikro", "kecil"],
    )
    assert {c.slug for c in bank.chapters} == {"tebet", "cakung"}
    for slug in ("bank-syariah-kita", "kur"):  # taken, reserved
        again = csrf_client.post(
            "/admin/banks/new",
            data={"name": "Lagi", "slug": slug, "conventional": "y", "schemes": ["mikro"]},
        )
        assert again.status_code == 400
    assert (
        csrf_client.post(
            "/admin/banks/new",
            data={"name": "Tanpa varian", "slug": "tanpa-varian", "schemes": ["mikro"]},
        ).status_code
        == 400
    )

    assert (
        csrf_client.post(
            "/admin/banks/bank-syariah-kita", data={"ch-chapters": [w.cakung.id]}
        ).status_code
        == 302
    )
    _db.session.expire_all()
    assert [c.slug for c in bank.chapters] == ["cakung"]
    assert bank not in services.banks_serving(w.tebet)

    unknown = csrf_client.post(
        "/admin/banks/bank-syariah-kita/officers", data={"of-email": "nobody@example.com"}
    )
    assert unknown.status_code == 400
    assert (
        csrf_client.post(
            "/admin/banks/bank-syariah-kita/officers", data={"of-email": w.consumer_b.email}
        ).status_code
        == 302
    )
    officer = _db.session.scalar(select(BankOfficer).where(BankOfficer.bank_id == bank.id))
    assert officer.user_id == w.consumer_b.id
    assert w.consumer_b.email in csrf_client.get("/admin/banks/bank-syariah-kita").get_data(
        as_text=True
    )
    login_as(csrf_client.client, w.consumer_b)
    assert csrf_client.get("/bank/bank-syariah-kita/").status_code == 200

    login_as(csrf_client.client, w.admin)
    assert (
        csrf_client.post(
            f"/admin/banks/bank-syariah-kita/officers/{officer.id}/remove", data={}
        ).status_code
        == 302
    )
    login_as(csrf_client.client, w.consumer_b)
    assert csrf_client.get("/bank/bank-syariah-kita/").status_code == 404


def test_admin_edits_a_kur_rule_and_the_pre_screen_follows(net, ready, csrf_client, login_as):
    mikro = _db.session.scalar(
        select(KurScheme).where(KurScheme.code == "mikro", KurScheme.is_current.is_(True))
    )
    old = _db.session.scalar(
        select(KurScheme).where(KurScheme.code == "mikro", KurScheme.is_current.is_(False))
    )
    login_as(csrf_client.client, net.w.admin)
    page = csrf_client.get("/admin/banks/kur").get_data(as_text=True)
    assert "KUR Mikro" in page
    assert "*=6" in page
    assert "1=6; 2=7; 3=8; 4=9" in page
    prefix = f"k{mikro.id}-"
    fields = {
        "name": "KUR Mikro",
        "effective_from": "2026-01-01",
        "is_current": "y",
        "min_idr": "10.000.001",
        "max_idr": "80.000.000",
        "rates": "*=6,5",
        "max_tenor_kmk_months": "36",
        "max_tenor_ki_months": "60",
        "no_collateral_up_to_idr": "100000000",
        "npwp_above_idr": "50000000",
        "source": "Uji",
    }
    bad = csrf_client.post(
        f"/admin/banks/kur/{mikro.id}",
        data={prefix + k: v for k, v in {**fields, "rates": "enam"}.items()},
    )
    assert bad.status_code == 400
    response = csrf_client.post(
        f"/admin/banks/kur/{mikro.id}", data={prefix + k: v for k, v in fields.items()}
    )
    assert response.status_code == 302
    _db.session.expire_all()
    assert (mikro.max_idr, mikro.rates_bp, mikro.is_current) == (80_000_000, {"*": 650}, True)
    assert rule(screen_of(ready, amount=90_000_000), "amount").passed is False

    # Making the 2023 row current retires the 2026 one.
    old_fields = {
        **fields,
        "effective_from": "2023-01-01",
        "max_idr": "100000000",
        "rates": "1=6; 2=7; 3=8; 4=9",
    }
    csrf_client.post(
        f"/admin/banks/kur/{old.id}", data={f"k{old.id}-{k}": v for k, v in old_fields.items()}
    )
    _db.session.expire_all()
    assert (old.is_current, mikro.is_current) == (True, False)


def test_admin_figures_give_approval_rate_and_days_to_decision(net, csrf_client, login_as):
    sent = utcnow() - timedelta(days=10)
    for status, biz, bank in (
        ("approved", net.w.biz_tebet, net.bank_x),
        ("rejected", net.w.biz_cakung, net.bank_x),
    ):
        referral = make_referral(business=biz, bank=bank, lead=net.w.lead_tebet, status=status)
        referral.sent_at, referral.decided_at = sent, sent + timedelta(days=4)
    _db.session.commit()
    groups = services.figures()
    assert groups["bank"][net.bank_x.id]["approval_rate"] == 50
    assert groups["bank"][net.bank_x.id]["days_to_decision"] == 4.0
    login_as(csrf_client.client, net.w.admin)
    page = csrf_client.get("/admin/banks/figures").get_data(as_text=True)
    assert "Bank Nusantara" in page
    assert "50%" in page
    assert "4.0" in page
    assert net.w.lead_tebet.name in page
    assert "Tebet" in page


# --- the dossier: figures and statement count ------------------------------------------------


def _month_start(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def make_orders(business, specs):
    """specs: (consumer, status) pairs -> Order rows (with their checkouts)."""
    kelurahan = _db.session.scalar(
        select(Kelurahan).where(Kelurahan.chapter_id == business.chapter_id)
    )
    now = datetime.now(UTC)
    for consumer, status in specs:
        checkout = Checkout(
            user_id=consumer.id,
            total_idr=50_000,
            recipient_name=consumer.name,
            address_line="Jl. Kenanga 7",
            kelurahan_code=kelurahan.code,
            postal_code=kelurahan.postal_code,
            whatsapp_e164="+6281298765432",
            expires_at=now + timedelta(hours=1),
        )
        _db.session.add(
            Order(
                checkout=checkout,
                business_id=business.id,
                consumer_id=consumer.id,
                total_idr=50_000,
                status=status,
                paid_at=None if status in ("pending_payment", "expired") else now,
                # What the state implies (ck_order_shipped_has_tracking).
                courier="JNE" if status in ("shipped", "completed") else None,
                tracking_number="JNE0000000001" if status in ("shipped", "completed") else None,
            )
        )
    _db.session.commit()


def test_dossier_figures_equal_an_independent_computation(net, csrf_client, login_as):
    biz, w = net.w.biz_tebet, net.w
    today = jakarta_today()
    rows = []
    for back, (sale, offline, refund, expense) in enumerate(
        [
            (120_000, 80_000, 0, 50_000),
            (0, 45_000, 0, 10_000),
            (300_000, 0, 20_000, 0),
            (75_000, 25_000, 0, 60_000),
        ]
    ):
        day = _month_start(today, back) + timedelta(days=min(back, 20))
        for kind, amount in (
            ("sale", sale),
            ("manual_income", offline),
            ("refund", refund),
            ("expense", expense),
        ):
            if amount:
                rows.append(
                    LedgerEntry(
                        business_id=biz.id,
                        kind=kind,
                        category="lainnya",
                        amount_idr=amount,
                        occurred_on=day,
                    )
                )
    # Outside the 12 months, and another business: neither may count.
    rows.append(
        LedgerEntry(
            business_id=biz.id,
            kind="sale",
            category="lainnya",
            amount_idr=999_999,
            occurred_on=_month_start(today, 13),
        )
    )
    rows.append(
        LedgerEntry(
            business_id=w.biz_cakung.id,
            kind="sale",
            category="lainnya",
            amount_idr=777_777,
            occurred_on=today,
        )
    )
    _db.session.add_all(rows)
    _db.session.commit()
    ani, bayu, cici = w.consumer_a, w.consumer_b, make_user(name="Cici")
    make_orders(
        biz,
        [
            (ani, "completed"),
            (ani, "shipped"),
            (ani, "paid"),
            (bayu, "completed"),
            (bayu, "refunded"),
            (cici, "paid"),
            (cici, "pending_payment"),
            (bayu, "expired"),
        ],
    )
    make_orders(w.biz_cakung, [(ani, "completed")])
    referral = make_referral(business=biz, bank=net.bank_x, lead=w.lead_tebet, status="sent")

    # The independent computation, from the rows above.
    expected_books = {}
    for back in range(12):
        first = _month_start(today, back)
        key = f"{first.year}-{first.month:02d}"
        sums = {k: 0 for k in ("sale", "manual_income", "refund", "expense")}
        for r in rows:
            if r.business_id == biz.id and (r.occurred_on.year, r.occurred_on.month) == (
                first.year,
                first.month,
            ):
                sums[r.kind] += r.amount_idr
        expected_books[key] = (
            sums["sale"],
            sums["manual_income"],
            sums["refund"],
            sums["expense"],
            sums["sale"] + sums["manual_income"] - sums["refund"] - sums["expense"],
        )
    orders = _db.session.scalars(select(Order).where(Order.business_id == biz.id)).all()
    paid = [o for o in orders if o.status in ("paid", "shipped", "completed", "refunded")]
    per_buyer = {}
    for o in paid:
        per_buyer[o.consumer_id] = per_buyer.get(o.consumer_id, 0) + 1
    expected_orders = {
        "orders": len(paid),
        "buyers": len(per_buyer),
        "repeat_buyer_share": round(100 * sum(n >= 2 for n in per_buyer.values()) / len(per_buyer)),
        # refunded orders were never to be delivered: not in the denominator
        "fulfilment_rate": round(
            100
            * sum(o.status in ("shipped", "completed") for o in paid)
            / sum(o.status != "refunded" for o in paid)
        ),
        "refunded": sum(o.status == "refunded" for o in paid),
    }
    assert expected_orders == {
        "orders": 6,
        "buyers": 3,
        "repeat_buyer_share": 67,
        "fulfilment_rate": 60,
        "refunded": 1,
    }

    built = dossier.build(referral)
    assert {
        m["month"]: (
            m["platform_sales_idr"],
            m["self_recorded_sales_idr"],
            m["refunds_idr"],
            m["expenses_idr"],
            m["profit_idr"],
        )
        for m in built["books"]
    } == expected_books
    assert built["orders"] == expected_orders
    assert built["business"]["nik"] == nik_of(referral.business)

    login_as(csrf_client.client, net.officer_x)
    page = csrf_client.get(f"/bank/bank-nusantara/referrals/{referral.id}").get_data(as_text=True)
    first = _month_start(today, 2)
    row = re.search(
        rf'<tr data-month="{first.year}-{first.month:02d}">(.*?)</tr>', page, re.S
    ).group(1)
    for amount in expected_books[f"{first.year}-{first.month:02d}"]:
        assert format_rupiah(amount) in row
    assert '<dd data-figure="orders">6</dd>' in page
    assert '<dd data-figure="repeat">67%</dd>' in page


def test_bank_referral_page_uses_a_constant_number_of_statements(
    net, csrf_client, login_as, count_statements
):
    biz, w = net.w.biz_tebet, net.w
    referral = make_referral(business=biz, bank=net.bank_x, lead=w.lead_tebet, status="sent")
    login_as(csrf_client.client, net.officer_x)
    url = f"/bank/bank-nusantara/referrals/{referral.id}"
    buyers = (w.consumer_a, w.consumer_b)
    make_orders(biz, [(buyers[i % 2], "completed") for i in range(3)])
    with count_statements() as few:
        assert csrf_client.get(url).status_code == 200
    make_orders(biz, [(buyers[i % 2], "completed") for i in range(297)])
    with count_statements() as many:
        assert csrf_client.get(url).status_code == 200
    assert len(few) == len(many), many.statements
    # 17: 4 for session, menu, bank scope and referral scope, 3 for the page's preload, 10
    # in dossier.build; issue 13 adds 5: the acknowledgement day's holidays, and the KUR
    # pre-screen the bank sees (scheme, one SELECT of counts, books months, platform KUR).
    # QUALITY.md's target is 8; this ceiling only stops it growing.
    assert len(many) <= 22, many.statements


def test_bank_inbox_uses_a_constant_number_of_statements(
    net, csrf_client, login_as, count_statements
):
    def add(n):
        for i in range(n):
            owner = make_business(chapter=net.w.cakung if i % 2 else net.w.tebet)
            make_referral(business=owner, bank=net.bank_x, lead=net.w.lead_tebet)

    login_as(csrf_client.client, net.officer_x)
    add(2)
    with count_statements() as few:
        assert csrf_client.get("/bank/bank-nusantara/").status_code == 200
    add(8)
    with count_statements() as many:
        assert csrf_client.get("/bank/bank-nusantara/").status_code == 200
    assert len(few) == len(many), many.statements


def test_referrals_unacknowledged_for_3_working_days_are_flagged_once(app, world, db):
    from datetime import datetime

    from marketplace.core.timeutil import JAKARTA
    from marketplace.notifications.models import Notification
    from referrals.cli import referrals as referrals_cli
    from referrals.models import Referral
    from tests.factories import make_bank, make_officer, make_referral

    bank = make_bank(slug="bri-sla", chapters=[world.tebet])
    officer = make_officer(bank=bank)
    referral = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="sent"
    )
    # Sent on a Friday morning: Monday and Tuesday are 2 working days, Wednesday is 3.
    referral.sent_at = datetime(2026, 11, 20, 9, 0, tzinfo=JAKARTA)
    db.session.commit()
    from referrals.services import is_overdue

    assert not is_overdue(referral, datetime(2026, 11, 24, 12, 0, tzinfo=JAKARTA))
    assert is_overdue(referral, datetime(2026, 11, 25, 12, 0, tzinfo=JAKARTA))
    runner = app.test_cli_runner()
    first = runner.invoke(referrals_cli, ["flag-overdue"])
    assert "flagged 1 referral(s)" in first.output
    assert "flagged 0 referral(s)" in runner.invoke(referrals_cli, ["flag-overdue"]).output
    notified = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == "referral_sla"))
    )
    assert notified == {officer.id, world.lead_tebet.id}
    assert db.session.get(Referral, referral.id).sla_flagged_at is not None


def test_business_text_is_escaped_in_the_dossier(csrf_client, login_as, world, db):
    """QUALITY 16: user text reaches the bank's dossier page escaped."""
    from tests.factories import make_bank, make_officer, make_referral

    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    world.biz_tebet.name = payload
    world.biz_tebet.address_line = payload
    bank = make_bank(slug="bank-xss", chapters=[world.tebet])
    officer = make_officer(bank=bank)
    referral = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="sent"
    )
    referral.purpose = payload
    referral.recommendation = payload
    db.session.commit()
    login_as(csrf_client.client, officer)
    page = csrf_client.get(f"/bank/bank-xss/referrals/{referral.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(2)" in page
    assert "<script>alert(2)" not in page
    assert "<img src=x" not in page


def test_e_mails_are_plain_text(app, world, db):
    """E-mails carry text only (no HTML part), so user text cannot run in a mail client."""
    from marketplace.mentoring.models import OutboxEmail
    from marketplace.notifications.services import notify

    notify(
        world.biz_tebet.owner_id,
        "referral_consent_needed",
        email=True,
        bank="<script>alert(1)</script>",
    )
    db.session.commit()
    mail = db.session.scalar(select(OutboxEmail))
    assert mail.body.startswith("Pengurus chapter membuka rujukan KUR")
    from marketplace.notifications import outbox

    sent = []
    app.config["MAIL_BACKEND"] = "smtp"

    class FakeSMTP:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def starttls(self):
            pass

        def send_message(self, message):
            sent.append(message)

    import smtplib

    original = smtplib.SMTP
    smtplib.SMTP = FakeSMTP
    try:
        assert outbox.send_pending() == 1
    finally:
        smtplib.SMTP = original
    assert sent[0].get_content_type() == "text/plain"


def test_dossier_page_is_sent_with_no_store(csrf_client, login_as, world, db):
    from tests.factories import make_bank, make_officer, make_referral

    bank = make_bank(slug="bank-cache", chapters=[world.tebet])
    officer = make_officer(bank=bank)
    referral = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="sent"
    )
    login_as(csrf_client.client, officer)
    response = csrf_client.get(f"/bank/bank-cache/referrals/{referral.id}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


# --- issue 12: bank decisions within the KUR rules (portal) -------------------------------


def decision_referral(net, *, scheme="mikro", amount_idr=25_000_000, kind="kmk", bank=None):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=bank or net.bank_x,
        lead=net.w.lead_tebet,
        status="acknowledged",
        scheme=scheme,
        amount_idr=amount_idr,
    )
    referral.purpose_kind = kind
    _db.session.commit()
    return referral


@pytest.fixture
def rules_edits():
    """The KUR rules table is kept between tests (migration data): restore what a test edits."""
    saved = []

    def edit(code: str) -> KurScheme:
        rules = _db.session.scalar(
            select(KurScheme).where(KurScheme.code == code, KurScheme.is_current.is_(True))
        )
        saved.append(
            (rules.id, dict(rules.rates_bp), rules.sharia_rates_bp, rules.rate_tolerance_bp)
        )
        return rules

    yield edit
    for rules_id, rates, sharia, tolerance in saved:
        rules = _db.session.get(KurScheme, rules_id)
        rules.rates_bp, rules.sharia_rates_bp, rules.rate_tolerance_bp = rates, sharia, tolerance
    _db.session.commit()


def approve_in_portal(csrf_client, referral, *, confirmed=True, **values):
    data = {
        "appr-amount_idr": str(values.get("amount", referral.amount_idr)),
        "appr-tenor_months": str(values.get("tenor", 12)),
        "appr-rate_percent": values.get("rate", "6"),
    }
    if values.get("above"):
        data["appr-confirm_above_requested"] = "y"
    if confirmed:
        data["appr-confirmed"] = "1"
    return csrf_client.post(
        f"/bank/{referral.bank.slug}/referrals/{referral.id}/approve", data=data
    )


@pytest.mark.parametrize("typed", ["6,5", "6.5", "6,5 %"])
def test_portal_rate_typed_6_comma_5_is_recorded_as_650_bp(
    net, csrf_client, login_as, rules_edits, typed
):
    rules = rules_edits("mikro")
    rules.rates_bp = {"*": 650}  # an admin's edit of the rules table
    _db.session.commit()
    referral = decision_referral(net)
    login_as(csrf_client.client, net.officer_x)
    response = approve_in_portal(csrf_client, referral, rate=typed)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert reload(referral.id).approved_rate_bp == 650


def test_portal_rate_fields_are_text_inputs_with_decimal_inputmode(net, csrf_client, login_as):
    referral = decision_referral(net)
    login_as(csrf_client.client, net.officer_x)
    page = csrf_client.get(f"/bank/bank-nusantara/referrals/{referral.id}").get_data(as_text=True)
    rate = re.search(r"<input[^>]*name=\"appr-rate_percent\"[^>]*>", page).group(0)
    amount = re.search(r"<input[^>]*name=\"appr-amount_idr\"[^>]*>", page).group(0)
    assert 'type="text"' in rate
    assert 'inputmode="decimal"' in rate
    assert 'type="text"' in amount
    assert 'inputmode="numeric"' in amount


def test_portal_refuses_65_percent_for_super_mikro_naming_the_scheme_rate(
    net, csrf_client, login_as
):
    referral = decision_referral(net, scheme="super_mikro", amount_idr=8_000_000)
    login_as(csrf_client.client, net.officer_x)
    response = approve_in_portal(csrf_client, referral, rate="65")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "KUR Super Mikro" in page
    assert "3%" in page
    assert reload(referral.id).status == "acknowledged"
    assert approve_in_portal(csrf_client, referral, rate="3").status_code == 302
    assert reload(referral.id).approved_rate_bp == 300


@pytest.mark.parametrize(("kind", "allowed", "refused"), [("kmk", 36, 37), ("ki", 60, 61)])
def test_portal_tenor_above_the_purpose_maximum_is_refused(
    net, csrf_client, login_as, kind, allowed, refused
):
    referral = decision_referral(net, kind=kind)
    login_as(csrf_client.client, net.officer_x)
    response = approve_in_portal(csrf_client, referral, tenor=refused)
    assert response.status_code == 400
    assert f"paling lama {allowed} bulan" in response.get_data(as_text=True)
    assert reload(referral.id).status == "acknowledged"
    assert approve_in_portal(csrf_client, referral, tenor=allowed).status_code == 302
    assert reload(referral.id).approved_tenor_months == allowed


def test_portal_amount_outside_the_scheme_range_is_refused(net, csrf_client, login_as):
    referral = decision_referral(net, amount_idr=25_000_000)
    login_as(csrf_client.client, net.officer_x)
    response = approve_in_portal(csrf_client, referral, amount="10.000.000")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Di luar plafon KUR Mikro" in page
    assert "Rp10.000.001" in page
    assert reload(referral.id).status == "acknowledged"
    assert approve_in_portal(csrf_client, referral, amount="Rp 10.000.001").status_code == 302


def test_portal_amount_above_requested_needs_the_explicit_confirmation(net, csrf_client, login_as):
    referral = decision_referral(net, amount_idr=20_000_000)
    login_as(csrf_client.client, net.officer_x)
    refused = approve_in_portal(csrf_client, referral, amount="25.000.000")
    assert refused.status_code == 400
    assert "melebihi yang diajukan" in refused.get_data(as_text=True)
    assert reload(referral.id).status == "acknowledged"
    accepted = approve_in_portal(csrf_client, referral, amount="25.000.000", above=True)
    assert accepted.status_code == 302
    assert reload(referral.id).approved_amount_idr == 25_000_000


def test_portal_amount_written_65rb_is_refused_with_a_clear_message(net, csrf_client, login_as):
    referral = decision_referral(net)
    login_as(csrf_client.client, net.officer_x)
    response = approve_in_portal(csrf_client, referral, amount="65rb")
    assert response.status_code == 400
    assert "bukan 65rb" in response.get_data(as_text=True)


def test_portal_approval_shows_a_summary_to_confirm_before_it_is_recorded(
    net, csrf_client, login_as
):
    referral = decision_referral(net)
    login_as(csrf_client.client, net.officer_x)
    before = _db.session.scalar(select(func.count(ReferralEvent.id)))
    summary = approve_in_portal(csrf_client, referral, confirmed=False, rate="6,0", tenor=24)
    assert summary.status_code == 200
    page = summary.get_data(as_text=True)
    assert "Rp25.000.000" in page
    assert "24 bulan" in page
    assert "6%" in page
    assert 'name="appr-confirmed"' in page
    assert 'name="appr-change"' in page
    assert 'name="csrf_token"' in page
    assert reload(referral.id).status == "acknowledged"
    assert _db.session.scalar(select(func.count(ReferralEvent.id))) == before
    # "Change" goes back to the form with the values kept, still nothing recorded.
    change = csrf_client.post(
        f"/bank/bank-nusantara/referrals/{referral.id}/approve",
        data={
            "appr-amount_idr": "25000000",
            "appr-tenor_months": "24",
            "appr-rate_percent": "6",
            "appr-change": "1",
        },
    )
    assert change.status_code == 200
    assert 'value="25000000"' in change.get_data(as_text=True)
    assert reload(referral.id).status == "acknowledged"
    confirmed = approve_in_portal(csrf_client, referral, rate="6", tenor=24)
    assert confirmed.status_code == 302
    assert reload(referral.id).status == "approved"


def test_portal_rejection_other_without_a_note_is_refused(net, csrf_client, login_as):
    referral = decision_referral(net)
    login_as(csrf_client.client, net.officer_x)
    url = f"/bank/bank-nusantara/referrals/{referral.id}/reject"
    refused = csrf_client.post(url, data={"rej-reason": "lainnya", "rej-note": "  "})
    assert refused.status_code == 400
    assert "tulis penjelasannya" in refused.get_data(as_text=True)
    assert reload(referral.id).status == "acknowledged"
    note = "Omzet belum cukup untuk cicilan bulan ini."
    assert (
        csrf_client.post(
            url, data={"rej-reason": "lainnya", "rej-note": note, "confirm": "1"}
        ).status_code
        == 302
    )
    assert reload(referral.id).status == "rejected"
    login_as(csrf_client.client, net.w.biz_tebet.owner)
    page = csrf_client.get(f"/business/referrals/{referral.id}").get_data(as_text=True)
    assert note in page
    assert "Langkah berikutnya" in page


@pytest.mark.parametrize("reason", list(REJECT_REASONS))
def test_every_rejection_shows_the_member_its_meaning_and_next_step(
    net, csrf_client, login_as, reason
):
    from referrals.web.forms import REJECT_REASON_HELP

    referral = decision_referral(net)
    services.bank_action(
        referral, "reject", actor=net.officer_x, reason=reason, note="Catatan bank."
    )
    _db.session.commit()
    login_as(csrf_client.client, net.w.biz_tebet.owner)
    page = csrf_client.get(f"/business/referrals/{referral.id}").get_data(as_text=True)
    meaning, next_step = REJECT_REASON_HELP[reason]
    assert str(meaning) in page
    assert str(next_step) in page


def test_graduated_rate_follows_the_access_number_and_sharia_margin_the_table(net, db, rules_edits):
    rules = rules_edits("mikro")
    rules.rates_bp = {"1": 600, "2": 700, "3": 800, "4": 900}
    rules.sharia_rates_bp = {"*": 650}
    db.session.commit()
    make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="disbursed"
    )
    referral = decision_referral(net)
    with pytest.raises(ValidationFailed) as refused:
        services.check_approval(referral, amount_idr=25_000_000, tenor_months=12, rate_bp=600)
    assert refused.value.details["field"] == "rate_bp"
    assert (refused.value.details["minimum"], refused.value.details["maximum"]) == (700, 700)
    assert (
        services.check_approval(referral, amount_idr=25_000_000, tenor_months=12, rate_bp=700)[
            "approved_rate_bp"
        ]
        == 700
    )
    referral.sharia = True
    db.session.commit()
    assert (
        services.check_approval(referral, amount_idr=25_000_000, tenor_months=12, rate_bp=650)[
            "approved_rate_bp"
        ]
        == 650
    )


def test_rate_tolerance_comes_from_the_rules_table(net, db, rules_edits):
    rules = rules_edits("mikro")
    referral = decision_referral(net)
    with pytest.raises(ValidationFailed):
        services.check_approval(referral, amount_idr=25_000_000, tenor_months=12, rate_bp=601)
    rules.rate_tolerance_bp = 25
    db.session.commit()
    assert (
        services.check_approval(referral, amount_idr=25_000_000, tenor_months=12, rate_bp=625)[
            "approved_rate_bp"
        ]
        == 625
    )
    with pytest.raises(ValidationFailed):
        services.check_approval(referral, amount_idr=25_000_000, tenor_months=12, rate_bp=626)


def test_rules_in_force_on_the_decision_date_are_used(net, db):
    referral = decision_referral(net)
    # In 2025 the graduated table applied (access 1: 6 %), KMK still 36 months.
    earlier = date(2025, 6, 1)
    assert services.check_approval(
        referral, amount_idr=25_000_000, tenor_months=36, rate_bp=600, on=earlier
    )
    with pytest.raises(ValidationFailed) as refused:
        services.check_approval(
            referral, amount_idr=25_000_000, tenor_months=36, rate_bp=600, on=date(2020, 1, 1)
        )
    assert refused.value.details["rule"] == "scheme"


def test_lead_form_records_the_purpose_kind(net, csrf_client, login_as):
    owner = make_business(chapter=net.w.tebet, name="Bengkel Las Pak Udin")
    login_as(csrf_client.client, net.w.lead_tebet)
    page = csrf_client.get(f"/lead/tebet/referrals/members/{owner.id}/new")
    assert 'name="purpose_kind"' in page.get_data(as_text=True)
