"""Form base class and helpers.

WTForms ships no Indonesian catalog, so its built-in validation messages ("This field is
required.") are translated here; in English they pass through unchanged.
"""

from decimal import ROUND_HALF_UP, Decimal

from flask import has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput

from marketplace.core.money import MAX_IDR
from marketplace.core.numbers import format_percent_bp, parse_amount_idr, parse_percent_to_bp

WTFORMS_ID = {
    "This field is required.": "Wajib diisi.",
    "Not a valid integer value.": "Isi dengan angka bulat, tanpa titik atau koma.",
    "Not a valid date value.": "Tanggal tidak valid.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Not a valid choice": "Pilihan tidak valid.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang valid.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Panjang isian harus %(min)d sampai %(max)d karakter."
    ),
    "Field cannot be longer than %(max)d character.": "Isian maksimal %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Isian maksimal %(max)d karakter.",
    "Field must be at least %(min)d character long.": "Isian minimal %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Isian minimal %(min)d karakter.",
    "Number must be at least %(min)s.": "Angka minimal %(min)s.",
    "Number must be at most %(max)s.": "Angka maksimal %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "Invalid input.": "Isian tidak valid.",
    "Not a valid decimal value.": "Isi dengan angka, contoh 6,5.",
}


class _Translations:
    def _indonesian(self) -> bool:
        return has_request_context() and str(get_locale() or "id") == "id"

    def gettext(self, string):
        return WTFORMS_ID.get(string, string) if self._indonesian() else string

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


_TRANSLATIONS = _Translations()


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _TRANSLATIONS


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs or a {value: label} mapping -> WTForms SelectChoice objects."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(value, label) for value, label in items]


# --- numbers as Indonesians write them ---------------------------------------------------------


class RupiahField(IntegerField):
    """Every money field: an int of rupiah typed "65.000", "Rp 65.000" or "65000" (parsed by
    ``core.numbers.parse_amount_idr``, the one rupiah parser; "65rb" is refused with a
    clear message). A text input with ``inputmode="numeric"``: ``type=number`` refuses the
    Indonesian thousands dot in some browsers. Above ``maximum`` (core.money) it says
    "Jumlah maksimal ...". ``signed=True`` keeps a leading minus for the service to answer
    (the books say "Jumlah harus angka rupiah lebih dari 0." for "-5")."""

    widget = TextInput()

    def __init__(
        self, label=None, validators=None, *, maximum: int = MAX_IDR, signed=False, **kwargs
    ):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.maximum = maximum
        self.signed = signed

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        if not raw:
            self.data = None
            return
        negative = self.signed and raw.startswith("-")
        try:
            amount = parse_amount_idr(raw[1:] if negative else raw, maximum=self.maximum)
        except ValueError as error:
            self.data = None
            raise ValueError(error.args[0]) from None
        self.data = -amount if negative else amount

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", ".") if isinstance(self.data, int) else ""


class PercentField(DecimalField):
    """Every rate field: a percentage typed "6,5", "6.5" or "6,5 %" (``core.numbers.
    parse_percent_to_bp``, the one decimal parser), a ``Decimal`` of percent. A text input
    with ``inputmode="decimal"``: a number input reads "6,5" as 65 in some browsers."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = Decimal(parse_percent_to_bp(valuelist[0])) / 100
        except ValueError as error:
            self.data = None
            raise ValueError(error.args[0]) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        bp = int((Decimal(self.data) * 100).to_integral_value(rounding=ROUND_HALF_UP))
        return format_percent_bp(bp)
