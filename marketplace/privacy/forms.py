from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from marketplace.core.forms import Form


class BusinessCorrectionForm(Form):
    name = StringField(_l("Nama usaha"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Alamat usaha"), validators=[DataRequired(), Length(max=200)])
    postal_code = StringField(_l("Kode pos"), validators=[DataRequired(), Length(max=5)])


class ErasureForm(Form):
    understood = BooleanField(
        _l("Saya mengerti: akun saya dihapus dan tidak bisa dikembalikan."),
        validators=[DataRequired(message=_l("Centang kotak ini jika Anda yakin."))],
    )
    password = PasswordField(
        _l("Kata sandi Anda, untuk memastikan ini Anda"),
        validators=[DataRequired(), Length(max=200)],
    )
