"""Catalog pages under gunicorn: requests/s of each page over a bare Flask endpoint.

    .venv/bin/python bench/pages.py                                  # demo data + 200k products
    .venv/bin/python bench/pages.py --scaled-url sqlite:////tmp/scale.db   # reuse a generated DB
    .venv/bin/python bench/pages.py --skip-scaled --runs 1 --duration 3    # a quick look

Each data set (the demo seed, and bench/generate.py's data with ~200k products) is served by
gunicorn with the same settings as the bare "hello" app (bench/hello_app.py): ``--workers 2``
sync workers, production config, access log off. The load client is ``wrk`` (Debian package
``wrk``; 2 threads, 8 connections, ``Accept-Encoding: gzip`` like a browser, no cookies, so
every request is a guest's). In each run every page is measured right after a hello
measurement (one server loaded at a time); a page's ratio is its requests/s over that hello's.
The table shows min/median/max over ``--runs`` runs (hello: the median of its paired runs);
the last line is the smallest median ratio of any page on any data set:
``pages min throughput ratio: X.XX``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ("home", "search", "product", "business /b/", "chapter /c/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PAGE_CACHE = {"seconds": None}


def app_env(url: str, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    if PAGE_CACHE["seconds"] is not None:
        env["PAGE_CACHE_SECONDS"] = str(PAGE_CACHE["seconds"])
    env.update(
        PYTHONPATH=f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}",
        PASARKITA_ENV="production",
        PASARKITA_INSTANCE=str(instance),
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        STRIPE_SECRET_KEY="sk_test_bench_pages",  # noqa: S106 - bench only
        STRIPE_WEBHOOK_SECRET="whsec_bench_pages",  # noqa: S106 - bench only
        TRUSTED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL="https://127.0.0.1",
        MAIL_BACKEND="console",
        # Production refuses to start without these since issue 13 / phone accounts; the
        # bench never sends a message.
        NIK_INDEX_KEY=secrets.token_hex(32),
        PHONE_BACKEND="sms",
        SMS_GATEWAY_URL="https://sms.invalid/send",
        SMS_GATEWAY_TOKEN="bench-pages",  # noqa: S106 - bench only
    )
    return env


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(name: str, url: str | None, workdir: Path, members: int) -> tuple[str, Path]:
    """The database URL and an instance folder (with its search index) for one data set."""
    instance = workdir / f"{name}-instance"
    instance.mkdir(parents=True, exist_ok=True)
    if url is None:
        url = f"sqlite:///{workdir / (name + '.db')}"
        env = app_env(url, instance)
        if name == "demo":
            # The demo's accounts use .test addresses, which production refuses: seed it as
            # `make run` does, serve it with the production config.
            # The SMS backend (production's, unreachable here) would leave the demo's
            # phone-only accounts half made: development's own phone backend seeds it.
            dev = {
                k: v
                for k, v in {**env, "PASARKITA_ENV": "development"}.items()
                if not k.startswith(("PHONE_", "SMS_"))
            }
            flask(dev, "db", "upgrade")
            flask(dev, "seed-demo")
        else:
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "generate.py"), "--members", str(members)]
                + ["--database-url", url],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
    env = app_env(url, instance)
    if not (instance / "search_index").exists():
        started = time.perf_counter()
        flask(env, "search", "reindex", "--procs", "2")
        print(f"[{name}] search reindex {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return url, instance


def page_paths(url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        product_id, business_id, slug = conn.execute(
            text(
                "SELECT p.id, b.id, c.slug FROM product p JOIN business b ON b.id = p.business_id"
                " JOIN chapter c ON c.id = b.chapter_id WHERE p.status = 'listed'"
                " ORDER BY p.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return {
        "home": "/",
        "search": "/search?q=keripik+pedas",
        "product": f"/p/{product_id}",
        "business /b/": f"/b/{business_id}",
        "chapter /c/": f"/c/{slug}",
    }


class Server:
    def __init__(self, target: str, env: dict[str, str], workers: int):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync"]
            + ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", target],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(path), timeout=30) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{path} did not answer 200 on port {self.port}")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def wrk(url: str, seconds: float, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{int(seconds)}s"]
        + ["-H", "Accept-Encoding: gzip", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: non-2xx responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure(name, url, instance, args) -> dict[str, list[float]]:
    """Both servers stay up (the idle one costs nothing); each page's run is paired with a
    hello run just before it, so a load spike on the shared machine hits both."""
    env = app_env(url, instance)
    paths = page_paths(url)
    rps: dict[str, list[float]] = {"hello": [], **{p: [] for p in PAGES}}
    hello_pair: dict[str, list[float]] = {p: [] for p in PAGES}
    hello = Server("bench.hello_app:app", env, args.workers)
    server = Server("wsgi:app", env, args.workers)
    try:
        hello.wait("/hello")
        for page in PAGES:
            server.wait(paths[page])
        for _ in range(args.runs):
            for page in PAGES:
                wrk(hello.url("/hello"), 1, args.connections)  # warm-up
                hello_pair[page].append(wrk(hello.url("/hello"), args.duration, args.connections))
                wrk(server.url(paths[page]), 1, args.connections)  # warm both workers
                rps[page].append(wrk(server.url(paths[page]), args.duration, args.connections))
            rps["hello"].append(statistics.median(v[-1] for v in hello_pair.values()))
            done = ", ".join(f"{k} {v[-1]:.0f}" for k, v in rps.items())
            print(f"[{name}] run {len(rps['hello'])}: {done}", file=sys.stderr)
    finally:
        server.stop()
        hello.stop()
    rps["_pairs"] = hello_pair  # type: ignore[assignment]
    return rps


def table(results: dict[str, dict[str, list[float]]]) -> float:
    worst = float("inf")
    print(f"{'data':<7} {'page':<13} {'req/s min/median/max':>24} {'% of bare min/median/max':>26}")
    for name, rps in results.items():
        pairs = rps.pop("_pairs")
        for page, values in rps.items():
            cell = "/".join(
                f"{v:.0f}" for v in (min(values), statistics.median(values), max(values))
            )
            if page == "hello":
                print(f"{name:<7} {'bare hello':<13} {cell:>24} {'100':>26}")
                continue
            ratios = [v / h for v, h in zip(values, pairs[page], strict=True)]
            pct = "/".join(
                f"{100 * r:.1f}" for r in (min(ratios), statistics.median(ratios), max(ratios))
            )
            print(f"{name:<7} {page:<13} {cell:>24} {pct:>26}")
            worst = min(worst, statistics.median(ratios))
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-url", help="an existing demo database (default: seed a new one)")
    parser.add_argument("--scaled-url", help="an existing bench/generate.py database")
    parser.add_argument("--members", type=int, default=80_000, help="for a new scaled DB")
    parser.add_argument("--skip-scaled", action="store_true")
    parser.add_argument("--workdir", help="keep databases and indexes here between runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="PAGE_CACHE_SECONDS=0: every request renders (what a page costs on a cache miss)",
    )
    args = parser.parse_args(argv)
    if args.no_page_cache:
        PAGE_CACHE["seconds"] = 0
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="pasarkita-pages-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sets = [("demo", args.demo_url)]
    if not args.skip_scaled:
        sets.append(("scaled", args.scaled_url))
    results = {}
    for name, url in sets:
        url, instance = prepare(name, url, workdir, args.members)
        results[name] = measure(name, url, instance, args)
    print(
        f"gunicorn {args.workers} sync workers, production config; wrk {args.connections}"
        f" connections, {args.duration:.0f} s per page, {args.runs} run(s),"
        f" guest page cache {'off' if args.no_page_cache else 'on'}"
    )
    worst = table(results)
    print(f"pages min throughput ratio: {worst:.2f}")


if __name__ == "__main__":
    main()
