"""Public JSON API (read-only, no cookies needed)."""

from flask import Blueprint, jsonify

from marketplace.chapters import services as chapters

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/chapters")
def list_chapters():
    counts = chapters.member_counts()
    return jsonify(
        [
            {
                "slug": c.slug,
                "name": c.name,
                "code": c.code,
                "kota": c.kota,
                "members_count": counts.get(c.id, 0),
            }
            for c in chapters.list_chapters()
        ]
    )
