"""Uploaded files: checked by content, re-encoded, stored privately, served as attachments.

Only PDF, JPEG and PNG are accepted, judged by their magic bytes (never by the name or the
browser's content type). Images are re-encoded with Pillow, which drops metadata (EXIF
location) and anything appended to the image; decompression bombs are refused.

The decode budget (issue 12): the header is judged before any pixel is decoded (at most
MAX_PIXELS, at least MIN_BYTES_PER_PIXEL), JPEGs are decoded at reduced size (``draft``)
and every stored image is at most MAX_STORED_EDGE on its longer side, and at most
UPLOAD_DECODE_SLOTS decodes run at once (a request that waits too long gets UploadsBusy, 503).
"""

import io
import os
import secrets
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import event

from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.extensions import db

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EXTENSIONS = {"pdf": {"pdf"}, "jpg": {"jpg", "jpeg"}, "png": {"png"}}
MAX_PIXELS = 40_000_000  # a 40 MP phone photo is fine; 20k x 20k (400 MP) is not
# Below this many bytes per pixel an image is a decompression bomb (checked from 4 MP up:
# smaller images are cheap to decode whatever they hold). Phone photos carry 0.1-0.5 bytes
# per pixel, a white page scanned as PNG a few hundredths; a flat 39.6 MP PNG 0.003.
MIN_BYTES_PER_PIXEL = 0.01
BOMB_CHECK_FROM_PIXELS = 4_000_000
# Stored images are re-encoded at most this many pixels on the longer side (a scanned A4
# page stays legible at about 250 dpi), so a large JPEG is decoded at reduced size.
MAX_STORED_EDGE = 3000


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    mime: str
    original_name: str


def _display_name(name: str | None) -> str:
    name = (name or "berkas").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    return cleaned.strip()[:120] or "berkas"


