"""Money and ids bounded everywhere (issue 12, Build 5): every *_idr column is 64-bit, every
amount field has a maximum from marketplace.core.money, and no number answers a 5xx."""

import importlib
import pkgutil
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, inspect, select
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField

import marketplace
from marketplace.core import money
from marketplace.core.forms import Form
from marketplace.ledger.models import LedgerEntry
from tests.factories import (
    make_bank,
    make_listable_product,
    make_officer,
    make_order,
    make_product,
    make_ready_member,
    make_referral,
)

pytestmark = pytest.mark.plugin("referrals")

PURPOSE = "Membeli oven kedua agar produksi kue naik dua kali lipat"


# --- the columns ------------------------------------------------------------------------------


def test_every_money_column_is_64_bit_in_the_migrated_database(db):
    inspector = inspect(db.engine)
    money_columns = [
        (table, column["name"], column["type"])
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if column["name"].endswith("_idr")
    ]
    assert {t for t, _c, _ty in money_columns} >= {"product", "ledger_entry", "referral"}
    narrow = [(t, c, ty) for t, c, ty in money_columns if not isinstance(ty, BigInteger)]
    assert narrow == []


# --- the referral opening form (lead side) --------------------------------------------------


@pytest.fixture
def opening(world, csrf_client, login_as):
    bank = make_bank(slug="bank-nusantara", name="Bank Nusantara", chapters=[world.tebet])
    biz = world.biz_tebet
    make_ready_member(business=biz, lead=world.lead_tebet)
    login_as(csrf_client.client, world.lead_tebet)

    def post(amount: str):
        return csrf_client.post(
            f"/lead/tebet/referrals/members/{biz.id}/new",
            data={
                "bank_id": bank.id,
                "scheme": "mikro",
                "variant": "konvensional",
                "amount_idr": amount,
                "tenor_months": "24",
                "purpose": PURPOSE,
            },
        )

    return post


def test_a_31_digit_referral_amount_is_refused_with_a_message_not_a_500(opening, db):
    from referrals.models import Referral

    response = opening("1" * 31)
    assert response.status_code == 400
    assert "Jumlah maksimal Rp1.000.000.000.000" in response.get_data(as_text=True)
    assert db.session.scalar(select(Referral.id)) is None


def test_a_referral_amount_of_3_billion_fits_the_64_bit_column(opening, db):
    from referrals.models import Referral

    response = opening("3.000.000.000")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Referral.amount_idr)) == 3_000_000_000


def test_a_referral_amount_above_the_loan_maximum_is_refused_by_the_service_too(world, db):
    from marketplace.core.errors import ValidationFailed
    from referrals.services.endorsement import ReferralInput, open_referral

    bank = make_bank(slug="bank-nusantara", name="Bank Nusantara", chapters=[world.tebet])
    data = ReferralInput(
        bank_id=bank.id,
        scheme="mikro",
        sharia=False,
        amount_idr=money.MAX_LOAN_IDR + 1,
        tenor_months=24,
        purpose=PURPOSE,
        no_other_credit=True,
    )
    with pytest.raises(ValidationFailed) as refused:
        open_referral(world.tebet, world.biz_tebet.id, data, lead=world.lead_tebet)
    assert refused.value.details["field"] == "amount_idr"


# --- the ledger -----------------------------------------------------------------------------


def test_a_ledger_entry_of_10_billion_fits_and_one_rupiah_more_is_refused(
    world, db, csrf_client, login_as
):
    login_as(csrf_client.client, world.biz_tebet.owner)

    def post(amount):
        return csrf_client.post(
            "/business/books/entries",
            data={"kind": "expense", "amount_idr": amount, "category": "bahan_baku"},
        )

    assert post("10.000.000.000").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(LedgerEntry.amount_idr)) == money.MAX_LEDGER_ENTRY_IDR
    refused = post("10.000.000.001")
    assert refused.status_code == 400
    assert "Jumlah maksimal Rp10.000.000.000" in refused.get_data(as_text=True)
    assert len(db.session.scalars(select(LedgerEntry)).all()) == 1


