from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from marketplace.accounts.services import MIN_PASSWORD_LENGTH
from marketplace.core.forms import Form


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterForm(Form):
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=120)])
    # Either is enough (accounts.services._checked_registration says so when both are empty).
    phone = TelField(_l("Nomor WhatsApp"), validators=[Optional(), Length(max=30)])
    email = EmailField(_l("E-mail (boleh dikosongkan)"), validators=[Optional(), Length(max=254)])
    password = PasswordField(
        _l("Kata sandi (minimal %(n)d karakter)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(max=200)],
    )
    password_confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )


class LoginForm(Form):
    # Named "email" for older clients and tests; it takes an e-mail or a WhatsApp number.
    email = StringField(
        _l("E-mail atau nomor WhatsApp"), validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ProfileForm(Form):
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=120)])
    phone = TelField(_l("Nomor WhatsApp"), validators=[Optional(), Length(max=30)])


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


class CodeForm(Form):
    code = StringField(
        _l("Kode 6 angka"), validators=[DataRequired(), Length(max=12)], filters=[_strip]
    )


class ForgotForm(Form):
    identifier = StringField(
        _l("E-mail atau nomor WhatsApp"), validators=[DataRequired(), Length(max=254)]
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("Kata sandi baru (minimal %(n)d karakter)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(max=200)],
    )
    password_confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )


class ResetWithCodeForm(NewPasswordForm):
    code = StringField(
        _l("Kode 6 angka"), validators=[DataRequired(), Length(max=12)], filters=[_strip]
    )
