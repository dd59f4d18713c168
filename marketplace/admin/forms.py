from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from marketplace.core.forms import Form, RupiahField, choices
from marketplace.core.money import MAX_PAYOUT_IDR


class AssignLeadForm(Form):
    # An e-mail or the WhatsApp number of a phone-only account (accounts.administration
    # .account_for_role); the field keeps its name so the form's input stays "email".
    email = StringField(
        _l("E-mail atau nomor WhatsApp akun calon pengurus"),
        validators=[DataRequired(), Length(max=254)],
    )


class PayoutForm(Form):
    business_id = HiddenField(validators=[DataRequired()])
    amount_idr = RupiahField(
        _l("Jumlah transfer (Rp)"),
        maximum=MAX_PAYOUT_IDR,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_PAYOUT_IDR)],
    )
    reference = StringField(
        _l("Nomor referensi transfer"), validators=[DataRequired(), Length(max=80)]
    )
    paid_on = DateField(_l("Tanggal transfer"), validators=[DataRequired()])


class RefundForm(Form):
    note = StringField(_l("Alasan pengembalian dana"), validators=[DataRequired(), Length(max=300)])


class HolidayForm(Form):
    day = DateField(_l("Tanggal"), validators=[DataRequired()])
    name = StringField(
        _l("Nama (contoh: Cuti bersama Idul Fitri)"), validators=[DataRequired(), Length(max=120)]
    )
    kind = SelectField(
        _l("Jenis"),
        choices=choices(
            [
                ("cuti_bersama", _l("Cuti bersama")),
                ("libur_nasional", _l("Libur nasional (belum ada di kalender bawaan)")),
            ]
        ),
        default="cuti_bersama",
    )
    source = StringField(_l("Dasar (nomor SKB atau keputusan)"), validators=[Length(max=500)])
