"""Upload decode budget: peak memory of 8 concurrent worst-case photo uploads.

    .venv/bin/python bench/uploads.py                  # 8 uploads, 2 of each kind
    .venv/bin/python bench/uploads.py --n 16
    PYTHONPATH=/path/to/old/checkout .venv/bin/python bench/uploads.py   # another version

Each upload runs in its own thread through the real service path of a product photo
(``uploads.check_upload`` then ``uploads.product_photo_variants``, as ``catalog.add_image``
calls them) inside an app context with the project's default config. The inputs are made
at run time, in a separate process, so that making them does not count in the peak:

- png-flat: a flat 39.6 MP PNG saved by Pillow (about 128 KB: the issue's bomb);
- jpeg-40mp: a 40 MP baseline JPEG (a gradient, under the 5 MB limit);
- jpeg-40mp-progressive: the same, progressive (libjpeg buffers every coefficient);
- png-noisy: a 39.6 MP PNG with a block of noise, just enough bytes per pixel to pass the
  bomb check: the largest decode the budget still allows.

Printed: one row per kind (outcome, seconds), then peak RSS (VmHWM) before and after and
the wall time; the headline is the last line:
``upload peak RSS for 8 worst-case uploads: X MB``. Timings are for a noisy shared machine.
"""

import argparse
import io
import multiprocessing
import os
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

try:
    import marketplace  # noqa: F401  (installed; PYTHONPATH may point at another checkout)
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WIDTH, HEIGHT = 7700, 5143  # 39.6 MP
KINDS = ("png-flat", "jpeg-40mp", "jpeg-40mp-progressive", "png-noisy")


def _make_inputs() -> dict[str, tuple[bytes, str]]:
    """Runs in a child process: Pillow's full-size canvases never touch our peak."""
    from PIL import Image

    out = {}
    flat = Image.new("RGB", (WIDTH, HEIGHT), (200, 120, 40))
    buffer = io.BytesIO()
    flat.save(buffer, "PNG")
    out["png-flat"] = (buffer.getvalue(), "flat.png")

    noisy = flat.copy()
    block = Image.frombytes("RGB", (640, 640), os.urandom(640 * 640 * 3))
    noisy.paste(block, (100, 100))
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    out["png-noisy"] = (buffer.getvalue(), "noisy.png")
    del noisy, flat

    gradient = Image.linear_gradient("L").resize((7744, 5160))  # 39.96 MP
    rgb = Image.merge(
        "RGB",
        (
            gradient,
            gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
        ),
    )
    for kind, progressive in (("jpeg-40mp", False), ("jpeg-40mp-progressive", True)):
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=85, progressive=progressive)
        out[kind] = (buffer.getvalue(), f"{kind}.jpg")
    return out


def _status() -> dict[str, int]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmHWM", "VmRSS")):
                name, value, _unit = line.split()
                values[name.rstrip(":")] = int(value) // 1024  # MB (MiB)
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="concurrent uploads (kinds cycle)")
    args = parser.parse_args()

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        inputs = pool.apply(_make_inputs)

    from flask import Flask
    from werkzeug.datastructures import FileStorage

    from marketplace.config import BaseConfig
    from marketplace.core import uploads

    app = Flask("bench_uploads")
    app.config.from_object(BaseConfig)
    limit = app.config["MAX_DOCUMENT_BYTES"]

    results: dict[str, list[tuple[str, float]]] = defaultdict(list)
    lock = threading.Lock()
    barrier = threading.Barrier(args.n)

    def one(kind: str) -> None:
        data, name = inputs[kind]
        with app.app_context():
            barrier.wait()
            started = time.perf_counter()
            try:
                checked = uploads.check_upload(FileStorage(io.BytesIO(data), name), max_bytes=limit)
                variants = uploads.product_photo_variants(checked.data)
                outcome = f"stored ({len(checked.data) + sum(map(len, variants.values()))} B)"
            except Exception as exc:  # noqa: BLE001 - a refusal is an outcome here
                outcome = f"refused: {type(exc).__name__}"
                if exc.__cause__ is not None:
                    outcome += f" ({type(exc.__cause__).__name__})"
            with lock:
                results[kind].append((outcome, time.perf_counter() - started))

    before = _status()
    threads = [threading.Thread(target=one, args=(KINDS[i % len(KINDS)],)) for i in range(args.n)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    after = _status()

    print(f"code: {uploads.__file__}")
    print(f"{'kind':24} {'bytes':>9} {'outcome':42} {'seconds':>8}")
    for kind in KINDS:
        for outcome, seconds in results.get(kind, []):
            print(f"{kind:24} {len(inputs[kind][0]):9d} {outcome:42} {seconds:8.2f}")
    print(f"peak RSS before: {before['VmHWM']} MB, after: {after['VmHWM']} MB")
    print(f"wall time: {wall:.2f} s")
    print(f"upload peak RSS for {args.n} worst-case uploads: {after['VmHWM']} MB")


if __name__ == "__main__":
    main()
