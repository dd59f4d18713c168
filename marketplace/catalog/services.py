"""Products: create, edit, list and unlist. Listing always passes the legality gate."""

from dataclasses import asdict, dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.businesses import storage
from marketplace.businesses.conflict import refuse_own
from marketplace.businesses.models import Business
from marketplace.catalog import takedown
from marketplace.catalog.attributes import ProductAttributes
from marketplace.catalog.categories import CATEGORIES
from marketplace.catalog.models import Product, ProductImage, ProductStatus
from marketplace.chapters.models import ChapterLead
from marketplace.core import audit
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.money import MAX_PRICE_IDR  # re-exported: the catalog's bound
from marketplace.core.statemachine import apply_transition
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.legality import services as legality
from marketplace.notifications.services import notify

MAX_STOCK = 1_000_000


@dataclass
class ProductInput:
    """The only fields an owner can set: status, business and ids are never taken from
    a form (mass assignment)."""

    name: str
    description: str
    ingredients: str
    category: str
    price_idr: int
    stock: int
    attributes: ProductAttributes = field(default_factory=ProductAttributes)
    # Shipping (issue 15): grams per unit with packaging; the parcel's size where it matters.
    weight_grams: int | None = None
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None


MAX_WEIGHT_GRAMS = 50_000
MAX_SIDE_CM = 300


HALAL_SENSITIVE = (
    "ingredients",
    "process",
    "contains_animal_material",
    "contains_milk",
    "alcohol",
    "non_halal_statement",
)


def _validate(data: ProductInput) -> dict:
    """The product's own columns, checked; its attributes are checked by their type."""
    values = asdict(data)
    del values["attributes"]
    values["name"] = (data.name or "").strip()
    values["description"] = (data.description or "").strip()
    values["ingredients"] = (data.ingredients or "").strip()
    if not 2 <= len(values["name"]) <= 120:
        raise ValidationFailed(_l("Nama produk wajib diisi (2-120 karakter)."), field="name")
    if len(values["description"]) > 5000:
        raise ValidationFailed(_l("Deskripsi maksimal 5.000 karakter."), field="description")
    if len(values["ingredients"]) > 2000:
        raise ValidationFailed(_l("Komposisi maksimal 2.000 karakter."), field="ingredients")
    if data.category not in CATEGORIES:
        raise ValidationFailed(_l("Pilih kategori produk."), field="category")
    for name, limit, message in (
        ("price_idr", MAX_PRICE_IDR, _l("Harga harus angka rupiah lebih dari 0.")),
        ("stock", MAX_STOCK, _l("Stok harus angka 0 atau lebih.")),
    ):
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or value > limit:
            raise ValidationFailed(message, field=name)
        if value < (1 if name == "price_idr" else 0):
            raise ValidationFailed(message, field=name)
    for name, limit, message in (
        ("weight_grams", MAX_WEIGHT_GRAMS, _l("Berat 1 sampai 50.000 gram.")),
        ("length_cm", MAX_SIDE_CM, _l("Ukuran kemasan 1 sampai 300 cm.")),
        ("width_cm", MAX_SIDE_CM, _l("Ukuran kemasan 1 sampai 300 cm.")),
        ("height_cm", MAX_SIDE_CM, _l("Ukuran kemasan 1 sampai 300 cm.")),
    ):
        value = values[name]
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit
        ):
            raise ValidationFailed(message, field=name)
    data.attributes.validate()
    return values


def create_product(business: Business, data: ProductInput, *, actor) -> Product:
    """A new product starts as a draft of ``business`` (a helper needs the products grant)."""
    from marketplace.assist import services as assist
    from marketplace.assist.models import AssistTask

    grant = assist.check_helper(actor, business, AssistTask.PRODUCTS)
    product = Product(business_id=business.id, status=ProductStatus.DRAFT, **_validate(data))
    product.set_attributes(data.attributes)
    db.session.add(product)
    db.session.flush()
    assist.record_assisted(grant, actor, business, AssistTask.PRODUCTS, "product.drafted", product)
    audit.record(
        "product.created", actor=actor, role="sme_owner", chapter=business.chapter, target=product
    )
    return product


