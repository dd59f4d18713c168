from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from marketplace.core.forms import Form, RupiahField
from marketplace.delivery.models import Zone
from marketplace.delivery.services import MAX_RATE_IDR, ZONE_LABELS

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


class ChapterTableForm(Form):
    """A lead's default table for one courier: a rupiah per zone and weight band (the
    ``price_<zone>_<band>`` fields are added below; an empty cell is "not served")."""

    courier_code = SelectField(_l("Kurir"), choices=[], validate_choice=False)


def price_field_name(zone, band) -> str:
    return f"price_{zone}_{band}"


def _add_price_fields() -> None:
    for zone in Zone:
        for band in BANDS:
            weight = _l("berat berapa saja") if band == "any" else f"≤{band} kg"
            label = _l("%(zone)s, %(weight)s", zone=ZONE_LABELS[zone], weight=weight)
            setattr(
                ChapterTableForm,
                price_field_name(zone, band),
                RupiahField(label, validators=[Optional()], maximum=MAX_RATE_IDR),
            )


_add_price_fields()