def check_upload(storage, *, max_bytes: int) -> CheckedFile:
    """Validate an uploaded FileStorage; raise ValidationFailed with a plain reason."""
    if storage is None or not getattr(storage, "filename", None):
        raise ValidationFailed(_l("Pilih berkas foto atau PDF dokumen."), field="file")
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailed(
            _l("Berkas terlalu besar. Maksimal %(mb)d MB.", mb=max_bytes // 1_000_000),
            field="file",
        )
    if not data:
        raise ValidationFailed(_l("Berkas kosong."), field="file")
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime not in ALLOWED:
        raise ValidationFailed(
            _l("Hanya foto (JPG, PNG) atau PDF yang bisa diunggah."), field="file"
        )
    name = _display_name(storage.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[ALLOWED[mime]]:
        raise ValidationFailed(
            _l("Jenis berkas tidak sesuai dengan namanya. Unggah ulang berkas aslinya."),
            field="file",
        )
    if mime == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise ValidationFailed(_l("Berkas PDF rusak atau tidak lengkap."), field="file")
        return CheckedFile(data, mime, name)
    return CheckedFile(reencode_image(data, mime), mime, name)


class UploadsBusy(DomainError):
    """Every decode slot stayed taken for the whole wait: the client should try again."""

    status_code = 503
    code = "uploads_busy"

    def __init__(self):
        super().__init__(
            _l("Server sedang memproses banyak foto. Tunggu sebentar lalu kirim lagi."),
            field="file",
        )


class DecodeSlots:
    """At most ``limit`` image decodes at once (per app, which is per process in production:
    one app per worker). A caller waits up to ``wait`` seconds for a slot, then gets
    UploadsBusy. ``in_use``, ``waiting`` and ``peak`` are there to be read (tests, logs)."""

    def __init__(self, limit: int, wait: float):
        self.limit = limit
        self.wait = wait
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.in_use = 0
        self.waiting = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            self.waiting += 1
        try:
            acquired = self._slots.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self.waiting -= 1
        if not acquired:
            raise UploadsBusy()
        with self._lock:
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._lock:
                self.in_use -= 1
            self._slots.release()


_SLOTS_KEY = "pasarkita.decode_slots"
_slots_lock = threading.Lock()


def decode_slots(app=None) -> DecodeSlots:
    """The app's decode slots (UPLOAD_DECODE_SLOTS, UPLOAD_DECODE_WAIT_SECONDS)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    slots = app.extensions.get(_SLOTS_KEY)
    if slots is None:
        with _slots_lock:
            slots = app.extensions.get(_SLOTS_KEY)
            if slots is None:
                slots = DecodeSlots(
                    int(app.config.get("UPLOAD_DECODE_SLOTS", 2)),
                    float(app.config.get("UPLOAD_DECODE_WAIT_SECONDS", 5.0)),
                )
                app.extensions[_SLOTS_KEY] = slots
    return slots


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """``size`` scaled down (aspect kept) so that neither side exceeds ``edge``."""
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def check_header(probe, data_len: int) -> None:
    """Refuse on what the header says, before anything is decoded: too many pixels, or far
    too few bytes for that many pixels (a decompression bomb: real photos carry at least
    a tenth of a byte per pixel; a flat 40 MP PNG fits in 128 KB)."""
    width, height = probe.size
    pixels = width * height
    if pixels > MAX_PIXELS:
        raise ValidationFailed(
            _l("Ukuran foto terlalu besar (piksel). Kirim foto biasa dari HP."),
            field="file",
        )
    if pixels > BOMB_CHECK_FROM_PIXELS and data_len < pixels * MIN_BYTES_PER_PIXEL:
        raise ValidationFailed(
            _l(
                "Foto ini tidak wajar: berkasnya sangat kecil untuk jumlah pikselnya. "
                "Kirim foto biasa dari HP."
            ),
            field="file",
        )


def reencode_image(data: bytes, mime: str) -> bytes:
    """Check the header, then decode within the budget (JPEGs at reduced size, at most
    UPLOAD_DECODE_SLOTS decodes at once) and write a fresh image without metadata, at most
    MAX_STORED_EDGE pixels on its longer side."""
    bad = ValidationFailed(_l("Foto tidak bisa dibaca. Coba foto ulang."), field="file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                check_header(probe, len(data))  # Image.open has read the header only
                probe.verify()
            with decode_slots().slot(), Image.open(io.BytesIO(data)) as image:
                target = _fit(image.size, MAX_STORED_EDGE)
                if mime == "image/jpeg":
                    # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below the target.
                    image.draft("RGB", target)
                image.load()
                if image.size != target:
                    image.thumbnail(target)
                out = io.BytesIO()
                if mime == "image/jpeg":
                    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                else:
                    keep = (
                        image
                        if image.mode in ("RGB", "RGBA", "L", "LA", "P")
                        else (image.convert("RGBA"))
                    )
                    keep.save(out, "PNG", optimize=True)
                return out.getvalue()
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise bad from exc


def upload_dir() -> Path:
    path = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes) -> str:
    """Write under a random name (no extension, no user input in the path), as part of the
    session's transaction: the file is removed again if that transaction does not commit."""
    key = secrets.token_hex(16)
    folder = upload_dir()
    # Written under a temporary name and renamed: a crash mid-write never leaves a partial
    # file under a key (and send_stored refuses the temporary name: it is not alphanumeric).
    partial = folder / f".{key}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / key)
    db.session.info.setdefault(_WRITTEN, []).append(key)
    return key


def discard(key: str) -> None:
    (upload_dir() / key).unlink(missing_ok=True)


def discard_after_commit(key: str) -> None:
    """Delete a stored file once the transaction that drops its row has committed (a
    rollback keeps the row, so it must keep the file too)."""
    db.session.info.setdefault(_DROPPED, []).append(key)


# Files written and files to drop in the session's current transaction.
_WRITTEN = "uploads_written"
_DROPPED = "uploads_dropped"


@event.listens_for(db.session, "after_commit")
def _files_follow_commit(session) -> None:
    session.info.pop(_WRITTEN, None)  # committed rows now own these files
    for key in session.info.pop(_DROPPED, ()):
        discard(key)


@event.listens_for(db.session, "after_transaction_end")
def _files_follow_rollback(session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    # Still listed here means no commit (after_commit runs first and empties the lists).
    session.info.pop(_DROPPED, None)
    for key in session.info.pop(_WRITTEN, ()):
        discard(key)


# A file no row references is an orphan only once it is older than this: an upload still in
# its transaction (written, row not yet committed) is younger.
ORPHAN_MIN_AGE_SECONDS = 3600


def orphans(referenced: set[str], *, min_age_seconds: int = ORPHAN_MIN_AGE_SECONDS, now=None):
    """Files in the upload folder that no row references (``referenced``: every stored key),
    older than ``min_age_seconds``: stored keys and leftover ``.<key>.part`` files, nothing
    else the folder may hold. Sorted by name."""
    import time

    cutoff = (time.time() if now is None else now) - min_age_seconds
    found = []
    for path in upload_dir().iterdir():
        name = path.name
        partial = name.startswith(".") and name.endswith(".part") and name[1:-5].isalnum()
        if not (partial or (name.isalnum() and len(name) == 32)):
            continue
        if not partial and name in referenced:
            continue
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                found.append(path)
        except FileNotFoundError:  # removed meanwhile (another run)
            continue
    return sorted(found, key=lambda p: p.name)


def send_stored(key: str, *, mime: str, download_name: str):
    """Serve as an attachment with nosniff and a CSP that forbids everything."""
    if not key.isalnum():
        raise ValueError("bad storage key")
    if not (upload_dir() / key).is_file():
        from werkzeug.exceptions import NotFound as FileGone

        raise FileGone()  # erased (PDP) or lost: a 404, never a 500
    response = send_file(
        upload_dir() / key,
        mimetype=mime,
        as_attachment=True,
        download_name=download_name,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def product_photo_variants(data: bytes) -> dict[str, bytes]:
    """Large (max 1200 px) and thumbnail (max 400 px) JPEGs from a checked image."""
    out = {}
    with decode_slots().slot(), Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            image.draft("RGB", _fit(image.size, 1200))
        image.load()
        rgb = image.convert("RGB")
        for name, edge in (("large", 1200), ("thumb", 400)):
            copy = rgb.copy()
            copy.thumbnail((edge, edge))
            buffer = io.BytesIO()
            copy.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
            out[name] = buffer.getvalue()
    return out


def send_public_image(key: str):
    """A product photo: inline, cacheable, still nosniff."""
    if not key.isalnum():
        raise ValueError("bad storage key")
    response = send_file(upload_dir() / key, mimetype="image/jpeg", max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- responsive product photos (issue 16) ------------------------------------------------------

# Widths made once at upload, in both formats; a photo smaller than a width gets no larger
# copy (never upscaled). Bounded: every rendition fits a RENDITION_WIDTHS[-1] square.
RENDITION_WIDTHS = (160, 320, 640, 1200)
RENDITION_FORMATS = ("webp", "jpg")
RENDITION_MIME = {"webp": "image/webp", "jpg": "image/jpeg"}
# A year: a rendition's URL carries its content digest, so a changed photo has a new URL.
IMMUTABLE_MAX_AGE = 31_536_000


@dataclass(frozen=True)
class Rendition:
    fmt: str
    width: int
    height: int
    data: bytes

    @property
    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(self.data).hexdigest()[:16]


def photo_renditions(data: bytes, widths=RENDITION_WIDTHS) -> list[Rendition]:
    """WebP and JPEG copies of a checked image (``check_upload`` has refused bombs and
    stripped metadata; these are fresh encodes, so they carry no EXIF either) at each width
    of ``widths`` the photo reaches, smallest first, each within a width x width square."""
    out: list[Rendition] = []
    with decode_slots().slot(), Image.open(io.BytesIO(data)) as image:
        check_header(image, len(data))
        if image.format == "JPEG":
            image.draft("RGB", _fit(image.size, widths[-1]))
        image.load()
        rgb = image.convert("RGB")
    largest = max(rgb.size)
    edges = sorted({min(edge, largest) for edge in widths})
    for edge in edges:
        size = _fit(rgb.size, edge)
        copy = (
            rgb
            if size == rgb.size
            else rgb.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        for fmt in RENDITION_FORMATS:
            buffer = io.BytesIO()
            if fmt == "webp":
                copy.save(buffer, "WEBP", quality=72, method=2)  # 4 costs 2x for 3% less
            else:
                copy.save(buffer, "JPEG", quality=78, optimize=True, progressive=True)
            out.append(Rendition(fmt, size[0], size[1], buffer.getvalue()))
    return out


def send_rendition(key: str, *, fmt: str, public: bool):
    """A product photo rendition: inline, nosniff, cached for a year when anyone may see it
    (its URL changes with its content), private otherwise (an owner's unlisted product)."""
    if not key.isalnum():
        raise ValueError("bad storage key")
    if not (upload_dir() / key).is_file():
        from werkzeug.exceptions import NotFound as FileGone

        raise FileGone()  # erased (PDP) or lost: a 404, never a 500
    response = send_file(
        upload_dir() / key, mimetype=RENDITION_MIME[fmt], max_age=IMMUTABLE_MAX_AGE
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = (
        f"public, max-age={IMMUTABLE_MAX_AGE}, immutable" if public else "private, max-age=3600"
    )
    return response
