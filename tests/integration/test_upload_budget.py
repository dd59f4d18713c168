"""Issue 12 (item 6): a decode budget for uploads. The header is judged before anything is
decoded (pixel count, bytes per pixel), large JPEGs are decoded at reduced size and stored
bounded, and at most UPLOAD_DECODE_SLOTS decodes run at once (a long wait answers 503)."""

import io
import os
import struct
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.core import uploads
from marketplace.legality.models import LegalityDocument
from tests.integration.test_legality_gate import upload

BOMB_MESSAGE = "berkasnya sangat kecil untuk jumlah pikselnya"
PIXEL_MESSAGE = "Ukuran foto terlalu besar (piksel)"
BUSY_MESSAGE = "Server sedang memproses banyak foto"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def flat_png(width: int, height: int) -> bytes:
    """A valid, flat RGB PNG, compressed row by row (never held decoded in memory)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * 3)  # filter byte + black pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def gradient_jpeg(width: int, height: int) -> bytes:
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.FLIP_LEFT_RIGHT), gradient))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _files(folder) -> set[str]:
    return set(os.listdir(folder))


def _documents(db) -> int:
    return db.session.scalar(select(func.count(LegalityDocument.id)))


def test_a_bomb_png_is_refused_on_its_header_with_the_bomb_message(
    csrf_client, login_as, db, world, upload_folder
):
    """39.6 MP in about 115 KB: refused for its bytes per pixel; the same header with its
    data cut off gets the same answer, so the refusal needed no decoding."""
    bomb = flat_png(7700, 5143)
    assert len(bomb) < 131_000
    truncated = bomb[:4096]  # IHDR and the start of IDAT: decoding this would fail
    before = _files(upload_folder)
    login_as(csrf_client.client, world.biz_tebet.owner)
    for content in (bomb, truncated):
        response = upload(
            csrf_client, kind="nib", number="9120003849102", content=content, name="nib.png"
        )
        assert response.status_code == 400
        assert BOMB_MESSAGE in response.get_data(as_text=True)
    assert _documents(db) == 0
    assert _files(upload_folder) == before


def test_too_many_pixels_in_a_truncated_header_is_refused_with_the_pixel_message(
    csrf_client, login_as, db, world
):
    truncated = flat_png(8000, 5001)[:4096]  # 40.008 MP, data cut off
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = upload(
        csrf_client, kind="nib", number="9120003849102", content=truncated, name="nib.png"
    )
    assert response.status_code == 400
    assert PIXEL_MESSAGE in response.get_data(as_text=True)


def test_a_big_jpeg_is_accepted_and_stored_downscaled(
    csrf_client, login_as, db, world, upload_folder
):
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = upload(
        csrf_client,
        kind="nib",
        number="9120003849102",
        content=gradient_jpeg(6000, 4000),
        name="nib.jpg",
    )
    assert response.status_code == 302
    document = db.session.scalar(select(LegalityDocument))
    stored = Image.open(io.BytesIO((Path(upload_folder) / document.file_key).read_bytes()))
    assert stored.format == "JPEG"
    assert stored.size == (uploads.MAX_STORED_EDGE, 2000)
    assert document.file_size == len((Path(upload_folder) / document.file_key).read_bytes())


def test_a_small_image_keeps_its_size(csrf_client, login_as, db, world, upload_folder):
    login_as(csrf_client.client, world.biz_tebet.owner)
    content = gradient_jpeg(640, 480)
    response = upload(
        csrf_client, kind="nib", number="9120003849102", content=content, name="nib.jpg"
    )
    assert response.status_code == 302
    document = db.session.scalar(select(LegalityDocument))
    with Image.open(Path(upload_folder) / document.file_key) as stored:
        assert stored.size == (640, 480)


@pytest.mark.parametrize(
    "app_config", [{"UPLOAD_DECODE_SLOTS": 1, "UPLOAD_DECODE_WAIT_SECONDS": 0.2}], indirect=True
)
def test_an_upload_that_finds_every_decode_slot_busy_is_told_to_try_again(
    app, csrf_client, login_as, db, world, upload_folder
):
    login_as(csrf_client.client, world.biz_tebet.owner)
    before = _files(upload_folder)
    slots = uploads.decode_slots(app)
    with slots.slot():  # the one slot is taken for the whole request
        response = upload(
            csrf_client,
            kind="nib",
            number="9120003849102",
            content=gradient_jpeg(640, 480),
            name="nib.jpg",
        )
    assert response.status_code == 503
    assert BUSY_MESSAGE in response.get_data(as_text=True)
    assert _documents(db) == 0
    assert _files(upload_folder) == before
    # Once the slot is free the same upload goes through.
    response = upload(
        csrf_client,
        kind="nib",
        number="9120003849102",
        content=gradient_jpeg(640, 480),
        name="nib.jpg",
    )
    assert response.status_code == 302
    assert _documents(db) == 1


@pytest.mark.parametrize(
    "app_config", [{"UPLOAD_DECODE_SLOTS": 2, "UPLOAD_DECODE_WAIT_SECONDS": 60}], indirect=True
)
def test_n_plus_one_concurrent_uploads_wait_for_the_n_decode_slots(
    app, login_as, db, world, upload_folder
):
    """Three uploads (real threads, each its own client) against two slots: while the test
    holds both slots all three wait; released, all three are stored, never more than two
    decodes at once, no 5xx."""
    from tests.conftest import Browserish

    owner = world.biz_tebet.owner
    clients = []
    for _ in range(3):
        client = Browserish(app.test_client(), app)
        login_as(client.client, owner)
        clients.append(client)
    db.session.commit()
    content = gradient_jpeg(1600, 1200)
    slots = uploads.decode_slots(app)
    statuses: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def send(client):
        try:
            response = upload(
                client, kind="nib", number="9120003849102", content=content, name="nib.jpg"
            )
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # surfaced below
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    held = [slots.slot() for _ in range(slots.limit)]
    for slot in held:
        slot.__enter__()
    try:
        for thread in threads:
            thread.start()
        # All three reach the semaphore and wait (no decode can start while it is held).
        waited = threading.Event()
        for _ in range(6000):
            if slots.waiting == 3 or failures or not any(t.is_alive() for t in threads):
                break
            waited.wait(0.01)
        assert slots.waiting == 3
        assert statuses == []
    finally:
        for slot in held:
            slot.__exit__(None, None, None)
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(statuses) == [302, 302, 302]
    assert slots.peak <= slots.limit
    assert slots.in_use == 0
    db.session.expire_all()
    assert _documents(db) == 3
