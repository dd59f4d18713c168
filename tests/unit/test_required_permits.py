"""DOMAIN.md 2.2 decision table: which permits a product needs, decided from its answers."""

from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import Babel

from marketplace.legality.permits import ProductAttributes, required_permits

AFTER = date(2026, 11, 28)  # halal is mandatory for micro/small food and cosmetics
BEFORE = date(2026, 10, 16)


@pytest.fixture
def babel_app():
    app = Flask(__name__)
    Babel(app, default_locale="id")
    return app


def needs(category, on=AFTER, scale="mikro", **attrs):
    result = required_permits(category, ProductAttributes(**attrs), scale=scale, on=on)
    return set(result.kinds), result.halal, result.blocked is not None


# One row per case of DOMAIN 2.2 and issue 13 (the decision order is in permits.py's
# docstring); the id names the case. ``blocked`` rows have no permit that would let them list.
DECISION_TABLE = [
    # category, attributes, expected permit set, blocked
    ("kuliner", {"shelf_life_days": 90}, {"pirt"}, False, "dry-home-food-pirt"),
    ("kuliner", {"shelf_life_days": 90, "storage": "frozen"}, {"bpom_md"}, False, "frozen-md"),
    ("kuliner", {"shelf_life_days": 30, "storage": "chilled"}, {"bpom_md"}, False, "chilled-md"),
    ("kuliner", {"shelf_life_days": 180, "process": "sterilised"}, {"bpom_md"}, False, "canned"),
    ("kuliner", {"shelf_life_days": 30, "process": "pasteurised"}, {"bpom_md"}, False, "pasteur"),
    ("kuliner", {"shelf_life_days": 60, "contains_milk": True}, {"bpom_md"}, False, "milk-md"),
    ("kuliner", {"shelf_life_days": 60, "for_infants": True}, {"bpom_md"}, False, "infant-md"),
    ("kuliner", {"shelf_life_days": 60, "health_claim": True}, {"bpom_md"}, False, "claim-md"),
    (
        "kuliner",
        {"shelf_life_days": 60, "production_site": "non_home"},
        {"bpom_md"},
        False,
        "factory-md",
    ),
    ("kuliner", {"shelf_life_days": 365, "imported": True}, {"bpom_ml"}, False, "imported-ml"),
    ("kuliner", {"shelf_life_days": 2}, {"slhs"}, False, "ready-to-eat-slhs"),
    # Issue 13: AMDK and mandatory-SNI foods need BPOM MD, not P-IRT, whatever the shelf life.
    ("kuliner", {"shelf_life_days": 365, "bottled_water": True}, {"bpom_md"}, False, "amdk-md"),
    ("kuliner", {"shelf_life_days": 3, "bottled_water": True}, {"bpom_md"}, False, "amdk-short-md"),
    ("kuliner", {"shelf_life_days": 365, "mandatory_sni": True}, {"bpom_md"}, False, "sni-md"),
    # Health claims and high-risk kinds are checked before the shelf-life rule.
    (
        "kuliner",
        {"shelf_life_days": 3, "health_claim": True},
        {"bpom_md"},
        False,
        "claim-short-shelf-md-not-slhs",
    ),
    (
        "kuliner",
        {"shelf_life_days": 3, "contains_milk": True},
        {"bpom_md"},
        False,
        "milk-short-shelf-md",
    ),
    (
        "kuliner",
        {"shelf_life_days": 3, "for_infants": True},
        {"bpom_md"},
        False,
        "infant-short-shelf-md",
    ),
    (
        "kuliner",
        {"shelf_life_days": 5, "storage": "chilled", "contains_animal_material": True},
        {"bpom_md"},
        False,
        "chilled-meat-md",
    ),
    # Chilled ready-to-eat food is SLHS, never P-IRT.
    (
        "kuliner",
        {"shelf_life_days": 3, "storage": "chilled"},
        {"slhs"},
        False,
        "chilled-ready-to-eat-slhs",
    ),
    # A blank shelf life is not P-IRT: the product is blocked until it is answered.
    ("kuliner", {}, set(), True, "blank-shelf-life-blocked"),
    ("kuliner", {"storage": "chilled"}, set(), True, "blank-shelf-life-chilled-blocked"),
    ("perikanan", {"shelf_life_days": 120}, {"pirt"}, False, "dried-fish-pirt"),
    ("perikanan", {"fresh_unprocessed": True, "storage": "chilled"}, set(), False, "fresh-fish"),
    ("pertanian", {"fresh_unprocessed": True}, set(), False, "fresh-produce"),
    # Processed goods in any category follow the food rules.
    ("pertanian", {"shelf_life_days": 90}, {"pirt"}, False, "snack-under-pertanian-pirt"),
    ("pertanian", {}, set(), True, "processed-under-pertanian-blank-shelf-blocked"),
    ("pertanian", {"shelf_life_days": 2}, {"slhs"}, False, "kue-under-pertanian-slhs"),
    ("kriya", {"shelf_life_days": 60}, {"pirt"}, False, "cookie-hamper-under-kriya-pirt"),
    (
        "rumah_tangga",
        {"shelf_life_days": 30, "contains_milk": True},
        {"bpom_md"},
        False,
        "milk-under-rumah-tangga-md",
    ),
    ("kosmetik", {}, {"bpom_cosmetic"}, False, "cosmetic"),
    # Household cleaning (PKRT) needs the Kemenkes permit, in any non-food category.
    ("rumah_tangga", {"household_cleaning": True}, {"pkrt"}, False, "detergent-pkrt"),
    ("kriya", {"household_cleaning": True}, {"pkrt"}, False, "cleaner-under-kriya-pkrt"),
    ("rumah_tangga", {}, set(), False, "household-goods-nib-only"),
    ("fashion", {}, set(), False, "fashion-nib-only"),
    ("kriya", {"contains_animal_material": True}, set(), False, "leather-craft-nib-only"),
    ("pendidikan", {}, set(), False, "books-nib-only"),
    (
        "kuliner",
        {"shelf_life_days": 365, "alcohol": True},
        {"bpom_md"},
        True,
        "alcohol-without-statement-blocked",
    ),
    (
        "kuliner",
        {"shelf_life_days": 365, "alcohol": True, "non_halal_statement": True},
        {"bpom_md"},
        False,
        "alcohol-with-statement-md",
    ),
]


