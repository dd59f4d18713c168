"""Render the first page of a PDF to a PNG: run as a child process by ``preview.py``.

Reads the PDF on stdin, writes the PNG on stdout; exit status 2 means "not a PDF we can
show" (broken, encrypted, no page, absurd page size). It imports nothing from the
project (it runs as a plain script), so a PDFium crash or a runaway page ends this process,
never the web worker, and the parent's timeout kills it.
"""

import contextlib
import io
import resource
import sys

# A page larger than this (in PDF points, 1/72 inch) is not a scanned permit: A0 is
# 2384 x 3370 points.
MAX_PAGE_POINTS = 3500
MAX_MEMORY_BYTES = 512 * 1024 * 1024


def render(data: bytes, edge: int) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        if len(document) < 1:
            raise ValueError("no page")
        page = document[0]
        width, height = page.get_size()
        if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
            raise ValueError("page size")
        scale = edge / max(width, height)
        image = page.render(scale=scale, may_draw_forms=False).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


def main() -> int:
    edge = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    with contextlib.suppress(ValueError, OSError):  # a platform without the limit
        resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
    try:
        png = render(sys.stdin.buffer.read(), edge)
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot show it"
        print(type(exc).__name__, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
