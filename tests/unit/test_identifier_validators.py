"""Format rules for seller identifiers (DOMAIN.md §0, §1.1–1.8, fixtures from §8)."""

import dataclasses
import datetime
import time

import pytest
from flask import Flask
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

from marketplace.legality.validators import (
    PERSONAL_TAXPAYER_TYPES,
    PROVINCE_CODES,
    VALIDATORS,
    InvalidIdentifier,
    Validated,
    check,
    validate_bpom,
    validate_bpom_cosmetic,
    validate_bpom_food,
    validate_halal,
    validate_nib,
    validate_nik,
    validate_npwp,
    validate_phone,
    validate_pirt,
    validate_pkrt,
    validate_postal_code,
    validate_whatsapp,
)

# DOMAIN.md §8, copied verbatim (the Stripe pair is not an identifier and lives elsewhere).
FIXTURES = {
    "nik": ["3171011708450001", "3174075708450002", "3175064101900003"],
    "nik_invalid": ["3171013202900001", "3171011713450001", "317101170845000", "31710117084500A1"],
    "nib": ["9120003849102"],
    "nib_invalid": ["912000384910", "91200038491023"],
    "npwp": ["01.312.166.0-091.000", "013121660091000", "0013121660091000", "3171011708450001"],
    "pirt": ["P-IRT No. 2063171010236-29", "206317101023629", "2063171010023629"],
    "pirt_invalid": ["9063171010236-29", "20631710102362"],
    "bpom_food": ["BPOM RI MD 224510107115", "ML 123456789012"],
    "bpom_cosmetic": ["NA18191231707", "NC14191300159", "NKIT123456789"],
    "halal": ["ID31110000326470622"],
    "phone": ["081234567890", "+62 812-3456-7890", "6281234567890", "021-2345-6789"],
    "phone_invalid": ["08123", "0012345", "+6212"],
    "postal_dki": ["10110", "12110", "14540"],
    "postal_invalid": ["01234", "1011", "123456"],
}

EXPECTED_VALUE = {
    ("nik", "3171011708450001"): "3171011708450001",
    ("nik", "3174075708450002"): "3174075708450002",
    ("nik", "3175064101900003"): "3175064101900003",
    ("nib", "9120003849102"): "9120003849102",
    ("npwp", "01.312.166.0-091.000"): "0013121660091000",
    ("npwp", "013121660091000"): "0013121660091000",
    ("npwp", "0013121660091000"): "0013121660091000",
    ("npwp", "3171011708450001"): "3171011708450001",
    ("pirt", "P-IRT No. 2063171010236-29"): "206317101023629",
    ("pirt", "206317101023629"): "206317101023629",
    ("pirt", "2063171010023629"): "2063171010023629",  # 16 digits: "at least 15"
    ("bpom", "BPOM RI MD 224510107115"): "MD224510107115",
    ("bpom", "ML 123456789012"): "ML123456789012",
    ("bpom", "NA18191231707"): "NA18191231707",
    ("bpom", "NC14191300159"): "NC14191300159",
    ("bpom", "NKIT123456789"): "NKIT123456789",
    ("halal", "ID31110000326470622"): "ID31110000326470622",
    ("phone", "081234567890"): "+6281234567890",
    ("phone", "+62 812-3456-7890"): "+6281234567890",
    ("phone", "6281234567890"): "+6281234567890",
    ("phone", "021-2345-6789"): "+622123456789",
    ("postal", "10110"): "10110",
    ("postal", "12110"): "12110",
    ("postal", "14540"): "14540",
}

INVALID = [
    *(("nik", s) for s in FIXTURES["nik_invalid"]),
    *(("nib", s) for s in FIXTURES["nib_invalid"]),
    *(("pirt", s) for s in FIXTURES["pirt_invalid"]),
    *(("phone", s) for s in FIXTURES["phone_invalid"]),
    *(("postal", s) for s in FIXTURES["postal_invalid"]),
]

#: Every public validator, including the ones outside the registry.
ALL_VALIDATORS = {
    **VALIDATORS,
    "bpom_food": validate_bpom_food,
    "bpom_cosmetic": validate_bpom_cosmetic,
    "whatsapp": validate_whatsapp,
}

TODAY = datetime.date(2026, 11, 15)
NO_DB = settings(database=None, deadline=None)


def reason_of(excinfo) -> str:
    return str(excinfo.value.reason)


@pytest.fixture
def babel_app():
    app = Flask(__name__)
    Babel(app, default_locale="id")
    return app


# --------------------------------------------------------------------------------------------
# §8 fixtures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "text"), sorted(EXPECTED_VALUE))
def test_domain_fixture_is_accepted_with_its_normalised_value(kind, text):
    result = check(kind, text)
    assert result.kind == kind
    assert result.value == EXPECTED_VALUE[(kind, text)]


def test_every_valid_domain_fixture_has_an_expected_value():
    listed = (
        {("nik", s) for s in FIXTURES["nik"]}
        | {("nib", s) for s in FIXTURES["nib"]}
        | {("npwp", s) for s in FIXTURES["npwp"]}
        | {("pirt", s) for s in FIXTURES["pirt"]}
        | {("bpom", s) for s in FIXTURES["bpom_food"] + FIXTURES["bpom_cosmetic"]}
        | {("halal", s) for s in FIXTURES["halal"]}
        | {("phone", s) for s in FIXTURES["phone"]}
        | {("postal", s) for s in FIXTURES["postal_dki"]}
    )
    assert listed == set(EXPECTED_VALUE)


