"""Journey 3: a lead runs weekly mentoring, sees who falls behind; members see their next
step. The 7 PAS pathway is computed from data."""

import logging
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.timeutil import JAKARTA, jakarta_today, utcnow
from marketplace.ledger.models import LedgerEntry
from marketplace.mentoring import pathway
from marketplace.mentoring.dashboard import chapter_dashboard, platform_dashboard
from marketplace.mentoring.models import Attendance, MentoringSession, SessionSignup
from marketplace.notifications.models import Notification
from tests.factories import (
    make_business,
    make_document,
    make_product,
    make_session,
    make_user,
)

TODAY = date(2026, 11, 28)


def attend(business, lead, count, *, days_ago_start=10):
    for i in range(count):
        session = make_session(
            chapter=business.chapter, lead=lead, days_from_now=-(days_ago_start + 7 * i)
        )
        from marketplace.extensions import db

        db.session.add(
            Attendance(session_id=session.id, business_id=business.id, recorded_by_id=lead.id)
        )
        db.session.commit()


def book_month(business, year, month, db):
    """The owner's entries in four weeks of the month: the chapter's default rhythm."""
    db.session.add_all(
        LedgerEntry(
            business_id=business.id,
            kind="expense",
            category="sewa",
            amount_idr=50_000,
            occurred_on=date(year, month, day),
        )
        for day in (3, 10, 17, 24)
    )
    db.session.commit()


def steps(business, today=TODAY):
    return {s.key: s.done for s in pathway.for_business(business, today).steps}


# --- the pathway at its boundaries -----------------------------------------------------------


def test_registration_is_the_only_step_at_the_start(world):
    done = steps(world.biz_tebet)
    assert done["pendaftaran"] is True
    assert not any(v for k, v in done.items() if k != "pendaftaran")
    step, text = pathway.for_business(world.biz_tebet, TODAY).next_step
    assert step.key == "pelatihan"
    assert "pelatihan" in str(text).lower()


def test_mentoring_needs_n_sessions_n_minus_1_is_not_enough(world, db):
    n = world.tebet.mentoring_sessions_required
    attend(world.biz_tebet, world.lead_tebet, n - 1)
    assert steps(world.biz_tebet)["pendampingan"] is False
    assert steps(world.biz_tebet)["pelatihan"] is True  # any session is training
    attend(world.biz_tebet, world.lead_tebet, 1, days_ago_start=2)
    assert steps(world.biz_tebet)["pendampingan"] is True


def test_the_chapter_setting_decides_n(world, db):
    world.tebet.mentoring_sessions_required = 2
    db.session.commit()
    attend(world.biz_tebet, world.lead_tebet, 2)
    assert steps(world.biz_tebet)["pendampingan"] is True


def test_books_for_2_months_is_not_3(world, db):
    book_month(world.biz_tebet, 2026, 10, db)
    book_month(world.biz_tebet, 2026, 9, db)
    assert steps(world.biz_tebet)["pelaporan_keuangan"] is False
    book_month(world.biz_tebet, 2026, 8, db)
    assert steps(world.biz_tebet)["pelaporan_keuangan"] is True
    # A gap breaks the streak: nothing in October means not "the last 3 months".
    assert steps(world.biz_tebet, today=date(2026, 12, 5))["pelaporan_keuangan"] is False


