"""States as data: the database refuses an unknown state and a row that contradicts its
state; every transition table agrees with can() and refuses illegal moves without a trace.

Runs on SQLite and, with DATABASE_URL_TEST, on PostgreSQL. The document and product tables
are walked through apply_transition in test_legality_gate.py; the order table is here.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

import marketplace.models  # noqa: F401 - every mapper, so transient models can be built
from marketplace.catalog.models import Product, ProductStatus
from marketplace.complaints.models import Complaint, ComplaintStatus
from marketplace.core.errors import IllegalTransition
from marketplace.core.statemachine import allowed_actions, apply_transition, can
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db as _db
from marketplace.legality.models import REFUSED, DocumentStatus, LegalityDocument
from marketplace.orders.models import (
    PAID_STATES,
    SHIPPED_STATES,
    UNPAID_STATES,
    Order,
    OrderEvent,
    OrderStatus,
)
from tests.factories import make_document, make_order, make_product

LIFECYCLES = {
    Product: ProductStatus,
    LegalityDocument: DocumentStatus,
    Order: OrderStatus,
    Complaint: ComplaintStatus,
}

# Every host column that holds a state, with the states it may hold.
STATUS_COLUMNS = [
    ("product", "status", ProductStatus),
    ("legality_document", "status", DocumentStatus),
    ("order", "status", OrderStatus),
    ("product_event", "from_status", ProductStatus),
    ("product_event", "to_status", ProductStatus),
    ("document_event", "from_status", DocumentStatus),
    ("document_event", "to_status", DocumentStatus),
    ("order_event", "from_status", OrderStatus),
    ("order_event", "to_status", OrderStatus),
    ("complaint", "status", ComplaintStatus),
    ("complaint_event", "from_status", ComplaintStatus),
    ("complaint_event", "to_status", ComplaintStatus),
]


def _table(name):
    return _db.metadata.tables[name]


def _one_row_of_each(world) -> dict[str, int]:
    """A product, a permit and an order, each moved once so each event table has a row."""
    business = world.biz_tebet
    product = make_product(business=business)
    document = make_document(business=business, kind="pirt", status="submitted")
    order = make_order(business=business, consumer=world.consumer_a)
    apply_transition(product, "list", actor=business.owner, role="sme_owner")
    apply_transition(document, "verify", actor=world.lead_tebet, role="lead")
    apply_transition(order, "pay", actor=None, role="system", paid_at=utcnow())
    shipped = make_order(business=business, consumer=world.consumer_a, status="shipped")
    complaint = Complaint(
        order_id=shipped.id,
        business_id=business.id,
        consumer_id=world.consumer_a.id,
        reason="damaged",
        text="Kemasan sobek semua.",
    )
    _db.session.add(complaint)
    _db.session.flush()
    apply_transition(complaint, "answer", actor=business.owner, role="sme_owner", answer="Maaf")
    _db.session.commit()
    ids = {
        "product": product.id,
        "legality_document": document.id,
        "order": order.id,
        "complaint": complaint.id,
    }
    for name in ("product_event", "document_event", "order_event", "complaint_event"):
        ids[name] = _db.session.scalar(select(func.min(_table(name).c.id)))
    return ids


def _implied(table: str, state) -> dict:
    """The columns a row in ``state`` must carry besides its status (the invariant CHECKs)."""
    if table == "order":
        shipped = state in SHIPPED_STATES
        return {
            "paid_at": utcnow() if state in PAID_STATES else None,
            "courier": "JNE" if shipped else None,
            "tracking_number": "JNE0000000001" if shipped else None,
        }
    if table == "legality_document":
        return {"expires_on": date(2029, 12, 31), "review_note": "Berkas tidak terbaca"}
    if table == "complaint":
        return {"return_courier": "JNE", "return_tracking": "JNE0000000002"}
    return {}


@pytest.mark.parametrize("value", ["archived", "", "Listed"])
@pytest.mark.parametrize(("table", "column", "states"), STATUS_COLUMNS)
def test_status_known_refuses_an_unknown_state(db, world, table, column, states, value):
    row_id = _one_row_of_each(world)[table]
    before = db.session.scalar(
        text(f'SELECT {column} FROM "{table}" WHERE id = :id'),  # noqa: S608 - our own names
        {"id": row_id},
    )
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(
            text(f'UPDATE "{table}" SET {column} = :value WHERE id = :id'),  # noqa: S608
            {"value": value, "id": row_id},
        )
    db.session.rollback()
    assert f"ck_{table}_{column}_known" in str(refused.value)
    after = db.session.scalar(
        text(f'SELECT {column} FROM "{table}" WHERE id = :id'),  # noqa: S608 - our own names
        {"id": row_id},
    )
    assert after == before


@pytest.mark.parametrize(
    ("table", "column", "state"),
    [(table, column, state) for table, column, states in STATUS_COLUMNS for state in states],
)
def test_status_known_accepts_every_state_of_the_enum(db, world, table, column, state):
    # The migration's value lists are a snapshot of the enums: they must not drift apart.
    row_id = _one_row_of_each(world)[table]
    values = {column: state, **(_implied(table, state) if column == "status" else {})}
    db.session.execute(update(_table(table)).where(_table(table).c.id == row_id).values(**values))
    db.session.commit()
    assert db.session.scalar(
        select(_table(table).c[column]).where(_table(table).c.id == row_id)
    ) == (state)


NOW = object()  # stands for "a timestamp" in the table below

# (constraint, table, state, the contradicting column values)
INVARIANTS = [
    ("ck_order_paid_has_paid_at", "order", OrderStatus.PAID, {"paid_at": None}),
    ("ck_order_paid_has_paid_at", "order", OrderStatus.REFUNDED, {"paid_at": None}),
    ("ck_order_paid_has_paid_at", "order", OrderStatus.COMPLETED, {"paid_at": None}),
    ("ck_order_unpaid_has_no_paid_at", "order", OrderStatus.PENDING_PAYMENT, {"paid_at": NOW}),
    ("ck_order_unpaid_has_no_paid_at", "order", OrderStatus.EXPIRED, {"paid_at": NOW}),
    ("ck_order_unpaid_has_no_paid_at", "order", OrderStatus.CANCELLED, {"paid_at": NOW}),
    ("ck_order_shipped_has_tracking", "order", OrderStatus.SHIPPED, {"courier": None}),
    ("ck_order_shipped_has_tracking", "order", OrderStatus.SHIPPED, {"tracking_number": None}),
    ("ck_order_shipped_has_tracking", "order", OrderStatus.COMPLETED, {"courier": None}),
    (
        "ck_legality_document_expired_has_expiry",
        "legality_document",
        DocumentStatus.EXPIRED,
        {"expires_on": None},
    ),
    (
        "ck_legality_document_refusal_has_reason",
        "legality_document",
        DocumentStatus.REJECTED,
        {"review_note": None},
    ),
    (
        "ck_legality_document_refusal_has_reason",
        "legality_document",
        DocumentStatus.REVOKED,
        {"review_note": ""},
    ),
]


@pytest.mark.parametrize(("constraint", "table", "state", "contradiction"), INVARIANTS)
def test_state_invariant_refuses_a_row_that_contradicts_its_state(
    db, world, constraint, table, state, contradiction
):
    row_id = _one_row_of_each(world)[table]
    rows = _table(table)
    bad = {k: (utcnow() if v is NOW else v) for k, v in contradiction.items()}
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(
            update(rows)
            .where(rows.c.id == row_id)
            .values(status=state, **{**_implied(table, state), **bad})
        )
    db.session.rollback()
    assert constraint in str(refused.value)


def _insert_order(like: Order, status: str, **columns):
    """A raw INSERT of an order beside ``like`` (same checkout, business and consumer)."""
    values = {
        "checkout_id": like.checkout_id,
        "business_id": like.business_id,
        "consumer_id": like.consumer_id,
        "status": status,
        "total_idr": 1000,
        **columns,
    }
    names = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    sql = f'INSERT INTO "order" ({names}, status_changed_at, created_at) VALUES ({params}, '  # noqa: S608
    _db.session.execute(text(sql + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), values)


def test_status_known_refuses_an_insert_with_an_unknown_state(db, world):
    order = make_order(business=world.biz_tebet, consumer=world.consumer_a)
    _insert_order(order, OrderStatus.CANCELLED)  # the same statement with a known state
    with pytest.raises(IntegrityError) as refused:
        _insert_order(order, "archived")
    db.session.rollback()
    assert "ck_order_status_known" in str(refused.value)


@pytest.mark.parametrize(
    ("constraint", "columns"),
    [
        ("ck_order_paid_has_paid_at", {"courier": "JNE", "tracking_number": "JNE0000000001"}),
        ("ck_order_shipped_has_tracking", {"courier": "JNE"}),
    ],
)
def test_state_invariant_refuses_an_insert_that_contradicts_its_state(
    db, world, constraint, columns
):
    order = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    if constraint != "ck_order_paid_has_paid_at":
        columns = {**columns, "paid_at": order.paid_at}
    with pytest.raises(IntegrityError) as refused:
        _insert_order(order, OrderStatus.SHIPPED, **columns)
    db.session.rollback()
    assert constraint in str(refused.value)


# --- the transition tables -------------------------------------------------------------------


ORDER_ACTIONS = sorted({action for _state, action in Order.TRANSITIONS})
# What the services set in the same compare-and-set as the move.
ORDER_CHANGES = {
    "pay": lambda: {"paid_at": utcnow()},
    "record_cash": lambda: {"paid_at": utcnow()},
    "ship": lambda: {"courier": "JNE", "tracking_number": "JNE0000000042"},
}


@pytest.mark.parametrize("state", list(OrderStatus))
@pytest.mark.parametrize("action", ORDER_ACTIONS)
def test_order_transition_table(db, world, state, action):
    order = make_order(business=world.biz_tebet, consumer=world.consumer_a, status=state)
    target = Order.TRANSITIONS.get((state, action))
    changes = ORDER_CHANGES.get(action, dict)()
    if target is None:
        with pytest.raises(IllegalTransition):
            apply_transition(order, action, actor=world.admin, role="admin", **changes)
        db.session.rollback()
        assert db.session.scalar(select(func.count(OrderEvent.id))) == 0
        db.session.refresh(order)
        assert order.status == state
    else:
        apply_transition(order, action, actor=world.admin, role="admin", note="n", **changes)
        db.session.commit()
        events = db.session.scalars(select(OrderEvent)).all()
        assert len(events) == 1
        event = events[0]
        assert (event.from_status, event.to_status, event.actor_id, event.role, event.seq) == (
            state,
            target,
            world.admin.id,
            "admin",
            1,
        )
        assert event.created_at.utcoffset() == timedelta(0)
        db.session.refresh(order)
        assert order.status == target


def test_every_host_lifecycle_is_covered_here():
    host = {
        mapper.class_
        for mapper in _db.Model.registry.mappers
        if hasattr(mapper.class_, "TRANSITIONS")
        and mapper.class_.__module__.startswith("marketplace.")
    }
    assert host == set(LIFECYCLES)


@pytest.mark.parametrize("model", list(LIFECYCLES))
def test_transition_tables_name_only_states_of_their_enum(model):
    states = LIFECYCLES[model]
    for (state, _action), target in model.TRANSITIONS.items():
        assert type(state) is states
        assert type(target) is states


CAN_CASES = [
    (model, state, action)
    for model, states in LIFECYCLES.items()
    for state in states
    for action in sorted({a for _s, a in model.TRANSITIONS})
]


@pytest.mark.parametrize(("model", "state", "action"), CAN_CASES)
def test_can_agrees_with_the_transition_table(model, state, action):
    allowed = (state, action) in model.TRANSITIONS
    assert can(model(status=state), action) is allowed
    # A status read back from the database is a plain str: the answer is the same.
    assert can(model(status=str(state.value)), action) is allowed


@pytest.mark.parametrize(
    ("model", "state"), [(model, state) for model, states in LIFECYCLES.items() for state in states]
)
def test_allowed_actions_are_the_table_rows_of_the_state(model, state):
    expected = [action for (s, action) in model.TRANSITIONS if s == state]
    assert allowed_actions(model(status=state)) == expected
    assert allowed_actions(model(status=str(state.value))) == expected


def test_refused_states_are_the_ones_needing_a_reason():
    # review_document asks for a note exactly for the actions that lead to these states.
    refusing = {LegalityDocument.TRANSITIONS[(DocumentStatus.SUBMITTED, "reject")]}
    refusing.add(LegalityDocument.TRANSITIONS[(DocumentStatus.VERIFIED, "revoke")])
    assert refusing == set(REFUSED)


def test_every_order_state_is_either_paid_or_unpaid():
    # A new state must pick a side, or the paid_at CHECKs would say nothing about it.
    assert set(PAID_STATES) | set(UNPAID_STATES) == set(OrderStatus)
    assert not set(PAID_STATES) & set(UNPAID_STATES)
    assert set(SHIPPED_STATES) <= set(PAID_STATES)
