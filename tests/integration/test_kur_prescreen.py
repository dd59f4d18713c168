"""Issue 13: the KUR pre-screen as DOMAIN 3.3 says (each rule at its boundary, whose rule it
is, what to do), the member's "Am I ready for KUR?" page, consent receipts that keep the exact
text, and the SLA in working days (national holidays and cuti bersama).

Every universe has two chapters (Tebet, Cakung) and two banks (Nusantara, Sejahtera).
"""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from marketplace.core.crypto import encrypt_text
from marketplace.core.timeutil import JAKARTA, jakarta_today
from marketplace.extensions import db as _db
from referrals import services
from referrals.models import ConsentReceipt, Referral
from referrals.services.eligibility import ALLOWED_CREDIT, BLOCKING_CREDIT, RuleKind, pre_screen
from tests.factories import make_bank, make_officer, make_ready_member, make_referral

TODAY = date(2026, 12, 1)


@pytest.fixture
def net(world):
    bank_x = make_bank(
        slug="bank-nusantara", name="Bank Nusantara", chapters=[world.tebet, world.cakung]
    )
    bank_y = make_bank(
        slug="bank-sejahtera", name="Bank Sejahtera", chapters=[world.tebet, world.cakung]
    )
    return SimpleNamespace(
        w=world,
        bank_x=bank_x,
        bank_y=bank_y,
        officer_x=make_officer(bank=bank_x),
    )


@pytest.fixture
def ready(net):
    return make_ready_member(business=net.w.biz_tebet, lead=net.w.lead_tebet)


def rule(screen, key):
    return next(r for r in screen.rules if r.key == key)


def screen_of(business, **kwargs):
    args = {
        "scheme_code": "mikro",
        "amount_idr": 25_000_000,
        "no_other_credit": True,
        "tenor_months": 24,
        "purpose_kind": "kmk",
        **kwargs,
    }
    return pre_screen(business, **args)


# --- each rule says whose it is, why, and what to do --------------------------------------


def test_every_rule_names_its_kind_basis_and_what_to_do(ready):
    screen = screen_of(ready)
    assert screen.passed
    for r in screen.rules:
        assert r.kind in set(RuleKind)
        assert str(r.basis), r.key
        assert str(r.reason), r.key
    checks = {r.key: r for r in screen.checks}
    assert "Permenko" in str(checks["tenor"].basis)
    assert checks["books"].kind == RuleKind.PLATFORM
    assert ready.chapter.name in str(checks["books"].basis)  # the chapter setting
    assert all(str(r.action) for r in screen.checks)


# --- the other-credit declaration ------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ALLOWED_CREDIT))
def test_each_allowed_kind_of_other_credit_passes_and_is_named(ready, kind):
    r = rule(screen_of(ready, credit_held=[kind]), "no_other_credit")
    assert r.passed
    assert str(ALLOWED_CREDIT[kind]) in str(r.reason)


@pytest.mark.parametrize("kind", sorted(BLOCKING_CREDIT))
def test_commercial_productive_credit_or_kur_at_another_bank_fails(ready, kind):
    r = rule(screen_of(ready, credit_held=[kind, "kpr"]), "no_other_credit")
    assert not r.passed
    assert str(BLOCKING_CREDIT[kind]) in str(r.reason)


def test_no_declaration_fails(ready):
    assert not rule(screen_of(ready, no_other_credit=False), "no_other_credit").passed


# --- age 21 or married -------------------------------------------------------------------------


def _born(business, born: date):
    # A male NIK (day as is) with this birth date.
    business.nik_encrypted = encrypt_text(f"317101{born:%d%m%y}0001")
    _db.session.commit()


@pytest.mark.parametrize(
    ("born", "passes"),
    [(date(2005, 12, 2), False), (date(2005, 12, 1), True)],  # 20 and 21 on TODAY
)
def test_age_must_be_21(ready, born, passes):
    _born(ready, born)
    assert rule(screen_of(ready, today=TODAY), "age_or_married").passed is passes


