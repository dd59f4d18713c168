from marketplace.core.tenancy import lead_blueprint

bp = lead_blueprint("lead_referrals", __name__, url_prefix="/referrals")
