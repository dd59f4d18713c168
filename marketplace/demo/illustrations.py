"""Product illustrations for the demo, drawn with Pillow (issue 16): no photo can be fetched
here, so each product gets a picture of its kind (batik and tenun motifs on cloth, food and
drink packaging, crafts, cosmetics bottles, books, household goods) in colours of its own,
with its name, and a small "ilustrasi" caption saying it is not a photo.

Deterministic: the same name and kind draw the same picture (the colours come from a hash
of the name, never from ``random``'s global state)."""

import hashlib
import io
import math
import textwrap

from PIL import Image, ImageDraw, ImageFont

SIZE = 480  # square, like the cards; the upload makes 160/320/480 px renditions

PALETTES = [
    ((122, 46, 28), (232, 186, 96), (250, 240, 220)),  # sogan brown and gold
    ((24, 54, 110), (230, 230, 240), (196, 150, 60)),  # indigo
    ((150, 20, 50), (245, 210, 120), (255, 245, 230)),  # Betawi red
    ((20, 100, 80), (240, 220, 150), (250, 250, 240)),  # green
    ((90, 40, 110), (240, 180, 200), (252, 244, 250)),  # purple
    ((200, 90, 20), (255, 230, 170), (60, 40, 20)),  # orange
    ((30, 30, 30), (210, 170, 90), (245, 240, 225)),  # black and gold
    ((0, 120, 150), (250, 220, 90), (240, 250, 252)),  # teal
]


