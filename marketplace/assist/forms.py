from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from marketplace.assist.services import DURATION_DAYS, TASK_LABELS
from marketplace.businesses.forms import MultiCheckboxField
from marketplace.core.forms import Form, choices


class GrantForm(Form):
    lead = SelectField(_l("Pengurus kecamatan Anda"), coerce=str, validators=[Optional()])
    other = StringField(
        _l("Atau pendamping lain: e-mail atau nomor WhatsApp akunnya"),
        validators=[Optional(), Length(max=254)],
    )
    tasks = MultiCheckboxField(
        _l("Boleh membantu untuk"), choices=choices((str(k), v) for k, v in TASK_LABELS.items())
    )
    days = RadioField(
        _l("Selama"),
        coerce=int,
        default=7,
        choices=choices((d, _l("%(n)d hari", n=d)) for d in DURATION_DAYS),
    )

    def __init__(self, leads=(), **kwargs):
        super().__init__(**kwargs)
        self.lead.choices = choices([("", _l("— pilih —"))] + [(str(u.id), u.name) for u in leads])
