"""How long an idle search node takes to show one change, with `flask search follow` running.

    .venv/bin/python bench/feed.py                      # SQLite in a temp folder (migrate + demo)
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/feed.py --seed   # empty PG db
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/feed.py          # seeded already

A follower process (`flask --app wsgi search follow --interval I`, its own index folder, as
deploy/systemd/pasarkita-search-follow.service runs it) is started and left to catch up; then
this process renames one listed product per round, commits, and polls the follower's index
folder (every 10 ms, as a reader) until a search for the new name finds it. Rounds start at
random moments, so the figure includes waiting for the follower's next poll. Prints a table
per interval and, last, the headline: the worst convergence time at the default interval 0.5 s.
"""

import argparse
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def flask(env, *args):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def start_follower(env, index_dir, interval):
    follower_env = {**env, "SEARCH_INDEX_DIR": str(index_dir), "SEARCH_NODE_NAME": "bench"}
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "wsgi", "search", "follow"]
        + ["--interval", str(interval)],
        cwd=ROOT,
        env=follower_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(env, work, interval, rounds, rng) -> list[float]:
    from sqlalchemy import select

    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.search.index import ProductIndex
    from wsgi import app

    index_dir = work / f"follower-{interval}"
    follower = start_follower(env, index_dir, interval)
    try:
        reader = ProductIndex(index_dir)
        with app.app_context():
            ids = list(
                db.session.scalars(select(Product.id).where(Product.status == "listed").limit(50))
            )
            assert ids, "no listed product: seed the database (--seed)"
            # Caught up: the follower's index holds the listed products.
            deadline = time.monotonic() + 300
            while not reader.doc_ids() >= set(ids[:5]):
                assert follower.poll() is None, "the follower exited"
                assert time.monotonic() < deadline, "the follower never caught up"
                time.sleep(0.2)
            times = []
            for _ in range(rounds):
                time.sleep(rng.uniform(0, interval))
                word = "bench" + "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
                product = db.session.get(Product, rng.choice(ids))
                product.name = f"Produk {word}"
                db.session.commit()
                start = time.monotonic()
                while product.id not in reader.search(word).ids:
                    assert time.monotonic() - start < 60, "no convergence within 60 s"
                    time.sleep(0.01)
                times.append(time.monotonic() - start)
        reader.close()
        return times
    finally:
        follower.terminate()
        follower.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--intervals", default="1.0,0.5", help="follow --interval values")
    parser.add_argument("--seed", action="store_true", help="migrate and seed DATABASE_URL first")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    env = {**os.environ, "PASARKITA_ENV": "development", "PASARKITA_INSTANCE": str(work)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.db'}"
        args.seed = True
    if args.seed:
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
    # This process's own app (the writer) must see the same database, and an index of its own.
    os.environ.update(
        {k: env[k] for k in ("PASARKITA_ENV", "PASARKITA_INSTANCE", "DATABASE_URL")},
        SEARCH_INDEX_DIR=str(work / "writer_index"),
    )
    database = env["DATABASE_URL"].split(":", 1)[0]
    rng = random.Random(11)
    rows = []
    for interval in [float(v) for v in args.intervals.split(",")]:
        times = measure(env, work, interval, args.rounds, rng)
        rows.append((interval, times))

    print(f"\nfeed convergence, idle node, {database}, {args.rounds} changes per interval")
    print(f"{'follow --interval':>18} {'min s':>7} {'median s':>9} {'max s':>7}")
    for interval, times in rows:
        print(
            f"{interval:>18.2f} {min(times):>7.3f} {statistics.median(times):>9.3f}"
            f" {max(times):>7.3f}"
        )
    default = dict(rows).get(0.5) or rows[0][1]
    print(f"feed convergence max seconds (idle node, follow --interval 0.5): {max(default):.2f}")


if __name__ == "__main__":
    main()