def test_a_married_member_under_21_passes(ready):
    _born(ready, date(2006, 1, 1))
    assert not rule(screen_of(ready, today=TODAY), "age_or_married").passed
    ready.marital_status = "kawin"  # the profile field of issue 13 (permits)
    assert rule(screen_of(ready, today=TODAY), "age_or_married").passed


# --- Super Mikro first time, tenor by purpose ------------------------------------------------


def test_super_mikro_is_for_first_time_kur_borrowers_only(net, ready):
    first = screen_of(ready, scheme_code="super_mikro", amount_idr=5_000_000)
    assert rule(first, "super_mikro_first").passed
    declared = screen_of(
        ready, scheme_code="super_mikro", amount_idr=5_000_000, credit_held=["kur_before"]
    )
    assert not rule(declared, "super_mikro_first").passed
    make_referral(business=ready, bank=net.bank_x, lead=net.w.lead_tebet, status="disbursed")
    second = screen_of(ready, scheme_code="super_mikro", amount_idr=5_000_000)
    r = rule(second, "super_mikro_first")
    assert not r.passed
    assert "Bank Nusantara" in str(r.reason)


@pytest.mark.parametrize(
    ("scheme", "amount", "kind", "tenor", "passes"),
    [
        ("mikro", 25_000_000, "kmk", 36, True),
        ("mikro", 25_000_000, "kmk", 37, False),  # a 37-month working-capital loan
        ("super_mikro", 5_000_000, "kmk", 37, False),
        ("mikro", 25_000_000, "ki", 60, True),
        ("mikro", 25_000_000, "ki", 61, False),
        ("kecil", 200_000_000, "kmk", 48, True),  # KUR Kecil: 4 years working capital
        ("kecil", 200_000_000, "kmk", 49, False),
    ],
)
def test_tenor_maximum_depends_on_purpose_and_scheme(ready, scheme, amount, kind, tenor, passes):
    screen = screen_of(
        ready, scheme_code=scheme, amount_idr=amount, purpose_kind=kind, tenor_months=tenor
    )
    assert rule(screen, "tenor").passed is passes


# --- KUR received through the platform -------------------------------------------------------


def test_kur_disbursed_through_the_platform_is_flagged_with_bank_and_date(net, ready):
    earlier = make_referral(
        business=ready, bank=net.bank_x, lead=net.w.lead_tebet, status="disbursed"
    )
    earlier.status_changed_at = datetime(2026, 5, 12, 10, 0, tzinfo=JAKARTA)
    _db.session.commit()
    same = rule(screen_of(ready, bank_id=net.bank_x.id, today=TODAY), "platform_kur")
    assert same.passed  # KUR at the same bank may run alongside
    assert "Bank Nusantara" in str(same.reason)
    assert "12-05-2026" in str(same.reason)
    other = rule(screen_of(ready, bank_id=net.bank_y.id, today=TODAY), "platform_kur")
    assert not other.passed
    assert "Bank Nusantara" in str(other.reason)
    # After its tenor (24 months) the KUR no longer runs.
    later = rule(screen_of(ready, bank_id=net.bank_y.id, today=date(2028, 6, 1)), "platform_kur")
    assert later.passed


# --- notes for KUR Kecil and the group route ---------------------------------------------------


def test_kur_kecil_explains_collateral_and_bpjs(ready):
    small = screen_of(ready, amount_idr=100_000_000)
    assert "tidak boleh meminta agunan" in str(rule(small, "collateral").reason)
    assert "bpjs" not in {r.key for r in small.rules}
    big = screen_of(ready, scheme_code="kecil", amount_idr=100_000_001, tenor_months=24)
    assert "boleh meminta agunan tambahan" in str(rule(big, "collateral").reason)
    assert "BPJS Ketenagakerjaan" in str(rule(big, "bpjs").reason)
    assert big.passed or "collateral" not in {r.key for r in big.failed()}


