"""Product variants (issue 16): sizes, colours or one option the seller names, each
combination with its own stock and an optional price difference.

While a product has active variants its ``stock`` is their sum, written in the same
transaction as every variant change (``sync_stock``: one UPDATE from a SUM), so listings,
search ``in_stock``, cards and the out-of-stock rules keep reading one column. A removed
variant is made inactive, never deleted: order lines and carts point at it.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from marketplace.catalog.models import Product, ProductStatus, ProductVariant
from marketplace.core import audit
from marketplace.core.errors import ValidationFailed
from marketplace.core.numbers import parse_amount_idr
from marketplace.extensions import db

MAX_VARIANTS = 30
MAX_VARIANT_STOCK = 1_000_000
SIZE = "Ukuran"
COLOUR = "Warna"
# The option names a seller picks from; at most one option may have a name of its own.
KNOWN_OPTIONS = (SIZE, COLOUR)
MAX_NAME = 30
MAX_VALUE = 40
# A size the search facet knows: letters (S, M, XL, 3XL, ALL SIZE) or a number (38, 40).
_SIZE_LABEL = re.compile(r"^(?:\d{1,3}|[2-6]?X{0,4}[SML]|ALL ?SIZE|FREE ?SIZE|JUMBO)$")
MAX_SIZES_PER_PRODUCT = 12


@dataclass
class VariantRow:
    """One row of the variants form as typed ("65.000", "-5.000" are fine): ``id`` names an
    existing variant of the product, ``remove`` takes it off sale."""

    option1: str = ""
    option2: str = ""
    stock: str | int | None = None
    price_delta: str | int | None = None
    id: int | None = None
    remove: bool = False

    def blank(self) -> bool:
        return self.id is None and not any(
            str(v or "").strip() for v in (self.option1, self.option2, self.stock, self.price_delta)
        )


def _clean_name(value) -> str:
    return " ".join(str(value or "").split())


def _number(raw, *, signed: bool, field: str, message) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text:
            return 0
        negative = text.startswith("-")
        if negative and not signed:
            raise ValidationFailed(message, field=field)
        try:
            value = parse_amount_idr(text[1:] if negative else text)
        except ValueError as error:
            raise ValidationFailed(error.args[0], field=field) from None
        value = -value if negative else value
    if not signed and value < 0:
        raise ValidationFailed(message, field=field)
    return value


def _check_names(option1_name, option2_name) -> tuple[str, str | None]:
    first = _clean_name(option1_name)
    second = _clean_name(option2_name) or None
    if not 1 <= len(first) <= MAX_NAME:
        raise ValidationFailed(
            _l("Tulis nama pilihan, contoh Ukuran, Warna atau Motif."), field="option1_name"
        )
    if second is not None and len(second) > MAX_NAME:
        raise ValidationFailed(_l("Nama pilihan maksimal 30 karakter."), field="option2_name")
    if second is not None and second.lower() == first.lower():
        raise ValidationFailed(_l("Dua pilihan tidak boleh bernama sama."), field="option2_name")
    own = [n for n in (first, second) if n and n.title() not in KNOWN_OPTIONS]
    if len(own) > 1:
        raise ValidationFailed(
            _l("Hanya satu pilihan boleh bernama sendiri; yang lain Ukuran atau Warna."),
            field="option2_name",
        )
    # "ukuran" and "UKURAN" are the size option: the search facet reads it by name.
    return (
        first.title() if first.title() in KNOWN_OPTIONS else first,
        second.title() if second and second.title() in KNOWN_OPTIONS else second,
    )


def set_variants(product: Product, option1_name, option2_name, rows, *, actor) -> Product:
    """Replace the product's variants by ``rows`` (all checked first: on any refused row
    nothing changes, every refusal is reported at once). Rows naming an existing variant
    update it, new rows add one, ``remove`` (or leaving an existing variant out) makes it
    inactive. No row left: the product has no variants again (its stock 0 until the
    seller sets it). The product's stock becomes the sum of the active variants'."""
    from marketplace.assist import services as assist
    from marketplace.assist.models import AssistTask
    from marketplace.core.errors import FieldErrors

    grant = assist.check_helper(actor, product.business, AssistTask.PRODUCTS)
    if grant is not None and product.status != ProductStatus.DRAFT:
        raise assist.HelperRefused()  # as update_product: a helper drafts, the owner sells
    indexed = [(n, r) for n, r in enumerate(rows) if not r.blank()]
    wanted = [r for _, r in indexed if not r.remove]
    errors = FieldErrors()
    names: tuple[str, str | None] = ("", None)
    if wanted:
        with errors.on("option1_name"):
            names = _check_names(option1_name, option2_name)
    if len(wanted) > MAX_VARIANTS:
        with errors.on("variants"):
            raise ValidationFailed(
                _l("Maksimal %(n)d varian per produk.", n=MAX_VARIANTS), field="variants"
            )
    existing = {v.id: v for v in product.variants}
    seen: dict[tuple[str, str], int] = {}
    checked = []
    for n, row in indexed:
        prefix = f"variant-{n}-"
        if row.id is not None and row.id not in existing:
            with errors.on(prefix + "option1"):
                raise ValidationFailed(_l("Varian ini bukan milik produk ini."))
            continue
        if row.remove:
            checked.append((row, None))
            continue
        first, second = _clean_name(row.option1), _clean_name(row.option2)
        if names[0].title() == SIZE:
            first = first.upper()
        if names[1] and names[1].title() == SIZE:
            second = second.upper()
        with errors.on(prefix + "option1"):
            if not 1 <= len(first) <= MAX_VALUE:
                raise ValidationFailed(
                    _l("Baris %(n)d: isi %(name)s, contoh M.", n=n + 1, name=names[0])
                )
        with errors.on(prefix + "option2"):
            if names[1] and not 1 <= len(second) <= MAX_VALUE:
                raise ValidationFailed(_l("Baris %(n)d: isi %(name)s.", n=n + 1, name=names[1]))
            if not names[1] and second:
                raise ValidationFailed(
                    _l("Baris %(n)d: beri nama pilihan kedua dulu, contoh Warna.", n=n + 1)
                )
        key = (first.lower(), second.lower())
        if first and key in seen:
            with errors.on(prefix + "option1"):
                raise ValidationFailed(
                    _l(
                        "Baris %(n)d sama dengan baris %(m)d: setiap varian harus berbeda.",
                        n=n + 1,
                        m=seen[key] + 1,
                    )
                )
        seen.setdefault(key, n)
        stock = delta = 0
        with errors.on(prefix + "stock"):
            stock = _number(
                row.stock,
                signed=False,
                field=prefix + "stock",
                message=_l("Baris %(n)d: stok harus angka 0 atau lebih.", n=n + 1),
            )
            if stock > MAX_VARIANT_STOCK:
                raise ValidationFailed(_l("Baris %(n)d: stok terlalu besar.", n=n + 1))
        with errors.on(prefix + "price_delta"):
            delta = _number(
                row.price_delta,
                signed=True,
                field=prefix + "price_delta",
                message=_l("Baris %(n)d: selisih harga tidak valid.", n=n + 1),
            )
            if product.price_idr + delta <= 0:
                raise ValidationFailed(
                    _l(
                        "Baris %(n)d: harga setelah selisih harus lebih dari Rp0.",
                        n=n + 1,
                    )
                )
        checked.append((row, (first, second, stock, delta)))
    errors.raise_if_any()

    keep: set[int] = set()
    by_key = {(v.option1.lower(), v.option2.lower()): v for v in product.variants}
    position = 0
    for row, values in checked:
        if values is None:
            continue
        first, second, stock, delta = values
        variant = existing.get(row.id) if row.id is not None else None
        if variant is None:
            # Re-adding a label removed earlier brings that variant back (its id is kept).
            variant = by_key.get((first.lower(), second.lower()))
        if variant is None:
            variant = ProductVariant(option1=first, option2=second)
            product.variants.append(variant)
        position += 1
        variant.option1, variant.option2 = first, second
        variant.stock, variant.price_delta_idr = stock, delta
        variant.position, variant.active = position, True
        if variant.id is not None:
            keep.add(variant.id)
    removed = 0
    for variant in product.variants:
        if variant.id is not None and variant.id not in keep and variant.active:
            variant.active = False
            removed += 1
    if position:
        product.option1_name, product.option2_name = names
    elif product.option1_name:
        # The last variant removed: nothing is for sale until the seller sets a stock.
        product.option1_name = product.option2_name = None
        if removed:
            product.stock = 0
    db.session.flush()
    sync_stock(product)
    audit.record(
        "product.variants_set",
        actor=actor,
        role="sme_owner",
        chapter=product.business.chapter,
        target=product,
        variants=position,
    )
    assist.record_assisted(
        grant, actor, product.business, AssistTask.PRODUCTS, "product.edited", product
    )
    return product


def sync_stock(product: Product) -> None:
    """product.stock = the sum of its active variants' stock, in SQL (one UPDATE), for a
    product that has variants; a product without keeps its own stock."""
    if not product.option1_name:
        return
    total = (
        select(func.coalesce(func.sum(ProductVariant.stock), 0))
        .where(ProductVariant.product_id == product.id, ProductVariant.active.is_(True))
        .scalar_subquery()
    )
    db.session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(stock=total)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(product, ["stock"])


def check_price(product: Product, price_idr: int) -> None:
    """A new product price must keep every active variant's price above zero."""
    deltas = [v.price_delta_idr for v in product.active_variants]
    if deltas and price_idr + min(deltas) <= 0:
        raise ValidationFailed(
            _l("Harga ini membuat harga salah satu varian Rp0 atau kurang."), field="price_idr"
        )