def _rng(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def _font(size: int):
    return ImageFont.load_default(size=size)


def _batik(draw: ImageDraw.ImageDraw, box, dark, light, seed: int) -> None:
    """Kawung (four-petal ovals) or parang (diagonal bands), by the seed."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=dark)
    step = 40 + seed % 3 * 8
    if seed % 2:
        for y in range(y0, y1, step):
            for x in range(x0, x1, step):
                c = (x + step // 2, y + step // 2)
                r = step // 2 - 4
                for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0)):
                    ox, oy = c[0] + dx * r // 2, c[1] + dy * r // 2
                    w, h = (r // 2, r // 3) if dx else (r // 3, r // 2)
                    draw.ellipse((ox - w, oy - h, ox + w, oy + h), outline=light, width=3)
                draw.ellipse((c[0] - 3, c[1] - 3, c[0] + 3, c[1] + 3), fill=light)
    else:
        for k in range(-(y1 - y0), x1 - x0, step):
            draw.line((x0 + k, y1, x0 + k + (y1 - y0), y0), fill=light, width=6)
            for t in range(0, y1 - y0, step // 2):
                px, py = x0 + k + t, y1 - t
                draw.arc((px - 10, py - 10, px + 10, py + 10), 0, 180, fill=light, width=3)


def _tenun(draw, box, dark, light, accent, seed: int) -> None:
    """Ikat stripes with diamonds."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=dark)
    band = 26 + seed % 4 * 4
    for i, y in enumerate(range(y0, y1, band)):
        color = (light, accent, dark)[i % 3]
        draw.rectangle((x0, y, x1, y + band // 2), fill=color)
        if i % 3 == 2:
            for x in range(x0, x1, band):
                draw.polygon(
                    [
                        (x, y + band // 4),
                        (x + band // 2, y),
                        (x + band, y + band // 4),
                        (x + band // 2, y + band // 2),
                    ],
                    outline=light,
                )


def _cloth(draw, dark, light, accent, seed, tenun: bool, shirt: bool) -> None:
    box = (70, 60, SIZE - 70, 330)
    if shirt:
        # A shirt silhouette filled with the motif: body, sleeves, collar.
        mask = Image.new("L", (SIZE, SIZE), 0)
        m = ImageDraw.Draw(mask)
        m.polygon(
            [
                (150, 70),
                (205, 55),
                (275, 55),
                (330, 70),
                (420, 140),
                (380, 190),
                (340, 160),
                (340, 330),
                (140, 330),
                (140, 160),
                (100, 190),
                (60, 140),
            ],
            fill=255,
        )
        motif = Image.new("RGB", (SIZE, SIZE), dark)
        md = ImageDraw.Draw(motif)
        (
            _tenun(md, (0, 0, SIZE, SIZE), dark, light, accent, seed)
            if tenun
            else _batik(md, (0, 0, SIZE, SIZE), dark, light, seed)
        )
        draw._image.paste(motif, (0, 0), mask)  # type: ignore[attr-defined]
        draw.polygon([(205, 55), (240, 95), (275, 55)], fill=light)
    else:
        (
            _tenun(draw, box, dark, light, accent, seed)
            if tenun
            else _batik(draw, box, dark, light, seed)
        )
        draw.rectangle(box, outline=accent, width=6)


def _pouch(draw, dark, light, accent, seed) -> None:
    """A standing snack pouch with a window and a label."""
    draw.rounded_rectangle((130, 60, 350, 330), radius=24, fill=dark)
    draw.rectangle((130, 60, 350, 90), fill=accent)
    for x in range(136, 346, 10):
        draw.line((x, 62, x + 5, 88), fill=dark, width=2)
    draw.ellipse((175, 120, 305, 230), fill=light)
    for i in range(7):
        a = (seed + i * 51) % 360
        cx = 240 + int(38 * math.cos(math.radians(a)))
        cy = 175 + int(30 * math.sin(math.radians(a)))
        draw.ellipse((cx - 16, cy - 10, cx + 16, cy + 10), fill=accent, outline=dark)
    draw.rectangle((150, 250, 330, 300), fill=light)


def _bottle(draw, dark, light, accent, seed, wide: bool = False) -> None:
    """A bottle or jar: sambal, syrup, soap, lotion."""
    if wide:
        draw.rounded_rectangle((150, 120, 330, 330), radius=30, fill=dark)
        draw.rectangle((170, 85, 310, 125), fill=accent)
    else:
        draw.rounded_rectangle((185, 130, 295, 330), radius=26, fill=dark)
        draw.rectangle((220, 80, 260, 135), fill=dark)
        draw.rectangle((214, 62, 266, 86), fill=accent)
    draw.rounded_rectangle(
        (170 if wide else 192, 200, 310 if wide else 288, 280), radius=8, fill=light
    )
    draw.ellipse((225, 215, 255, 245), fill=accent)


def _cup(draw, dark, light, accent, seed) -> None:
    """A coffee or drink cup with steam."""
    draw.polygon([(160, 140), (320, 140), (300, 330), (180, 330)], fill=dark)
    draw.rectangle((150, 120, 330, 145), fill=accent)
    draw.rectangle((175, 210, 305, 260), fill=light)
    for k in range(3):
        x = 200 + k * 40
        draw.arc((x - 12, 60, x + 12, 110), 90, 270, fill=accent, width=4)


def _basket(draw, dark, light, accent, seed) -> None:
    """Woven rattan or pandan: a basket in a weave pattern."""
    draw.polygon([(110, 150), (370, 150), (335, 330), (145, 330)], fill=dark)
    for y in range(158, 330, 18):
        for x in range(110, 370, 24):
            offset = 12 if (y // 18) % 2 else 0
            draw.rounded_rectangle((x + offset, y, x + offset + 18, y + 10), radius=4, fill=light)
    draw.arc((150, 50, 330, 250), 180, 360, fill=accent, width=12)


def _pot(draw, dark, light, accent, seed) -> None:
    """Gerabah: a clay vase with bands."""
    draw.ellipse((150, 140, 330, 330), fill=dark)
    draw.rectangle((200, 80, 280, 160), fill=dark)
    draw.ellipse((190, 70, 290, 95), fill=accent)
    for y in (200, 240, 280):
        draw.line((165, y, 315, y), fill=light, width=5)


def _book(draw, dark, light, accent, seed) -> None:
    draw.rectangle((140, 70, 340, 330), fill=dark)
    draw.rectangle((140, 70, 160, 330), fill=accent)
    draw.rectangle((180, 110, 320, 170), fill=light)
    for y in range(200, 310, 20):
        draw.line((180, y, 320, y), fill=light, width=3)


def _household(draw, dark, light, accent, seed) -> None:
    """A rag mat of patchwork squares (keset perca) or a broom."""
    if seed % 2:
        colors = (dark, light, accent)
        for i, y in enumerate(range(90, 320, 38)):
            for j, x in enumerate(range(90, 390, 38)):
                draw.rectangle((x, y, x + 36, y + 36), fill=colors[(i + j + seed) % 3])
    else:
        draw.rectangle((232, 50, 248, 220), fill=accent)
        draw.polygon([(170, 220), (310, 220), (350, 330), (130, 330)], fill=dark)
        for x in range(140, 345, 10):
            draw.line((x, 230, x - 8 + (x - 240) // 6, 330), fill=light, width=2)


def _produce(draw, dark, light, accent, seed) -> None:
    """Fresh produce in a crate."""
    draw.rectangle((100, 220, 380, 330), fill=accent)
    for x in range(100, 380, 40):
        draw.line((x, 220, x, 330), fill=dark, width=3)
    for i in range(9):
        cx = 130 + (i % 5) * 55 + (i // 5) * 25
        cy = 190 - (i // 5) * 45
        draw.ellipse((cx - 30, cy - 30, cx + 30, cy + 30), fill=dark, outline=light, width=3)
        draw.line((cx, cy - 30, cx + 6, cy - 44), fill=(40, 110, 40), width=4)


def _fish(draw, dark, light, accent, seed) -> None:
    """A fish-shaped label on a pack (abon, kerupuk, ikan asin)."""
    draw.rounded_rectangle((110, 80, 370, 320), radius=20, fill=light)
    draw.ellipse((150, 150, 320, 250), fill=dark)
    draw.polygon([(310, 200), (360, 160), (360, 240)], fill=dark)
    draw.ellipse((180, 185, 196, 201), fill=light)
    draw.rectangle((110, 280, 370, 320), fill=accent)


def _kind(name: str, category: str) -> str:
    n = name.lower()
    if category == "fashion":
        tenun = "tenun" in n or "songket" in n or "ikat" in n or "sarung" in n
        shirt = any(w in n for w in ("kemeja", "blus", "daster", "gamis", "baju", "kebaya"))
        return ("tenun" if tenun else "batik") + ("-shirt" if shirt else "")
    if category == "kuliner":
        if any(w in n for w in ("kopi", "teh", "wedang", "bir pletok", "minuman")):
            return "cup"
        if any(w in n for w in ("sambal", "sirup", "madu", "selai", "botol")):
            return "bottle"
        return "pouch"
    if category == "perikanan":
        return "fish"
    if category == "pertanian":
        return "produce" if any(w in n for w in ("segar", "sayur", "buah", "jeruk")) else "pouch"
    if category == "kosmetik":
        return "jar" if any(w in n for w in ("lulur", "masker", "balm", "krim")) else "bottle"
    if category == "kriya":
        return "pot" if any(w in n for w in ("gerabah", "vas", "kendi")) else "basket"
    if category == "pendidikan":
        return "book"
    return "household"


def draw_product(name: str, category: str, variant: int = 0) -> bytes:
    """A JPEG illustration of product ``name`` of ``category`` (``variant`` > 0: another view
    in shifted colours, for a second photo)."""
    seed = _rng(f"{name}/{variant}")
    dark, light, accent = PALETTES[(seed + variant * 3) % len(PALETTES)]
    background = tuple(min(255, c + 20) for c in light) if variant else (248, 244, 234)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    kind = _kind(name, category)
    if kind.startswith(("batik", "tenun")):
        _cloth(draw, dark, light, accent, seed, kind.startswith("tenun"), kind.endswith("shirt"))
    else:
        {
            "cup": _cup,
            "pouch": _pouch,
            "fish": _fish,
            "produce": _produce,
            "basket": _basket,
            "pot": _pot,
            "book": _book,
            "household": _household,
        }.get(kind, lambda d, *a: _bottle(d, *a, wide=kind == "jar"))(
            draw, dark, light, accent, seed
        )
    # The product's name on a band, and the caption that says it is a drawing.
    draw.rectangle((0, 350, SIZE, SIZE), fill=dark)
    lines = textwrap.wrap(name, width=24)[:2]
    font = _font(30 if len(lines) == 1 else 26)
    for i, line in enumerate(lines):
        y = 372 + i * 34 if len(lines) == 2 else 385
        draw.text((SIZE // 2, y), line, fill=(255, 255, 255), font=font, anchor="mt")
    draw.text((SIZE - 10, SIZE - 8), "ilustrasi", fill=light, font=_font(16), anchor="rd")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