@pytest.mark.parametrize(("kind", "text"), INVALID)
def test_invalid_domain_fixture_is_rejected(kind, text):
    with pytest.raises(InvalidIdentifier) as excinfo:
        check(kind, text)
    assert excinfo.value.kind == kind
    assert reason_of(excinfo)


@pytest.mark.parametrize("text", FIXTURES["bpom_food"])
def test_bpom_food_fixture_is_food(text):
    assert validate_bpom_food(text).info["category"] == "food"
    assert validate_bpom(text).info["category"] == "food"
    with pytest.raises(InvalidIdentifier):
        validate_bpom_cosmetic(text)


@pytest.mark.parametrize("text", FIXTURES["bpom_cosmetic"])
def test_bpom_cosmetic_fixture_is_cosmetic(text):
    assert validate_bpom_cosmetic(text).info["category"] == "cosmetic"
    assert validate_bpom(text).info["category"] == "cosmetic"
    with pytest.raises(InvalidIdentifier):
        validate_bpom_food(text)


def test_registry_has_exactly_the_documented_kinds():
    assert set(VALIDATORS) == {
        "nik",
        "kk",
        "nib",
        "npwp",
        "pirt",
        "bpom",
        "halal",
        "pkrt",
        "phone",
        "postal",
    }


# --------------------------------------------------------------------------------------------
# Result and error objects
# --------------------------------------------------------------------------------------------


def test_validated_is_frozen_and_hashable():
    result = validate_nib("9120003849102")
    assert result == Validated("nib", "9120003849102", "9120003849102", {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.value = "0"
    assert hash(result) == hash(validate_nib("9120003849102"))


def test_invalid_identifier_is_a_value_error_with_kind_and_lazy_reason():
    with pytest.raises(ValueError, match="13 angka") as excinfo:
        validate_nib("123")
    assert isinstance(excinfo.value, InvalidIdentifier)
    assert excinfo.value.kind == "nib"
    assert isinstance(excinfo.value.reason, LazyString)


def test_reason_renders_without_an_app_context():
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_postal_code("01234")
    assert reason_of(excinfo) == "Kode pos harus 5 angka dan tidak diawali 0. Contoh: 10110."


def test_reason_renders_inside_a_babel_app_context(babel_app):
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_nik("317101170845000")
    with babel_app.app_context():
        assert reason_of(excinfo) == "NIK harus 16 angka. Yang Anda ketik 15 angka."
    with babel_app.test_request_context():
        assert reason_of(excinfo) == "NIK harus 16 angka. Yang Anda ketik 15 angka."


def test_unknown_kind_is_rejected_with_invalid_identifier():
    with pytest.raises(InvalidIdentifier) as excinfo:
        check("passport", "A1234567")
    assert "passport" in reason_of(excinfo)


@pytest.mark.parametrize("kind", [None, 42, ["nik"], b"nik", "NIK", ""])
def test_non_registry_kind_is_rejected_with_invalid_identifier(kind):
    with pytest.raises(InvalidIdentifier):
        check(kind, "3171011708450001")


# --------------------------------------------------------------------------------------------
# Input hygiene shared by every validator
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_VALIDATORS))
@pytest.mark.parametrize("text", [None, 3171011708450001, b"10110", ["10110"], 1.5, object()])
def test_non_string_input_is_rejected(name, text):
    with pytest.raises(InvalidIdentifier):
        ALL_VALIDATORS[name](text)


@pytest.mark.parametrize("name", sorted(ALL_VALIDATORS))
@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_input_is_rejected(name, text):
    with pytest.raises(InvalidIdentifier, match="belum diisi"):
        ALL_VALIDATORS[name](text)


@pytest.mark.parametrize("name", sorted(ALL_VALIDATORS))
def test_huge_input_is_rejected_quickly(name):
    huge = "9" * 10_000_000
    started = time.perf_counter()
    with pytest.raises(InvalidIdentifier, match="terlalu panjang"):
        ALL_VALIDATORS[name](huge)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "nik",
            "\u0663\u0661\u0667\u0661\u0660\u0661\u0661\u0667\u0660\u0668\u0664\u0665"
            "\u0660\u0660\u0660\u0661",
        ),  # Arabic-Indic digits
        ("nik", "３１７１０１１７０８４５０００１"),  # full-width digits
        ("phone", "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660"),
        ("phone", "۰۸۱۲۳۴۵۶۷۸۹۰"),  # Extended Arabic-Indic (Persian) digits
        ("postal", "١٠١١٠"),
        ("nib", "\u0969\u0967\u0968\u0966\u0966\u0966\u0969\u096a\u096f\u0967\u0966\u0968\u0967"),
        ("halal", "ID３１１１００００３２６４７０６２２"),
    ],
)
def test_non_ascii_digits_are_rejected(kind, text):
    with pytest.raises(InvalidIdentifier, match="tanda yang tidak dikenal"):
        check(kind, text)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("nik", "3171011708450001\x00"),
        ("nik", "31710117\x0b08450001"),
        ("postal", "10\t110"),
        ("phone", "0812\x1b3456\x7f7890"),
        ("bpom", "MD\r\n224510107115"),
    ],
)
def test_control_characters_inside_the_number_are_rejected(kind, text):
    with pytest.raises(InvalidIdentifier):
        check(kind, text)


