"""WSGI entry point: the marketplace app with the referral network plugged in."""

import referrals
from marketplace import create_app

app = create_app()
referrals.init_app(app)