def create_product_with_photos(
    business: Business, data: ProductInput, photos=(), *, actor
) -> Product:
    """The product form at creation (issue 16): the draft and its first photos, in the
    order chosen (the first is the cover), in one transaction."""
    product = create_product(business, data, actor=actor)
    add_images(product, photos, actor=actor)
    return product


def update_product(product: Product, data: ProductInput, *, actor) -> Product:
    """Edit an owner's product. Changing ingredients or process flags its halal
    certificate for re-verification, and a listed product that no longer passes the
    gate is unlisted at once. A helper may edit a draft only (drafting is the grant)."""
    from marketplace.assist import services as assist
    from marketplace.assist.models import AssistTask

    grant = assist.check_helper(actor, product.business, AssistTask.PRODUCTS)
    if grant is not None and product.status != ProductStatus.DRAFT:
        raise assist.HelperRefused()
    values = _validate(data)
    if product.option1_name:
        # Variants (issue 16): the stock is theirs (their sum) and the price keeps theirs > 0.
        from marketplace.catalog import variants

        values.pop("stock")
        variants.check_price(product, values["price_idr"])
    wanted = {**values, **data.attributes.as_dict()}
    halal_changed = any(getattr(product, key) != wanted[key] for key in HALAL_SENSITIVE)
    had_halal = any(d.kind == "halal" for d in product.documents)
    for key, value in values.items():
        setattr(product, key, value)
    product.set_attributes(data.attributes)
    if halal_changed and had_halal:
        product.halal_review_required = True
        for lead_id in db.session.scalars(
            select(ChapterLead.user_id).where(ChapterLead.chapter_id == product.business.chapter_id)
        ):
            notify(
                lead_id,
                "halal_review",
                product=product.name,
                business=product.business.name,
                link=external_url(
                    "lead.product",
                    chapter_slug=product.business.chapter.slug,
                    product_id=product.id,
                ),
            )
    db.session.flush()
    if product.status == ProductStatus.LISTED and legality.listing_blockers(product):
        apply_transition(
            product,
            "unlist",
            actor=actor,
            role="sme_owner",
            note="edited: no longer passes the legality gate",
        )
    audit.record(
        "product.updated",
        actor=actor,
        role="sme_owner",
        chapter=product.business.chapter,
        target=product,
    )
    assist.record_assisted(
        grant, actor, product.business, AssistTask.PRODUCTS, "product.edited", product
    )
    return product


class PhotoRequired(ValidationFailed):
    """Listing a product that has no photo, without saying "tanpa foto" (issue 16)."""

    code = "photo_required"

    def __init__(self):
        super().__init__(
            _l(
                'Tambahkan minimal satu foto produk, atau centang "Tampilkan tanpa foto" '
                "jika memang tidak ada fotonya."
            ),
            field="without_photo",
        )


def list_product(
    product: Product, *, actor, role: str = "sme_owner", without_photo: bool = False
) -> None:
    """Publish a product. Raises ListingGateError naming exactly what is missing, then
    PhotoRequired when it has no photo and the seller did not confirm "tanpa foto"."""
    takedown.refuse_if_taken_down(product)  # an admin's take-down stands until lifted
    legality.assert_listable(product)
    if not without_photo and not db.session.scalar(
        select(func.count(ProductImage.id)).where(ProductImage.product_id == product.id)
    ):
        raise PhotoRequired()
    apply_transition(product, "list", actor=actor, role=role)
    audit.record(
        "product.listed",
        actor=actor,
        role=role,
        chapter=product.business.chapter,
        target=product,
        **({"note": "tanpa foto"} if without_photo and not product.images else {}),
    )


def unlist_product(
    product: Product, *, actor, role: str = "sme_owner", note: str | None = None
) -> None:
    apply_transition(product, "unlist", actor=actor, role=role, note=note)
    audit.record(
        "product.unlisted", actor=actor, role=role, chapter=product.business.chapter, target=product
    )


