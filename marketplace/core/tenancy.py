"""Chapter tenancy: the one way to load a tenant row by id in the lead area.

A lead of chapter A asking for chapter B's objects gets 404, exactly like a missing
object, and the refusal is logged as ``authz_denied``.
"""

from flask import Blueprint, current_app, g
from flask_login import current_user
from sqlalchemy import select

from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.core.security import deny
from marketplace.extensions import db


def current_chapter():
    """The chapter whose lead area is being used (set by the lead blueprint)."""
    return g.get("chapter")


def get_in_chapter_or_404(model, object_id, chapter=None, *, chapter_attr: str = "chapter_id"):
    """Load ``model`` by primary key only if it belongs to ``chapter`` (default: current)."""
    chapter = chapter or current_chapter()
    if chapter is None:
        raise RuntimeError("get_in_chapter_or_404 called outside a chapter scope")
    try:
        object_id = parse_id(object_id)
    except NotFound:
        deny("bad_id", model=model.__name__)
    obj = db.session.scalar(
        select(model).where(model.id == object_id, getattr(model, chapter_attr) == chapter.id)
    )
    if obj is None:
        deny("out_of_chapter", model=model.__name__, id=object_id, chapter=chapter.slug)
    return obj


def scoped_select(model, chapter=None, *, chapter_attr: str = "chapter_id"):
    """A SELECT of ``model`` restricted to the chapter in scope."""
    chapter = chapter or current_chapter()
    if chapter is None:
        raise RuntimeError("scoped_select called outside a chapter scope")
    return select(model).where(getattr(model, chapter_attr) == chapter.id)


def lead_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint of the lead area: /lead/<chapter_slug>/...; the signed-in user must
    lead *that* chapter (404 otherwise, logged). Features outside marketplace (the referral
    network) get the same scope by building their lead pages on this."""
    bp = Blueprint(name, import_name, url_prefix=f"/lead/<chapter_slug>{url_prefix}")

    @bp.url_value_preprocessor
    def pull_chapter(endpoint, values):
        g.chapter_slug = (values or {}).pop("chapter_slug", None)

    @bp.url_defaults
    def add_chapter(endpoint, values):
        if "chapter_slug" not in values and g.get("chapter") is not None:
            values["chapter_slug"] = g.chapter.slug

    @bp.before_request
    def require_lead_of_chapter():
        from marketplace.chapters.services import chapter_led_by

        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        chapter = chapter_led_by(current_user, g.chapter_slug)
        if chapter is None:
            deny("not_lead_of_chapter", chapter=g.chapter_slug)
        g.chapter = chapter
        return None

    return bp
