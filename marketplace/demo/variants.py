"""Demo variants (issue 16): the clothes of the demo catalogue sold by size (S to XL, one
size sold out), gamis and blouses also by colour, selendang by colour only; through the
seller's own service (catalog.variants.set_variants), once (a product that has variants is
left alone). Runs after the year of orders: those stay orders from before the variants."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.businesses.models import Business
from marketplace.catalog import variants
from marketplace.catalog.models import Product, ProductStatus
from marketplace.catalog.variants import VariantRow
from marketplace.extensions import db

SIZES = ("S", "M", "L", "XL")
BY_SIZE = ("Kemeja", "Daster", "Blus", "Gamis", "Kaos", "Kebaya", "Celana")
BY_SIZE_AND_COLOUR = ("Gamis", "Blus")
COLOURS = ("Merah Marun", "Biru Dongker", "Hijau Botol", "Cokelat Sogan")
BY_COLOUR = ("Selendang",)


def _size_rows(product_id: int) -> list[VariantRow]:
    """Deterministic by product id: stock 2-13 a size, one size sold out, XL +Rp10.000."""
    sold_out = SIZES[product_id % len(SIZES)]
    return [
        VariantRow(
            option1=size,
            stock=0 if size == sold_out else 2 + (product_id * (n + 3)) % 12,
            price_delta=10_000 if size == "XL" else 0,
        )
        for n, size in enumerate(SIZES)
    ]


def _colour_rows(product_id: int, by_size: bool) -> list[VariantRow]:
    colours = COLOURS[: 2 + product_id % 2]
    if not by_size:
        return [
            VariantRow(option1=c, stock=0 if n == 1 else 3 + (product_id + n) % 7)
            for n, c in enumerate(colours)
        ]
    rows = []
    for n, size in enumerate(SIZES[:3]):
        for m, colour in enumerate(colours):
            sold_out = (n, m) == (product_id % 3, len(colours) - 1)  # one, in every one
            rows.append(
                VariantRow(option1=size, option2=colour, stock=0 if sold_out else 1 + (n + m) % 4)
            )
    return rows


def seed_variants() -> int:
    """Variants on the listed clothes; returns how many products got them."""
    products = db.session.scalars(
        select(Product)
        .where(
            Product.category == "fashion",
            Product.status == ProductStatus.LISTED,
            Product.option1_name.is_(None),
        )
        .order_by(Product.id)
        .options(
            selectinload(Product.variants),
            selectinload(Product.business).selectinload(Business.owner),
        )
    ).all()
    done = 0
    for product in products:
        name = product.name
        if any(word in name for word in BY_SIZE_AND_COLOUR) and product.id % 2 == 0:
            option2, rows = "Warna", _colour_rows(product.id, by_size=True)
            option1 = variants.SIZE
        elif any(word in name for word in BY_SIZE):
            option1, option2, rows = variants.SIZE, None, _size_rows(product.id)
        elif any(word in name for word in BY_COLOUR):
            option1, option2, rows = variants.COLOUR, None, _colour_rows(product.id, False)
        else:
            continue  # cloth by the metre, sarongs: one size
        variants.set_variants(product, option1, option2, rows, actor=product.business.owner)
        done += 1
    db.session.flush()
    return done
