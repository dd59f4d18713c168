from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from marketplace.core.forms import Form

# The weight bands of the owner's courier table (kg, "any" = no upper bound).
BANDS = ("1", "3", "5", "10", "any")


class OptionForm(Form):
    kind = SelectField(_l("Jenis pengiriman"), choices=[], validate_choice=False)
    courier_code = SelectField(_l("Kurir"), choices=[], validate_choice=False)
    service = StringField(_l("Layanan (contoh REG, YES, Same Day)"), validators=[Length(max=16)])
    opening_hours = StringField(
        _l("Jam buka untuk pengambilan"), validators=[Optional(), Length(max=120)]
    )
    cod_allowed = BooleanField(_l("Boleh bayar di tempat (COD) untuk pilihan ini"))


class SettingsForm(Form):
    cod_enabled = BooleanField(
        _l("Terima bayar di tempat (COD) dari pembeli dengan nomor terverifikasi")
    )
    free_shipping_min = StringField(
        _l("Gratis ongkir mulai belanja (kosongkan bila tidak ada)"),
        validators=[Optional(), Length(max=20)],
    )


class AdoptForm(Form):
    courier_code = SelectField(_l("Kurir"), choices=[], validate_choice=False)


class RemoveForm(Form):
    pass
