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

from marketplace.accounts import services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
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
            # The same answer for a new and a registered e-mail (no enumeration): the
            # account, if new, is created and both kinds of owner get an e-mail.
            email = services.request_account(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                phone=form.phone.data,
            )
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
            return _set_device_cookie(redirect(safe_next_url(form.next.data)), user)
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
        profile.phone.data = current_user.phone_e164
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
            services.update_profile(current_user, name=profile.name.data, phone=profile.phone.data)
            flash(_("Profil disimpan."), "success")
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