def test_surrounding_whitespace_and_newlines_are_ignored():
    assert check("nib", "  9120003849102\n").value == "9120003849102"


def test_no_break_spaces_and_dashes_from_pasted_text_count_as_separators():
    assert check("phone", "0812\u00a03456\u20137890").value == "+6281234567890"
    assert check("npwp", "01.312.166.0\u2013091.000").value == "0013121660091000"


@pytest.mark.parametrize(
    ("kind", "text"),
    [("nik", "31710117084500019"), ("nik", "3171013202900001"), ("npwp", "3171013202900001")],
)
def test_reason_never_echoes_the_number(kind, text):
    with pytest.raises(InvalidIdentifier) as excinfo:
        check(kind, text)
    assert text not in reason_of(excinfo)
    assert text[:8] not in reason_of(excinfo)


# --------------------------------------------------------------------------------------------
# §1.1 NIK
# --------------------------------------------------------------------------------------------


def test_nik_of_man_born_17_08_1945_is_parsed():
    result = validate_nik("3171011708450001")
    assert result.info["birth_date"] == datetime.date(1945, 8, 17)
    assert result.info["sex"] == "male"


def test_nik_of_woman_born_17_08_1945_has_forty_added_to_the_day():
    result = validate_nik("3174075708450002")
    assert result.info["birth_date"] == datetime.date(1945, 8, 17)
    assert result.info["sex"] == "female"


def test_nik_of_woman_born_01_01_1990_is_parsed():
    result = validate_nik("3175064101900003")
    assert result.info["birth_date"] == datetime.date(1990, 1, 1)
    assert result.info["sex"] == "female"
    assert result.info["province_code"] == "31"


def test_nik_display_is_masked_and_never_shows_the_full_number():
    result = validate_nik("3175064101900003")
    assert result.display == "3175********0003"
    assert result.value not in result.display
    assert result.value not in repr(result.display)


def test_nik_with_separators_and_label_is_normalised():
    assert validate_nik("NIK: 3171 0117 0845 0001").value == "3171011708450001"
    assert validate_nik("No. KTP 3171011708450001").value == "3171011708450001"
    assert validate_nik("Nomor NIK: 3171011708450001").value == "3171011708450001"
    assert validate_nik("3171.0117.0845.0001").value == "3171011708450001"
    assert validate_nik("3171-01-170845-0001").value == "3171011708450001"


@pytest.mark.parametrize("day", ["32", "35", "40"])
def test_nik_with_day_between_32_and_40_is_rejected(day):
    with pytest.raises(InvalidIdentifier, match="angka ke-7 dan ke-8"):
        validate_nik(f"317101{day}08450001")


@pytest.mark.parametrize("day", ["72", "80", "99"])
def test_nik_with_day_over_71_is_rejected(day):
    with pytest.raises(InvalidIdentifier, match="angka ke-7 dan ke-8"):
        validate_nik(f"317101{day}08450001")


def test_nik_with_day_over_71_is_rejected_even_though_python_stdnum_accepts_it():
    assert stdnum_nik.is_valid("3171019001900001")  # stdnum reads day 90 as 90 % 40 = 10
    with pytest.raises(InvalidIdentifier, match="angka ke-7 dan ke-8"):
        validate_nik("3171019001900001")


def test_nik_with_day_00_is_rejected():
    with pytest.raises(InvalidIdentifier):
        validate_nik("3171010008450001")


def test_nik_with_day_71_is_a_woman_born_on_the_31st():
    result = validate_nik("3171017101900001")
    assert result.info["birth_date"] == datetime.date(1990, 1, 31)
    assert result.info["sex"] == "female"


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_nik_with_month_outside_1_to_12_is_rejected(month):
    with pytest.raises(InvalidIdentifier, match="angka ke-9 dan ke-10"):
        validate_nik(f"31710117{month}450001")


@pytest.mark.parametrize("ddmm", ["3102", "3104", "7102", "6902"])
def test_nik_with_date_not_in_the_calendar_is_rejected(ddmm):
    with pytest.raises(InvalidIdentifier, match="tidak ada di kalender"):
        validate_nik(f"317101{ddmm}900001")


def test_nik_with_29_february_is_accepted_in_a_leap_year_of_either_century():
    # 1900-02-29 does not exist, 2000-02-29 does (python-stdnum doctest)
    assert validate_nik("3171012902000001").info["birth_date"] == datetime.date(2000, 2, 29)
    assert validate_nik("3171016902880001").info["birth_date"] == datetime.date(1988, 2, 29)


def test_nik_whose_only_possible_birth_date_is_in_the_future_is_rejected():
    with pytest.raises(InvalidIdentifier, match="belum terjadi"):
        validate_nik("3171012902000001", today=datetime.date(1999, 12, 31))


