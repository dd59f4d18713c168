"""``flask legality check KIND NUMBER`` on a minimal app (the real app registers the group)."""

import pytest
from flask import Flask
from flask_babel import Babel

from marketplace.legality.cli import legality


@pytest.fixture
def runner():
    app = Flask(__name__)
    Babel(app, default_locale="id")
    return app.test_cli_runner()


def test_valid_number_prints_normalised_value_then_display_and_exits_0(runner):
    result = runner.invoke(legality, ["check", "phone", "0812-3456-7890"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["+6281234567890", "0812-3456-7890"]


def test_valid_npwp_with_separators_prints_the_16_digit_value(runner):
    result = runner.invoke(legality, ["check", "npwp", "01.312.166.0-091.000"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["0013121660091000", "01.312.166.0-091.000"]


def test_valid_pirt_with_its_printed_prefix_is_accepted(runner):
    result = runner.invoke(legality, ["check", "pirt", "P-IRT No. 2063171010236-29"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["206317101023629", "P-IRT No. 2063171010236-29"]


def test_valid_nik_display_line_is_masked(runner):
    result = runner.invoke(legality, ["check", "nik", "3175064101900003"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["3175064101900003", "3175********0003"]


def test_invalid_number_prints_reason_and_exits_1(runner):
    result = runner.invoke(legality, ["check", "nik", "3171013202900001"])
    assert result.exit_code == 1
    assert result.stdout.startswith("invalid: ")
    assert "Tanggal lahir di dalam NIK" in result.stdout
    assert "3171013202900001" not in result.stdout


def test_invalid_postal_code_reason_is_plain_indonesian(runner):
    result = runner.invoke(legality, ["check", "postal", "01234"])
    assert result.exit_code == 1
    assert result.stdout == "invalid: Kode pos harus 5 angka dan tidak diawali 0. Contoh: 10110.\n"


def test_unknown_kind_is_a_usage_error_with_exit_2(runner):
    result = runner.invoke(legality, ["check", "passport", "A1234567"])
    assert result.exit_code == 2
    assert "passport" in result.output


def test_missing_number_is_a_usage_error_with_exit_2(runner):
    result = runner.invoke(legality, ["check", "nik"])
    assert result.exit_code == 2


@pytest.mark.parametrize("kind", ["nik", "nib", "npwp", "pirt", "bpom", "halal", "phone", "postal"])
def test_every_registry_kind_is_a_choice(runner, kind):
    result = runner.invoke(legality, ["check", kind, "x"])
    assert result.exit_code == 1
    assert result.stdout.startswith("invalid: ")
