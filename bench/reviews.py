"""Ratings stay flat with the number of reviews (issue 16): the product page and the kept
average against a live SQL aggregate, at two review counts 100x apart.

    .venv/bin/python bench/reviews.py                    # 100 and 10,000 reviews, 3 runs
    .venv/bin/python bench/reviews.py --small 50 --large 20000 --runs 1

One SQLite database (a temporary file, migrated to head) holds two listed products of one
seller: one with ``--small`` reviews, one with ``--large`` (bulk inserted: a checkout, order
and line per review, as the demo does). Measured per run, each as the median of ``--repeat``
calls after a warm-up: a guest's ``GET /p/<id>`` through the test client (page cache off),
the kept average (``product.rating_count`` / ``rating_sum``, what every page reads) and the
live ``SELECT count(*), sum(rating) FROM review WHERE product_id = ? AND status = 'visible'``
it replaces. Printed: a table of min / median / max over the runs, then the headline last:
``/p/ time ratio large/small: X.XX`` (1.00 is flat).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(url: str, sizes: tuple[int, int]):
    from sqlalchemy import insert

    from bench.generate import build_app
    from marketplace.chapters.models import Chapter, Kelurahan
    from marketplace.core.timeutil import utcnow
    from marketplace.demo import builders
    from marketplace.extensions import db
    from marketplace.orders.models import Checkout, Order, OrderLine
    from marketplace.reviews import services
    from marketplace.reviews.models import Review

    app = build_app(url)
    app.config["PAGE_CACHE_SECONDS"] = 0
    with app.app_context():
        chapter = db.session.query(Chapter).filter_by(slug="tebet").one()
        kel = db.session.query(Kelurahan).filter_by(chapter_id=chapter.id).first()
        owner = builders.user(email="bench@umkm.test", name="Sari Bench", password="x" * 16)
        buyer = builders.user(email="pembeli@bench.test", name="Ani Bench", password="x" * 16)
        business = builders.business(owner, chapter=chapter, name="Batik Bench")
        ids = []
        for size in sizes:
            product = builders.product(
                business, name=f"Kain {size}", category="kriya", price_idr=50_000, stock=5
            )
            product.status = "listed"
            db.session.flush()
            ids.append(product.id)
            now = utcnow()
            checkouts = db.session.execute(
                insert(Checkout).returning(Checkout.id, sort_by_parameter_order=True),
                [
                    {
                        "user_id": buyer.id,
                        "total_idr": 50_000,
                        "recipient_name": "Ani",
                        "address_line": "Jl. Bench 1",
                        "kelurahan_code": kel.code,
                        "postal_code": kel.postal_code,
                        "whatsapp_e164": "+6281300000000",
                        "expires_at": now,
                    }
                    for _ in range(size)
                ],
            ).scalars()
            orders = db.session.execute(
                insert(Order).returning(Order.id, sort_by_parameter_order=True),
                [
                    {
                        "checkout_id": c,
                        "business_id": business.id,
                        "consumer_id": buyer.id,
                        "status": "completed",
                        "total_idr": 50_000,
                        "courier": "JNE",
                        "tracking_number": f"JNE{c:010d}",
                        "paid_at": now,
                        "completed_at": now,
                    }
                    for c in checkouts
                ],
            ).scalars()
            lines = db.session.execute(
                insert(OrderLine).returning(OrderLine.id, OrderLine.order_id),
                [
                    {
                        "order_id": o,
                        "product_id": product.id,
                        "product_name": product.name,
                        "unit_price_idr": 50_000,
                        "quantity": 1,
                    }
                    for o in orders
                ],
            ).all()
            db.session.execute(
                insert(Review),
                [
                    {
                        "order_line_id": line_id,
                        "order_id": order_id,
                        "product_id": product.id,
                        "business_id": business.id,
                        "author_id": buyer.id,
                        "rating": 1 + n % 5,
                        "text": f"Ulasan {n}",
                        "created_at": now - timedelta(minutes=n),
                    }
                    for n, (line_id, order_id) in enumerate(lines)
                ],
            )
        services.recount()
        db.session.commit()
    return app, ids


def _median_time(call, repeat: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measure(app, ids, repeat: int) -> dict[str, list[float]]:
    from sqlalchemy import func, select

    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.reviews.models import Review

    client = app.test_client()
    out: dict[str, list[float]] = {}
    with app.app_context():
        for label, product_id in zip(("small", "large"), ids, strict=True):

            def page(pid=product_id):
                assert client.get(f"/p/{pid}").status_code == 200

            def kept(pid=product_id):
                db.session.execute(
                    select(Product.rating_count, Product.rating_sum).where(Product.id == pid)
                ).one()

            def live(pid=product_id):
                db.session.execute(
                    select(func.count(Review.id), func.sum(Review.rating)).where(
                        Review.product_id == pid, Review.status == "visible"
                    )
                ).one()

            out[f"/p/ {label} (ms)"] = [_median_time(page, repeat) * 1000]
            out[f"kept avg {label} (ms)"] = [_median_time(kept, repeat * 5) * 1000]
            out[f"live AVG {label} (ms)"] = [_median_time(live, repeat * 5) * 1000]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/reviews.db"
        app, ids = _setup(url, (args.small, args.large))
        app.config["SEARCH_INDEX_DIR"] = f"{tmp}/index"
        results: dict[str, list[float]] = {}
        for _ in range(args.runs):
            for key, values in _measure(app, ids, args.repeat).items():
                results.setdefault(key, []).extend(values)
    print(f"reviews: small={args.small} large={args.large} runs={args.runs}")
    print(f"{'figure':<24}{'min':>10}{'median':>10}{'max':>10}")
    for key, values in results.items():
        print(
            f"{key:<24}{min(values):>10.3f}{statistics.median(values):>10.3f}{max(values):>10.3f}"
        )
    ratios = [
        large / small
        for small, large in zip(results["/p/ small (ms)"], results["/p/ large (ms)"], strict=True)
    ]
    live = statistics.median(results["live AVG large (ms)"]) / statistics.median(
        results["kept avg large (ms)"]
    )
    print(f"live AVG / kept average at {args.large} reviews: {live:.2f}")
    print(f"/p/ time ratio large/small: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