def test_nik_birth_year_prefers_the_latest_century_not_in_the_future():
    result = validate_nik("3171011708050001", today=TODAY)
    assert result.info["birth_date"] == datetime.date(2005, 8, 17)
    assert result.info["birth_century_ambiguous"] is True


def test_nik_birth_year_falls_back_to_19yy_when_20yy_is_still_in_the_future():
    result = validate_nik("3171011712260001", today=TODAY)
    assert result.info["birth_date"] == datetime.date(1926, 12, 17)
    assert result.info["birth_century_ambiguous"] is False


def test_nik_today_defaults_to_the_real_date():
    assert validate_nik("3171011708450001").info["birth_date"] == datetime.date(1945, 8, 17)


def test_nik_with_serial_0000_is_rejected():
    with pytest.raises(InvalidIdentifier, match="0000"):
        validate_nik("3171011708450000")


@pytest.mark.parametrize("nik", ["0071011708450001", "3100011708450001", "3171001708450001"])
def test_nik_with_a_region_part_00_is_rejected(nik):
    with pytest.raises(InvalidIdentifier, match="Kode wilayah"):
        validate_nik(nik)


@pytest.mark.parametrize("province", ["10", "20", "22", "30", "37", "50", "66", "77", "90", "99"])
def test_nik_with_unknown_province_is_rejected(province):
    with pytest.raises(InvalidIdentifier, match="Kode provinsi"):
        validate_nik(f"{province}71011708450001")


@pytest.mark.parametrize(
    "nik",
    [
        "3273011708900001",  # Kota Bandung: people move to Jakarta
        "6501011708900001",  # Kalimantan Utara: missing from python-stdnum's region table
        "9601011708900001",  # Papua Barat Daya (2022): missing from python-stdnum's table
        "3176011708900001",  # DKI code that no table lists: region digits are informational
        "3101011708450001",  # Kepulauan Seribu
    ],
)
def test_nik_from_any_province_is_accepted_without_consulting_a_region_table(nik):
    assert validate_nik(nik).value == nik


def test_nik_is_not_rejected_because_of_python_stdnum_region_table():
    assert not stdnum_nik.is_valid("6501011708900001")
    assert validate_nik("6501011708900001").info["province_code"] == "65"


def test_every_known_province_code_is_accepted():
    for province in sorted(PROVINCE_CODES):
        assert validate_nik(f"{province}71011708450001").info["province_code"] == province


@pytest.mark.parametrize("text", ["31710117084500A1", "3171O11708450001", "NIK"])
def test_nik_with_letters_is_rejected(text):
    with pytest.raises(InvalidIdentifier):
        validate_nik(text)


# --------------------------------------------------------------------------------------------
# §1.2 NIB
# --------------------------------------------------------------------------------------------


def test_nib_is_13_digits_with_separators_and_label_stripped():
    assert validate_nib("NIB 9120-0038-49102").value == "9120003849102"
    assert validate_nib("nib: 9120003849102").display == "9120003849102"


def test_nib_with_letters_is_rejected():
    with pytest.raises(InvalidIdentifier, match="hanya berisi angka"):
        validate_nib("912000384910X")


# --------------------------------------------------------------------------------------------
# §1.3 NPWP
# --------------------------------------------------------------------------------------------


def test_npwp_old_15_digit_form_is_normalised_to_16_digits_and_flagged_legacy():
    result = validate_npwp("01.312.166.0-091.000")
    assert result.value == "0013121660091000"
    assert result.display == "01.312.166.0-091.000"
    assert result.info["legacy_format"] is True
    assert result.info["form"] == "npwp15"
    assert result.info["kpp"] == "091"
    assert result.info["head_office"] is True


def test_npwp_new_16_digit_company_form_keeps_its_leading_zero():
    result = validate_npwp("0013121660091000")
    assert result.value == "0013121660091000"
    assert result.info["form"] == "npwp16"
    assert result.info["legacy_format"] is False


def test_npwp_16_digit_individual_is_the_nik():
    result = validate_npwp("3171011708450001")
    assert result.value == validate_nik("3171011708450001").value
    assert result.info["form"] == "nik"
    assert result.display == "3171********0001"


def test_npwp_16_digit_individual_with_an_invalid_nik_is_rejected_as_npwp():
    with pytest.raises(InvalidIdentifier, match="sama dengan NIK") as excinfo:
        validate_npwp("3171013202900001")
    assert excinfo.value.kind == "npwp"
    assert "angka ke-7 dan ke-8" in reason_of(excinfo)


def test_npwp_branch_code_is_parsed():
    result = validate_npwp("01.312.166.0-091.001")
    assert result.info["branch"] == "001"
    assert result.info["head_office"] is False


@pytest.mark.parametrize("text", ["01.312.166.1-091.000", "0013121661091000", "013121650091000"])
def test_npwp_with_wrong_check_digit_is_rejected(text):
    with pytest.raises(InvalidIdentifier, match="salah ketik"):
        validate_npwp(text)


@pytest.mark.parametrize("text", ["00.000.000.0-000.000", "0000000000000000"])
def test_npwp_of_all_zeros_placeholder_is_rejected(text):
    with pytest.raises(InvalidIdentifier, match="nol semua"):
        validate_npwp(text)