def test_a_start_up_member_is_shown_the_group_route(ready):
    assert "group_route" not in {r.key for r in screen_of(ready).rules}
    ready.started_on = jakarta_today() - timedelta(days=40)
    _db.session.commit()
    note = rule(screen_of(ready), "group_route")
    assert note.note
    assert note.passed
    assert "rekomendasi" in str(note.reason)


# --- the same screen for member, lead and bank; the readiness page ----------------------------


def test_member_lead_and_bank_see_the_same_pre_screen(net, ready, csrf_client, login_as):
    referral = make_referral(business=ready, bank=net.bank_x, lead=net.w.lead_tebet, status="sent")
    referral.tenor_months = 37  # working capital: fails the tenor rule
    _db.session.commit()
    screen = services.screen_for(referral)
    assert not rule(screen, "tenor").passed
    pages = []
    for user, url in (
        (ready.owner, f"/business/referrals/{referral.id}"),
        (net.w.lead_tebet, f"/lead/tebet/referrals/{referral.id}"),
        (net.officer_x, f"/bank/bank-nusantara/referrals/{referral.id}"),
    ):
        login_as(csrf_client.client, user)
        page = csrf_client.get(url)
        assert page.status_code == 200, url
        pages.append(page.get_data(as_text=True))
    for page in pages:
        for r in screen.rules:
            assert f'data-rule="{r.key}"' in page
            assert str(r.reason) in page
        assert 'data-rule="tenor" data-passed="no"' in page


