"""Chapter tenancy: the one way to load a tenant row by id in the lead area.

A lead of chapter A asking for chapter B's objects gets 404, exactly like a missing
object, and the refusal is logged as ``authz_denied``. A model without a chapter column of
its own names the relationship to the parent that has one in ``__chapter_parent__``
(a product belongs to a business, which has the chapter): the join lives here, once.
"""

from flask import Blueprint, abort, current_app, g
from flask_login import current_user
from sqlalchemy import select

from marketplace.core.errors import NotFound, OutOfScope
from marketplace.core.extension import scope_resolver
from marketplace.core.ids import parse_id
from marketplace.core.security import deny
from marketplace.extensions import db


def current_chapter():
    """The chapter whose lead area is being used (set by the lead blueprint)."""
    return g.get("chapter")


def _chapter_in_scope(chapter, caller: str):
    chapter = chapter or current_chapter()
    if chapter is None:
        raise RuntimeError(f"{caller} called outside a chapter scope")
    return chapter


def scoped_select(model, chapter=None, *, chapter_attr: str = "chapter_id"):
    """A SELECT of ``model`` restricted to the chapter in scope (through its parent when the
    model declares ``__chapter_parent__``)."""
    chapter = _chapter_in_scope(chapter, "scoped_select")
    stmt = select(model)
    owner = model
    parent = getattr(model, "__chapter_parent__", None)
    if parent is not None:
        relationship = getattr(model, parent)
        owner = relationship.property.mapper.class_
        stmt = stmt.join(relationship)
    return stmt.where(getattr(owner, chapter_attr) == chapter.id)


def in_chapter(model, object_id, chapter, *, chapter_attr: str = "chapter_id"):
    """Load ``model`` by id only if it belongs to ``chapter``; raises OutOfScope (a 404) —
    the service-side twin of ``get_in_chapter_or_404`` (no request needed)."""
    obj = db.session.scalar(
        scoped_select(model, chapter, chapter_attr=chapter_attr).where(
            model.id == parse_id(object_id)
        )
    )
    if obj is None:
        raise OutOfScope()
    return obj


def get_in_chapter_or_404(model, object_id, chapter=None, *, chapter_attr: str = "chapter_id"):
    """Load ``model`` by primary key only if it belongs to ``chapter`` (default: current)."""
    chapter = _chapter_in_scope(chapter, "get_in_chapter_or_404")
    try:
        object_id = parse_id(object_id)
    except NotFound:
        deny("bad_id", model=model.__name__)
    obj = db.session.scalar(
        scoped_select(model, chapter, chapter_attr=chapter_attr).where(model.id == object_id)
    )
    if obj is None:
        deny("out_of_chapter", model=model.__name__, id=object_id, chapter=chapter.slug)
    return obj


def all_in_chapter(model, object_ids, chapter, *, chapter_attr: str = "chapter_id") -> list:
    """All of ``object_ids`` from ``chapter`` (one query); OutOfScope if one is elsewhere."""
    wanted = {parse_id(i) for i in object_ids}
    if not wanted:
        return []
    found = db.session.scalars(
        scoped_select(model, chapter, chapter_attr=chapter_attr).where(model.id.in_(wanted))
    ).all()
    if len(found) != len(wanted):
        raise OutOfScope()
    return list(found)


def all_in_chapter_or_404(model, object_ids, chapter=None, *, chapter_attr: str = "chapter_id"):
    """All of ``object_ids`` from the chapter in scope; one id from elsewhere denies all."""
    chapter = _chapter_in_scope(chapter, "all_in_chapter_or_404")
    try:
        return all_in_chapter(model, object_ids, chapter, chapter_attr=chapter_attr)
    except NotFound:
        deny("out_of_chapter", model=model.__name__, chapter=chapter.slug)


def get_or_404(model, object_id):
    """The platform scope (admin pages): any row by id, 404 when missing or not an id."""
    try:
        obj = db.session.get(model, parse_id(object_id))
    except NotFound:
        abort(404)
    if obj is None:
        abort(404)
    return obj


def lead_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint of the lead area: /lead/<chapter_slug>/...; the signed-in user must
    lead *that* chapter (404 otherwise, logged). Features outside marketplace (the referral
    network) get the same scope by building their lead pages on this. Which chapter a user
    leads is answered by the chapters feature (its "lead_chapter" scope resolver)."""
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
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        chapter_led_by = scope_resolver("lead_chapter")
        # Without the chapters feature nobody leads anything: fail closed.
        chapter = chapter_led_by(current_user, g.chapter_slug) if chapter_led_by else None
        if chapter is None:
            deny("not_lead_of_chapter", chapter=g.chapter_slug)
        g.chapter = chapter
        return None

    return bp
