"""Form base class and helpers.

WTForms ships no Indonesian catalog, so its built-in validation messages ("This field is
required.") are translated here; in English they pass through unchanged.
"""

from flask import has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

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