@pytest.mark.parametrize(
    ("category", "attrs", "kinds", "blocked"),
    [pytest.param(*row[:4], id=row[4]) for row in DECISION_TABLE],
)
def test_product_permit_follows_the_decision_table(category, attrs, kinds, blocked):
    assert needs(category, **attrs)[0] == kinds
    assert needs(category, **attrs)[2] is blocked


@pytest.mark.parametrize(
    ("category", "attrs", "on", "scale", "halal"),
    [
        ("kuliner", {"shelf_life_days": 90}, AFTER, "mikro", True),
        ("kuliner", {"shelf_life_days": 90}, BEFORE, "mikro", False),
        ("kuliner", {"shelf_life_days": 90}, BEFORE, "menengah", True),  # since 18 Oct 2024
        ("kuliner", {"shelf_life_days": 90, "non_halal_statement": True}, AFTER, "mikro", False),
        ("kosmetik", {}, AFTER, "kecil", True),
        ("kosmetik", {}, BEFORE, "kecil", False),
        ("fashion", {}, AFTER, "mikro", False),  # plain textile: voluntary
        ("fashion", {"contains_animal_material": True}, AFTER, "mikro", True),  # leather
        ("rumah_tangga", {"contains_animal_material": True}, AFTER, "mikro", False),  # 2029
        ("pertanian", {"fresh_unprocessed": True}, AFTER, "mikro", False),
    ],
)
def test_halal_obligation_follows_the_pp_42_2024_dates(category, attrs, on, scale, halal):
    assert needs(category, on=on, scale=scale, **attrs)[1] is halal


@pytest.mark.parametrize(
    ("category", "attrs", "scale", "key", "day", "text"),
    [
        (
            "kuliner",
            {"shelf_life_days": 90},
            "mikro",
            "food_umk",
            date(2026, 10, 18),
            "usaha mikro dan kecil wajib bersertifikat halal sejak 18 Oktober 2026",
        ),
        (
            "kuliner",
            {"shelf_life_days": 90},
            "kecil",
            "food_umk",
            date(2026, 10, 18),
            "usaha mikro dan kecil",
        ),
        (
            "kuliner",
            {"shelf_life_days": 90},
            "menengah",
            "food_medium",
            date(2024, 10, 18),
            "usaha menengah dan besar wajib bersertifikat halal sejak 18 Oktober 2024",
        ),
        ("kosmetik", {}, "mikro", "cosmetic", date(2026, 10, 18), "Kosmetik wajib"),
        (
            "fashion",
            {"contains_animal_material": True},
            "mikro",
            "goods_animal",
            date(2026, 10, 18),
            "dari bahan hewani wajib bersertifikat halal sejak 18 Oktober 2026",
        ),
        (
            "rumah_tangga",
            {"contains_animal_material": True},
            "mikro",
            "household_animal",
            date(2029, 10, 18),
            "Barang rumah tangga dari bahan hewani",
        ),
    ],
)
def test_halal_obligation_date_and_text_follow_scale_and_product_kind(
    babel_app, category, attrs, scale, key, day, text
):
    before = required_permits(
        category, ProductAttributes(**attrs), scale=scale, on=day - timedelta(days=1)
    )
    due = required_permits(category, ProductAttributes(**attrs), scale=scale, on=day)
    assert (before.halal, due.halal) == (False, True)
    assert due.halal_obligation.key == key
    with babel_app.app_context():
        assert text in str(due.halal_reason)


def test_no_halal_obligation_for_plain_fashion_fresh_produce_or_cleaners():
    for category, attrs in [
        ("fashion", {}),
        ("pertanian", {"fresh_unprocessed": True}),
        ("rumah_tangga", {"household_cleaning": True}),
    ]:
        assert required_permits(category, ProductAttributes(**attrs)).halal_obligation is None


def test_alcohol_without_a_non_halal_statement_cannot_be_listed():
    assert needs("kuliner", shelf_life_days=365, alcohol=True)[2] is True
    assert needs("kuliner", shelf_life_days=365, alcohol=True, non_halal_statement=True)[2] is False


def test_halal_dates_are_configuration():
    result = required_permits(
        "kuliner",
        ProductAttributes(shelf_life_days=90),
        on=AFTER,
        halal_dates={"food_umk": date(2027, 10, 17)},
    )
    assert result.halal is False


def test_unknown_category_is_blocked():
    assert needs("senjata")[2] is True