@pytest.mark.parametrize("text", ["01312166009100", "00131216600910000", "123"])
def test_npwp_that_is_not_15_or_16_digits_is_rejected(text):
    with pytest.raises(InvalidIdentifier, match="15 atau 16 angka"):
        validate_npwp(text)


def test_npwp_with_letters_is_rejected():
    with pytest.raises(InvalidIdentifier, match="hanya berisi angka"):
        validate_npwp("01.312.166.0-091.00O")


@pytest.mark.parametrize("text", ["01.312.166.0-091.000", "0013121660091000", "016090524017000"])
def test_npwp_company_forms_agree_with_python_stdnum(text):
    assert stdnum_npwp.is_valid(text)
    assert validate_npwp(text)


# --------------------------------------------------------------------------------------------
# §1.4 P-IRT
# --------------------------------------------------------------------------------------------


def test_pirt_number_is_split_into_its_documented_parts():
    result = validate_pirt("P-IRT No. 2063171010236-29", today=TODAY)
    assert result.value == "206317101023629"
    assert result.display == "P-IRT No. 2063171010236-29"
    assert result.info == {
        "packaging_code": 2,
        "packaging": "plastic",
        "food_type_code": "06",
        "food_type": "flour_products",
        "region_code": "3171",
        "product_seq": "01",
        "irtp_seq": "0236",
        "expires_year": 2029,
        "expired": False,
        "expires_this_year": False,
    }


@pytest.mark.parametrize(
    "text",
    [
        "P-IRT No. 2063171010236-29",
        "p-irt no. 2063171010236-29",
        "PIRT 206317101023629",
        "P.IRT No: 2063171010236-29",
        "SPP-IRT No. 2063171010236-29",
        "P-IRT Nomor 2063171010236 29",
        "2063171010236-29",
        "206317101023629",
    ],
)
def test_pirt_prefixes_and_separators_are_stripped_case_insensitively(text):
    assert validate_pirt(text).value == "206317101023629"


@pytest.mark.parametrize("packaging", ["0", "9"])
def test_pirt_with_packaging_code_outside_1_to_8_is_rejected(packaging):
    with pytest.raises(InvalidIdentifier, match="kode kemasan"):
        validate_pirt(f"{packaging}063171010236-29")


@pytest.mark.parametrize("text", ["20631710102362", "2" * 21, "P-IRT No."])
def test_pirt_with_fewer_than_15_digits_or_absurdly_long_is_rejected(text):
    with pytest.raises(InvalidIdentifier):
        validate_pirt(text)


def test_pirt_that_expired_is_well_formed_but_flagged_expired():
    result = validate_pirt("2063171010236-25", today=TODAY)
    assert result.info["expires_year"] == 2025
    assert result.info["expired"] is True


def test_pirt_expiring_this_year_is_flagged_for_a_warning():
    result = validate_pirt("2063171010236-26", today=TODAY)
    assert result.info["expired"] is False
    assert result.info["expires_this_year"] is True


def test_pirt_with_unlisted_food_type_code_is_accepted_with_unknown_type():
    result = validate_pirt("2993171010236-29")
    assert result.info["food_type_code"] == "99"
    assert result.info["food_type"] is None


# --------------------------------------------------------------------------------------------
# §1.5 BPOM
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "BPOM RI MD 224510107115",
        "bpom ri md 224510107115",
        "MD224510107115",
        "md 2245-1010-7115",
        "BPOM MD 224510107115",
        "BPOM RI No. MD 224510107115",
    ],
)
def test_bpom_food_number_is_case_insensitive_and_label_tolerant(text):
    result = validate_bpom(text)
    assert result.value == "MD224510107115"
    assert result.display == "BPOM RI MD 224510107115"
    assert result.info == {"prefix": "MD", "category": "food", "origin": "domestic"}


def test_bpom_imported_food_is_ml():
    assert validate_bpom("ML 123456789012").info["origin"] == "imported"


@pytest.mark.parametrize("prefix", ["NA", "NB", "NC", "ND", "NE"])
def test_bpom_cosmetic_prefixes_na_to_ne_are_accepted(prefix):
    result = validate_bpom(f"{prefix.lower()}18191231707")
    assert result.value == f"{prefix}18191231707"
    assert result.info["prefix"] == prefix
    assert result.info["category"] == "cosmetic"


@pytest.mark.parametrize("text", ["NF18191231707", "NA1819123170", "NA181912317071"])
def test_bpom_cosmetic_with_wrong_prefix_or_length_is_rejected(text):
    with pytest.raises(InvalidIdentifier):
        validate_bpom(text)


@pytest.mark.parametrize("text", ["MD 22451010711", "MD 2245101071155", "MX 224510107115"])
def test_bpom_food_with_wrong_prefix_or_length_is_rejected(text):
    with pytest.raises(InvalidIdentifier):
        validate_bpom(text)


@pytest.mark.parametrize("text", ["CD 1234567890", "CL1234567890", "CA 1234567890"])
def test_bpom_legacy_cosmetic_registration_is_rejected(text):
    with pytest.raises(InvalidIdentifier, match="kosmetik lama"):
        validate_bpom(text)


@pytest.mark.parametrize("text", ["TR092699241", "SD 123456789", "DKL1234567890A1"])
def test_bpom_medicine_supplement_and_jamu_numbers_are_rejected(text):
    with pytest.raises(InvalidIdentifier, match="obat, jamu, atau suplemen"):
        validate_bpom(text)


