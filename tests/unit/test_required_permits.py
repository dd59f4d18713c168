"""DOMAIN.md 2.2 decision table: which permits a product needs, decided from its answers."""

from datetime import date

import pytest

from marketplace.legality.permits import ProductAttributes, required_permits

AFTER = date(2026, 11, 28)  # halal is mandatory for micro/small food and cosmetics
BEFORE = date(2026, 10, 16)


def needs(category, on=AFTER, scale="mikro", **attrs):
    result = required_permits(category, ProductAttributes(**attrs), scale=scale, on=on)
    return set(result.kinds), result.halal, result.blocked is not None


@pytest.mark.parametrize(
    ("category", "attrs", "kinds"),
    [
        ("kuliner", {"shelf_life_days": 90}, {"pirt"}),
        ("kuliner", {"shelf_life_days": 90, "storage": "frozen"}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 30, "storage": "chilled"}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 180, "process": "sterilised"}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 30, "process": "pasteurised"}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 60, "contains_milk": True}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 60, "for_infants": True}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 60, "health_claim": True}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 60, "production_site": "non_home"}, {"bpom_md"}),
        ("kuliner", {"shelf_life_days": 365, "imported": True}, {"bpom_ml"}),
        ("kuliner", {"shelf_life_days": 2}, {"slhs"}),
        ("perikanan", {"shelf_life_days": 120}, {"pirt"}),
        ("perikanan", {"fresh_unprocessed": True, "storage": "chilled"}, set()),
        ("pertanian", {"fresh_unprocessed": True}, set()),
        ("kosmetik", {}, {"bpom_cosmetic"}),
        ("fashion", {}, set()),
        ("kriya", {"contains_animal_material": True}, set()),
        ("pendidikan", {}, set()),
    ],
)
def test_product_permit_follows_the_decision_table(category, attrs, kinds):
    assert needs(category, **attrs)[0] == kinds


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
