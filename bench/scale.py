"""Every page of every role at demo size and at scale: statements and median time.

    .venv/bin/python bench/scale.py --url postgresql+psycopg://postgres@127.0.0.1:5432/
    .venv/bin/python bench/scale.py --url postgresql+psycopg://... --members 70000 --explain
    .venv/bin/python bench/scale.py --members 20000          # SQLite files, a quick look

Builds two databases with the scale generator (bench/generate.py, the real migrations):
a demo-size one (``--demo-members``, default 400: about the demo's size) and a scaled one
(``--members``, default 400,000 on PostgreSQL). With ``--url`` (a PostgreSQL server URL)
they are the databases ``pasarkita_scale_demo`` and ``pasarkita_scale_N`` on that server,
dropped and rebuilt unless ``--reuse`` says to keep what is there; without it, SQLite files
in a temporary folder. Each database gets its own search index (built with 2 processes).

For each page (shopper, owner, lead, bank officer, admin) it signs in the right user through
a real login session, picked where the data is thickest (the busiest chapter's lead, the
owner with the most paid orders, the bank with the most referrals, ...), asks once to warm
up, counts the statements of one request, then times ``--repeat`` (9) requests through
Flask's test client and keeps the median; the two databases' timed requests alternate page
by page (demo, scaled, demo, ...), so a load spike on a shared machine hits both sides.
``--explain`` (PostgreSQL) runs EXPLAIN on every SELECT of every page
of the scaled database and lists sequential scans of tables above 10,000 rows (and indexes of
them walked whole, with no index condition and no LIMIT above).

The table is printed with the headline last: ``pages max time ratio scaled/demo: X.XX``.
Timings are of one shared machine: compare the ratio of one run, not milliseconds across runs.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select, text  # noqa: E402

REPEAT = 9
BIG_TABLE = 10_000


def _pg_database(server_url: str, name: str, reuse: bool) -> tuple[str, bool]:
    """The URL of database ``name`` on the server; (url, already_filled)."""
    from sqlalchemy import create_engine

    base = server_url.rstrip("/")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and not reuse:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}", bool(exists)


def build(url: str, members: int, filled: bool, index_dir: Path, quiet: bool):
    """The app on ``url``, migrated and filled with ``members`` members, its index built."""
    from bench.generate import _seed_banks, build_app, generate
    from marketplace.extensions import db

    app = build_app(url)
    app.config.update(
        SEARCH_INDEX_DIR=str(index_dir),
        RATELIMIT_ENABLED=False,
        SERVER_NAME=None,
    )
    with app.app_context():
        _seed_banks()
        has_rows = db.session.scalar(text("SELECT count(*) FROM business"))
    if not (filled and has_rows):
        started = time.perf_counter()
        generate(app, members, seed=2026, quiet=quiet)
        shutil.rmtree(index_dir, ignore_errors=True)  # an index of other data
        print(f"  generated {members:,} members in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        from marketplace.core.timeutil import jakarta_today
        from marketplace.mentoring import summaries

        # A reused database filled before the summary tables (or last month) gets them now.
        waiting = db.session.scalar(
            select(summaries.SummaryState.value).where(
                summaries.SummaryState.name == summaries.NEEDS_REBUILD
            )
        )
        # ... or one migrated since with new summary tables (marked needs_rebuild).
        if waiting or summaries.books_month() != summaries.month_key(jakarta_today()):
            started = time.perf_counter()
            summaries.rebuild()
            db.session.commit()
            print(f"  summaries rebuilt in {time.perf_counter() - started:.1f} s")
    with app.app_context():
        from marketplace.search import services as search

        if not (index_dir / "built").exists():
            started = time.perf_counter()
            search.reindex(procs=2)
            (index_dir / "built").write_text("ok")
            print(f"  search index built in {time.perf_counter() - started:.0f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    return app


def _busiest(db, stmt):
    row = db.session.execute(stmt.order_by(func.count().desc()).limit(1)).first()
    return row[0] if row else None


def actors(app) -> dict:
    """Who looks at which page, where the data is thickest (same rules at both sizes)."""
    from marketplace.accounts.models import User
    from marketplace.businesses.models import Business
    from marketplace.catalog.models import Product
    from marketplace.chapters.models import Chapter, ChapterLead
    from marketplace.extensions import db
    from marketplace.mentoring.models import Attendance, MentoringSession
    from marketplace.orders.models import Order
    from referrals.models import Bank, BankOfficer, Referral
    from referrals.services import bank_visible

    chapter_id = _busiest(db, select(Business.chapter_id).group_by(Business.chapter_id))
    chapter = db.session.get(Chapter, chapter_id)
    lead = db.session.scalar(
        select(User)
        .join(ChapterLead, ChapterLead.user_id == User.id)
        .where(ChapterLead.chapter_id == chapter_id)
        .order_by(User.id)
        .limit(1)
    )
    business_id = _busiest(
        db,
        select(Order.business_id)
        .join(Business, Business.id == Order.business_id)
        .where(Order.paid_at.is_not(None), Business.chapter_id == chapter_id)
        .group_by(Order.business_id),
    )
    business = db.session.get(Business, business_id)
    product = db.session.scalar(
        select(Product).where(Product.business_id == business_id, Product.status == "listed")
    ) or db.session.scalar(select(Product).where(Product.status == "listed").limit(1))
    visible = bank_visible().subquery()
    bank = db.session.get(Bank, _busiest(db, select(visible.c.bank_id).group_by(visible.c.bank_id)))
    officer = db.session.scalar(
        select(User)
        .join(BankOfficer, BankOfficer.user_id == User.id)
        .where(BankOfficer.bank_id == bank.id)
    )
    if officer is None:
        from marketplace.demo import builders

        officer = builders.user(
            email=f"petugas.scale@{bank.slug}.test",
            password="pasarkita-demo-2026",  # noqa: S106
            name="Petugas Skala",
        )
        db.session.add(BankOfficer(bank_id=bank.id, user_id=officer.id))
        db.session.commit()
    referral = db.session.scalar(
        bank_visible().where(Referral.bank_id == bank.id).order_by(Referral.id.desc()).limit(1)
    )
    admin = db.session.scalar(select(User).where(User.is_admin.is_(True)).limit(1))
    buyer = _busiest(db, select(Order.consumer_id).group_by(Order.consumer_id))
    order = db.session.scalar(
        select(Order.id).where(Order.business_id == business_id, Order.paid_at.is_not(None))
    )
    session_id = _busiest(
        db,
        select(Attendance.session_id)
        .join(MentoringSession, MentoringSession.id == Attendance.session_id)
        .where(MentoringSession.chapter_id == chapter_id)
        .group_by(Attendance.session_id),
    )
    return {
        "chapter": chapter.slug,
        "lead": lead.id,
        "owner": business.owner_id,
        "business": business.id,
        "product": product.id,
        "bank": bank.slug,
        "officer": officer.id,
        "referral": referral.id,
        "admin": admin.id,
        "buyer": buyer,
        "order": order,
        "session": session_id,
    }


def pages(a: dict) -> list[tuple[str, str | None, str]]:
    """(page, who, url) for every page of every role."""
    c, bank = a["chapter"], a["bank"]
    return [
        ("home", None, "/"),
        ("search", None, "/search?q=keripik+pedas"),
        ("product /p/", None, f"/p/{a['product']}"),
        ("storefront /b/", None, f"/b/{a['business']}"),
        ("chapter /c/", None, f"/c/{c}"),
        ("owner dashboard", "owner", "/business/"),
        ("owner orders", "owner", "/business/orders"),
        ("owner order", "owner", f"/business/orders/{a['order']}"),
        ("owner books", "owner", "/business/books/"),
        ("buyer orders", "buyer", "/orders"),
        ("notifications", "owner", "/notifications/"),
        ("lead dashboard", "lead", f"/lead/{c}/"),
        ("lead queue", "lead", f"/lead/{c}/queue"),
        ("lead member", "lead", f"/lead/{c}/members/{a['business']}"),
        ("lead sessions", "lead", f"/lead/{c}/sessions"),
        ("lead session", "lead", f"/lead/{c}/sessions/{a['session']}"),
        ("lead referrals", "lead", f"/lead/{c}/referrals/"),
        ("lead pick member", "lead", f"/lead/{c}/referrals/new"),
        ("bank inbox", "officer", f"/bank/{bank}/"),
        ("bank dossier", "officer", f"/bank/{bank}/referrals/{a['referral']}"),
        ("admin dashboard", "admin", "/admin/dashboard"),
        ("admin documents", "admin", "/admin/documents"),
        ("admin orders", "admin", "/admin/orders"),
    ]


def _client(app, user_id: int | None):
    from marketplace.accounts.models import User
    from marketplace.accounts.services import start_session
    from marketplace.extensions import db

    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            token = start_session(db.session.get(User, user_id))
            db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
    return client


def _big_tables(engine) -> set[str]:
    with engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                text("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > :n"),
                {"n": BIG_TABLE},
            )
        }


def _seq_scans(plan, big: set[str], limited: bool = False, merged: bool = False) -> list[str]:
    """Big tables the plan reads whole: a sequential scan, or an index walked from its start
    (no index condition) with no LIMIT above to stop it; a merge join's input stops at the
    other side's last key, unless a filter drops rows on the way (the leads' contacts read
    200k users that way to find two)."""
    found = []
    kind, relation = plan.get("Node Type"), plan.get("Relation Name")
    if relation in big:
        if kind == "Seq Scan":
            found.append(relation)
        elif (
            kind in ("Index Scan", "Index Only Scan")
            and "Index Cond" not in plan
            and not limited
            and (not merged or "Filter" in plan)
        ):
            found.append(f"{relation} (whole index)")
    limited = limited or kind == "Limit"
    for child in plan.get("Plans", []):
        found += _seq_scans(child, big, limited, kind == "Merge Join")
    return found


def _statements(app, client, url: str) -> list:
    from marketplace.extensions import db

    with app.app_context():
        engine = db.engine
    seen: list = []

    def listen(conn, cursor, statement, parameters, context, executemany, seen=seen):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def _explain(app, seen: list, big: set[str]) -> list[str]:
    from marketplace.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
    scans: list[str] = []
    try:
        cur = raw.cursor()
        for statement, parameters in seen:
            if not re.match(r"\s*(SELECT|WITH)\b", statement, re.I):
                continue
            cur.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            scans += _seq_scans(cur.fetchone()[0][0]["Plan"], big)
        raw.rollback()
    finally:
        raw.close()
    return sorted(set(scans))


def measure(
    sides: dict, explain: bool = False, repeat: int = REPEAT
) -> dict[str, dict[str, tuple[int, int, float, list]]]:
    """label -> page -> (status, statements, median ms, sequential scans of big tables).

    ``sides`` is label -> (app, actors). Page by page, both sides are warmed up and their
    timed requests alternate (demo, scaled, demo, ...), so a load spike from other work on
    the shared machine hits both sides of a ratio alike."""
    from marketplace.extensions import db

    big: dict[str, set[str]] = {}
    for label, (app, _who) in sides.items():
        with app.app_context():
            engine = db.engine
            wanted = explain and label == "scaled" and engine.dialect.name == "postgresql"
            big[label] = _big_tables(engine) if wanted else set()
    out: dict[str, dict] = {label: {} for label in sides}
    names = [name for name, _role, _url in pages(next(iter(sides.values()))[1])]
    for name in names:
        clients = {}
        for label, (app, who) in sides.items():
            _name, role, url = next(p for p in pages(who) if p[0] == name)
            client = _client(app, who[role] if role else None)
            status = client.get(url).status_code  # warm-up (caches, searcher)
            seen = _statements(app, client, url)
            scans = _explain(app, seen, big[label]) if big[label] else []
            clients[label] = (client, url, status, len(seen), scans)
        times: dict[str, list[float]] = {label: [] for label in sides}
        for _ in range(repeat):
            for label, (client, url, *_rest) in clients.items():
                started = time.perf_counter()
                client.get(url)
                times[label].append((time.perf_counter() - started) * 1000)
        for label, (_c, _u, status, count, scans) in clients.items():
            out[label][name] = (status, count, statistics.median(times[label]), scans)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL server URL; default: SQLite files")
    parser.add_argument("--members", type=int, default=None, help="scaled size")
    parser.add_argument("--demo-members", type=int, default=400)
    parser.add_argument("--reuse", action="store_true", help="keep databases already filled")
    parser.add_argument("--explain", action="store_true", help="list seq scans (PostgreSQL)")
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help="timed requests per page and side"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    members = args.members or (400_000 if args.url else 20_000)
    work = Path(tempfile.mkdtemp(prefix="pasarkita-scale-"))
    sides = {}
    try:
        for label, n in (("demo", args.demo_members), ("scaled", members)):
            print(f"{label}: {n:,} members")
            if args.url:
                name = "pasarkita_scale_demo" if label == "demo" else f"pasarkita_scale_{n}"
                url, filled = _pg_database(args.url, name, args.reuse)
            else:
                name, url, filled = label, f"sqlite:///{work / label}.db", False
            # A reused database keeps its search index next to the temporary folder.
            index = Path(tempfile.gettempdir()) / f"{name}-index" if args.url else work / label
            app = build(url, n, filled, index, quiet=not args.verbose)
            with app.app_context():
                sides[label] = (app, actors(app))
        results = measure(sides, explain=args.explain, repeat=args.repeat)
    finally:
        for app, _who in sides.values():
            with app.app_context():
                from marketplace.extensions import db

                db.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)

    demo, scaled = results["demo"], results["scaled"]
    width = max(len(p) for p in demo)
    print()
    print(
        f"{'page':<{width}}  {'status':>6}  {'stmts demo':>10}  {'stmts scaled':>12}  "
        f"{'ms demo':>8}  {'ms scaled':>9}  {'ratio':>6}"
        + ("  seq scans (scaled)" if args.explain else "")
    )
    worst = 0.0
    for page in demo:
        d_status, d_stmts, d_ms, _ = demo[page]
        s_status, s_stmts, s_ms, scans = scaled[page]
        ratio = s_ms / d_ms if d_ms else float("inf")
        worst = max(worst, ratio)
        status = f"{d_status}/{s_status}"
        print(
            f"{page:<{width}}  {status:>6}  {d_stmts:>10}  {s_stmts:>12}  {d_ms:>8.1f}  "
            f"{s_ms:>9.1f}  {ratio:>6.2f}"
            + (f"  {', '.join(scans) or '-'}" if args.explain else "")
        )
    print(f"pages max time ratio scaled/demo: {worst:.2f}")


if __name__ == "__main__":
    main()
