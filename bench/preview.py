"""What the lead's PDF preview costs, isolated in a child process (as the app renders it:
marketplace/legality/preview.py runs pdf_render.py with a timeout and a memory limit) against
rendering in the web worker itself (what the isolation saves us from: a PDFium crash or a
runaway page taking the worker down).

    .venv/bin/python bench/preview.py               # 3 runs x 10 renders per document
    .venv/bin/python bench/preview.py --renders 3 --runs 1

Documents: an A4 page as a phone-made PDF holds it (one JPEG 2480x3508 at 300 dpi) and a
small vector-like page (595x842 pt, flat). Prints min/median/max milliseconds per render for
each path, then the headline last: the child process's cost over in-process rendering.
"""

import argparse
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "marketplace/legality/pdf_render.py"
EDGE = 1200
sys.path.insert(0, str(SCRIPT.parent))
import pdf_render  # noqa: E402  (the very renderer the child runs)


def scanned_a4() -> bytes:
    page = Image.new("RGB", (2480, 3508), (250, 250, 245))
    draw = ImageDraw.Draw(page)
    for y in range(200, 3300, 60):
        draw.line((200, y, 2280, y), fill=(40, 40, 40), width=3)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=300.0, quality=85)
    return out.getvalue()


def flat_page() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (595, 842), (255, 255, 255)).save(out, "PDF", resolution=72.0)
    return out.getvalue()


def in_process(data: bytes) -> int:
    return len(pdf_render.render(data, EDGE))


def child(data: bytes) -> int:
    done = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-I", str(SCRIPT), str(EDGE)],
        input=data,
        capture_output=True,
        timeout=30,
        check=True,
    )
    return len(done.stdout)


def timed(fn, data: bytes, renders: int) -> float:
    fn(data)  # warm-up (page cache, imports in this process)
    start = time.perf_counter()
    for _ in range(renders):
        fn(data)
    return (time.perf_counter() - start) * 1000 / renders


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    documents = {"scanned A4 (300 dpi)": scanned_a4(), "flat A4": flat_page()}
    rows, ratios = [], []
    for name, data in documents.items():
        inside = [timed(in_process, data, args.renders) for _ in range(args.runs)]
        outside = [timed(child, data, args.renders) for _ in range(args.runs)]
        ratios.append(statistics.median(outside) / statistics.median(inside))
        for path, values in (("in-process", inside), ("child process", outside)):
            rows.append(
                (
                    name,
                    f"{len(data) / 1024:.0f} KB",
                    path,
                    min(values),
                    statistics.median(values),
                    max(values),
                )
            )
    print(f"{'document':22} {'size':>7} {'path':14} {'min ms':>8} {'median':>8} {'max':>8}")
    for name, size, path, low, mid, high in rows:
        print(f"{name:22} {size:>7} {path:14} {low:8.1f} {mid:8.1f} {high:8.1f}")
    print(f"preview child/in-process ratio (scanned A4): {ratios[0]:.2f}")


if __name__ == "__main__":
    main()
