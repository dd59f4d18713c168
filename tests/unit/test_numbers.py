"""The one parser for percentages and rupiah amounts (issue 12)."""

import pytest

from marketplace.core.numbers import format_percent_bp, parse_amount_idr, parse_percent_to_bp


@pytest.mark.parametrize(
    ("typed", "bp"),
    [
        ("6,5", 650),
        ("6.5", 650),
        ("6,5 %", 650),
        ("6,5%", 650),
        (" 6 ", 600),
        ("3", 300),
        ("6,125", 613),
        ("6,124", 612),
        ("0", 0),
        ("100", 10_000),
    ],
)
def test_percent_as_typed_becomes_basis_points(typed, bp):
    assert parse_percent_to_bp(typed) == bp


@pytest.mark.parametrize("typed", ["", "abc", "6,5,1", "1.000,5", "-6", "6e2", "1234", "6 5"])
def test_percent_that_is_not_a_number_is_refused(app, typed):
    with app.test_request_context(), pytest.raises(ValueError, match="contoh 6 atau 6,5"):
        parse_percent_to_bp(typed)


@pytest.mark.parametrize(
    ("typed", "idr"),
    [
        ("65000", 65_000),
        ("65.000", 65_000),
        ("Rp 65.000", 65_000),
        ("Rp65.000", 65_000),
        ("rp. 1.250.000", 1_250_000),
        ("IDR 65000", 65_000),
    ],
)
def test_amount_as_typed_becomes_rupiah(typed, idr):
    assert parse_amount_idr(typed) == idr


@pytest.mark.parametrize("typed", ["65rb", "65 ribu", "65,5", "6.50", "", "Rp", "1" * 16])
def test_amount_that_is_not_plain_rupiah_is_refused(app, typed):
    with app.test_request_context(), pytest.raises(ValueError, match="65.000|terlalu besar"):
        parse_amount_idr(typed)


def test_amount_65rb_is_refused_with_a_clear_message(app):
    with app.test_request_context(), pytest.raises(ValueError, match="bukan 65rb"):
        parse_amount_idr("65rb")


def test_basis_points_are_shown_back_the_indonesian_way():
    assert (format_percent_bp(650), format_percent_bp(600), format_percent_bp(613)) == (
        "6,5",
        "6",
        "6,13",
    )
