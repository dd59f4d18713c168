from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from marketplace.core.forms import Form


class AssignLeadForm(Form):
    email = EmailField(
        _l("E-mail akun calon pengurus"), validators=[DataRequired(), Length(max=254)]
    )
