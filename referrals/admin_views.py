from flask import Blueprint

bp = Blueprint("admin_banks", __name__, url_prefix="/admin/banks")
