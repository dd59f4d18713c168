"""The KUR referral network. It imports marketplace; marketplace never imports it.

``init_app(app)`` is the plug-in contract (CTFd's ``load(app)``): wsgi.py and the test
app fixture call it after ``create_app``.
"""


def init_app(app) -> None:
    """Register the referral network's models, blueprints, CLI and pathway steps."""
    from marketplace.core.extension import register_feature

    if not register_feature(app, "referrals"):
        return
    from pathlib import Path

    from marketplace.core.extension import (
        register_demo_step,
        register_feature,
        register_migrations,
        register_pathway_provider,
    )
    from marketplace.extensions import csrf
    from referrals import models  # noqa: F401  (tables for migrations and the session)

    # The referral tables are an Alembic branch of their own, created only with the plug-in.
    register_migrations(app, str(Path(__file__).resolve().parent / "migrations"))
    from referrals.admin_views import bp as admin_bp
    from referrals.bank_api import bp as bank_api_bp
    from referrals.bank_api import public as public_api_bp
    from referrals.bank_portal import bp as portal_bp
    from referrals.cli import referrals as referrals_cli
    from referrals.services import pathway_dates
    from referrals.views_lead import bp as lead_bp
    from referrals.views_member import bp as member_bp

    for bp in (member_bp, lead_bp, portal_bp, admin_bp, public_api_bp):
        app.register_blueprint(bp)
    # Banks' systems authenticate with bearer tokens, never cookies: no CSRF there.
    csrf.exempt(bank_api_bp)
    app.register_blueprint(bank_api_bp)
    app.cli.add_command(referrals_cli)
    from referrals.seed import seed

    register_demo_step(app, seed)
    register_pathway_provider(app, pathway_dates)
    # Labels every referral page shows, registered once instead of passed by each view.
    from marketplace.mentoring.pathway import STEPS
    from referrals.forms import ACTION_LABELS, REJECT_REASON_LABELS, ROLE_LABELS, SCHEME_LABELS

    _register_navigation(app)
    from marketplace.core.extension import register_labels, register_messages
    from referrals.services import MESSAGES, STATUS_LABELS

    register_labels(app, "status", STATUS_LABELS)
    register_messages(app, MESSAGES)
    app.jinja_env.globals.update(
        action_labels=ACTION_LABELS,
        role_labels=ROLE_LABELS,
        scheme_labels=SCHEME_LABELS,
        reason_labels=REJECT_REASON_LABELS,
        step_labels=dict(STEPS),
    )


def _register_navigation(app) -> None:
    """The referral network's links in the host's menus and pages."""
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_nav

    def signed_in(user):
        return bool(getattr(user, "is_authenticated", False))

    def is_admin(user):
        return bool(getattr(user, "is_admin", False))

    register_nav(
        app, "owner", "referrals_member.index", _l("Rujukan KUR"), order=30, visible=signed_in
    )
    register_nav(app, "admin", "admin_banks.index", _l("Bank mitra"), order=50, visible=is_admin)
    register_nav(app, "lead.dashboard", "lead_referrals.index", _l("Rujukan KUR"))
    register_nav(
        app,
        "lead.member",
        "lead_referrals.new_for_member",
        _l("Buka rujukan KUR untuk anggota ini"),
        values=lambda ctx: {"business_id": ctx["business"].id},
    )
    register_nav(
        app,
        "admin.dashboard",
        "admin_banks.figures",
        _l("Angka rujukan KUR per chapter, pengurus, dan bank"),
    )
