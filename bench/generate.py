"""Scale data generator: N members over the 44 chapters, in minutes, not hours.

    .venv/bin/python bench/generate.py --members 20000 --database-url sqlite:////tmp/scale.db
    .venv/bin/python bench/generate.py --members 400000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:54329/pasarkita_scale

Migrates the database (the real migrations, with the referral network), then writes rows
straight into the tables in realistic proportions: for every member an owner account and a
business in a kelurahan (so chapters differ in size as the kelurahan do), NIB documents at
every stage of the legality gate, P-IRT for food sellers, ~2.5 products per member (listed
only where the gate allows it), one order in ~3 of 4 members' books with its checkout, lines,
events and ledger sale, offline book entries, six months of mentoring sessions with
attendance, monthly check-ins, and KUR referrals for ~1% of members. PostgreSQL gets `COPY`,
SQLite `executemany`. Deterministic for a given ``--seed``; never run by `make run`.

Used by the benchmarks (``bench/scale.py``) and, with small N, by the scale tests.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

try:
    import marketplace  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "pasarkita-demo-2026"  # noqa: S105 - every generated account, bench data only
EPOCH = datetime(2025, 12, 1, tzinfo=UTC)
CATEGORY_WEIGHTS = (
    ("kuliner", 40),
    ("fashion", 25),
    ("kriya", 15),
    ("rumah_tangga", 10),
    ("pendidikan", 5),
    ("kosmetik", 5),
)
NO_PERMIT = {"fashion", "kriya", "rumah_tangga", "pendidikan"}
WORDS = [
    "keripik",
    "singkong",
    "pedas",
    "manis",
    "sambal",
    "bawang",
    "kue",
    "kering",
    "nastar",
    "keju",
    "kopi",
    "arabika",
    "batik",
    "tulis",
    "cap",
    "kemeja",
    "wanita",
    "pria",
    "tas",
    "anyaman",
    "rotan",
    "bambu",
    "gerabah",
    "tenun",
    "songket",
    "lilin",
    "aroma",
    "sabun",
    "herbal",
    "madu",
    "hutan",
    "abon",
    "sapi",
    "rendang",
    "daging",
    "dompet",
    "kulit",
    "sepatu",
]


class Writer:
    """Bulk rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine):
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        # COPY and executemany skip the model's Python-side defaults: add them as columns.
        extra, values = [], []
        for column in table.columns:
            if column.name in columns or column.default is None or column.primary_key:
                continue
            default = column.default
            if default.is_sequence:
                continue
            value = default.arg(None) if default.is_callable else default.arg
            extra.append(column.name)
            values.append(value)
        if extra:
            columns = (*columns, *extra)
            rows = [(*row, *values) for row in rows]
        name = table.name
        json_cols = {
            i for i, c in enumerate(columns) if table.c[c].type.__class__.__name__ == "JSON"
        }
        with self.engine.begin() as conn:
            if self.pg:
                from psycopg.types.json import Jsonb

                raw = conn.connection.dbapi_connection
                cols = ", ".join(f'"{c}"' for c in columns)
                with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        if json_cols:
                            row = [Jsonb(v) if i in json_cols else v for i, v in enumerate(row)]
                        copy.write_row(row)
            else:
                conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return len(rows)

    def reset_sequences(self, tables) -> None:
        if not self.pg:
            return
        from sqlalchemy import text

        with self.engine.begin() as conn:
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 1))'
                        )
                    )

    def analyze(self) -> None:
        """Planner statistics for the rows just written, as a live database has them
        (autovacuum would take minutes to get there; until then plans are guesses)."""
        if not self.pg:
            return
        from sqlalchemy import text

        with self.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _next_id(conn, table) -> int:
    from sqlalchemy import func, select

    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def generate(app, members: int, *, seed: int = 2026, quiet: bool = False) -> dict[str, int]:
    """Fill the app's (migrated) database; returns rows written per table."""
    from werkzeug.security import generate_password_hash

    from marketplace.core.crypto import encrypt_text
    from marketplace.extensions import db

    rng = random.Random(seed)
    t = db.metadata.tables
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    started = time.perf_counter()
    with app.app_context():
        engine = db.engine
        w = Writer(engine)
        with engine.connect() as conn:
            kelurahan = [
                tuple(r)
                for r in conn.execute(
                    t["kelurahan"]
                    .select()
                    .with_only_columns(
                        t["kelurahan"].c.code,
                        t["kelurahan"].c.chapter_id,
                        t["kelurahan"].c.postal_code,
                    )
                )
            ]
            chapter_ids = sorted({k[1] for k in kelurahan})
            ids = {name: _next_id(conn, t[name]) for name in t if "id" in t[name].c}
        if not kelurahan:
            raise SystemExit("no kelurahan: run the migrations first")
        pw_hash = generate_password_hash(PASSWORD)
        nik_token = encrypt_text("3174011201850003")  # one ciphertext: decrypting works

        def new_id(name: str) -> int:
            value = ids[name]
            ids[name] += 1
            return value

        def moment(days_back: int) -> datetime:
            return EPOCH - timedelta(days=days_back, seconds=rng.randrange(86_400))

        # --- people: an admin, two leads per chapter, consumers, owners --------------------
        users, leads, chapter_leads = [], {}, []
        admin_id = new_id("user")
        users.append((admin_id, f"admin+{seed}@scale.test", "Admin Skala", None, pw_hash, True))
        for cid in chapter_ids:
            for n in range(2):
                uid = new_id("user")
                users.append(
                    (uid, f"lead{cid}-{n}+{seed}@scale.test", "Pengurus", None, pw_hash, False)
                )
                leads.setdefault(cid, []).append(uid)
                chapter_leads.append(
                    (new_id("chapter_lead"), cid, uid, EPOCH - timedelta(days=400))
                )
        consumers = []
        for n in range(max(10, members // 2)):
            uid = new_id("user")
            users.append((uid, f"buyer{n}+{seed}@scale.test", "Pembeli", None, pw_hash, False))
            consumers.append(uid)
        businesses = []  # (id, owner, chapter, kelurahan, food)
        for n in range(members):
            uid = new_id("user")
            users.append(
                (
                    uid,
                    f"owner{n}+{seed}@scale.test",
                    "Pemilik",
                    f"+628{seed % 100:02d}{n:08d}",
                    pw_hash,
                    False,
                )
            )
            code, cid, postal = kelurahan[rng.randrange(len(kelurahan))]
            businesses.append((new_id("business"), uid, cid, code, postal))
        w.write(
            t["user"],
            ("id", "email", "name", "phone_e164", "password_hash", "is_admin"),
            users,
        )
        w.write(t["chapter_lead"], ("id", "chapter_id", "user_id", "assigned_at"), chapter_leads)
        log(f"users {len(users):,} ({time.perf_counter() - started:.1f}s)")

        w.write(
            t["business"],
            (
                "id",
                "owner_id",
                "chapter_id",
                "kelurahan_code",
                "name",
                "nik_encrypted",
                "nik_masked",
                "nik_index",
                "nib",
                "scale",
                "sector",
                "started_on",
                "address_line",
                "postal_code",
                "whatsapp_e164",
                "storage_used_bytes",
                "created_at",
            ),
            (
                (
                    bid,
                    uid,
                    cid,
                    code,
                    f"Usaha {rng.choice(WORDS).title()} {bid}",
                    nik_token,
                    "3174********0003",
                    f"{bid:064x}",  # distinct: one NIK, one business (unique index)
                    f"{9120000000000 + bid % 10**12:013d}",
                    "mikro",
                    rng.choice(("kuliner", "fashion", "kriya", "jasa")),
                    date(2015, 1, 1) + timedelta(days=rng.randrange(3650)),
                    f"Jl. Contoh No. {bid % 200 + 1}",
                    postal,
                    f"+62813{bid:08d}",
                    40_000,
                    moment(rng.randrange(30, 700)),
                )
                for bid, uid, cid, code, postal in businesses
            ),
        )
        log(f"businesses {len(businesses):,} ({time.perf_counter() - started:.1f}s)")

        # --- legality: NIB at every stage; P-IRT for food sellers ---------------------------
        docs, doc_products, verified = [], [], {}
        doc_cols = (
            "id",
            "business_id",
            "chapter_id",
            "kind",
            "number",
            "number_display",
            "issued_on",
            "expires_on",
            "status",
            "status_changed_at",
            "file_key",
            "file_mime",
            "file_size",
            "original_name",
            "created_at",
            "review_note",
        )
        for bid, _uid, cid, _code, _postal in businesses:
            roll = rng.random()
            if roll < 0.10:
                continue
            status = "verified" if roll < 0.80 else ("submitted" if roll < 0.95 else "rejected")
            did = new_id("legality_document")
            nib = f"{9120000000000 + bid % 10**12:013d}"
            docs.append(
                (
                    did,
                    bid,
                    cid,
                    "nib",
                    nib,
                    nib,
                    date(2024, 3, 1),
                    None,
                    status,
                    moment(rng.randrange(20, 300)),
                    f"{did:032x}",
                    "application/pdf",
                    20_000,
                    "nib.pdf",
                    moment(rng.randrange(300, 400)),
                    "Foto NIB tidak terbaca." if status == "rejected" else None,
                )
            )
            if status == "verified":
                verified[bid] = None
                if rng.random() < 0.5:
                    pid_doc = new_id("legality_document")
                    number = f"2{bid % 10**14:014d}"
                    docs.append(
                        (
                            pid_doc,
                            bid,
                            cid,
                            "pirt",
                            number,
                            number,
                            date(2024, 3, 1),
                            date(2029, 3, 1),
                            "verified",
                            moment(rng.randrange(20, 300)),
                            f"{pid_doc:032x}",
                            "application/pdf",
                            20_000,
                            "pirt.pdf",
                            moment(rng.randrange(300, 400)),
                            None,
                        )
                    )
                    verified[bid] = pid_doc
        w.write(t["legality_document"], doc_cols, docs)
        log(f"documents {len(docs):,} ({time.perf_counter() - started:.1f}s)")

        # --- products: ~2.5 per member, listed where the gate allows -----------------------
        categories = [c for c, weight in CATEGORY_WEIGHTS for _ in range(weight)]
        products, product_events, listed_by_business = [], [], {}
        for bid, owner, _cid, _code, _postal in businesses:
            for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
                pid = new_id("product")
                category = rng.choice(categories)
                pirt = verified.get(bid)
                gate_ok = bid in verified and (
                    category in NO_PERMIT or (category == "kuliner" and pirt)
                )
                status = "listed" if gate_ok and rng.random() < 0.9 else "draft"
                if status == "listed" and category == "kuliner":
                    doc_products.append((pirt, pid))
                name = " ".join(rng.choice(WORDS) for _ in range(3)).title()
                created = moment(rng.randrange(10, 300))
                products.append(
                    (
                        pid,
                        bid,
                        name,
                        f"{name} buatan UMKM Jakarta.",
                        category,
                        rng.randrange(5, 500) * 1000,
                        rng.randrange(0, 80),
                        status,
                        created,
                        365 if category == "kuliner" else None,
                        "ambient",
                        "none",
                        created,
                        created,
                    )
                )
                if status == "listed":
                    listed_by_business.setdefault(bid, []).append((pid, name, products[-1][5]))
                    product_events.append(
                        (
                            new_id("product_event"),
                            pid,
                            1,
                            "list",
                            "draft",
                            "listed",
                            "owner",
                            created + timedelta(hours=1),
                            owner,
                        )
                    )
        w.write(
            t["product"],
            (
                "id",
                "business_id",
                "name",
                "description",
                "category",
                "price_idr",
                "stock",
                "status",
                "status_changed_at",
                "shelf_life_days",
                "storage",
                "process",
                "created_at",
                "updated_at",
            ),
            products,
        )
        w.write(
            t["product_event"],
            (
                "id",
                "product_id",
                "seq",
                "action",
                "from_status",
                "to_status",
                "role",
                "created_at",
                "actor_id",
            ),
            product_events,
        )
        w.write(t["document_product"], ("document_id", "product_id"), doc_products)
        log(f"products {len(products):,} ({time.perf_counter() - started:.1f}s)")

        # --- orders: one checkout and order each, paid to completed; ledger sales ----------
        checkouts, orders, lines, order_events, ledger = [], [], [], [], []
        owners = {b[0]: b[1] for b in businesses}
        sellers = list(listed_by_business)
        for _ in range(int(len(sellers) * 0.75 * 2)):
            bid = sellers[rng.randrange(len(sellers))]
            buyer = consumers[rng.randrange(len(consumers))]
            picks = rng.sample(listed_by_business[bid], min(2, len(listed_by_business[bid])))
            qty = [rng.randrange(1, 4) for _ in picks]
            total = sum(p[2] * q for p, q in zip(picks, qty, strict=True))
            created = moment(rng.randrange(1, 360))
            status = rng.choice(("completed", "completed", "completed", "shipped", "paid"))
            cid_, oid = new_id("checkout"), new_id("order")
            checkouts.append(
                (
                    cid_,
                    buyer,
                    total,
                    f"pi_scale_{seed}_{cid_}",
                    "Pembeli",
                    "Jl. Pembeli 1",
                    businesses[0][3],
                    "12810",
                    "+6281200000000",
                    created,
                    created + timedelta(hours=1),
                )
            )
            shipped = status in ("shipped", "completed")
            orders.append(
                (
                    oid,
                    cid_,
                    bid,
                    buyer,
                    status,
                    created + timedelta(days=2),
                    total,
                    "JNE" if shipped else None,
                    f"JN{oid:010d}" if shipped else None,
                    created + timedelta(minutes=5),
                    created,
                )
            )
            for p, q in zip(picks, qty, strict=True):
                lines.append((new_id("order_line"), oid, p[0], p[1], p[2], q))
            seq = 1
            trail = [("pay", "pending_payment", "paid", "system")]
            if shipped:
                trail.append(("ship", "paid", "shipped", "owner"))
            if status == "completed":
                trail.append(("complete", "shipped", "completed", "consumer"))
            for action, src, dst, role in trail:
                order_events.append(
                    (
                        new_id("order_event"),
                        oid,
                        seq,
                        action,
                        src,
                        dst,
                        role,
                        created + timedelta(days=seq),
                        owners[bid] if role == "owner" else None,
                    )
                )
                seq += 1
            ledger.append(
                (
                    new_id("ledger_entry"),
                    bid,
                    "sale",
                    "penjualan_online",
                    total,
                    (created + timedelta(minutes=5)).date(),
                    oid,
                    created,
                    "platform",
                )
            )
        w.write(
            t["checkout"],
            (
                "id",
                "user_id",
                "total_idr",
                "payment_intent_id",
                "recipient_name",
                "address_line",
                "kelurahan_code",
                "postal_code",
                "whatsapp_e164",
                "created_at",
                "expires_at",
            ),
            checkouts,
        )
        w.write(
            t["order"],
            (
                "id",
                "checkout_id",
                "business_id",
                "consumer_id",
                "status",
                "status_changed_at",
                "total_idr",
                "courier",
                "tracking_number",
                "paid_at",
                "created_at",
            ),
            orders,
        )
        w.write(
            t["order_line"],
            ("id", "order_id", "product_id", "product_name", "unit_price_idr", "quantity"),
            lines,
        )
        w.write(
            t["order_event"],
            (
                "id",
                "order_id",
                "seq",
                "action",
                "from_status",
                "to_status",
                "role",
                "created_at",
                "actor_id",
            ),
            order_events,
        )
        # Offline books: two entries a month over the last quarter for half the members.
        for bid, _owner, _cid, _code, _postal in businesses:
            if rng.random() < 0.5:
                for back in range(0, 90, 45):
                    day = (EPOCH - timedelta(days=back + rng.randrange(30))).date()
                    ledger.append(
                        (
                            new_id("ledger_entry"),
                            bid,
                            "expense",
                            "bahan_baku",
                            rng.randrange(50, 900) * 1000,
                            day,
                            None,
                            EPOCH - timedelta(days=back),
                            "owner",
                        )
                    )
        w.write(
            t["ledger_entry"],
            (
                "id",
                "business_id",
                "kind",
                "category",
                "amount_idr",
                "occurred_on",
                "order_id",
                "created_at",
                "origin",
            ),
            ledger,
        )
        log(
            f"orders {len(orders):,}, ledger {len(ledger):,} ({time.perf_counter() - started:.1f}s)"
        )

        # --- mentoring: weekly sessions for six months, attendance, check-ins --------------
        sessions, attendance, checkins = [], [], []
        by_chapter: dict[int, list[int]] = {}
        for bid, _o, cid, _c, _p in businesses:
            by_chapter.setdefault(cid, []).append(bid)
        for cid in chapter_ids:
            members_here = by_chapter.get(cid, [])
            for week in range(26):
                sid = new_id("mentoring_session")
                sessions.append(
                    (
                        sid,
                        cid,
                        f"Pembukuan sederhana minggu {week + 1}",
                        "pembukuan",
                        EPOCH - timedelta(weeks=week, hours=-3),
                        90,
                        "Balai warga",
                        40,
                        False,
                        leads[cid][0],
                        EPOCH - timedelta(weeks=week + 2),
                    )
                )
                for bid in rng.sample(
                    members_here, min(len(members_here), max(1, len(members_here) // 40))
                ):
                    attendance.append(
                        (
                            new_id("attendance"),
                            sid,
                            bid,
                            leads[cid][0],
                            EPOCH - timedelta(weeks=week, hours=-5),
                        )
                    )
            for bid in members_here[: len(members_here) // 3]:
                checkins.append(
                    (
                        new_id("check_in"),
                        bid,
                        cid,
                        date(2025, 11, 1),
                        True,
                        rng.random() < 0.6,
                        "Catat penjualan harian.",
                        leads[cid][0],
                        EPOCH - timedelta(days=20),
                    )
                )
        w.write(
            t["mentoring_session"],
            (
                "id",
                "chapter_id",
                "topic",
                "track",
                "starts_at",
                "duration_minutes",
                "place",
                "capacity",
                "cancelled",
                "created_by_id",
                "created_at",
            ),
            sessions,
        )
        # One member attends a session once: drop accidental repeats.
        w.write(
            t["attendance"],
            ("id", "session_id", "business_id", "recorded_by_id", "recorded_at"),
            list({(a[1], a[2]): a for a in attendance}.values()),
        )
        w.write(
            t["check_in"],
            (
                "id",
                "business_id",
                "chapter_id",
                "month",
                "applies_learning",
                "books_kept",
                "next_step",
                "recorded_by_id",
                "created_at",
            ),
            checkins,
        )
        log(
            f"sessions {len(sessions):,}, attendance {len(attendance):,} "
            f"({time.perf_counter() - started:.1f}s)"
        )

        # --- KUR referrals for ~1% of members (when the referral network is installed) -----
        if "referral" in t:
            _referrals(w, t, rng, businesses, verified, leads, new_id, moment)
        w.reset_sequences(t.values())
        w.analyze()
        # Bulk rows bypass the session, so the dashboards' summary tables are rebuilt once.
        from marketplace.mentoring import summaries

        summaries.rebuild()
        db.session.commit()
        log(f"summaries rebuilt ({time.perf_counter() - started:.1f}s)")
    log(f"done in {time.perf_counter() - started:.1f}s")
    return w.counts


def _referrals(w, t, rng, businesses, verified, leads, new_id, moment) -> None:
    from sqlalchemy import select

    with w.engine.connect() as conn:
        banks = [r[0] for r in conn.execute(select(t["bank"].c.id))]
    if not banks:
        return
    referrals, events, consents = [], [], []
    states = (
        ("sent", ("consent", "send")),
        ("acknowledged", ("consent", "send", "acknowledge")),
        ("approved", ("consent", "send", "acknowledge", "approve")),
        ("rejected", ("consent", "send", "acknowledge", "reject")),
    )
    flow = {
        "consent": ("draft", "consented"),
        "send": ("consented", "sent"),
        "acknowledge": ("sent", "acknowledged"),
        "approve": ("acknowledged", "approved"),
        "reject": ("acknowledged", "rejected"),
    }
    for bid, owner, cid, _code, _postal in businesses:
        if bid not in verified or rng.random() > 0.012:
            continue
        rid = new_id("referral")
        status, actions = states[rng.randrange(len(states))]
        created = moment(rng.randrange(20, 200))
        approved = status == "approved"
        referrals.append(
            (
                rid,
                bid,
                cid,
                banks[rng.randrange(len(banks))],
                leads[cid][0],
                "super_mikro",
                False,
                8_000_000,
                24,
                "Modal kerja",
                True,
                status,
                created + timedelta(days=3),
                created,
                created + timedelta(days=1),
                created + timedelta(days=2) if status != "sent" else None,
                created + timedelta(days=3) if status in ("approved", "rejected") else None,
                8_000_000 if approved else None,
                24 if approved else None,
                600 if approved else None,
                "lainnya" if status == "rejected" else None,
            )
        )
        # Every generated referral is past consent: the bank sees it (bank_visible()).
        consents.append(
            (
                new_id("consent_receipt"),
                rid,
                owner,
                referrals[-1][3],
                "v1",
                "0" * 64,
                ["business", "legality", "books"],
                "Modal kerja",
                365,
                created + timedelta(days=1),
            )
        )
        for seq, action in enumerate(actions, start=1):
            src, dst = flow[action]
            role = {"consent": "member", "send": "lead"}.get(action, "bank_officer")
            events.append(
                (
                    new_id("referral_event"),
                    rid,
                    seq,
                    action,
                    src,
                    dst,
                    role,
                    created + timedelta(days=seq),
                    owner if role == "member" else None,
                )
            )
    w.write(
        t["referral"],
        (
            "id",
            "business_id",
            "chapter_id",
            "bank_id",
            "lead_id",
            "scheme",
            "sharia",
            "amount_idr",
            "tenor_months",
            "purpose",
            "no_other_credit",
            "status",
            "status_changed_at",
            "created_at",
            "sent_at",
            "acknowledged_at",
            "decided_at",
            "approved_amount_idr",
            "approved_tenor_months",
            "approved_rate_bp",
            "reject_reason",
        ),
        referrals,
    )
    w.write(
        t["referral_event"],
        (
            "id",
            "referral_id",
            "seq",
            "action",
            "from_status",
            "to_status",
            "role",
            "created_at",
            "actor_id",
        ),
        events,
    )
    w.write(
        t["consent_receipt"],
        (
            "id",
            "referral_id",
            "user_id",
            "bank_id",
            "text_version",
            "text_hash",
            "fields",
            "purpose",
            "retention_days",
            "created_at",
        ),
        consents,
    )


def build_app(database_url: str):
    """The app with the referral network, migrated to the newest revision."""
    from flask_migrate import upgrade

    import referrals
    from marketplace import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_APPLY_ON_START": False,
        }
    )
    referrals.init_app(app)
    with app.app_context():
        upgrade()
        from marketplace.chapters import services as chapters

        chapters.ensure_reference_data()
        _seed_banks()
    return app


def _seed_banks() -> None:
    """The partner banks (reference data of the referral network), when it is installed."""
    from marketplace.extensions import db

    if "bank" not in db.metadata.tables:
        return
    from sqlalchemy import func, select

    bank = db.metadata.tables["bank"]
    if db.session.scalar(select(func.count()).select_from(bank)):
        return
    db.session.execute(
        bank.insert(),
        [
            {
                "slug": slug,
                "name": name,
                "conventional": True,
                "sharia": sharia,
                "schemes": json.loads('["super_mikro", "mikro", "kecil"]'),
            }
            for slug, name, sharia in (
                ("bri", "BRI", False),
                ("bank-jakarta", "Bank Jakarta", True),
                ("bsi", "BSI", True),
            )
        ],
    )
    db.session.commit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    app = build_app(args.database_url)
    counts = generate(app, args.members, seed=args.seed)
    width = max(len(k) for k in counts)
    print(f"{'table':<{width}}  rows")
    for name, n in sorted(counts.items()):
        print(f"{name:<{width}}  {n:,}")
    print(f"total rows: {sum(counts.values()):,}")


if __name__ == "__main__":
    main()