def test_bpom_wrong_digit_count_reason_says_how_many_digits_are_needed():
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_bpom("MD 22451010711")
    assert reason_of(excinfo) == "Setelah MD harus ada 12 angka. Yang Anda ketik 11 angka."


# --------------------------------------------------------------------------------------------
# §1.6 Halal
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [14, 15, 16, 17])
def test_halal_certificate_is_id_followed_by_14_to_17_digits(digits):
    number = "ID" + "3" * digits
    result = validate_halal(number.lower())
    assert result.value == number
    assert result.info == {"legacy": False}


@pytest.mark.parametrize("text", ["ID" + "3" * 13, "ID" + "3" * 18, "IDN31110000326470622", "ID"])
def test_halal_certificate_outside_the_lenient_pattern_is_rejected(text):
    with pytest.raises(InvalidIdentifier):
        validate_halal(text)


def test_halal_separators_and_label_are_stripped():
    assert validate_halal("Sertifikat Halal No. ID 3111 0000 3264 70622").value == (
        "ID31110000326470622"
    )


@pytest.mark.parametrize(
    "text", ["00150012340509", "LPPOM-00150012340509", "MUI 0015 0012 3405 09"]
)
def test_halal_legacy_mui_number_is_refused_with_how_to_renew_at_bpjph(text):
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_halal(text)
    assert "MUI lama" in reason_of(excinfo)
    assert "BPJPH" in reason_of(excinfo)
    assert "ptsp.halal.go.id" in reason_of(excinfo)


def test_halal_kh_ketetapan_number_is_not_a_certificate():
    with pytest.raises(InvalidIdentifier, match="KH"):
        validate_halal("KH-123/DSN-MUI/2023")


# --------------------------------------------------------------------------------------------
# §1.7 Phone
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "081234567890",
        "+62 812-3456-7890",
        "6281234567890",
        "(0812) 3456-7890",
        "0812.3456.7890",
        "+62 0812-3456-7890",  # the common '+62 0' mistake is accepted and normalised
    ],
)
def test_phone_variants_normalise_to_e164(text):
    result = validate_phone(text)
    assert result.value == "+6281234567890"
    assert result.display == "0812-3456-7890"
    assert result.info["type"] == "mobile"


def test_phone_jakarta_fixed_line_normalises_to_e164():
    result = validate_phone("021-2345-6789")
    assert result.value == "+622123456789"
    assert result.info["type"] == "fixed_line"
    assert result.info["mobile"] is False


def test_phone_starting_with_62_without_plus_is_read_as_country_code():
    # phonenumbers alone would read this as the Aceh area code (0628) 10000000
    result = validate_phone("62810000000")
    assert result.value == "+62810000000"
    assert result.info["type"] == "mobile"


def test_phone_plus_62_zero_mistake_drops_the_trunk_zero():
    assert validate_phone("+620812345678").value == "+62812345678"


def test_phone_fixed_line_is_rejected_when_mobile_is_required():
    with pytest.raises(InvalidIdentifier, match="WhatsApp"):
        validate_phone("021-2345-6789", mobile_only=True)
    with pytest.raises(InvalidIdentifier, match="WhatsApp"):
        validate_whatsapp("021-2345-6789")


def test_phone_mobile_is_accepted_when_mobile_is_required():
    assert validate_whatsapp("0812 3456 7890").value == "+6281234567890"
    assert validate_phone("0812 3456 7890", mobile_only=True).info["mobile"] is True


@pytest.mark.parametrize("text", ["+1 650 253 0000", "+65 6123 4567", "+60 12-345 6789"])
def test_phone_from_another_country_is_rejected(text):
    with pytest.raises(InvalidIdentifier, match=r"\+62"):
        validate_phone(text)


@pytest.mark.parametrize(
    "text", ["0812-FLOWERS", "0812 3456 7890 ext. 12", "0812+34567890", "tel:+6281234567890"]
)
def test_phone_with_letters_or_misplaced_plus_is_rejected(text):
    with pytest.raises(InvalidIdentifier, match="hanya berisi angka"):
        validate_phone(text)


@pytest.mark.parametrize("text", ["08123", "0812 3456 7890 1234 5678", "+", "()"])
def test_phone_too_short_or_too_long_is_rejected(text):
    with pytest.raises(InvalidIdentifier):
        validate_phone(text)


# --------------------------------------------------------------------------------------------
# §1.8 Postal code
# --------------------------------------------------------------------------------------------


def test_postal_code_of_gambir_is_in_the_dki_range():
    assert validate_postal_code("10110").info == {"in_dki_range": True}


def test_postal_code_outside_jakarta_is_valid_but_not_in_dki_range():
    result = validate_postal_code("40115")
    assert result.value == "40115"
    assert result.info == {"in_dki_range": False}


@pytest.mark.parametrize("text", ["10109", "14541", "99999"])
def test_postal_code_just_outside_the_dki_range_is_flagged(text):
    assert validate_postal_code(text).info["in_dki_range"] is False