def test_am_i_ready_page_tells_the_member_what_to_do_per_failing_rule(net, csrf_client, login_as):
    biz = net.w.biz_cakung  # no NIB, no books, no sessions
    login_as(csrf_client.client, biz.owner)
    pathway = csrf_client.get("/business/pathway").get_data(as_text=True)
    assert "/business/referrals/ready" in pathway
    page = csrf_client.get(
        "/business/referrals/ready?scheme=mikro&amount_idr=25000000&tenor_months=37&purpose_kind=kmk"
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    screen = screen_of(biz, tenor_months=37, no_other_credit=False)
    for r in screen.failed():
        assert str(r.action) in text
    assert 'data-rule="tenor" data-passed="no"' in text


# --- consent receipts --------------------------------------------------------------------------


def _consent(csrf_client, login_as, referral, **extra):
    login_as(csrf_client.client, referral.business.owner)
    return csrf_client.post(
        f"/business/referrals/{referral.id}/consent",
        data={"agree": "y", "no_other_credit": "y", **extra},
    )


def test_a_renamed_bank_leaves_old_receipts_unchanged(net, csrf_client, login_as):
    net.bank_x.name = "Bank DKI"
    _db.session.commit()
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    assert _consent(csrf_client, login_as, referral, credit_held=["kpr"]).status_code == 302
    _db.session.expire_all()
    receipt = _db.session.get(Referral, referral.id).active_consent
    shown, digest = receipt.text, receipt.text_hash
    assert "Penerima data: Bank DKI" in shown
    assert _db.session.get(Referral, referral.id).credit_held == ["kpr"]

    net.bank_x = _db.session.get(type(net.bank_x), net.bank_x.id)
    net.bank_x.name = "Bank Jakarta"
    _db.session.commit()
    _db.session.expire_all()
    receipt = _db.session.get(ConsentReceipt, receipt.id)
    assert (receipt.text, receipt.text_hash, receipt.bank_name) == (shown, digest, "Bank DKI")
    import hashlib

    assert hashlib.sha256(receipt.text.encode()).hexdigest() == digest
    download = csrf_client.get(f"/business/referrals/{referral.id}/receipts/{receipt.id}")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    body = download.get_data(as_text=True)
    assert shown in body
    assert digest in body
    assert "Bank Jakarta" not in body
    page = csrf_client.get(f"/business/referrals/{referral.id}").get_data(as_text=True)
    assert f"/business/referrals/{referral.id}/receipts/{receipt.id}" in page


def test_withdrawing_shows_when_the_bank_lost_access(net, csrf_client, login_as):
    referral = make_referral(
        business=net.w.biz_tebet,
        bank=net.bank_x,
        lead=net.w.lead_tebet,
        status="draft",
        consented=False,
    )
    _consent(csrf_client, login_as, referral)
    assert (
        csrf_client.post(f"/business/referrals/{referral.id}/withdraw-consent").status_code == 302
    )
    _db.session.expire_all()
    receipt = _db.session.get(Referral, referral.id).consents[-1]
    assert receipt.withdrawn_at is not None
    page = csrf_client.get(f"/business/referrals/{referral.id}").get_data(as_text=True)
    assert "kehilangan akses" in page
    body = csrf_client.get(f"/business/referrals/{referral.id}/receipts/{receipt.id}").get_data(
        as_text=True
    )
    assert "Ditarik:" in body


def test_returns_404_if_member_downloads_another_members_receipt(net, csrf_client, login_as):
    referral = make_referral(business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet)
    _db.session.expire_all()
    receipt = _db.session.get(Referral, referral.id).consents[0]
    login_as(csrf_client.client, net.w.biz_cakung.owner)
    url = f"/business/referrals/{referral.id}/receipts/{receipt.id}"
    assert csrf_client.get(url).status_code == 404


# --- SLA in working days -----------------------------------------------------------------------


def _sent(net, when):
    referral = make_referral(
        business=net.w.biz_tebet, bank=net.bank_x, lead=net.w.lead_tebet, status="sent"
    )
    referral.sent_at = when
    _db.session.commit()
    return referral


def test_sla_skips_a_national_holiday(net):
    # Sent Friday 14 Aug 2026; Monday 17 Aug is Independence Day: Tue, Wed, Thu are 1-3.
    referral = _sent(net, datetime(2026, 8, 14, 9, 0, tzinfo=JAKARTA))
    assert not services.is_overdue(referral, datetime(2026, 8, 19, 12, 0, tzinfo=JAKARTA))
    assert services.is_overdue(referral, datetime(2026, 8, 20, 12, 0, tzinfo=JAKARTA))
    assert services.acknowledge_by(referral) == date(2026, 8, 20)


def test_sla_skips_a_cuti_bersama_day(net):
    # Sent Wed 13 May 2026: Thu 14 is Ascension Day, Fri 15 cuti bersama (SKB 2026):
    # Mon 18, Tue 19, Wed 20 are the 3 working days.
    referral = _sent(net, datetime(2026, 5, 13, 9, 0, tzinfo=JAKARTA))
    assert not services.is_overdue(referral, datetime(2026, 5, 19, 12, 0, tzinfo=JAKARTA))
    assert services.is_overdue(referral, datetime(2026, 5, 20, 12, 0, tzinfo=JAKARTA))


def test_flag_overdue_waits_for_the_working_days(app, net):
    _sent(net, datetime(2026, 5, 13, 9, 0, tzinfo=JAKARTA))
    assert services.flag_overdue(datetime(2026, 5, 19, 12, 0, tzinfo=JAKARTA)) == 0
    assert services.flag_overdue(datetime(2026, 5, 20, 12, 0, tzinfo=JAKARTA)) == 1


def test_bank_api_dossier_carries_the_same_pre_screen(net, ready, client):
    from referrals.services.tokens import issue_token

    referral = make_referral(business=ready, bank=net.bank_x, lead=net.w.lead_tebet, status="sent")
    referral.tenor_months = 37
    _db.session.commit()
    _row, token = issue_token(net.bank_x, label="test")
    _db.session.commit()
    response = client.get(
        f"/api/v1/bank/referrals/{referral.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    got = response.get_json()["dossier"]["pre_screen"]
    want = services.screen_for(referral)
    assert [r["key"] for r in got["rules"]] == [r.key for r in want.rules]
    tenor = next(r for r in got["rules"] if r["key"] == "tenor")
    assert (tenor["passed"], tenor["kind"]) == (False, "kur")
    assert got["passed"] is False