# --- every numeric form field, from the form classes --------------------------------------

NUMERIC_FIELD_TYPES = (IntegerField, DecimalField, FloatField)
# StringFields the app parses as numbers (the test cannot see that from the class).
NUMBER_AS_TEXT = {("KurSchemeForm", "rates")}


def _all_forms() -> list[type]:
    import referrals

    for package in (marketplace, referrals):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in module.name and ".demo" not in module.name:
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(set(subclasses(Form)), key=lambda c: (c.__module__, c.__name__))


def numeric_fields(form_class) -> list[str]:
    """Every field of ``form_class`` whose input is a number: number fields, choices coerced
    to int (ids), and the StringFields in NUMBER_AS_TEXT."""
    names = []
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        if (
            issubclass(unbound.field_class, NUMERIC_FIELD_TYPES)
            or unbound.kwargs.get("coerce") is int
            or (form_class.__name__, name) in NUMBER_AS_TEXT
        ):
            names.append(name)
    return sorted(names)


NUMERIC_FORMS = {c.__name__: c for c in _all_forms() if numeric_fields(c)}


@pytest.fixture
def scene(world, db):
    """One of everything a numeric form posts to, and the user who may post it."""
    from referrals.models import KurScheme

    bank = make_bank(slug="bank-nusantara", name="Bank Nusantara", chapters=[world.tebet])
    officer = make_officer(bank=bank)
    product = make_listable_product(business=world.biz_tebet)
    draft = make_product(business=world.biz_tebet, name="Kue Lapis Legit")
    review = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="under_review"
    )
    scheme = db.session.scalars(select(KurScheme).order_by(KurScheme.id)).first()
    return SimpleNamespace(
        w=world,
        bank=bank,
        officer=officer,
        product=product,
        draft=draft,
        review=review,
        scheme=scheme,
    )


@pytest.fixture
def kept_tables_restored(db):
    """The fuzzed settings and KUR rules live in tables the suite keeps between tests
    (chapter, kur_scheme): put every row back as it was."""
    from marketplace.chapters.models import Chapter
    from referrals.models import KurScheme

    tables = [Chapter.__table__, KurScheme.__table__]
    with db.engine.connect() as conn:
        saved = {t: [dict(r._mapping) for r in conn.execute(t.select())] for t in tables}
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        for table, rows in saved.items():
            for row in rows:
                conn.execute(table.update().where(table.c.id == row["id"]).values(**row))


def _aftersales(s) -> SimpleNamespace:
    """Issue 15's numeric forms need a COD order, an open and an escalated complaint."""
    if not hasattr(s, "aftersales"):
        from marketplace.complaints.models import Complaint, ComplaintStatus
        from marketplace.extensions import db

        cod = make_order(
            business=s.w.biz_tebet, consumer=s.w.consumer_a, status="awaiting_delivery"
        )
        complaints = {}
        for status in (ComplaintStatus.OPEN, ComplaintStatus.ESCALATED):
            order = make_order(business=s.w.biz_tebet, consumer=s.w.consumer_a, status="shipped")
            complaint = Complaint(
                order_id=order.id,
                business_id=s.w.biz_tebet.id,
                consumer_id=s.w.consumer_a.id,
                reason="damaged",
                text="Kemasan sobek semua.",
                status=status,
            )
            db.session.add(complaint)
            db.session.commit()
            complaints[status] = complaint
        s.aftersales = SimpleNamespace(
            cod=cod.id,
            open=complaints[ComplaintStatus.OPEN].order_id,
            escalated=complaints[ComplaintStatus.ESCALATED].id,
        )
    return s.aftersales