@pytest.mark.parametrize("text", ["01234", "00000", "1011", "123456", "1O110", "10110-1"])
def test_postal_code_must_be_5_digits_not_starting_with_0(text):
    with pytest.raises(InvalidIdentifier, match="Kode pos"):
        validate_postal_code(text)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

IDENTIFIER_ALPHABET = "0123456789 .-/+():ABCDEIKLMNOPRTabcdeiklmnoprt\u00a0\u2013\u0660\uff11\x00\n"


def _outcome(validator, *args, **kwargs):
    """The result, or the InvalidIdentifier raised; any other exception propagates."""
    try:
        return validator(*args, **kwargs)
    except InvalidIdentifier as exc:
        return exc


def _call_everything(text):
    for name, validator in ALL_VALIDATORS.items():
        outcome = _outcome(validator, text)
        if isinstance(outcome, InvalidIdentifier):
            assert outcome.kind in VALIDATORS
            assert str(outcome.reason)
        else:
            assert isinstance(outcome, Validated), name
            assert outcome.value.isascii()


@NO_DB
@given(st.text())
def test_validators_raise_only_invalid_identifier_on_arbitrary_text(text):
    _call_everything(text)


@NO_DB
@given(st.binary().map(lambda b: b.decode("latin-1")))
def test_validators_raise_only_invalid_identifier_on_arbitrary_latin1_bytes(text):
    _call_everything(text)


@NO_DB
@given(st.text(alphabet=IDENTIFIER_ALPHABET, max_size=40))
def test_validators_raise_only_invalid_identifier_on_identifier_like_text(text):
    _call_everything(text)


@NO_DB
@given(st.text(max_size=20), st.text(max_size=40))
def test_check_raises_only_invalid_identifier_for_any_kind_and_text(kind, text):
    outcome = _outcome(check, kind, text)
    assert isinstance(outcome, InvalidIdentifier | Validated)


@NO_DB
@given(st.from_regex(r"\A[0-9]{16}\Z"))
def test_nik_reasons_never_contain_the_typed_digits(text):
    outcome = _outcome(validate_nik, text)
    if isinstance(outcome, InvalidIdentifier):
        assert text not in str(outcome.reason)


# Valid-value builders ------------------------------------------------------------------------

_two = st.integers(1, 99).map("{:02d}".format)


