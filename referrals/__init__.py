"""The KUR referral network. It imports marketplace; marketplace never imports it.

``init_app(app)`` is the plug-in contract (CTFd's ``load(app)``): wsgi.py and the test
app fixture call it after ``create_app``.
"""


def init_app(app) -> None:
    """Register the referral network's blueprints, CLI and models with ``app``."""
    app.extensions["referrals"] = True