def rows_of(product: Product) -> list[VariantRow]:
    """The form's rows for the product's active variants, numbers as Indonesians write them."""
    return [
        VariantRow(
            id=v.id,
            option1=v.option1,
            option2=v.option2,
            stock=str(v.stock),
            price_delta=_rupiah_text(v.price_delta_idr) if v.price_delta_idr else "",
        )
        for v in product.active_variants
    ]


def _rupiah_text(value: int) -> str:
    text = f"{abs(value):,}".replace(",", ".")
    return f"-{text}" if value < 0 else text


def size_option(product: Product) -> int | None:
    """1 or 2: which option is the size (named "Ukuran"), else None."""
    if product.option1_name == SIZE:
        return 1
    if product.option2_name == SIZE:
        return 2
    return None


def size_labels(product: Product) -> list[str]:
    """The product's in-stock sizes for the search facet, upper-case, in size order (one
    spelling per set keeps the index column's distinct values few), at most
    MAX_SIZES_PER_PRODUCT, only sizes the facet knows (S, XL, 38...)."""
    which = size_option(product)
    if which is None:
        return []
    out: list[str] = []
    for variant in product.active_variants:
        if variant.stock <= 0:
            continue
        label = normalise_size(variant.option1 if which == 1 else variant.option2)
        if label and label not in out:
            out.append(label)
    return sorted(out, key=_size_key)[:MAX_SIZES_PER_PRODUCT]


def normalise_size(value) -> str | None:
    """ " xl " -> "XL"; "All size" -> "ALL SIZE"; anything the facet does not know -> None."""
    label = " ".join(str(value or "").upper().split())
    return label if _SIZE_LABEL.match(label) else None


def variant_of(product: Product, variant_id) -> ProductVariant | None:
    """The product's active variant by id (None when it is not one of them)."""
    try:
        wanted = int(variant_id)
    except (TypeError, ValueError):
        return None
    return next((v for v in product.active_variants if v.id == wanted), None)


_LETTER_ORDER = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "2XL", "XXXL", "3XL", "4XL", "5XL")
FACET_SIZES = 12


def _size_key(label: str):
    if label.isdigit():
        return (1, int(label), label)
    if label in _LETTER_ORDER:
        return (0, _LETTER_ORDER.index(label), label)
    return (2, 0, label)


def size_facet(counts: dict, limit: int = FACET_SIZES) -> list[tuple[str, int]]:
    """The facet's most common sizes (at most ``limit``), shown in size order (S, M, L, 38)."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return sorted(top, key=lambda kv: _size_key(kv[0]))