def test_training_elsewhere_counts_and_licensing_follows_the_nib(world, db, csrf_client, login_as):
    login_as(csrf_client.client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/members/{world.biz_tebet.id}/training",
        data={
            "tr-provider": "ppkd",
            "tr-title": "Kursus tata boga PPKD Jakarta Selatan",
            "tr-completed_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert steps(world.biz_tebet)["pelatihan"] is True
    assert steps(world.biz_tebet)["perizinan"] is False
    make_document(business=world.biz_tebet, kind="nib", status="submitted")
    assert steps(world.biz_tebet)["perizinan"] is False
    make_document(business=world.biz_tebet, kind="nib", status="verified")
    assert steps(world.biz_tebet)["perizinan"] is True


def test_marketing_follows_the_first_listing(world, db):
    from marketplace.core.statemachine import apply_transition

    product = make_product(business=world.biz_tebet, status="draft")
    assert steps(world.biz_tebet)["pemasaran"] is False
    apply_transition(product, "list", actor=world.biz_tebet.owner, role="sme_owner")
    db.session.commit()
    assert steps(world.biz_tebet)["pemasaran"] is True


# --- sessions, sign-ups, attendance --------------------------------------------------------


def test_journey_lead_schedules_weekly_sessions_member_signs_up_lead_records_attendance(
    csrf_client, login_as, world, db
):
    login_as(csrf_client.client, world.lead_tebet)
    start = (datetime.now(JAKARTA) + timedelta(days=2)).replace(hour=19, minute=0)
    response = csrf_client.post(
        "/lead/tebet/sessions",
        data={
            "topic": "Foto produk dengan HP",
            "track": "upskilling",
            "digital_level": "social_media",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "90",
            "place": "Aula Kelurahan Tebet Barat",
            "online_link": "",
            "capacity": "20",
            "weeks": "4",
        },
    )
    assert response.status_code == 302
    sessions = db.session.scalars(
        select(MentoringSession).order_by(MentoringSession.starts_at)
    ).all()
    assert len(sessions) == 4
    assert [(s.starts_at - sessions[0].starts_at).days for s in sessions] == [0, 7, 14, 21]
    assert sessions[0].starts_at.astimezone(JAKARTA).hour == 19

    login_as(csrf_client.client, world.biz_tebet.owner)
    page = csrf_client.get("/business/pathway").get_data(as_text=True)
    assert "Foto produk dengan HP" in page
    assert csrf_client.post(f"/business/sessions/{sessions[0].id}/signup").status_code == 302
    assert db.session.scalar(select(func.count(SessionSignup.id))) == 1

    # The session happens; the lead records who came.
    sessions[0].starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    login_as(csrf_client.client, world.lead_tebet)
    page = csrf_client.get(f"/lead/tebet/sessions/{sessions[0].id}").get_data(as_text=True)
    assert world.biz_tebet.name in page
    response = csrf_client.post(
        f"/lead/tebet/sessions/{sessions[0].id}", data={"present": [str(world.biz_tebet.id)]}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Attendance.id))) == 1
    assert pathway.for_business(world.biz_tebet).sessions_attended == 1


def test_attendance_cannot_be_recorded_before_the_session(csrf_client, login_as, world, db):
    session = make_session(chapter=world.tebet, lead=world.lead_tebet, days_from_now=3)
    login_as(csrf_client.client, world.lead_tebet)
    csrf_client.post(
        f"/lead/tebet/sessions/{session.id}", data={"present": [str(world.biz_tebet.id)]}
    )
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_lead_cannot_mark_another_chapters_member_present(csrf_client, login_as, world, db):
    session = make_session(chapter=world.tebet, lead=world.lead_tebet)
    login_as(csrf_client.client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/sessions/{session.id}", data={"present": [str(world.biz_cakung.id)]}
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_member_cannot_sign_up_for_another_chapters_session(csrf_client, login_as, world, db):
    session = make_session(chapter=world.cakung, lead=world.lead_cakung, days_from_now=3)
    login_as(csrf_client.client, world.biz_tebet.owner)
    assert csrf_client.post(f"/business/sessions/{session.id}/signup").status_code == 404
    assert db.session.scalar(select(func.count(SessionSignup.id))) == 0


def test_a_full_session_refuses_more_sign_ups(csrf_client, login_as, world, db):
    session = make_session(chapter=world.tebet, lead=world.lead_tebet, days_from_now=3, capacity=1)
    other = make_business(chapter=world.tebet, owner=make_user(), name="Warung Bu Ida")
    from marketplace.mentoring.services import sign_up

    sign_up(other, session.id, actor=other.owner)
    db.session.commit()
    login_as(csrf_client.client, world.biz_tebet.owner)
    csrf_client.post(f"/business/sessions/{session.id}/signup")
    assert db.session.scalar(select(func.count(SessionSignup.id))) == 1


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example", "https://"]
)
def test_only_web_links_are_accepted_for_online_sessions(csrf_client, login_as, world, db, link):
    login_as(csrf_client.client, world.lead_tebet)
    start = datetime.now(JAKARTA) + timedelta(days=2)
    response = csrf_client.post(
        "/lead/tebet/sessions",
        data={
            "topic": "Live jualan",
            "track": "new_skilling",
            "digital_level": "live_streaming",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "place": "",
            "online_link": link,
            "capacity": "50",
            "weeks": "1",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(MentoringSession.id))) == 0


