from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from marketplace.accounts.services import MIN_PASSWORD_LENGTH
from marketplace.core.forms import Form


class RegisterForm(Form):
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    phone = TelField(
        _l("Nomor HP / WhatsApp (boleh dikosongkan)"), validators=[Optional(), Length(max=30)]
    )
    password = PasswordField(
        _l("Kata sandi (minimal %(n)d karakter)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(max=200)],
    )
    password_confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ProfileForm(Form):
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=120)])
    phone = TelField(
        _l("Nomor HP / WhatsApp (boleh dikosongkan)"), validators=[Optional(), Length(max=30)]
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("Kata sandi baru (minimal %(n)d karakter)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(max=200)],
    )
    new_password_confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("Kata sandi tidak sama.")),
        ],
    )


class ConfirmForm(Form):
    """A form with only the CSRF token, for one-button actions."""
