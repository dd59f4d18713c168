"""Issue 14: a member who registered with only a WhatsApp number can be made a chapter lead
or a bank officer (admin page and CLI, one rule: accounts.administration.account_for_role),
logs in by phone and lands on the console or the portal."""

from sqlalchemy import func, select

from marketplace.chapters.models import ChapterLead
from referrals.models import BankOfficer
from tests.factories import PASSWORD, make_bank, make_user

NUMBER = "+6281311112222"
TYPED = "0813-1111-2222"  # as people write it


def phone_only(**kw):
    return make_user(name="Pak Darto", phone=NUMBER, no_email=True, **kw)


def login_by_phone(client, typed=TYPED):
    return client.post("/login", data={"email": typed, "password": PASSWORD})


def test_admin_makes_a_phone_only_member_a_lead_who_logs_in_by_phone_to_the_console(
    csrf_client, login_as, world, db
):
    user = phone_only()
    login_as(csrf_client.client, world.admin)
    response = csrf_client.post("/admin/chapters/gambir", data={"email": TYPED})
    assert response.status_code == 302
    lead = db.session.scalar(select(ChapterLead).where(ChapterLead.user_id == user.id))
    assert lead.chapter.slug == "gambir"
    page = csrf_client.get("/admin/chapters/gambir").get_data(as_text=True)
    assert NUMBER in page
    assert "None" not in page
    csrf_client.post("/logout")
    csrf_client.client.delete_cookie("session")
    landed = login_by_phone(csrf_client)
    assert landed.status_code == 302
    assert "/lead/gambir" in landed.headers["Location"]


def test_admin_makes_a_phone_only_member_a_bank_officer_who_lands_on_the_portal(
    csrf_client, login_as, world, db
):
    bank = make_bank(slug="bank-kita", name="Bank Kita", chapters=[world.tebet])
    user = phone_only()
    login_as(csrf_client.client, world.admin)
    response = csrf_client.post("/admin/banks/bank-kita/officers", data={"of-email": TYPED})
    assert response.status_code == 302
    assert db.session.scalar(
        select(BankOfficer).where(BankOfficer.user_id == user.id, BankOfficer.bank_id == bank.id)
    )
    assert NUMBER in csrf_client.get("/admin/banks/bank-kita").get_data(as_text=True)
    csrf_client.post("/logout")
    csrf_client.client.delete_cookie("session")
    landed = login_by_phone(csrf_client)
    assert landed.status_code == 302
    assert "/bank/bank-kita" in landed.headers["Location"]


def test_an_unverified_number_is_refused_plainly_and_nothing_changes(
    csrf_client, login_as, world, db
):
    make_bank(slug="bank-kita", name="Bank Kita", chapters=[world.tebet])
    phone_only(phone_verified=False)
    login_as(csrf_client.client, world.admin)
    leads = db.session.scalar(select(func.count(ChapterLead.id)))
    refused = csrf_client.post("/admin/chapters/gambir", data={"email": TYPED})
    assert refused.status_code == 400
    assert "belum diverifikasi" in refused.get_data(as_text=True)
    refused = csrf_client.post("/admin/banks/bank-kita/officers", data={"of-email": TYPED})
    assert refused.status_code == 400
    assert "belum diverifikasi" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ChapterLead.id))) == leads
    assert db.session.scalar(select(func.count(BankOfficer.id))) == 0


def test_an_unknown_number_is_refused_by_name(csrf_client, login_as, world):
    login_as(csrf_client.client, world.admin)
    refused = csrf_client.post("/admin/chapters/gambir", data={"email": "0813 9999 0000"})
    assert refused.status_code == 400
    assert "Tidak ada akun dengan nomor WhatsApp tersebut" in refused.get_data(as_text=True)


def test_cli_makes_phone_only_leads_and_officers_with_the_same_rule(app, world, db):
    make_bank(slug="bank-kita", name="Bank Kita", chapters=[world.tebet])
    user = phone_only()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["assign-lead", "gambir", TYPED])
    assert result.exit_code == 0, result.output
    assert NUMBER in result.output
    result = runner.invoke(args=["referrals", "add-officer", "bank-kita", TYPED])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(ChapterLead).where(ChapterLead.user_id == user.id))
    assert db.session.scalar(select(BankOfficer).where(BankOfficer.user_id == user.id))
    again = runner.invoke(args=["referrals", "add-officer", "bank-kita", TYPED])
    assert again.exit_code != 0
    assert "sudah menjadi petugas" in again.output
    unknown = runner.invoke(args=["assign-lead", "gambir", "0813 9999 0000"])
    assert unknown.exit_code != 0
    assert "nomor WhatsApp" in unknown.output