# --- check-ins, follow-ups, dashboards -----------------------------------------------------


def test_check_ins_and_the_lists_of_members_falling_behind(csrf_client, login_as, world, db):
    behind = make_business(chapter=world.tebet, owner=make_user(), name="Toko Lupa Catat")
    db.session.add(
        LedgerEntry(
            business_id=behind.id,
            kind="expense",
            category="sewa",
            amount_idr=10_000,
            occurred_on=jakarta_today() - timedelta(days=45),
        )
    )
    db.session.add(
        LedgerEntry(
            business_id=world.biz_tebet.id,
            kind="expense",
            category="sewa",
            amount_idr=10_000,
            occurred_on=jakarta_today(),
        )
    )
    db.session.commit()
    login_as(csrf_client.client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/members/{world.biz_tebet.id}/check-in",
        data={
            "ci-applies_learning": "y",
            "ci-books_kept": "y",
            "ci-next_step": "Mulai jualan lewat WhatsApp Business",
        },
    )
    assert response.status_code == 302
    figures = chapter_dashboard(world.tebet)
    assert [p.business.name for p in figures["overdue"]] == ["Toko Lupa Catat"]
    assert [p.business.name for p in figures["stopped"]] == ["Toko Lupa Catat"]
    page = csrf_client.get("/lead/tebet/").get_data(as_text=True)
    assert "Toko Lupa Catat" in page


def test_dashboard_figures_equal_an_independent_count(world, db):
    from marketplace.core.statemachine import apply_transition

    members = [world.biz_tebet] + [
        make_business(chapter=world.tebet, owner=make_user(), name=f"Usaha {i}") for i in range(4)
    ]
    for b in members[:3]:
        make_document(business=b, kind="nib", status="verified")
    for b in members[:2]:
        product = make_product(business=b, status="draft", category="kriya")
        apply_transition(product, "list", actor=b.owner, role="sme_owner")
    db.session.commit()
    for b in members[:1]:
        for month in (8, 9, 10):
            book_month(b, 2026, month, db)
    figures = chapter_dashboard(world.tebet, TODAY)["funnel"]
    from marketplace.legality.models import LegalityDocument

    ids = [b.id for b in members]
    verified = db.session.scalar(
        select(func.count(func.distinct(LegalityDocument.business_id))).where(
            LegalityDocument.business_id.in_(ids),
            LegalityDocument.kind == "nib",
            LegalityDocument.status == "verified",
        )
    )
    from marketplace.catalog.models import Product

    listed = db.session.scalar(
        select(func.count(func.distinct(Product.business_id))).where(
            Product.business_id.in_(ids), Product.status == "listed"
        )
    )
    assert figures == {
        "members": 5,
        "verified": verified,
        "listed": listed,
        "first_sale": 0,
        "books": 1,
        "endorsed": 0,
        "approved": 0,
    }
    assert (verified, listed) == (3, 2)
    row = next(r for r in platform_dashboard() if r["chapter"].slug == "tebet")
    assert row["members"] == 5
    assert row["verified"] == 3


