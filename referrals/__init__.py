"""The KUR referral network. It imports marketplace; marketplace never imports it.

``init_app(app)`` is the plug-in contract (CTFd's ``load(app)``): wsgi.py and the test
app fixture call it after ``create_app``.
"""

from pathlib import Path


def init_app(app) -> None:
    """Register everything the referral network adds to the host: its tables, blueprints
    (with their templates), CLI, labels, notification texts, template globals, navigation,
    demo data, pathway facts and its part of the OpenAPI document."""
    from marketplace.core.extension import (
        register_demo_step,
        register_feature,
        register_figure,
        register_labels,
        register_messages,
        register_migrations,
        register_openapi,
        register_pathway_provider,
        register_personal_data,
        register_summary_watch,
    )

    if not register_feature(app, "referrals"):
        return
    from marketplace.extensions import csrf
    from marketplace.mentoring.pathway import STEPS
    from referrals import models  # noqa: F401  (tables for migrations and the session)
    from referrals.api import openapi
    from referrals.api.bank_api import bp as bank_api_bp
    from referrals.api.bank_api import public as public_api_bp
    from referrals.cli import referrals as referrals_cli
    from referrals.seed import seed
    from referrals.services import MESSAGES, STATUS_LABELS, pathway_dates
    from referrals.services.eligibility import CREDIT_QUESTIONS, KIND_LABELS

    # The referral tables are an Alembic branch of their own, created only with the plug-in.
    register_migrations(app, str(Path(__file__).resolve().parent / "migrations"))
    from referrals.services.endorsement import BASE_QUOTA
    from referrals.web.admin import bp as admin_bp
    from referrals.web.bank_portal import bp as portal_bp
    from referrals.web.forms import (
        ACTION_LABELS,
        PURPOSE_KIND_LABELS,
        REJECT_REASON_HELP,
        REJECT_REASON_LABELS,
        ROLE_LABELS,
        SCHEME_LABELS,
    )
    from referrals.web.lead import bp as lead_bp
    from referrals.web.member import bp as member_bp

    # The plug-in's own setting, with its default (the host's config does not know it).
    app.config.setdefault("REFERRAL_BASE_QUOTA", BASE_QUOTA)
    for bp in (member_bp, lead_bp, portal_bp, admin_bp, public_api_bp):
        app.register_blueprint(bp)
    # Banks' systems authenticate with bearer tokens, never cookies: no CSRF there.
    csrf.exempt(bank_api_bp)
    app.register_blueprint(bank_api_bp)
    app.cli.add_command(referrals_cli)
    register_demo_step(app, seed)
    register_pathway_provider(app, pathway_dates)
    from referrals.services.personal_data import personal_data

    # "My data": the member's referrals and consent receipts, and what erasure does to them.
    register_personal_data(app, personal_data)
    register_summary_watch(app, models.Referral, lambda row: row.business_id)
    register_openapi(app, openapi.part)
    _register_navigation(app)
    register_figure(app, "admin.user", "bank_officer", _officer_roles)
    register_labels(app, "status", STATUS_LABELS)
    register_messages(app, MESSAGES)
    # Labels every referral page shows, registered once instead of passed by each view.
    app.jinja_env.globals.update(
        action_labels=ACTION_LABELS,
        role_labels=ROLE_LABELS,
        scheme_labels=SCHEME_LABELS,
        reason_labels=REJECT_REASON_LABELS,
        reason_help=REJECT_REASON_HELP,
        purpose_kind_labels=PURPOSE_KIND_LABELS,
        step_labels=dict(STEPS),
        ReferralStatus=models.ReferralStatus,
        prescreen_kinds={str(k): v for k, v in KIND_LABELS.items()},
        credit_questions=CREDIT_QUESTIONS,
    )


def _officer_roles(context) -> list:
    """The admin's user page: the banks this user is an officer of (one query)."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from marketplace.extensions import db
    from referrals.models import Bank, BankOfficer

    names = db.session.scalars(
        select(Bank.name)
        .join(BankOfficer, BankOfficer.bank_id == Bank.id)
        .where(BankOfficer.user_id == context["user"].id)
        .order_by(Bank.name)
    )
    return [(_l("Petugas bank"), name) for name in names]


def _register_bank_area(app) -> None:
    """The bank officer's area in the host's menu: one portal link per bank (the officer's
    home). The banks come with the login session ("slug<TAB>name" lines aggregated in SQL),
    so the menu costs the portal pages no statement."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import func, select

    from marketplace.core.extension import register_area, register_nav, register_role_fact
    from referrals.models import Bank, BankOfficer

    register_role_fact(
        app,
        "bank_officer",
        lambda user_id: (
            select(func.aggregate_strings(Bank.slug + "\t" + Bank.name, "\n"))
            .select_from(BankOfficer)
            .join(Bank, Bank.id == BankOfficer.bank_id)
            .where(BankOfficer.user_id == user_id)
            .scalar_subquery()
        ),
    )

    def banks(user) -> list[tuple[str, str]]:
        lines = (getattr(user, "role_facts", None) or {}).get("bank_officer") or ""
        pairs = (line.split("\t", 1) for line in lines.split("\n") if "\t" in line)
        return sorted(((slug, name) for slug, name in pairs), key=lambda p: p[1])

    def portals(user, context):
        for slug, name in banks(user):
            yield _l("Portal %(bank)s", bank=name), {"bank_slug": slug}

    register_nav(app, "bank", "bank_portal.inbox", None, items=portals)
    register_area(app, "bank", _l("Portal bank"), holds=lambda u: bool(banks(u)), priority=10)


def _register_navigation(app) -> None:
    """The referral network's links in the host's menus and pages."""
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_assist_endpoints, register_nav

    def signed_in(user):
        return bool(getattr(user, "is_authenticated", False))

    def is_admin(user):
        return bool(getattr(user, "is_admin", False))

    register_nav(
        app, "owner", "referrals_member.index", _l("Rujukan KUR"), order=30, visible=signed_in
    )
    _register_bank_area(app)
    # The host's pathway page shows the links of its "owner.pathway" slot.
    register_nav(app, "owner.pathway", "referrals_member.ready", _l("Apakah saya siap KUR?"))
    register_nav(app, "admin", "admin_banks.index", _l("Bank mitra"), order=50, visible=is_admin)
    register_nav(app, "lead.dashboard", "lead_referrals.index", _l("Rujukan KUR"))
    # Assisted mode: a helper granted "bank_reply" may open these (and nothing else here).
    register_assist_endpoints(
        app,
        "bank_reply",
        ("referrals_member.index", "referrals_member.show", "referrals_member.answer"),
    )
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
