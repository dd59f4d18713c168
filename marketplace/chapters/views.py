"""Public chapter pages."""

from flask import Blueprint, render_template

from marketplace.chapters import services

bp = Blueprint("chapters", __name__)


@bp.get("/c/<slug>")
def show(slug: str):
    chapter = services.get_chapter_by_slug(slug)
    members = services.member_counts().get(chapter.id, 0)
    return render_template("chapters/show.html", chapter=chapter, members_count=members)
