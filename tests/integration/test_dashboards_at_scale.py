"""The platform and chapter dashboards at a data size above the drivers' bind-parameter limits
(SQLite 32,766, psycopg 65,535): 70,000 members from the scale generator, on PostgreSQL.

Before, the 7 PAS pathway bound every member's id into ``IN (...)`` lists and the platform
dashboard answered 500 at 400k members. The figures are checked against an independent SQL
computation over the generated rows.
"""

import csv
import io
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from marketplace.accounts.models import User
from marketplace.chapters.models import Chapter

pytestmark = [
    pytest.mark.postgres,
    # Opt-in until the dashboards aggregate in SQL (issue 11): today the page is correct above
    # the limits but builds 70,000 pathways in Python (minutes per request on 2 cores).
    pytest.mark.skipif(
        not os.environ.get("PASARKITA_SCALE_TESTS"),
        reason="scale dashboards: set PASARKITA_SCALE_TESTS=1 (and DATABASE_URL_TEST)",
    ),
]

MEMBERS = 70_000


@pytest.fixture
def scaled(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "the scale dashboards run on PostgreSQL (DATABASE_URL_TEST), in CI's second pass"
        )
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import generate

    generate(app, MEMBERS, seed=7, quiet=True)
    db.session.expire_all()
    return db


def independent_figures(db) -> dict[str, dict[str, int]]:
    """Members, verified NIB and first sale per chapter, straight from the tables."""
    rows = db.session.execute(
        text(
            """
            SELECT c.name,
                   count(b.id),
                   count(b.id) FILTER (WHERE EXISTS (
                       SELECT 1 FROM legality_document d
                       WHERE d.business_id = b.id AND d.kind = 'nib' AND d.status = 'verified')),
                   count(b.id) FILTER (WHERE EXISTS (
                       SELECT 1 FROM "order" o
                       WHERE o.business_id = b.id AND o.paid_at IS NOT NULL))
            FROM chapter c LEFT JOIN business b ON b.chapter_id = c.id
            GROUP BY c.name
            """
        )
    ).all()
    return {
        name: {"members": members, "verified": verified, "first_sale": sold}
        for name, members, verified, sold in rows
    }


def test_platform_dashboard_answers_above_the_parameter_limits_with_exact_figures(
    scaled, client, login_as
):
    admin = scaled.session.scalar(select(User).where(User.is_admin.is_(True)))
    login_as(client, admin)
    assert client.get("/admin/dashboard").status_code == 200
    response = client.get("/admin/dashboard.csv")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    expected = independent_figures(scaled)
    assert sum(int(r["members"]) for r in table) == MEMBERS
    for row in table:
        for key in ("members", "verified", "first_sale"):
            assert int(row[key]) == expected[row["chapter"]][key], (row["chapter"], key)


def test_chapter_dashboard_answers_for_the_largest_chapter(scaled, client, login_as):
    chapter_id, members = scaled.session.execute(
        text(
            "SELECT chapter_id, count(*) FROM business GROUP BY chapter_id "
            "ORDER BY count(*) DESC LIMIT 1"
        )
    ).one()
    chapter = scaled.session.get(Chapter, chapter_id)
    lead = scaled.session.scalar(
        select(User).where(User.lead_roles.any(chapter_id=chapter_id)).limit(1)
    )
    login_as(client, lead)
    page = client.get(f"/lead/{chapter.slug}/")
    assert page.status_code == 200
    assert members > 1_000
