"""The KUR referral network. It imports marketplace; marketplace never imports it.

``init_app(app)`` is the plug-in contract (CTFd's ``load(app)``): wsgi.py and the test
app fixture call it after ``create_app``.
"""


def init_app(app) -> None:
    """Register the referral network's models, blueprints, CLI and pathway steps."""
    from marketplace.extensions import csrf
    from marketplace.mentoring.pathway import register_provider
    from referrals import models  # noqa: F401  (tables for migrations and the session)
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
    from marketplace.seed import EXTENSIONS
    from referrals.seed import seed

    if seed not in EXTENSIONS:
        EXTENSIONS.append(seed)
    register_provider(pathway_dates)
    # Labels every referral page shows, registered once instead of passed by each view.
    from marketplace.mentoring.pathway import STEPS
    from referrals.forms import ACTION_LABELS, REJECT_REASON_LABELS, ROLE_LABELS, SCHEME_LABELS

    app.jinja_env.globals.update(
        action_labels=ACTION_LABELS,
        role_labels=ROLE_LABELS,
        scheme_labels=SCHEME_LABELS,
        reason_labels=REJECT_REASON_LABELS,
        step_labels=dict(STEPS),
    )
    app.extensions["referrals"] = True
