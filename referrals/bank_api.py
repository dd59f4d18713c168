from flask import Blueprint

bp = Blueprint("bank_api", __name__, url_prefix="/api/v1/bank")
public = Blueprint("referrals_api", __name__, url_prefix="/api/v1")