@st.composite
def niks(draw):
    """A format-valid NIK and the birth date and sex it encodes (relative to TODAY)."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    born = draw(st.dates(datetime.date(1926, 11, 16), TODAY))
    female = draw(st.booleans())
    serial = draw(st.integers(1, 9999))
    day = born.day + 40 if female else born.day
    nik = f"{province}{draw(_two)}{draw(_two)}{day:02d}{born:%m%y}{serial:04d}"
    return nik, born, "female" if female else "male"


@st.composite
def npwps(draw):
    """Entity NPWPs: a personal 15-digit one (types 04-09) stays 15 digits (issue 13)."""
    body = draw(st.from_regex(r"\A[0-9]{8}\Z"))
    assume(body != "00000000")
    assume(body[:2] not in PERSONAL_TAXPAYER_TYPES)
    tail = draw(st.from_regex(r"\A[0-9]{6}\Z"))
    n15 = body + luhn.calc_check_digit(body) + tail
    if draw(st.booleans()):
        return f"{n15[:2]}.{n15[2:5]}.{n15[5:8]}.{n15[8]}-{n15[9:12]}.{n15[12:]}"
    return draw(st.sampled_from([n15, "0" + n15]))


pirts = st.builds(
    "{}{}-{}".format,
    st.integers(1, 8),
    st.from_regex(r"\A[0-9]{12}\Z"),
    st.from_regex(r"\A[0-9]{2}\Z"),
).flatmap(lambda s: st.sampled_from([s, "P-IRT No. " + s, s.replace("-", "")]))

bpoms = st.one_of(
    st.builds(
        "{} {}".format, st.sampled_from(["MD", "ML", "bpom ri md"]), st.from_regex(r"\A[0-9]{12}\Z")
    ),
    st.builds(
        "{}{}".format,
        st.sampled_from(["NA", "nb", "NC", "ND", "NE"]),
        st.from_regex(r"\A[0-9]{11}\Z"),
    ),
)
halals = st.from_regex(r"\AID[0-9]{14,17}\Z")
postals = st.integers(10000, 99999).map(str)
mobile_phones = st.builds(
    "{}{}{}".format,
    st.sampled_from(["08", "+628", "628", "+62 08"]),
    st.sampled_from("1235789"),
    st.from_regex(r"\A[0-9]{7,10}\Z"),
)


@NO_DB
@given(niks())
def test_generated_nik_is_accepted_with_its_birth_date_and_sex(case):
    nik, born, sex = case
    result = validate_nik(nik, today=TODAY)
    assert result.value == nik
    assert result.info["birth_date"] == born
    assert result.info["sex"] == sex
    assert result.display == f"{nik[:4]}********{nik[-4:]}"


@NO_DB
@given(niks())
def test_generated_nik_is_also_a_valid_individual_npwp(case):
    nik, _, _ = case
    assert validate_npwp(nik, today=TODAY).value == nik


@NO_DB
@given(npwps())
def test_generated_company_npwp_agrees_with_python_stdnum(text):
    assert stdnum_npwp.is_valid(text)
    assert len(validate_npwp(text).value) == 16


def _assert_idempotent(kind, result, *, check_display=True):
    """Normalised value and display are fixed points; info may only differ for NPWP, where it
    records whether the number was typed in the old 15-digit form."""
    again = check(kind, result.value)
    assert (again.kind, again.value, again.display) == (kind, result.value, result.display)
    if kind != "npwp":
        assert again.info == result.info
    if check_display:
        shown = check(kind, result.display)
        assert (shown.value, shown.display) == (result.value, result.display)


@NO_DB
@given(
    st.one_of(
        st.tuples(st.just("npwp"), npwps()),
        st.tuples(st.just("pirt"), pirts),
        st.tuples(st.just("bpom"), bpoms),
        st.tuples(st.just("halal"), halals),
        st.tuples(st.just("postal"), postals),
        st.tuples(st.just("nib"), st.from_regex(r"\A[0-9]{13}\Z")),
    )
)
def test_valid_value_survives_revalidation_of_its_value_and_display(case):
    kind, text = case
    _assert_idempotent(kind, check(kind, text))


@NO_DB
@given(mobile_phones)
def test_valid_phone_survives_revalidation_of_its_value_and_display(text):
    try:
        result = validate_phone(text)
    except InvalidIdentifier:
        assume(False)
    assert result.value.startswith("+628")
    _assert_idempotent("phone", result)


@NO_DB
@given(niks())
def test_valid_nik_survives_revalidation_of_its_value_but_display_stays_masked(case):
    result = validate_nik(case[0], today=TODAY)
    assert validate_nik(result.value, today=TODAY) == result
    with pytest.raises(InvalidIdentifier):
        validate_nik(result.display)


@pytest.mark.parametrize(("kind", "text"), sorted(EXPECTED_VALUE))
def test_domain_fixture_survives_revalidation(kind, text):
    result = check(kind, text)
    masked = kind == "nik" or result.info.get("form") == "nik"
    _assert_idempotent(kind, result, check_display=not masked)


@NO_DB
@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_nik_acceptance_matches_python_stdnum_except_the_region_table(text):
    ours = True
    try:
        validate_nik(text)
    except InvalidIdentifier:
        ours = False
    day = int(text[6:8])
    domain_day = 1 <= day <= 31 or 41 <= day <= 71  # stdnum takes day % 40, so it allows 81..91
    extra_rules = text[12:] != "0000" and "00" not in (text[2:4], text[4:6]) and domain_day
    if stdnum_nik.is_valid(text) and extra_rules:
        assert ours


# --------------------------------------------------------------------------------------------
# Issue 13: identifier fixtures (DOMAIN 0.5)
# --------------------------------------------------------------------------------------------

PERSONAL_NPWP = "07.123.456.1-012.000"  # taxpayer type 07: an individual


@pytest.mark.parametrize("text", [PERSONAL_NPWP, "071234561012000", "098765431407000"])
def test_personal_15_digit_npwp_is_legacy_input_kept_as_typed_with_advice_to_use_the_nik(text):
    result = validate_npwp(text)
    assert len(result.value) == 15  # never the 0 + 15 entity form
    assert result.info["form"] == "npwp15_personal"
    assert result.info["use_nik"] is True
    assert "NIK" in str(result.info["advice"])


@pytest.mark.parametrize(
    ("text", "value"),
    [("01.312.166.0-091.000", "0013121660091000"), ("0013121660091000", "0013121660091000")],
)
def test_company_npwp_keeps_the_zero_plus_15_form(text, value):
    result = validate_npwp(text)
    assert result.value == value
    assert "use_nik" not in result.info


def test_nkit_cosmetic_kit_notification_is_accepted_and_nkit_with_8_digits_is_not():
    assert validate_bpom_cosmetic("NKIT 123456789").info["kit"] is True
    with pytest.raises(InvalidIdentifier, match="NKIT"):
        validate_bpom_cosmetic("NKIT12345678")
    with pytest.raises(InvalidIdentifier):
        validate_bpom_food("NKIT123456789")


@pytest.mark.parametrize(
    ("text", "expires"), [("2063171010236-29", 2029), ("20631710100236-29", 2029)]
)
def test_spp_irt_of_15_and_16_digits_is_accepted_with_the_year_last(text, expires):
    result = validate_pirt(text, today=TODAY)
    assert result.info["expires_year"] == expires
    assert result.display.endswith("-29")


def test_spp_irt_of_14_digits_says_at_least_15():
    with pytest.raises(InvalidIdentifier, match="paling sedikit 15"):
        validate_pirt("20631710102362")


@pytest.mark.parametrize("text", ["KEMENKES RI PKD 20303120123", "pkl20303120123"])
def test_pkrt_permit_is_pkd_or_pkl_with_11_digits(text):
    result = validate_pkrt(text)
    assert result.display.startswith("KEMENKES RI PK")
    assert check("pkrt", result.display).value == result.value


@pytest.mark.parametrize("text", ["PKD 2030312012", "PKX20303120123", "MD224510107115"])
def test_pkrt_permit_with_wrong_prefix_or_length_is_refused(text):
    with pytest.raises(InvalidIdentifier, match="PKD"):
        validate_pkrt(text)
