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
    from marketplace.ledger.models import EFFECTS, LedgerEntry
    from marketplace.orders.models import Order

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    statuses = set(db.session.scalars(select(Order.status)))
    assert {"completed", "shipped", "pending_payment", "refunded"} <= statuses
    kinds = set(db.session.scalars(select(LedgerEntry.kind)))
    # Issue 13: every kind of entry the SAK EMKM statements read (prive, stock, equipment...).
    assert kinds == set(EFFECTS)
    sales = db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "sale"))
    paid = db.session.scalar(
        select(func.count(Order.id)).where(
            Order.status.in_(("paid", "shipped", "completed", "refunded"))
        )
    )
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


# --- the demo goes through the services ------------------------------------------------------


def _row_counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
        }


def test_seed_demo_twice_adds_no_rows(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(seed_demo).exit_code == 0
    first = _row_counts(db)
    assert runner.invoke(seed_demo).exit_code == 0
    second = _row_counts(db)
    # The referral step issues a fresh bank API token each run (printed once, the old one
    # revoked and audited); every other table stays as it was.
    changed = {name for name in first if first[name] != second[name]}
    assert changed <= {"bank_token", "audit_event"}
    assert first["order"] > 0


def _replays(model, obj, events) -> bool:
    """Whether ``obj``'s event trail walks its TRANSITIONS table from the initial state
    to the status it holds, one step per event."""
    state = str(model.__table__.c.status.default.arg)
    if getattr(obj, "payment_method", None) == "cod":
        state = "awaiting_delivery"  # a cash-on-delivery order is born waiting for the cash
    events = sorted(events, key=lambda e: e.seq)
    if [e.seq for e in events] != list(range(1, len(events) + 1)):
        return False
    for event in events:
        if event.from_status != state:
            return False
        state = model.TRANSITIONS.get((state, event.action))
        if state != event.to_status:
            return False
    return state == str(getattr(obj.status, "value", obj.status))


def test_seed_demo_writes_every_status_through_its_transitions(app, db):
    from marketplace.catalog.models import Product, ProductEvent
    from marketplace.legality.models import DocumentEvent, LegalityDocument
    from marketplace.orders.models import Order, OrderEvent

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    for model, event_model in (
        (Order, OrderEvent),
        (Product, ProductEvent),
        (LegalityDocument, DocumentEvent),
    ):
        rows = db.session.scalars(select(model)).all()
        assert rows
        for row in rows:
            events = db.session.scalars(
                select(event_model).where(getattr(event_model, model.EVENT_FK) == row.id)
            ).all()
            assert _replays(model, row, events), (model.__name__, row.id, row.status)


def test_seed_demo_pays_through_the_webhook_path_once_per_order(app, db):
    from marketplace.ledger.models import LedgerEntry
    from marketplace.orders.models import Checkout, Order, OrderEvent
    from marketplace.payments.models import ProcessedStripeEvent

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    paid_states = ("paid", "shipped", "completed", "refunded")
    orders = db.session.scalars(select(Order)).all()
    for order in orders:
        kinds = sorted(
            db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.order_id == order.id))
        )
        if order.status in paid_states:
            # A complaint's partial refund (issue 15) reverses part of a completed order.
            refunded = order.status == "refunded" or order.refunded_idr > 0
            assert kinds == (["refund", "sale"] if refunded else ["sale"])
            if order.payment_method == "cod":
                # Cash on delivery: the seller recorded the cash; no intent, no webhook.
                cash = db.session.scalar(
                    select(OrderEvent).where(
                        OrderEvent.order_id == order.id, OrderEvent.action == "record_cash"
                    )
                )
                assert cash.role == "sme_owner"
                assert order.checkout.payment_intent_id is None
                continue
            pay = db.session.scalar(
                select(OrderEvent).where(
                    OrderEvent.order_id == order.id, OrderEvent.action == "pay"
                )
            )
            # Paid by the fulfilment the webhook runs, for the checkout's own intent.
            assert pay.role == "system"
            assert pay.note == f"payment {order.checkout.payment_intent_id}"
        else:
            assert kinds == []
    paid_checkouts = db.session.scalar(
        select(func.count(func.distinct(Order.checkout_id))).where(
            Order.status.in_(paid_states), Order.payment_method == "card"
        )
    )
    assert paid_checkouts > 10
    assert (
        db.session.scalar(
            select(func.count(ProcessedStripeEvent.event_id)).where(
                ProcessedStripeEvent.type == "payment_intent.succeeded"
            )
        )
        == paid_checkouts
    )
    # The one checkout still awaiting payment has no intent paid behind its back.
    waiting = db.session.scalars(
        select(Checkout).join(Order).where(Order.status == "pending_payment")
    ).all()
    assert len(waiting) == 1
    assert waiting[0].payment_intent_id is None


def test_production_start_never_imports_the_demo_and_the_demo_never_imports_the_cli():
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys\n"
        "import wsgi\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('marketplace.demo') "
        "or m.split('.')[0] == 'faker')\n"
        "assert not loaded, loaded\n"
        "for m in [m for m in sys.modules if m.startswith('marketplace')]:\n"
        "    del sys.modules[m]\n"
        "import marketplace.demo.smes, marketplace.demo.orders, marketplace.demo.books\n"
        "import marketplace.demo.mentoring\n"
        "assert 'marketplace.cli' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PASARKITA_ENV": "testing", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
