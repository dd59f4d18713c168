"""Issue 10 (item 7): each rule has one home. The storage quota (one atomic reservation for
documents and photos, files that follow the transaction), the product attributes type, and
the one definition of a product a shopper may see."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.businesses import storage
from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.catalog.attributes import ProductAttributes
from marketplace.catalog.models import Product
from marketplace.catalog.visibility import is_visible, visible_products
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db as _db
from marketplace.legality import services as legality
from tests.concurrency import race
from tests.factories import image_bytes, make_product, pdf_bytes

QUOTA = 1000


def _used(business_id: int) -> int:
    return _db.session.scalar(select(Business.storage_used_bytes).where(Business.id == business_id))


# --- storage quota --------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"BUSINESS_STORAGE_QUOTA_BYTES": QUOTA}], indirect=True)
def test_storage_reservation_never_exceeds_the_quota_under_concurrency(app, db, world):
    """Twelve threads, each its own app context and session, race for 1000 bytes."""
    business_id = world.biz_tebet.id
    db.session.commit()
    sizes = [100, 250, 50, 300, 120, 80, 200, 150, 90, 60, 400, 110]

    def attempt(i, business):
        if business is None:  # prepare: load in this thread's session
            return _db.session.get(Business, business_id)
        storage.reserve(business, sizes[i], message="full")

    ok, refused_at = race(app, len(sizes), attempt)
    accepted = [sizes[i] for i in ok]
    refused = [sizes[i] for i in refused_at]
    db.session.expire_all()
    used = _used(business_id)
    assert used == sum(accepted)
    assert used <= QUOTA
    # Every refusal was real: that reservation would not have fitted in what was left.
    assert all(used + size > QUOTA for size in refused)


@pytest.mark.parametrize("app_config", [{"BUSINESS_STORAGE_QUOTA_BYTES": QUOTA}], indirect=True)
def test_storage_reservation_refuses_with_the_callers_message_and_keeps_the_counter(db, world):
    business = world.biz_tebet
    storage.reserve(business, 900, message="full")
    with pytest.raises(ValidationFailed) as refused:
        storage.reserve(business, 101, message="penuh")
    assert refused.value.message == "penuh"
    assert refused.value.details["field"] == "file"
    assert business.storage_used_bytes == 900
    storage.reserve(business, 100, message="full")
    assert _used(business.id) == QUOTA


def test_storage_release_gives_bytes_back_but_never_below_zero(db, world):
    business = world.biz_tebet
    storage.reserve(business, 300, message="full")
    storage.release(business, 100)
    assert business.storage_used_bytes == 200
    storage.release(business, 500)
    assert business.storage_used_bytes == 0


def test_documents_and_photos_share_one_counter(db, world):
    business = world.biz_tebet
    product = make_product(business=business)
    legality.submit_document(
        business,
        kind="nib",
        number="9120003849102",
        issued_on=None,
        expires_on=None,
        file=FileStorage(io.BytesIO(pdf_bytes()), "nib.pdf"),
        actor=business.owner,
    )
    image = catalog.add_image(
        product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=business.owner
    )
    db.session.commit()
    assert _used(business.id) == len(pdf_bytes()) + image.size_bytes
    catalog.remove_image(product, image.id, actor=business.owner)
    db.session.commit()
    assert _used(business.id) == len(pdf_bytes())


def test_upload_files_are_removed_when_the_transaction_rolls_back(db, world, upload_folder):
    product = make_product(business=world.biz_tebet)
    image = catalog.add_image(
        product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=world.biz_tebet.owner
    )
    keys = [image.key_large, image.key_thumb]
    assert all((Path(upload_folder) / key).exists() for key in keys)
    db.session.rollback()
    assert not any((Path(upload_folder) / key).exists() for key in keys)
    assert not list(Path(upload_folder).glob(".*.part"))
    assert _used(world.biz_tebet.id) == 0


def test_upload_files_stay_when_the_transaction_commits(db, world, upload_folder):
    product = make_product(business=world.biz_tebet)
    image = catalog.add_image(
        product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=world.biz_tebet.owner
    )
    key = image.key_large
    db.session.commit()
    db.session.close()  # a later, separate transaction must not take the files away
    assert (Path(upload_folder) / key).exists()


def test_removed_photo_files_go_only_when_the_removal_commits(db, world, upload_folder):
    owner = world.biz_tebet.owner
    product = make_product(business=world.biz_tebet)
    image = catalog.add_image(product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=owner)
    db.session.commit()
    path = Path(upload_folder) / image.key_large
    image_id = image.id

    catalog.remove_image(product, image_id, actor=owner)
    db.session.rollback()
    assert path.exists()  # the row is back, so is its file

    catalog.remove_image(db.session.get(Product, product.id), image_id, actor=owner)
    db.session.commit()
    assert not path.exists()


def test_photo_positions_follow_the_rows_in_the_database(db, world):
    owner = world.biz_tebet.owner
    product = make_product(business=world.biz_tebet)
    first, second = (
        catalog.add_image(product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=owner)
        for _ in range(2)
    )
    catalog.remove_image(product, first.id, actor=owner)
    third = catalog.add_image(product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=owner)
    db.session.commit()
    assert (second.position, third.position) == (2, 3)


# --- product attributes ---------------------------------------------------------------------


def test_product_attributes_round_trip_through_the_model(db, world):
    attributes = ProductAttributes(
        shelf_life_days=30, storage="chilled", process="pasteurised", contains_milk=True
    )
    product = catalog.create_product(
        world.biz_tebet,
        catalog.ProductInput(
            name="Susu Kedelai",
            description="",
            ingredients="kedelai",
            category="kuliner",
            price_idr=12_000,
            stock=3,
            attributes=attributes,
        ),
        actor=world.biz_tebet.owner,
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, product.id).attributes() == attributes


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"shelf_life_days": 0}, "shelf_life_days"),
        ({"shelf_life_days": 3651}, "shelf_life_days"),
        ({"storage": "attic"}, "storage"),
        ({"process": "smoked"}, "process"),
        ({"production_site": "moon"}, "production_site"),
    ],
)
def test_product_attributes_refuse_values_outside_the_table(app, attributes, field):
    with pytest.raises(ValidationFailed) as refused:
        ProductAttributes.from_mapping(attributes).validate()
    assert refused.value.details["field"] == field


def test_product_attributes_from_a_mapping_take_known_keys_and_default_the_rest():
    built = ProductAttributes.from_mapping({"shelf_life_days": 90, "status": "listed"})
    assert built == ProductAttributes(shelf_life_days=90)


# --- the visible product --------------------------------------------------------------------


def test_visible_products_are_exactly_the_listed_ones(db, world):
    made = {
        status: make_product(business=world.biz_tebet, name=f"Produk {status}", status=status)
        for status in ("draft", "listed", "unlisted")
    }
    shown = set(db.session.scalars(visible_products().with_only_columns(Product.id)))
    assert shown == {made["listed"].id}
    assert [s for s, p in made.items() if is_visible(p)] == ["listed"]
