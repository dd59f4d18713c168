"""The bank officer's working inbox (issue 14 item 9): filters, search, sorting, the age and
SLA countdown, closed referrals hidden by default, assignment to an officer of that bank,
the CSV export and the printable dossier, and the same filters on the bank API. Every one
keeps the bank scope: another bank's referral never appears, and a filter value naming
another bank's chapter gives an empty list."""

import csv
import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.notifications.models import Notification
from referrals.models import Referral
from referrals.services import issue_token
from tests.factories import make_bank, make_business, make_officer, make_referral

IDS = re.compile(r'/referrals/(\d+)"')


@dataclass
class Banks:
    x: object
    y: object
    officer_x: object
    officer_x2: object
    officer_y: object
    token_x: str
    refs: dict


@pytest.fixture
def banks(db, world):
    """Bank X serves Tebet only; Bank Y serves Cakung and Tebet. Referrals of both."""
    bank_x = make_bank(slug="bank-x", name="Bank X", chapters=[world.tebet])
    bank_y = make_bank(slug="bank-y", name="Bank Y", chapters=[world.cakung, world.tebet])
    tebet2 = make_business(chapter=world.tebet, name="Warung Sate Pak Min")
    refs = {
        "x_small": make_referral(
            business=world.biz_tebet,
            bank=bank_x,
            lead=world.lead_tebet,
            amount_idr=8_000_000,
            scheme="super_mikro",
        ),
        "x_big": make_referral(
            business=tebet2,
            bank=bank_x,
            lead=world.lead_tebet,
            amount_idr=90_000_000,
            status="acknowledged",
        ),
        "x_done": make_referral(
            business=tebet2, bank=bank_x, lead=world.lead_tebet, status="disbursed"
        ),
        "y_cakung": make_referral(business=world.biz_cakung, bank=bank_y, lead=world.lead_cakung),
        "y_tebet": make_referral(business=world.biz_tebet, bank=bank_y, lead=world.lead_tebet),
    }
    token_x = issue_token(bank_x, "inbox")[1]
    db.session.commit()
    return Banks(
        x=bank_x,
        y=bank_y,
        officer_x=make_officer(bank=bank_x),
        officer_x2=make_officer(bank=bank_x),
        officer_y=make_officer(bank=bank_y),
        token_x=token_x,
        refs=refs,
    )


def _ids(page: str) -> set[int]:
    return {int(i) for i in IDS.findall(page)}


def _inbox(client, query="") -> set[int]:
    response = client.get(f"/bank/bank-x/{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return _ids(response.get_data(as_text=True))


@pytest.fixture
def officer(client, login_as, banks):
    login_as(client, banks.officer_x)
    return client


def test_inbox_hides_closed_referrals_by_default_and_never_shows_another_bank(officer, banks):
    r = banks.refs
    assert _inbox(officer) == {r["x_small"].id, r["x_big"].id}
    assert _inbox(officer, "?closed=y") == {r["x_small"].id, r["x_big"].id, r["x_done"].id}
    assert _inbox(officer, "?status=disbursed") == {r["x_done"].id}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?chapter=tebet", {"x_small", "x_big"}),
        ("?chapter=cakung", set()),  # another bank's chapter: empty, never Bank Y's rows
        ("?scheme=super_mikro", {"x_small"}),
        ("?amount_min=50.000.000", {"x_big"}),
        ("?amount_max=Rp+10.000.000", {"x_small"}),
        ("?status=acknowledged", {"x_big"}),
        ("?sent_from=2000-01-01&sent_to=2999-12-31", {"x_small", "x_big"}),
        ("?sent_to=2001-01-01", set()),
        ("?sort=amount_high", {"x_small", "x_big"}),
    ],
)
def test_inbox_filters_keep_the_bank_scope(officer, banks, query, expected):
    assert _inbox(officer, query) == {banks.refs[k].id for k in expected}


def test_inbox_sorts_by_amount(officer, banks):
    r = banks.refs
    high = officer.get("/bank/bank-x/?sort=amount_high").get_data(as_text=True)
    low = officer.get("/bank/bank-x/?sort=amount_low").get_data(as_text=True)
    order = lambda page: [int(i) for i in IDS.findall(page)]  # noqa: E731
    assert order(high) == [r["x_big"].id, r["x_small"].id]
    assert order(low) == [r["x_small"].id, r["x_big"].id]


