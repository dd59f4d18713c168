"""The reviewer's preview of a legality document: the stored image scaled down, or the first
page of a PDF rendered to an image, served inline from the private store.

Bounds: a PDF is rendered by ``pdf_render.py`` in a child process (PDFium never runs in the
web worker) with a wall-clock timeout (LEGALITY_PREVIEW_TIMEOUT_SECONDS, default 5), an
address-space limit and a page-size limit; images go through the upload decode slots. A
document that cannot be shown raises PreviewUnavailable, which the review page turns into
a message (never a 500). Rendered previews are kept in a small per-process cache keyed by
the stored file's key (stored files never change), so the review page and the image it
embeds render once.

Access is the caller's: the lead console and the admin area load the document through
their own scope loader before calling :func:`send_preview`, exactly as for the download.
"""

import io
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app
from PIL import Image

from marketplace.core import uploads

PREVIEW_EDGE = 1200  # pixels on the longer side: legible on a phone, light on the wire
RENDER_SCRIPT = Path(__file__).with_name("pdf_render.py")
_CACHE_ENTRIES = 32


class PreviewUnavailable(Exception):
    """The document's file cannot be shown (broken, encrypted, too large, too slow)."""


@dataclass(frozen=True)
class Preview:
    data: bytes
    mime: str


_cache: OrderedDict[str, Preview | None] = OrderedDict()
_cache_lock = threading.Lock()


def _render_pdf(data: bytes) -> Preview:
    timeout = float(current_app.config.get("LEGALITY_PREVIEW_TIMEOUT_SECONDS", 5.0))
    try:
        # The command is fixed (this interpreter, our script); the PDF goes on stdin.
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-I", str(RENDER_SCRIPT), str(PREVIEW_EDGE)],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise PreviewUnavailable("timeout") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise PreviewUnavailable(done.stderr.decode(errors="replace").strip() or "render")
    return Preview(done.stdout, "image/png")


def _scale_image(data: bytes) -> Preview:
    try:
        with uploads.decode_slots().slot(), Image.open(io.BytesIO(data)) as image:
            if image.format == "JPEG":
                image.draft("RGB", (PREVIEW_EDGE, PREVIEW_EDGE))
            image.load()
            image.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
            return Preview(out.getvalue(), "image/jpeg")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PreviewUnavailable("image") from exc


def render(document) -> Preview:
    """The preview of ``document`` (a LegalityDocument the caller may see)."""
    key = document.file_key
    # A cached preview lives only as long as its file: once the file is erased (PDP erasure,
    # in any process) the preview is dropped here, in every process, on its next request.
    if key.isalnum() and not (uploads.upload_dir() / key).is_file():
        forget((key,))
        raise PreviewUnavailable("gone")
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            found = _cache[key]
            if found is None:
                raise PreviewUnavailable("cached failure")
            return found
    try:
        data = (uploads.upload_dir() / key).read_bytes() if key.isalnum() else b""
        if document.file_mime == "application/pdf":
            made: Preview | None = _render_pdf(data)
        elif document.file_mime in ("image/jpeg", "image/png"):
            made = _scale_image(data)
        else:
            raise PreviewUnavailable("kind")
    except PreviewUnavailable:
        made = None
    except OSError:  # the stored file is gone
        made = None
    with _cache_lock:
        _cache[key] = made
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    if made is None:
        raise PreviewUnavailable(key)
    return made


def forget(keys) -> None:
    """Drop the rendered previews of ``keys`` from this process's cache (an erasure)."""
    with _cache_lock:
        for key in keys:
            _cache.pop(key, None)


def available(document) -> bool:
    try:
        render(document)
    except PreviewUnavailable:
        return False
    return True


def send_preview(document) -> Response:
    """Inline, private, never cached by a shared cache; 404 when it cannot be shown."""
    from flask import abort

    try:
        preview = render(document)
    except PreviewUnavailable:
        abort(404)
    response = Response(preview.data, mimetype=preview.mime)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# The issuer's public check per permit kind (DOMAIN 0.1): none of them takes the number in the
# URL, so the page shows the number beside the link to paste into the issuer's search box.
# SLHS (Dinkes) has no public check.
ISSUER_CHECKS = {
    "nib": ("OSS", "https://oss.go.id/"),
    "pirt": ("OSS (SPP-IRT)", "https://oss.go.id/"),
    "bpom_md": ("BPOM cekbpom", "https://cekbpom.pom.go.id/"),
    "bpom_ml": ("BPOM cekbpom", "https://cekbpom.pom.go.id/"),
    "bpom_cosmetic": ("BPOM cekbpom", "https://cekbpom.pom.go.id/"),
    "pkrt": ("Kemenkes infoalkes", "https://infoalkes.kemkes.go.id/"),
    "halal": ("BPJPH SIHALAL", "https://bpjph.halal.go.id/search/sertifikat"),
}


def issuer_check(kind: str) -> tuple[str, str] | None:
    """(issuer name, URL of its public check) for a permit kind, or None."""
    return ISSUER_CHECKS.get(kind)
