from flask import Blueprint

bp = Blueprint("referrals_member", __name__, url_prefix="/business/referrals")