def test_a_refused_filter_value_is_marked_not_a_500(officer, banks):
    response = officer.get("/bank/bank-x/?amount_min=65rb&sent_from=kemarin")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "bukan 65rb" in page
    assert "2026-12-01" in page


def test_search_by_business_name_and_nik_last_digits_keeps_the_bank_scope(officer, banks, db):
    r = banks.refs
    assert _inbox(officer, "?q=sate") == {r["x_big"].id}
    # Keripik Bu Tini has referrals at both banks: only Bank X's is found.
    assert _inbox(officer, "?q=keripik") == {r["x_small"].id}
    last4 = r["x_small"].business.nik_masked[-4:]
    found = _inbox(officer, f"?q={last4}")
    assert r["x_small"].id in found
    assert r["y_tebet"].id not in found
    assert _inbox(officer, f"?q=%23{r['x_big'].id}") == {r["x_big"].id}
    # Bank Y's referral number searched at Bank X: nothing.
    assert _inbox(officer, f"?q=%23{r['y_cakung'].id}") == set()
    # Plain digits are the NIK's last digits or a referral number, within the bank.
    assert r["y_cakung"].id not in _inbox(officer, f"?q={r['y_cakung'].id}")
    assert r["x_big"].id in _inbox(officer, f"?q={r['x_big'].id}")


def test_inbox_shows_the_age_and_the_sla_countdown(officer, banks):
    page = officer.get("/bank/bank-x/").get_data(as_text=True)
    assert "hari kerja" in page
    assert "data-days-left=" in page  # the sent referral counts down to its deadline
    assert "Belum ditugaskan" in page


def test_officer_assigns_a_referral_to_a_colleague_of_the_same_bank(
    csrf_client, login_as, banks, db
):
    login_as(csrf_client.client, banks.officer_x)
    referral = banks.refs["x_small"]
    url = f"/bank/bank-x/referrals/{referral.id}/assign"
    assert csrf_client.get(url).status_code == 200

    response = csrf_client.post(url, data={"officer": str(banks.officer_x2.id)})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.assigned_officer_id == banks.officer_x2.id
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == banks.officer_x2.id, Notification.kind == "referral_assigned"
        )
    )
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referral_assigned")).data[
            "officer_id"
        ]
        == banks.officer_x2.id
    )
    mine = f"?assigned={banks.officer_x2.id}"
    assert _inbox(csrf_client.client, mine) == {referral.id}
    assert _inbox(csrf_client.client, "?assigned=none") == {banks.refs["x_big"].id}
    page = csrf_client.get("/bank/bank-x/").get_data(as_text=True)
    assert banks.officer_x2.name in page

    # "Assign to me" from the dossier.
    assert csrf_client.post(url, data={"officer": "me"}).status_code == 302
    db.session.refresh(referral)
    assert referral.assigned_officer_id == banks.officer_x.id
    assert _inbox(csrf_client.client, "?assigned=me") == {referral.id}


def test_assignment_to_another_banks_officer_is_refused(csrf_client, login_as, banks, db):
    login_as(csrf_client.client, banks.officer_x)
    referral = banks.refs["x_small"]
    response = csrf_client.post(
        f"/bank/bank-x/referrals/{referral.id}/assign", data={"officer": str(banks.officer_y.id)}
    )
    assert response.status_code == 400
    db.session.refresh(referral)
    assert referral.assigned_officer_id is None


