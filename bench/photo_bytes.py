"""Bytes a phone downloads for one catalog page of photos: the renditions (issue 16) against
the single 400 px JPEG thumbnail every card loaded before.

    .venv/bin/python bench/photo_bytes.py            # 40 demo illustrations + 40 noisy photos
    .venv/bin/python bench/photo_bytes.py --n 100

Inputs: the demo's Pillow illustrations (flat colours) and synthetic "camera" photos (the
same drawings with sensor noise and a gradient, 1600 px, which compress like real phone
photos). For each image: the old thumbnail (400 px JPEG, quality 82, what
``uploads.product_photo_variants`` made) and the renditions the page now offers
(``uploads.photo_renditions``); at 360 px with a device pixel ratio of 1 a card (46vw, ~166
px) takes the 160 px WebP, at ratio 2 the 320 px WebP. Encode time per upload is shown too.
Printed: a table (min / median / max bytes per card image), then a page of 20 cards at each
pixel ratio, the headline last: `page photo bytes ratio old/new (dpr 2): X.XX`.
"""

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from marketplace.core import uploads  # noqa: E402
from marketplace.demo.illustrations import draw_product  # noqa: E402
from marketplace.demo.photos import SECTORS  # noqa: E402

CARDS_PER_PAGE = 20


def _inputs(n: int) -> list[tuple[str, bytes]]:
    names = [(p[0], sector) for sector, (_t, products) in SECTORS.items() for p in products]
    rng = random.Random(16)
    out = []
    for i in range(n):
        name, sector = names[i % len(names)]
        drawn = draw_product(name, sector, i % 2)
        out.append(("illustration", drawn))
        photo = Image.open(io.BytesIO(drawn)).convert("RGB").resize((1600, 1600))
        noise = Image.effect_noise((1600, 1600), 24 + rng.random() * 12).convert("RGB")
        photo = Image.blend(photo, noise, 0.18).filter(ImageFilter.GaussianBlur(0.6))
        buffer = io.BytesIO()
        photo.save(buffer, "JPEG", quality=90)
        out.append(("camera photo", buffer.getvalue()))
    return out


def _old_thumb(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        rgb.thumbnail((400, 400))
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        return len(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    app = Flask(__name__)
    rows: dict[str, dict[str, list]] = {}
    with app.app_context():
        for kind, data in _inputs(args.n):
            figures = rows.setdefault(kind, {"old": [], "dpr1": [], "dpr2": [], "ms": []})
            figures["old"].append(_old_thumb(data))
            started = time.perf_counter()
            renditions = uploads.photo_renditions(data)
            figures["ms"].append((time.perf_counter() - started) * 1000)
            webp = {r.width: len(r.data) for r in renditions if r.fmt == "webp"}
            figures["dpr1"].append(webp[min(webp, key=lambda w: abs(w - 160))])
            figures["dpr2"].append(webp[min(webp, key=lambda w: abs(w - 320))])

    def mmm(values, fmt="{:,.0f}"):
        return " / ".join(
            fmt.format(v) for v in (min(values), statistics.median(values), max(values))
        )

    print(
        f"{'input':<14} {'old 400px JPEG':>26} {'160px WebP (dpr 1)':>24} "
        f"{'320px WebP (dpr 2)':>24} {'encode ms/upload':>22}"
    )
    for kind, f in rows.items():
        print(
            f"{kind:<14} {mmm(f['old']):>26} {mmm(f['dpr1']):>24} {mmm(f['dpr2']):>24} "
            f"{mmm(f['ms'], '{:.0f}'):>22}"
        )
    every = {k: [v for f in rows.values() for v in f[k]] for k in ("old", "dpr1", "dpr2")}
    page = {k: CARDS_PER_PAGE * statistics.median(v) for k, v in every.items()}
    print(
        f"page of {CARDS_PER_PAGE} cards (median image): old {page['old']:,.0f} B, "
        f"dpr 1 {page['dpr1']:,.0f} B, dpr 2 {page['dpr2']:,.0f} B"
    )
    print(f"page photo bytes ratio old/new (dpr 2): {page['old'] / page['dpr2']:.2f}")


if __name__ == "__main__":
    main()
