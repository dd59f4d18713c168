"""The quick-add form of the books: an offline sale or an expense in a few taps."""

from dataclasses import replace

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from marketplace.core.forms import Form, choices
from marketplace.core.forms import RupiahField as CoreRupiahField
from marketplace.core.money import MAX_IDR, MAX_LEDGER_ENTRY_IDR
from marketplace.core.timeutil import jakarta_today
from marketplace.ledger.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    SINGLE_CATEGORY_KINDS,
)
from marketplace.ledger.services import CATEGORY_LABELS

KIND_LABELS = {
    "manual_income": _l("Pemasukan (penjualan offline)"),
    "expense": _l("Pengeluaran"),
}
# The other kinds of entry (one category each), for the "other entries" choice.
OTHER_KIND_LABELS = {kind: CATEGORY_LABELS[kind] for kind in SINGLE_CATEGORY_KINDS}


class RupiahField(CoreRupiahField):
    """The books' amount: the shared rupiah field (core.forms), keeping a leading minus so
    the service answers "-5" with its own message instead of a parse error."""

    def __init__(self, label=None, validators=None, *, maximum: int = MAX_IDR, **kwargs):
        kwargs.setdefault("signed", True)
        super().__init__(label, validators, maximum=maximum, **kwargs)


def _grouped(group_label, keys):
    return [
        replace(c, optgroup=group_label) for c in choices((k, CATEGORY_LABELS[k]) for k in keys)
    ]


def category_choices():
    return [
        *choices([("", _l("— pilih kategori —"))]),
        *_grouped(_l("Pemasukan"), INCOME_CATEGORIES),
        *_grouped(_l("Pengeluaran"), EXPENSE_CATEGORIES),
    ]


class OtherEntryForm(Form):
    """Entries the statements need besides cash in and out: prive, stock, equipment,
    piutang, utang, loans, capital. The kind is the category."""

    kind = SelectField(
        _l("Jenis catatan"),
        choices=[*choices([("", _l("— pilih jenis —"))]), *choices(OTHER_KIND_LABELS)],
        validate_choice=False,
        validators=[InputRequired(message=_l("Pilih jenis catatan."))],
    )
    amount_idr = RupiahField(
        _l("Jumlah (rupiah)"),
        maximum=MAX_LEDGER_ENTRY_IDR,
        validators=[InputRequired(message=_l("Jumlah harus angka rupiah lebih dari 0."))],
    )
    occurred_on = DateField(_l("Tanggal"), default=jakarta_today, validators=[Optional()])
    note = TextAreaField(_l("Catatan (boleh dikosongkan)"), validators=[Length(max=500)])


class PeriodForm(Form):
    """The period of the statements (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("Dari tanggal"), validators=[Optional()])
    end = DateField(_l("Sampai tanggal"), validators=[Optional()])


class EntryForm(Form):
    kind = RadioField(
        _l("Jenis catatan"),
        choices=choices(KIND_LABELS),
        validators=[InputRequired(message=_l("Pilih pemasukan atau pengeluaran."))],
    )
    amount_idr = RupiahField(
        _l("Jumlah (rupiah)"),
        maximum=MAX_LEDGER_ENTRY_IDR,
        validators=[InputRequired(message=_l("Jumlah harus angka rupiah lebih dari 0."))],
    )
    # "lainnya" sits in both groups; the service checks that kind and category match.
    category = SelectField(
        _l("Kategori"),
        choices=category_choices(),
        validate_choice=False,
        validators=[InputRequired(message=_l("Pilih kategori."))],
    )
    occurred_on = DateField(_l("Tanggal"), default=jakarta_today, validators=[Optional()])
    note = TextAreaField(_l("Catatan (boleh dikosongkan)"), validators=[Length(max=500)])

    def validate_category(self, field):
        # A clearer word than the service's "Pilih kategori." for the usual slip: the
        # right kind ticked, a category from the other group picked.
        if self.kind.data == "manual_income" and field.data not in INCOME_CATEGORIES:
            raise ValidationError(_l("Untuk pemasukan, pilih kategori di kelompok Pemasukan."))
        if self.kind.data == "expense" and field.data not in EXPENSE_CATEGORIES:
            raise ValidationError(_l("Untuk pengeluaran, pilih kategori di kelompok Pengeluaran."))
