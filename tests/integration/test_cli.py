"""Operator commands: create-admin and seed-demo."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.chapters.models import ChapterLead
from marketplace.cli import create_admin, seed_demo


def test_create_admin_makes_an_admin_who_can_open_the_admin_area(app, db, csrf_client):
    result = app.test_cli_runner().invoke(
        create_admin, ["--email", "Boss@Example.com", "--password", "a long admin secret"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.is_admin
    csrf_client.post(
        "/login", data={"email": "boss@example.com", "password": "a long admin secret"}
    )
    assert csrf_client.get("/admin/").status_code == 200


def test_create_admin_rejects_a_weak_password_and_creates_nothing(app, db):
    result = app.test_cli_runner().invoke(
        create_admin, ["--email", "boss@example.com", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "minimal 10 karakter" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.plugin("referrals")  # the bank officers' logins and API tokens
def test_seed_demo_is_idempotent_and_prints_a_login_for_every_role(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_demo)
    assert first.exit_code == 0, first.output
    users = db.session.scalar(select(func.count(User.id)))
    leads = db.session.scalar(select(func.count(ChapterLead.id)))
    second = runner.invoke(seed_demo)
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalar(select(func.count(ChapterLead.id))) == leads >= 2
    for role in ("admin", "chapter lead", "consumer", "SME owner"):
        assert role in first.output
    # Same logins both times; only the freshly issued bank API tokens differ.
    def without_tokens(output):
        return [line for line in output.splitlines() if "API token" not in line]

    assert without_tokens(first.output) == without_tokens(second.output)
    assert first.output.count("bank API token") == 3


def test_seed_demo_shows_smes_at_every_stage_of_the_gate(app, db):
    from marketplace.businesses.models import Business
    from marketplace.catalog.models import Product
    from marketplace.legality.models import LegalityDocument

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    statuses = set(db.session.scalars(select(Product.status)))
    assert statuses == {"draft", "listed", "unlisted"}
    assert set(db.session.scalars(select(LegalityDocument.status))) >= {
        "submitted",
        "verified",
        "expired",
    }
    chapters = set(db.session.scalars(select(Business.chapter_id)))
    assert len(chapters) >= 3
    categories = set(db.session.scalars(select(Product.category)))
    assert {"fashion", "kuliner", "kriya", "kosmetik", "pendidikan", "perikanan"} <= categories


def test_seed_demo_fills_a_year_of_orders_and_books(app, db):
    from marketplace.ledger.models import LedgerEntry
    from marketplace.orders.models import Order

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    statuses = set(db.session.scalars(select(Order.status)))
    assert {"completed", "shipped", "pending_payment", "refunded"} <= statuses
    kinds = set(db.session.scalars(select(LedgerEntry.kind)))
    assert kinds == {"sale", "refund", "manual_income", "expense"}
    sales = db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "sale"))
    paid = db.session.scalar(select(func.count(Order.id)).where(
        Order.status.in_(("paid", "shipped", "completed", "refunded"))))
    assert sales == paid


def test_seed_demo_puts_members_at_different_pathway_stages(app, db):
    from marketplace.chapters.services import get_chapter_by_slug
    from marketplace.mentoring import pathway
    from marketplace.mentoring.models import Attendance, CheckIn, MentoringSession

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    assert db.session.scalar(select(func.count(MentoringSession.id))) >= 20
    assert db.session.scalar(select(func.count(Attendance.id))) > 0
    assert db.session.scalar(select(func.count(CheckIn.id))) > 0
    progress = {
        sum(step.done for step in p.steps)
        for slug in ("tebet", "cakung")
        for p in pathway.for_chapter(get_chapter_by_slug(slug))
    }
    assert len(progress) >= 3  # members are at different stages