def test_assignment_of_another_banks_referral_is_404(csrf_client, login_as, banks, db):
    login_as(csrf_client.client, banks.officer_x)
    theirs = banks.refs["y_tebet"]
    for url in (
        f"/bank/bank-x/referrals/{theirs.id}/assign",
        f"/bank/bank-y/referrals/{theirs.id}/assign",
    ):
        assert csrf_client.get(url).status_code == 404
        assert csrf_client.post(url, data={"officer": "me"}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.assigned_officer_id is None


def test_the_history_names_the_officer_who_acted(csrf_client, login_as, banks, db, world):
    from referrals import services

    referral = banks.refs["x_small"]
    services.bank_action(referral, "acknowledge", actor=banks.officer_x, role="bank_officer")
    db.session.commit()
    name = banks.officer_x.name
    login_as(csrf_client.client, world.lead_tebet)
    lead_page = csrf_client.get(f"/lead/tebet/referrals/{referral.id}").get_data(as_text=True)
    assert f"{name} (Petugas bank)" in lead_page
    login_as(csrf_client.client, world.biz_tebet.owner)
    member_page = csrf_client.get(f"/business/referrals/{referral.id}").get_data(as_text=True)
    assert f"{name} (Petugas bank)" in member_page


def _csv(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_is_the_filtered_list_in_the_bank_scope(officer, banks, db):
    r = banks.refs
    response = officer.get("/bank/bank-x/referrals.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    assert {int(row["id"]) for row in _csv(response)} == {r["x_small"].id, r["x_big"].id}

    with_closed = _csv(officer.get("/bank/bank-x/referrals.csv?closed=y"))
    assert {int(row["id"]) for row in with_closed} == {
        r["x_small"].id,
        r["x_big"].id,
        r["x_done"].id,
    }
    assert _csv(officer.get("/bank/bank-x/referrals.csv?chapter=cakung")) == []
    searched = _csv(officer.get("/bank/bank-x/referrals.csv?q=keripik"))
    assert [int(row["id"]) for row in searched] == [r["x_small"].id]
    body = officer.get("/bank/bank-x/referrals.csv?closed=y").get_data(as_text=True)
    assert r["x_small"].business.nik_masked not in body  # no NIK in the export
    exported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "referrals_exported")
    ).all()
    assert exported
    assert all("q" not in e.data["filters"] for e in exported)


def test_csv_export_walks_every_page(officer, banks, db, world):
    for i in range(7):
        make_referral(
            business=world.biz_tebet, bank=banks.x, lead=world.lead_tebet, amount_idr=1_000_000 + i
        )
    from referrals.services import inbox

    f, _ = inbox.parse_filter({})
    rows = list(inbox.export_rows(banks.x, f, batch=3))
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids)) == 9
    assert all(r.bank_id == banks.x.id for r in rows)


def test_another_banks_officer_cannot_export(client, login_as, banks):
    login_as(client, banks.officer_y)
    assert client.get("/bank/bank-x/referrals.csv").status_code == 404


def test_the_printed_dossier_names_the_bank_the_officer_and_the_time(officer, banks):
    page = officer.get(f"/bank/bank-x/referrals/{banks.refs['x_small'].id}").get_data(as_text=True)
    assert f"Dicetak dari portal Bank X oleh {banks.officer_x.name} pada" in page
    assert "WIB" in page.split("Dicetak dari portal")[1].split("</p>")[0]


def _api(client, token, query="") -> set[int]:
    response = client.get(
        f"/api/v1/bank/referrals{query}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def test_bank_api_takes_the_same_filters_and_keeps_the_bank_scope(client, banks):
    r, token = banks.refs, banks.token_x
    # Closed ones are included on the API by default (polling clients see every change).
    assert _api(client, token) == {r["x_small"].id, r["x_big"].id, r["x_done"].id}
    assert _api(client, token, "?closed=false") == {r["x_small"].id, r["x_big"].id}
    assert _api(client, token, "?chapter=cakung") == set()
    assert _api(client, token, "?scheme=super_mikro") == {r["x_small"].id}
    assert _api(client, token, "?amount_min=50000000") == {r["x_big"].id}
    assert _api(client, token, "?q=keripik") == {r["x_small"].id}
    # A token is nobody: "assigned to me" matches nothing (not the unassigned ones).
    assert _api(client, token, "?assigned=me") == set()
    assert _api(client, token, "?assigned=none") == {r["x_small"].id, r["x_big"].id, r["x_done"].id}
    bad = client.get(
        "/api/v1/bank/referrals?amount_min=65rb", headers={"Authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "amount_min"


def test_referral_model_has_the_assignment_index():
    names = {i.name for i in Referral.__table__.indexes}
    assert "ix_referral_bank_assignee" in names
