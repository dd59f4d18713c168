from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from marketplace.core.forms import Form, choices

STAR_CHOICES = choices(
    [
        ("5", _l("5 bintang: sangat puas")),
        ("4", _l("4 bintang: puas")),
        ("3", _l("3 bintang: biasa saja")),
        ("2", _l("2 bintang: kurang puas")),
        ("1", _l("1 bintang: kecewa")),
    ]
)


class ReviewForm(Form):
    rating = RadioField(
        _l("Nilai barang ini"),
        choices=STAR_CHOICES,
        validators=[DataRequired(message=_l("Pilih 1 sampai 5 bintang."))],
    )
    text = TextAreaField(
        _l("Ulasan Anda (boleh kosong)"), validators=[Optional(), Length(max=2000)]
    )
    photos = MultipleFileField(_l("Foto (paling banyak 3, JPG atau PNG)"))


class ReplyForm(Form):
    text = TextAreaField(
        _l("Balasan untuk pembeli"), validators=[DataRequired(), Length(min=2, max=2000)]
    )


class ReportForm(Form):
    reason = TextAreaField(
        _l("Mengapa ulasan ini perlu diperiksa?"),
        validators=[DataRequired(), Length(min=5, max=500)],
    )


class HideForm(Form):
    reason = TextAreaField(
        _l("Alasan menyembunyikan (tercatat)"), validators=[DataRequired(), Length(min=5, max=500)]
    )
