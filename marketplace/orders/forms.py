from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from marketplace.core.forms import Form


class AddToCartForm(Form):
    product_id = HiddenField(validators=[DataRequired()])
    quantity = IntegerField(
        _l("Jumlah"), default=1, validators=[DataRequired(), NumberRange(min=1, max=99)]
    )
    # Issue 16: the size/colour picked (the service requires one for a product with variants).
    variant_id = StringField(validators=[Optional(), Length(max=18)])


class QuantityForm(Form):
    product_id = HiddenField(validators=[DataRequired()])
    quantity = IntegerField(_l("Jumlah"), validators=[NumberRange(min=0, max=99)])
    variant_id = HiddenField(validators=[Optional(), Length(max=18)])


class CheckoutForm(Form):
    recipient_name = StringField(_l("Nama penerima"), validators=[DataRequired(), Length(max=120)])
    address_line = StringField(
        _l("Alamat (jalan, nomor, RT/RW)"), validators=[DataRequired(), Length(max=200)]
    )
    kelurahan_code = SelectField(_l("Kelurahan"), choices=[], validate_choice=False)
    postal_code = StringField(_l("Kode pos"), validators=[DataRequired(), Length(max=10)])
    whatsapp = TelField(_l("Nomor WhatsApp penerima"), validators=[DataRequired(), Length(max=30)])


class PayForm(Form):
    token = HiddenField(validators=[DataRequired(), Length(max=255)])


class ShipForm(Form):
    courier = StringField(_l("Kurir"), validators=[DataRequired(), Length(max=60)])
    tracking_number = StringField(_l("Nomor resi"), validators=[DataRequired(), Length(max=60)])


class ShipCourierForm(Form):
    """A courier parcel: the courier (from the list) and its resi."""

    courier = SelectField(_l("Kurir"), choices=[], validate_choice=False)
    tracking_number = StringField(_l("Nomor resi"), validators=[DataRequired(), Length(max=60)])


class PickupCodeForm(Form):
    pickup_code = StringField(
        _l("Kode ambil dari pembeli"), validators=[DataRequired(), Length(max=12)]
    )