def set_status(
    product: Product,
    status: str,
    *,
    actor,
    role: str = "sme_owner",
    without_photo: bool = False,
) -> None:
    """One entry point for 'make this product listed/unlisted' from any channel."""
    if status == ProductStatus.LISTED:
        list_product(product, actor=actor, role=role, without_photo=without_photo)
    elif status == ProductStatus.UNLISTED:
        unlist_product(product, actor=actor, role=role)
    else:
        raise ValidationFailed(_l("Status produk tidak dikenal."), field="status")


def confirm_halal_review(product: Product, *, actor, note: str | None = None) -> None:
    """A lead confirms the halal certificate still covers the edited product (never for a
    product of the lead's own business)."""
    refuse_own(
        product.business,
        actor,
        _l("Produk usaha Anda sendiri: diperiksa pengurus lain atau admin"),
    )
    if not product.halal_review_required:
        raise ValidationFailed(_l("Produk ini tidak menunggu pemeriksaan halal."))
    product.halal_review_required = False
    audit.record(
        "product.halal_reconfirmed",
        actor=actor,
        role="lead",
        chapter=product.business.chapter,
        target=product,
        note=note or "",
    )


def products_of(business: Business) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.business_id == business.id)
            .order_by(Product.name)
            .options(selectinload(Product.images))  # the cover and "tanpa foto" on each
        )
    )


MAX_IMAGES = 5
THUMB_WIDTH = 320  # the JPEG the old /media/p/<id>/thumb.jpg URL serves


def add_image(product: Product, file, *, actor) -> ProductImage:
    """Add a photo (JPEG/PNG, re-encoded, metadata stripped); at most five per product."""
    from flask import current_app

    from marketplace.core import uploads

    if len(product.images) >= MAX_IMAGES:
        raise ValidationFailed(_l("Maksimal %(n)d foto per produk.", n=MAX_IMAGES), field="file")
    checked = uploads.check_upload(file, max_bytes=current_app.config["MAX_DOCUMENT_BYTES"])
    if checked.mime == "application/pdf":
        raise ValidationFailed(_l("Foto produk harus JPG atau PNG."), field="file")
    renditions = uploads.photo_renditions(checked.data)
    size = sum(len(r.data) for r in renditions)
    business = product.business
    storage.reserve(
        business,
        size,
        message=_l("Ruang penyimpanan usaha Anda sudah penuh. Hapus foto lama dulu."),
    )
    # Counted again in SQL after the reservation: its UPDATE locks the business row, so a
    # concurrent upload for the same business waits there and then sees this photo.
    count, last = db.session.execute(
        select(
            func.count(ProductImage.id), func.coalesce(func.max(ProductImage.position), 0)
        ).where(ProductImage.product_id == product.id)
    ).one()
    if count >= MAX_IMAGES:
        storage.release(business, size)
        raise ValidationFailed(_l("Maksimal %(n)d foto per produk.", n=MAX_IMAGES), field="file")
    image = ProductImage(product_id=product.id, position=last + 1)
    _store_renditions(image, renditions)
    product.images.append(image)
    db.session.flush()
    audit.record(
        "product.image_added",
        actor=actor,
        role="sme_owner",
        chapter=business.chapter,
        target=product,
    )
    return image


def _store_renditions(image: ProductImage, renditions) -> None:
    """Write each rendition (as part of this transaction: removed again if it does not
    commit) and point the image at them; the largest and the ~320 px JPEG also serve the
    old /media/p/<id>/large.jpg and thumb.jpg URLs."""
    from marketplace.core import uploads

    stored: list[dict] = [
        {
            "f": r.fmt,
            "w": r.width,
            "h": r.height,
            "k": uploads.store(r.data),
            "d": r.digest,
            "b": len(r.data),
        }
        for r in renditions
    ]
    jpegs = [r for r in stored if r["f"] == "jpg"]
    thumb = min(jpegs, key=lambda r: abs(r["w"] - THUMB_WIDTH))
    image.renditions = stored
    image.size_bytes = sum(r["b"] for r in stored)
    image.key_large, image.key_thumb = jpegs[-1]["k"], thumb["k"]
    image.width, image.height = jpegs[-1]["w"], jpegs[-1]["h"]


