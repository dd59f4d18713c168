"""The lead console of one chapter: /lead/<chapter_slug>/...

The chapter comes from the URL, and the signed-in user must be a lead of *that* chapter:
being a lead elsewhere, an admin, or an SME owner gives no access here (404).
"""

from flask import Blueprint, current_app, g, render_template
from flask_login import current_user

from marketplace.businesses.models import Business
from marketplace.chapters import services as chapters
from marketplace.core.errors import NotFound
from marketplace.core.security import deny
from marketplace.core.tenancy import get_in_chapter_or_404, scoped_select
from marketplace.extensions import db

bp = Blueprint("lead", __name__, url_prefix="/lead/<chapter_slug>")


@bp.url_value_preprocessor
def pull_chapter(endpoint, values):
    g.chapter_slug = (values or {}).pop("chapter_slug", None)


@bp.url_defaults
def add_chapter(endpoint, values):
    if "chapter_slug" not in values and g.get("chapter") is not None:
        values["chapter_slug"] = g.chapter.slug


@bp.before_request
def require_lead_of_chapter():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    try:
        chapter = chapters.get_chapter_by_slug(g.chapter_slug)
    except NotFound:
        deny("unknown_chapter", chapter=g.chapter_slug)
    if not chapters.is_lead(current_user, chapter):
        deny("not_lead_of_chapter", chapter=chapter.slug)
    g.chapter = chapter
    return None


@bp.get("/")
def dashboard():
    members = db.session.scalars(scoped_select(Business).order_by(Business.name)).all()
    return render_template("lead/dashboard.html", chapter=g.chapter, members=members)


@bp.get("/members/<int:business_id>")
def member(business_id: int):
    business = get_in_chapter_or_404(Business, business_id)
    return render_template("lead/member.html", chapter=g.chapter, business=business)