# Form class name -> (who posts, url, the other fields, the form's prefix).
POSTS = {
    "GrantForm": lambda s: (
        s.w.biz_tebet.owner,
        "/business/assist/",
        {"lead": str(s.w.lead_tebet.id), "tasks": "books"},
        "",
    ),
    "CashForm": lambda s: (
        s.w.biz_tebet.owner,
        f"/business/orders/{_aftersales(s).cod}/cash",
        {},
        "",
    ),
    "PartialRefundForm": lambda s: (
        s.w.biz_tebet.owner,
        f"/business/orders/{_aftersales(s).open}/complaint/partial",
        {},
        "",
    ),
    "DecisionForm": lambda s: (
        s.w.admin,
        f"/admin/complaints/{_aftersales(s).escalated}",
        {"note": "Foto menunjukkan kemasan rusak."},
        "",
    ),
    "PayoutForm": lambda s: (
        s.w.admin,
        "/admin/payouts",
        {"business_id": s.w.biz_tebet.id, "reference": "TRF-1", "paid_on": "2026-11-30"},
        "",
    ),
    "DocumentForm": lambda s: (
        s.w.biz_tebet.owner,
        "/business/documents/new",
        {"kind": "nib", "number": "1234"},
        "",
    ),
    "ProductForm": lambda s: (
        s.w.biz_tebet.owner,
        f"/business/products/{s.draft.id}/edit",
        {"name": "Kue", "category": "kuliner"},
        "",
    ),
    "EntryForm": lambda s: (
        s.w.biz_tebet.owner,
        "/business/books/entries",
        {"kind": "expense", "category": "bahan_baku"},
        "",
    ),
    "OtherEntryForm": lambda s: (
        s.w.biz_tebet.owner,
        "/business/books/entries/other",
        {"other-kind": "owner_withdrawal"},
        "other-",
    ),
    "SessionForm": lambda s: (
        s.w.lead_tebet,
        "/lead/tebet/sessions",
        {"topic": "Pembukuan", "track": "pembukuan", "starts_at": "2026-12-20T09:00"},
        "",
    ),
    "SettingsForm": lambda s: (s.w.lead_tebet, "/lead/tebet/settings", {}, ""),
    "ChapterTableForm": lambda s: (
        s.w.lead_tebet,
        "/lead/tebet/delivery/",
        {"courier_code": "jne"},
        "",
    ),
    "AddToCartForm": lambda s: (s.w.consumer_a, "/cart/add", {"product_id": s.product.id}, ""),
    "QuantityForm": lambda s: (
        s.w.consumer_a,
        "/cart/update",
        {"product_id": s.product.id},
        "",
    ),
    "ApproveForm": lambda s: (
        s.officer,
        f"/bank/{s.bank.slug}/referrals/{s.review.id}/approve",
        {},
        "appr-",
    ),
    "BankChaptersForm": lambda s: (s.w.admin, f"/admin/banks/{s.bank.slug}", {}, "ch-"),
    "BankForm": lambda s: (
        s.w.admin,
        "/admin/banks/new",
        {"name": "Bank Baru", "slug": "bank-baru", "conventional": "y", "schemes": "mikro"},
        "",
    ),
    "KurSchemeForm": lambda s: (
        s.w.admin,
        f"/admin/banks/kur/{s.scheme.id}",
        {"name": s.scheme.name, "effective_from": "2026-01-01"},
        f"k{s.scheme.id}-",
    ),
    "OpenReferralForm": lambda s: (
        s.w.lead_tebet,
        f"/lead/tebet/referrals/members/{s.w.biz_tebet.id}/new",
        {"scheme": "mikro", "variant": "konvensional", "purpose": PURPOSE},
        "",
    ),
}

