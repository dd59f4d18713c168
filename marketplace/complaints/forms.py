from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.core.forms import Form, RupiahField, choices

REASON_CHOICES = choices(
    [
        ("not_received", _l("Barang tidak sampai")),
        ("damaged", _l("Barang rusak")),
        ("wrong_item", _l("Barang salah kirim")),
        ("not_as_described", _l("Tidak sesuai deskripsi")),
    ]
)


class ComplaintForm(Form):
    reason = RadioField(_l("Apa masalahnya?"), choices=REASON_CHOICES, validators=[DataRequired()])
    text = TextAreaField(
        _l("Ceritakan masalahnya"), validators=[DataRequired(), Length(min=10, max=2000)]
    )
    photos = MultipleFileField(_l("Foto (paling banyak 3, JPG atau PNG)"))


class AnswerForm(Form):
    answer = TextAreaField(
        _l("Jawaban untuk pembeli"), validators=[DataRequired(), Length(min=10, max=2000)]
    )


class PartialRefundForm(Form):
    amount_idr = RupiahField(
        _l("Jumlah yang dikembalikan (Rp)"),
        validators=[
            InputRequired(message=_l("Tulis jumlahnya, contoh 65.000.")),
            NumberRange(min=1),
        ],
    )


class ReturnShipForm(Form):
    courier = StringField(_l("Kurir"), validators=[DataRequired(), Length(max=60)])
    tracking_number = StringField(_l("Nomor resi"), validators=[DataRequired(), Length(max=60)])


class CashForm(Form):
    amount_idr = RupiahField(
        _l("Uang tunai yang diterima (Rp)"),
        validators=[
            InputRequired(message=_l("Tulis jumlahnya, contoh 65.000.")),
            NumberRange(min=1),
        ],
    )


class FailDeliveryForm(Form):
    note = StringField(_l("Apa yang terjadi?"), validators=[Optional(), Length(max=300)])


class DecisionForm(Form):
    refund_idr = RupiahField(
        _l("Dana dikembalikan ke pembeli (Rp, 0 bila tidak ada)"),
        validators=[NumberRange(min=0)],
    )
    note = TextAreaField(
        _l("Alasan keputusan"), validators=[DataRequired(), Length(min=10, max=2000)]
    )
