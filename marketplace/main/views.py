"""Home page, health check and the language switch."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from sqlalchemy import text

from marketplace.catalog.pagecache import cached_page, shows
from marketplace.chapters import services as chapters
from marketplace.core.security import safe_next_url
from marketplace.extensions import csrf, db

bp = Blueprint("main", __name__)


@bp.get("/")
@cached_page
def index():
    from marketplace.catalog.categories import CATEGORIES
    from marketplace.catalog.storefront import home_products

    by_kota: dict[str, list] = {}
    for chapter in chapters.list_chapters():
        by_kota.setdefault(chapter.kota, []).append(chapter)
    newest, picks = home_products()
    shows([*newest, *picks])
    return render_template(
        "main/index.html",
        chapters_by_kota=by_kota,
        newest=newest,
        picks=picks,
        categories=CATEGORIES,
    )


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the static file, cached a day
    (its URL cannot carry a version, so not a year)."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=current_app.config.get("FAVICON_MAX_AGE", 86400),
    )


@bp.get("/healthz")
@csrf.exempt
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch the interface language (a GET link works without JavaScript)."""
    if code in ("id", "en"):
        session["lang"] = code
    return redirect(safe_next_url(request.args.get("next")))
