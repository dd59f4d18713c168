from flask import Blueprint

bp = Blueprint("bank_portal", __name__, url_prefix="/bank/<bank_slug>")
