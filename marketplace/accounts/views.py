"""Register, log in, log out, and the account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import recovery, services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetWithCodeForm,
)
from marketplace.core.security import safe_next_url
from marketplace.core.views import domain_errors, show_error, unit_of_work
from marketplace.extensions import limiter

bp = Blueprint("accounts", __name__)


def _sign_in(user) -> None:
    # A fresh session on login (session fixation); keep only the language choice.
    from marketplace.orders.services import cart_for, merge_carts

    lang = session.get("lang")
    anonymous_cart = cart_for(None, session.get("cart_token"))
    session.clear()
    if lang:
        session["lang"] = lang
    services.start_session(user, request.user_agent.string)
    session.permanent = True
    login_user(user)
    merge_carts(anonymous_cart, user)  # the visitor's cart survives login


def _register_ip_limit():
    return current_app.config["REGISTER_IP_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_ip_limit, methods=["POST"])
@unit_of_work
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        with domain_errors(form):
            # The same answer for a new and a registered e-mail or number (no enumeration):
            # the account, if new, is created; every holder is told by e-mail or WhatsApp.
            email, phone = services.request_account(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                phone=form.phone.data,
            )
            if phone:
                if email:
                    flash(
                        _(
                            "Terima kasih. Kami sudah mengirim e-mail ke %(email)s: periksa "
                            "kotak masuk Anda.",
                            email=email,
                        ),
                        "success",
                    )
                session["verify_phone"] = phone
                return redirect(url_for("accounts.verify_phone"))
            flash(
                _(
                    "Terima kasih. Kami sudah mengirim e-mail ke %(email)s: periksa kotak "
                    "masuk Anda, lalu masuk dengan e-mail dan kata sandi Anda.",
                    email=email,
                ),
                "success",
            )
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 400


def _code_ip_limit():
    return current_app.config["CODE_CHECK_IP_LIMIT"]


def _recovery_ip_limit():
    return current_app.config["RECOVERY_IP_LIMIT"]


def _pending_phone() -> str | None:
    if current_user.is_authenticated and current_user.pending_phone_e164:
        return current_user.pending_phone_e164
    return session.get("verify_phone")


@bp.route("/verify-phone", methods=["GET", "POST"])
@limiter.limit(_code_ip_limit, methods=["POST"])
@unit_of_work
def verify_phone():
    phone = _pending_phone()
    if not phone:
        return redirect(url_for("accounts.register"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            user = recovery.verify_phone(
                phone,
                form.code.data,
                user=current_user if current_user.is_authenticated else None,
            )
            session.pop("verify_phone", None)
            flash(_("Nomor WhatsApp Anda sudah terverifikasi."), "success")
            if current_user.is_authenticated:
                return redirect(url_for("accounts.account"))
            # The code proves the number: the new member is signed in.
            _sign_in(user)
            return _set_device_cookie(redirect(url_for("main.index")), user)
        status = refused.status_code
    elif form.is_submitted():
        status = 400
    form.code.data = ""
    return render_template(
        "accounts/verify_phone.html", form=form, phone=phone, resend=ConfirmForm()
    ), status


@bp.post("/verify-phone/resend")
@limiter.limit(_recovery_ip_limit)
@unit_of_work
def resend_verification():
    phone = _pending_phone()
    if phone and ConfirmForm().validate_on_submit():
        recovery.resend_verification_code(phone)
        flash(_("Jika nomor ini menunggu verifikasi, kode baru sudah dikirim."), "info")
    return redirect(url_for("accounts.verify_phone"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_recovery_ip_limit, methods=["POST"])
@unit_of_work
def forgot():
    form = ForgotForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form, field="identifier") as refused:
            kind, value = recovery.request_recovery(form.identifier.data, request.remote_addr)
            if kind == "phone":
                session["recover_phone"] = value
                return redirect(url_for("accounts.reset_with_code"))
            return render_template("accounts/forgot_sent.html", email=value)
        status = refused.status_code
    elif form.is_submitted():
        status = 400
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/forgot/code", methods=["GET", "POST"])
@limiter.limit(_code_ip_limit, methods=["POST"])
@unit_of_work
def reset_with_code():
    phone = session.get("recover_phone")
    if not phone:
        return redirect(url_for("accounts.forgot"))
    form = ResetWithCodeForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            recovery.reset_with_code(phone, form.code.data, form.password.data)
            session.pop("recover_phone", None)
            _after_reset()
            return redirect(url_for("accounts.login"))
        status = refused.status_code
    elif form.is_submitted():
        status = 400
    form.code.data = ""
    return render_template("accounts/reset_code.html", form=form, phone=phone), status


def _after_reset() -> None:
    if current_user.is_authenticated:
        logout_user()
    flash(_("Kata sandi baru sudah disimpan dan semua sesi diakhiri. Silakan masuk."), "success")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_code_ip_limit, methods=["POST"])
@unit_of_work
def reset_with_link(token: str):
    form = NewPasswordForm()
    status = 200
    with domain_errors(show=False) as invalid:
        recovery.user_for_recovery_token(token)
    if invalid:
        response = render_template("accounts/reset_link.html", form=None, error=invalid.message)
        return _no_referrer(response), 400
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            recovery.reset_with_link(token, form.password.data)
            _after_reset()
            return redirect(url_for("accounts.login"))
        status = refused.status_code
    elif form.is_submitted():
        status = 400
    return _no_referrer(render_template("accounts/reset_link.html", form=form)), status


def _no_referrer(body: str):
    # The token is in this page's URL: no Referer may carry it to another site.
    response = current_app.make_response(body)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _login_ip_limit():
    return current_app.config["LOGIN_IP_LIMIT"]


def _set_device_cookie(response, user):
    cfg = current_app.config
    response.set_cookie(
        cfg["DEVICE_COOKIE_NAME"],
        services.issue_device_token(user),
        max_age=cfg["DEVICE_COOKIE_DAYS"] * 86400,
        secure=cfg["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_ip_limit, methods=["POST"])
@unit_of_work
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(form.next.data))
    status = 200
    if form.validate_on_submit():
        # authenticate() has already committed the failure count when it refuses.
        with domain_errors(show=False) as refused:
            user = services.authenticate(
                form.email.data,
                form.password.data,
                device_token=request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"]),
            )
            _sign_in(user)
            return _set_device_cookie(redirect(services.landing_url(user, form.next.data)), user)
        show_error(refused.error)
        status = 429 if isinstance(refused.error, services.LoginThrottled) else 400
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@unit_of_work
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user.session_token)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(prefix="profile", obj=current_user)
    password = ChangePasswordForm(prefix="pw")
    if request.method == "GET":
        profile.phone.data = current_user.phone_e164 or current_user.pending_phone_e164
    return render_template(
        "accounts/account.html", profile=profile, password=password, confirm=ConfirmForm()
    )


@bp.post("/account/profile")
@login_required
@unit_of_work
def update_profile():
    profile = ProfileForm(prefix="profile")
    if profile.validate_on_submit():
        with domain_errors(profile):
            code_sent = services.update_profile(
                current_user, name=profile.name.data, phone=profile.phone.data
            )
            flash(_("Profil disimpan."), "success")
            if current_user.pending_phone_e164:
                if not code_sent:
                    flash(_("Kode belum dapat dikirim lagi. Coba lagi nanti."), "info")
                return redirect(url_for("accounts.verify_phone"))
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        profile=profile,
        password=ChangePasswordForm(prefix="pw"),
        confirm=ConfirmForm(),
    ), 400


@bp.post("/account/password")
@login_required
@unit_of_work
def change_password():
    password = ChangePasswordForm(prefix="pw")
    if password.validate_on_submit():
        with domain_errors(password):
            services.change_password(
                current_user,
                password.current_password.data,
                password.new_password.data,
                keep_token=current_user.session_token,
            )
            flash(_("Kata sandi diganti. Sesi di perangkat lain sudah diakhiri."), "success")
            return redirect(url_for("accounts.account"))
    profile = ProfileForm(prefix="profile", obj=current_user)
    return render_template(
        "accounts/account.html", profile=profile, password=password, confirm=ConfirmForm()
    ), 400


@bp.post("/account/logout-everywhere")
@login_required
@unit_of_work
def logout_everywhere():
    if ConfirmForm().validate_on_submit():
        count = services.end_other_sessions(current_user, keep_token=current_user.session_token)
        flash(_("%(n)d sesi lain sudah diakhiri.", n=count), "success")
    return redirect(url_for("accounts.account"))
