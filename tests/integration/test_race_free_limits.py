"""Issue 12 (item 3): limits hold under simultaneous requests, on SQLite and PostgreSQL
(.ci/run runs this file on both). Real threads, each with its own app context and session,
released together by a barrier; no timed assertions."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product, ProductImage
from marketplace.core import uploads
from marketplace.extensions import db as _db
from marketplace.legality.models import LegalityDocument
from tests.concurrency import race
from tests.factories import image_bytes, make_business, make_product, make_ready_member

# --- the monthly endorsement quota ------------------------------------------------------------

QUOTA = 5


@pytest.mark.plugin("referrals")
@pytest.mark.parametrize("app_config", [{"REFERRAL_BASE_QUOTA": QUOTA}], indirect=True)
def test_endorsement_quota_holds_for_simultaneous_sends(app, db, world):
    """N+3 simultaneous sends by one lead against a quota of N: exactly N are sent, the rest
    are refused with the quota message."""
    from referrals import services
    from referrals.models import Referral
    from referrals.services.endorsement import QuotaExceeded
    from tests.factories import make_bank, make_referral

    lead = world.lead_tebet
    bank = make_bank(slug="bank-race", name="Bank Race", chapters=[world.tebet])
    sessions = None
    ids = []
    for i in range(QUOTA + 3):
        business = make_business(chapter=world.tebet, name=f"Usaha Balapan {i}")
        make_ready_member(business=business, lead=lead, sessions=sessions)
        referral = make_referral(business=business, bank=bank, lead=lead, status="consented")
        referral.no_other_credit = True
        db.session.commit()
        ids.append(referral.id)
    lead_id = lead.id
    messages = []

    def attempt(i, prepared):
        if prepared is None:
            return True
        referral = _db.session.get(Referral, ids[i])
        try:
            services.endorse_and_send(
                referral,
                lead=_db.session.get(type(lead), lead_id),
                recommendation="Buku kas rapi, hadir semua sesi, siap untuk KUR.",
            )
        except QuotaExceeded as exc:
            messages.append(str(exc.message))
            raise

    ok, refused = race(app, QUOTA + 3, attempt)
    assert len(ok) == QUOTA
    assert len(refused) == 3
    assert all("Kuota rekomendasi Anda bulan ini sudah habis (5)" in m for m in messages)
    db.session.expire_all()
    sent = db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.lead_id == lead_id, Referral.status == "sent"
        )
    )
    assert sent == QUOTA
    assert services.endorsements_this_month(lead_id) == QUOTA


@pytest.mark.plugin("referrals")
@pytest.mark.parametrize("app_config", [{"REFERRAL_BASE_QUOTA": 1}], indirect=True)
def test_endorsement_quota_counts_what_was_sent_before_the_counter_existed(db, world):
    from referrals import services
    from referrals.services.endorsement import take_endorsement
    from tests.factories import make_bank, make_referral

    bank = make_bank(slug="bank-old", name="Bank Lama", chapters=[world.tebet])
    make_referral(business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="sent")
    sent = services.endorsements_this_month(world.lead_tebet.id)
    assert take_endorsement(world.lead_tebet.id, sent) is False
    assert take_endorsement(world.lead_tebet.id, sent + 1) is True
    assert take_endorsement(world.lead_tebet.id, sent + 1) is False


# --- photo uploads: the storage quota and image positions ------------------------------------


def _files(folder) -> set[str]:
    return {p.name for p in Path(folder).iterdir()}


def _referenced() -> set[str]:
    keys = set(_db.session.scalars(select(LegalityDocument.file_key)))
    for image in _db.session.scalars(select(ProductImage)):
        keys |= image.stored_keys()
    return keys


def _photo_size() -> int:
    """Bytes one test photo takes once stored (computed at collection: a bare app context
    gives the decode its slots)."""
    from flask import Flask

    with Flask(__name__).app_context():
        return sum(len(r.data) for r in uploads.photo_renditions(image_bytes()))


def test_ten_simultaneous_photos_to_one_product_fill_five_positions_and_leave_no_files(
    app, db, world, upload_folder
):
    product_id = make_product(business=world.biz_tebet).id
    owner_id = world.biz_tebet.owner_id
    before = _files(upload_folder)
    data = image_bytes()

    def attempt(i, prepared):
        if prepared is None:
            return True
        product = _db.session.get(Product, product_id)
        owner = _db.session.get(type(world.biz_tebet.owner), owner_id)
        catalog.add_image(product, FileStorage(io.BytesIO(data), f"{i}.jpg"), actor=owner)

    ok, refused = race(app, 10, attempt)
    assert len(ok) == catalog.MAX_IMAGES
    db.session.expire_all()
    images = db.session.scalars(
        select(ProductImage).where(ProductImage.product_id == product_id)
    ).all()
    assert sorted(i.position for i in images) == list(range(1, catalog.MAX_IMAGES + 1))
    used = db.session.scalar(
        select(Business.storage_used_bytes).where(Business.id == world.biz_tebet.id)
    )
    assert used == sum(i.size_bytes for i in images)
    new_files = _files(upload_folder) - before
    assert new_files == {k for i in images for k in i.stored_keys()}
    assert not [name for name in new_files if name.endswith(".part")]


@pytest.mark.parametrize(
    "app_config", [{"BUSINESS_STORAGE_QUOTA_BYTES": 4 * _photo_size() + 10}], indirect=True
)
def test_eight_simultaneous_photos_to_eight_products_keep_the_counter_equal_to_stored_bytes(
    app, db, world, upload_folder
):
    business = world.biz_tebet
    product_ids = [make_product(business=business, name=f"Produk {i}").id for i in range(8)]
    owner_id = business.owner_id
    before = _files(upload_folder)
    data = image_bytes()

    def attempt(i, prepared):
        if prepared is None:
            return True
        product = _db.session.get(Product, product_ids[i])
        owner = _db.session.get(type(business.owner), owner_id)
        catalog.add_image(product, FileStorage(io.BytesIO(data), f"{i}.jpg"), actor=owner)

    ok, refused = race(app, 8, attempt)
    assert len(ok) == 4  # the quota holds four photos
    db.session.expire_all()
    images = db.session.scalars(
        select(ProductImage).where(ProductImage.product_id.in_(product_ids))
    ).all()
    stored = sum(
        (Path(upload_folder) / key).stat().st_size for i in images for key in i.stored_keys()
    )
    used = db.session.scalar(select(Business.storage_used_bytes).where(Business.id == business.id))
    assert used == stored == sum(i.size_bytes for i in images)
    assert _files(upload_folder) - before == {k for i in images for k in i.stored_keys()}
    assert _referenced() >= _files(upload_folder) - before


# --- mentoring session capacity ----------------------------------------------------------------


def test_session_capacity_holds_for_simultaneous_signups(app, db, world):
    """Seven members sign up at once for a session with three places: exactly three get in,
    the others are told it is full (a count-then-insert let all seven in)."""
    from marketplace.mentoring import services as mentoring
    from marketplace.mentoring.models import SessionSignup
    from marketplace.mentoring.services import SessionFull
    from tests.factories import make_session

    session_id = make_session(
        chapter=world.tebet, lead=world.lead_tebet, days_from_now=3, capacity=3
    ).id
    business_ids = [make_business(chapter=world.tebet, name=f"Anggota {i}").id for i in range(7)]
    refusals = []

    def attempt(i, prepared):
        if prepared is None:
            return True
        business = _db.session.get(Business, business_ids[i])
        try:
            mentoring.sign_up(business, session_id, actor=business.owner)
        except SessionFull as exc:
            refusals.append(str(exc.message))
            raise

    ok, refused = race(app, 7, attempt)
    assert len(ok) == 3
    assert refusals == ["Maaf, tempat di sesi ini sudah penuh."] * 4
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(SessionSignup.id)).where(SessionSignup.session_id == session_id)
        )
        == 3
    )


# --- the orphan files job -----------------------------------------------------------------------


def test_uploads_orphans_lists_then_deletes_only_old_unreferenced_files(
    app, db, world, upload_folder
):
    """`flask uploads orphans` lists files no document or photo references, older than an
    hour; --delete removes them, and a second run finds nothing (idempotent). Referenced
    files, young files (an upload still in its transaction) and other files stay."""
    import os
    import time

    from marketplace.catalog.cli import uploads_cli
    from tests.factories import make_document

    owner = world.biz_tebet.owner
    product = make_product(business=world.biz_tebet)
    image = catalog.add_image(product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=owner)
    document = make_document(business=world.biz_tebet, kind="nib")
    db.session.commit()
    folder = Path(upload_folder)
    old = time.time() - 2 * 3600
    orphan = folder / ("a" * 32)
    partial = folder / f".{'b' * 32}.part"
    young = folder / ("c" * 32)
    other = folder / "README.txt"
    for path in (orphan, partial, young, other):
        path.write_bytes(b"x")
    for path in (orphan, partial, other, folder / image.key_large, folder / document.file_key):
        os.utime(path, (old, old))

    runner = app.test_cli_runner()
    listed = runner.invoke(uploads_cli, ["orphans"])
    assert listed.exit_code == 0, listed.output
    assert f"orphan {orphan.name}" in listed.output
    assert f"orphan {partial.name}" in listed.output
    for kept in (young, other, folder / image.key_large, folder / document.file_key):
        assert kept.name not in listed.output
    assert orphan.exists()
    assert partial.exists()

    removed = runner.invoke(uploads_cli, ["orphans", "--delete"])
    assert removed.exit_code == 0, removed.output
    assert "removed 2 orphan file(s)" in removed.output
    assert not orphan.exists()
    assert not partial.exists()
    for kept in (young, other, folder / image.key_large, folder / image.key_thumb):
        assert kept.exists()
    assert (folder / document.file_key).exists()

    again = runner.invoke(uploads_cli, ["orphans", "--delete"])
    assert again.exit_code == 0
    assert "removed 0 orphan file(s)" in again.output
    young.unlink()
    other.unlink()


def test_simultaneous_check_ins_for_one_member_and_month_keep_one_row(app, db, world):
    """Two leads save this month's evaluation of one member at once (six requests): no
    error, one check-in for the month (a select-then-insert hit the unique constraint)."""
    from marketplace.accounts.models import User
    from marketplace.mentoring import services as mentoring
    from marketplace.mentoring.models import CheckIn
    from tests.factories import make_lead

    leads = [world.lead_tebet.id, make_lead(chapter=world.tebet).id]
    business_id = world.biz_tebet.id
    chapter_id = world.tebet.id

    def attempt(i, prepared):
        if prepared is None:
            return True
        from marketplace.chapters.models import Chapter

        mentoring.record_check_in(
            _db.session.get(Chapter, chapter_id),
            business_id,
            applies_learning=bool(i % 2),
            books_kept=True,
            next_step=f"Langkah {i}",
            actor=_db.session.get(User, leads[i % 2]),
        )

    ok, refused = race(app, 6, attempt)
    assert len(ok) == 6
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.business_id == business_id))
        == 1
    )