def _bulk_members(chapter, n, db):
    from marketplace.accounts.models import User
    from marketplace.businesses.models import Business
    from marketplace.chapters.models import Kelurahan

    kel = db.session.scalar(select(Kelurahan).where(Kelurahan.chapter_id == chapter.id))
    start = db.session.scalar(select(func.count(User.id)))
    users = [
        User(
            email=f"bulk{chapter.id}-{start + i}@example.com",
            name=f"Anggota {i}",
            password_hash="x",
        )
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    from marketplace.core.crypto import encrypt_text

    secret = encrypt_text("3171011708450001")
    db.session.add_all(
        [
            Business(
                owner_id=u.id,
                chapter_id=chapter.id,
                kelurahan_code=kel.code,
                name=f"Usaha {u.id}",
                nik_encrypted=secret,
                nik_masked="3171********0001",
                nik_index=f"{u.id:064x}",
                nib="9120003849102",
                scale="mikro",
                sector="kuliner",
                started_on=date(2022, 1, 1),
                address_line="Jl. A 1",
                postal_code=kel.postal_code,
                whatsapp_e164="+6281234567890",
            )
            for u in users
        ]
    )
    db.session.commit()


@pytest.mark.parametrize("path", ["/lead/tebet/", "/admin/dashboard"])
def test_dashboards_use_a_constant_number_of_statements(
    client, login_as, world, db, count_statements, path
):
    who = world.lead_tebet if path.startswith("/lead") else world.admin
    login_as(client, who)
    _bulk_members(world.tebet, 4, db)
    with count_statements() as small:
        assert client.get(path).status_code == 200
    _bulk_members(world.tebet, 496, db)
    with count_statements() as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small)
    assert len(large) <= 8, large.statements


def test_platform_dashboard_sorts_and_exports_csv(client, login_as, world, db):
    _bulk_members(world.cakung, 3, db)
    login_as(client, world.admin)
    page = client.get("/admin/dashboard?sort=members").get_data(as_text=True)
    assert page.index("Cakung") < page.index("Tebet")
    csv_text = client.get("/admin/dashboard.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffchapter,kota,members,verified")
    assert len(csv_text.strip().splitlines()) == 45


def test_members_see_their_pathway_and_leads_see_it_for_every_member(csrf_client, login_as, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    mine = csrf_client.get("/business/pathway").get_data(as_text=True)
    assert "Langkah berikutnya" in mine
    assert "Pendaftaran" in mine
    login_as(csrf_client.client, world.lead_tebet)
    theirs = csrf_client.get(f"/lead/tebet/members/{world.biz_tebet.id}").get_data(as_text=True)
    assert "Perjalanan 7 PAS" in theirs


# --- reminders -----------------------------------------------------------------------------


def test_reminders_the_day_before_and_check_ins_due_are_sent_once(app, world, db, caplog):
    from marketplace.mentoring.cli import mentoring

    tomorrow = datetime.combine(
        jakarta_today() + timedelta(days=1), datetime.min.time(), tzinfo=JAKARTA
    ) + timedelta(hours=19)
    session = make_session(chapter=world.tebet, lead=world.lead_tebet)
    session.starts_at = tomorrow
    db.session.add(SessionSignup(session_id=session.id, business_id=world.biz_tebet.id))
    db.session.commit()
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO, logger="pasarkita.mail"):
        first = runner.invoke(mentoring, ["remind"])
    assert "1 session reminder(s)" in first.output
    assert "check-in notice(s)" in first.output
    assert f"email to={world.biz_tebet.owner.email}" in caplog.text
    second = runner.invoke(mentoring, ["remind"])
    assert "0 session reminder(s), 0 check-in notice(s)" in second.output
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "session_reminder")
        )
        == 1
    )