def images_without_renditions(after_id: int = 0, limit: int = 100) -> list[ProductImage]:
    """Photos stored before responsive renditions (issue 16), by id from ``after_id``."""
    return list(
        db.session.scalars(
            select(ProductImage)
            .where(
                ProductImage.id > after_id,
                func.coalesce(func.json_array_length(ProductImage.renditions), 0) == 0,
            )
            .order_by(ProductImage.id)
            .limit(limit)
        )
    )


def backfill_renditions(image: ProductImage) -> int:
    """Make the WebP/JPEG renditions of a photo stored before them, from its large JPEG.

    The old large and thumbnail files are deleted once this commits; the business's storage
    use follows the new size. The platform does this for the seller, so the quota does not
    refuse it (the renditions replace files it already counted). Returns the new size."""
    from marketplace.core import uploads

    if image.renditions:
        return image.size_bytes
    old_keys = {image.key_large, image.key_thumb}
    old_size = image.size_bytes
    data = (uploads.upload_dir() / image.key_large).read_bytes()
    _store_renditions(image, uploads.photo_renditions(data))
    business = db.session.get_one(Product, image.product_id).business
    storage.release(business, old_size)
    storage.charge(business, image.size_bytes)
    db.session.flush()
    for key in sorted(old_keys - image.stored_keys()):
        uploads.discard_after_commit(key)
    return image.size_bytes


def remove_image(product: Product, image_id: int, *, actor) -> None:
    from marketplace.core import uploads

    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise NotFound()
    storage.release(product.business, image.size_bytes)
    keys = image.stored_keys()
    product.images.remove(image)
    db.session.flush()
    for key in sorted(keys):
        uploads.discard_after_commit(key)


def add_images(product: Product, files, *, actor) -> list[ProductImage]:
    """Photos chosen on the product form (at creation or later), in the order given: the
    first of a product without photos becomes its cover. Empty file fields are skipped."""
    chosen = [f for f in files or () if f is not None and getattr(f, "filename", None)]
    if len(product.images) + len(chosen) > MAX_IMAGES:
        raise ValidationFailed(_l("Maksimal %(n)d foto per produk.", n=MAX_IMAGES), field="photos")
    return [add_image(product, f, actor=actor) for f in chosen]


def _renumber(product: Product, ordered: list[ProductImage]) -> None:
    """Positions 1..n in ``ordered``'s order. Moved out of the way first: (product_id,
    position) is unique and the database checks each UPDATE."""
    if [i.position for i in ordered] == list(range(1, len(ordered) + 1)):
        return
    for n, image in enumerate(ordered, start=1):
        image.position = -n
    db.session.flush()
    for n, image in enumerate(ordered, start=1):
        image.position = n
    db.session.flush()
    db.session.expire(product, ["images"])


def reorder_image(product: Product, image_id: int, move: str, *, actor) -> None:
    """Move a photo: ``cover`` makes it the first (the cover every card shows), ``up`` and
    ``down`` swap it with its neighbour."""
    ordered = list(product.images)
    image = next((i for i in ordered if i.id == image_id), None)
    if image is None:
        raise NotFound()
    at = ordered.index(image)
    ordered.pop(at)
    if move == "cover":
        at = 0
    elif move == "up":
        at = max(0, at - 1)
    elif move == "down":
        at = min(len(ordered), at + 1)
    else:
        raise ValidationFailed(_l("Urutan foto tidak dikenal."), field="move")
    ordered.insert(at, image)
    _renumber(product, ordered)
    audit.record(
        "product.images_reordered",
        actor=actor,
        role="sme_owner",
        chapter=product.business.chapter,
        target=product,
        note=f"{move} {image_id}",
    )
