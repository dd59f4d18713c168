"""What the size facet and filter (issue 16) cost a search.

    .venv/bin/python bench/variants.py                  # 100,000 products, 3 runs
    .venv/bin/python bench/variants.py --n 20000 --runs 1

Takes bench/search.py's synthetic catalogue (fixed seed) and gives its fashion products
sizes in stock (a random run of S..XXL or of 36..44, about one in ten with none), builds two
indexes through ``ProductIndex.rebuild``: one with the sizes, one with the same products and
no sizes (what a search paid before the facet). Runs the same fashion queries with facets
on both, plus the size filter on the first, and prints p50/p95 in ms per run. The last line
is the headline: ``faceted search p50 ratio with sizes / without: X.XX`` (median of runs).
"""

import argparse
import importlib.util
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
try:
    import marketplace  # noqa: F401  (installed; PYTHONPATH may point at another checkout)
except ImportError:
    sys.path.insert(0, str(HERE.parent))

from marketplace.search.index import Filters, ProductIndex  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_search", HERE / "search.py")
assert _spec is not None
assert _spec.loader is not None
search_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search_bench)

LETTERS = ("S", "M", "L", "XL", "XXL")
NUMBERS = ("36", "38", "40", "42", "44")
QUERIES = ("batik", "kemeja", "daster", "kain tenun", "", "gamis wanita", "batik pria")


def with_sizes(documents: list[dict], seed: int = 16) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for document in documents:
        sizes: list[str] = []
        if document["category"] == "fashion" and rng.random() < 0.9:
            scale = LETTERS if rng.random() < 0.7 else NUMBERS
            start = rng.randrange(len(scale))
            sizes = list(scale[start : start + rng.randint(1, len(scale))])
        out.append({**document, "sizes": sizes})
    return out


def timed(index: ProductIndex, cases, repeat: int) -> list[float]:
    for text, filters in cases:  # warm-up
        index.search(text, filters, facets=True)
    times = []
    for _ in range(repeat):
        for text, filters in cases:
            start = time.perf_counter()
            index.search(text, filters, facets=True)
            times.append((time.perf_counter() - start) * 1000)
    return times


def one_run(corpus, repeat: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-variants-"))
    try:
        sized, plain = ProductIndex(folder / "sized"), ProductIndex(folder / "plain")
        sized.rebuild(iter(with_sizes(corpus.documents)), position=0)
        plain.rebuild(iter([{**d, "sizes": []} for d in corpus.documents]), position=0)
        fashion = [(q, Filters(category="fashion")) for q in QUERIES]
        by_size = [(q, Filters(category="fashion", size=s)) for q in QUERIES for s in ("M", "40")]
        result = {
            "without sizes (before)": timed(plain, fashion, repeat),
            "with the size facet": timed(sized, fashion, repeat),
            "with facet + size filter": timed(sized, by_size, repeat),
        }
        check = sized.search("", Filters(category="fashion"), facets=True)
        assert set(check.facets["size"]) <= set(LETTERS + NUMBERS), check.facets["size"]
        sized.close()
        plain.close()
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    corpus = search_bench.Corpus(args.n)
    ratios = []
    print(f"{args.n:,} products, {args.runs} run(s), {args.repeat} repeats of each query")
    print(f"{'run':>3}  {'case':<26} {'p50 ms':>8} {'p95 ms':>8}")
    for run in range(1, args.runs + 1):
        result = one_run(corpus, args.repeat)
        p50 = {}
        for case, times in result.items():
            p50[case] = statistics.median(times)
            p95 = search_bench.percentile(times, 0.95)
            print(f"{run:>3}  {case:<26} {p50[case]:>8.2f} {p95:>8.2f}")
        ratios.append(p50["with the size facet"] / p50["without sizes (before)"])
    print(
        f"ratio min/median/max: {min(ratios):.2f} / {statistics.median(ratios):.2f} / "
        f"{max(ratios):.2f}"
    )
    print(f"faceted search p50 ratio with sizes / without: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