# Numbers as people and attackers type them.
CORPUS = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "  12 ",
    "65.000",
    "6,5",
    "6,5 %",
    "1e309",
    "-1e309",
    "1e3",
    "٣",
    "١٢٣",
    "NaN",
    "sNaN",
    "-sNaN",
    "Infinity",
    "inf",
    "-inf",
    "0x10",
    "1_000",
    "9" * 31,
    "-" + "9" * 31,
    "9" * 5000,
    str(2**31),
    str(2**63),
    str(2**64),
    "3.000.000.000",
    "Rp 25.000",
    "Rp" + "9" * 40,
    "12.5",
    "0.0000001",
    "+5",
    "--5",
    "1,000,000",
    "\u00a012",
    "１２",
]
NUMBER_TEXT = st.one_of(
    st.sampled_from(CORPUS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(alphabet="0123456789.,-+eE %Rp٣", max_size=40),
)


def test_every_numeric_form_is_mapped_to_the_url_that_posts_it():
    assert "OpenReferralForm" in NUMERIC_FORMS
    assert "EntryForm" in NUMERIC_FORMS
    unmapped = sorted(set(NUMERIC_FORMS) - set(POSTS))
    assert unmapped == [], f"map these forms to the URL that posts them in POSTS: {unmapped}"


@pytest.mark.parametrize("form_name", sorted(POSTS))
def test_no_number_in_any_numeric_form_field_answers_a_5xx(
    form_name, kept_tables_restored, scene, csrf_client, login_as
):
    user, url, base, prefix = POSTS[form_name](scene)
    fields = numeric_fields(NUMERIC_FORMS[form_name])
    login_as(csrf_client.client, user)

    @given(values=st.fixed_dictionaries({name: NUMBER_TEXT for name in fields}))
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def post(values):
        data = {prefix + k: v for k, v in base.items()}
        data.update({prefix + name: value for name, value in values.items()})
        response = csrf_client.post(url, data=data)
        assert response.status_code < 500, (form_name, values)
        # The user may post it: a 403 would test nothing (an id out of range is a 404).
        assert response.status_code not in (403, 405), (form_name, response.status_code)

    post()
    # The corpus in every field at once, each value in turn.
    for value in CORPUS:
        data = {prefix + k: v for k, v in base.items()}
        data.update({prefix + name: value for name in fields})
        response = csrf_client.post(url, data=data)
        assert response.status_code < 500, (form_name, value)


# --- JSON and query-string numbers --------------------------------------------------------

JSON_NUMBER = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False),
    NUMBER_TEXT,
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@given(name=st.sampled_from(["min_price", "max_price", "page", "per_page"]), value=NUMBER_TEXT)
@example(name="min_price", value="9" * 5000)  # int() refuses over 4,300 digits
@example(name="page", value="1" * 31)
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_number_in_a_public_api_or_search_parameter_answers_a_5xx(client, name, value):
    for path in ("/api/v1/products", "/search", "/c/tebet"):
        response = client.get(path, query_string={name: value})
        assert response.status_code < 500, (path, name, value)
        if path.startswith("/api/") and response.status_code == 400:
            assert response.get_json()["error"]["message"]


def test_no_number_in_the_bank_api_decision_answers_a_5xx(db, world, client):
    from referrals.services import tokens

    bank = make_bank(slug="bank-nusantara", name="Bank Nusantara", chapters=[world.tebet])
    review = make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="under_review"
    )
    _row, token = tokens.issue_token(bank, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    @given(
        field=st.sampled_from(["amount_idr", "tenor_months", "rate_bp"]),
        value=JSON_NUMBER,
        referral_id=st.one_of(
            st.just(str(review.id)),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.sampled_from(["1e3", "٣", "0x1", " 1"]),
        ),
    )
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    def post(field, value, referral_id):
        body = {"action": "approve", "amount_idr": 1_000_000, "tenor_months": 12, "rate_bp": 600}
        body[field] = value
        response = client.post(
            f"/api/v1/bank/referrals/{referral_id}/events", json=body, headers=headers
        )
        assert response.status_code < 500, (field, value, referral_id)
        if response.status_code == 400:
            assert response.get_json()["error"]["message"]

    post()


def test_a_product_id_beyond_the_id_column_is_no_such_product_in_the_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["products", "set-status", str(2**70), "listed"])
    assert result.exit_code != 0
    assert "no product" in result.output
    assert not isinstance(result.exception, OverflowError)
