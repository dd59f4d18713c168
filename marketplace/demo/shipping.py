"""Demo delivery options (issue 15): every seller offers pickup at their place, their own
delivery nearby and couriers priced by their chapter's default tables; chapters get a
centre for pickups; products get a weight (and a size where it matters).

Runs after the year of demo orders (those stay orders from before delivery options), once:
a second run adds nothing. The prices are plausible Jakarta figures made up for the demo,
not any courier's tariff.
"""

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.chapters.models import Chapter
from marketplace.delivery import services as delivery
from marketplace.delivery.models import DeliveryOption, Zone
from marketplace.extensions import db

# Grams per unit (with packaging) and, for the bulky ones, a size in cm.
WEIGHTS = {
    "kuliner": (250, None),
    "perikanan": (500, None),
    "pertanian": (1_000, None),
    "fashion": (400, (30, 20, 5)),
    "kriya": (800, (35, 25, 20)),
    "kosmetik": (150, None),
    "pendidikan": (350, None),
    "rumah_tangga": (1_200, (40, 30, 25)),
}
CHAPTER_TABLES = {
    "jne": [
        (Zone.KELURAHAN, 1, 9_000),
        (Zone.KELURAHAN, 5, 18_000),
        (Zone.KECAMATAN, 1, 10_000),
        (Zone.KECAMATAN, 5, 20_000),
        (Zone.KOTA, 1, 11_000),
        (Zone.KOTA, 5, 24_000),
        (Zone.JAKARTA, 1, 13_000),
        (Zone.JAKARTA, 5, 28_000),
        (Zone.JAKARTA, None, 45_000),
    ],
    "sicepat": [
        (Zone.KECAMATAN, 1, 9_000),
        (Zone.KOTA, 1, 10_000),
        (Zone.JAKARTA, 1, 12_000),
        (Zone.JAKARTA, None, 40_000),
    ],
    "gosend": [
        (Zone.KELURAHAN, 5, 15_000),
        (Zone.KECAMATAN, 5, 22_000),
        (Zone.KOTA, 5, 35_000),
        (Zone.JAKARTA, 5, 55_000),
    ],
}


def seed_shipping() -> int:
    """Delivery options for every seller that has none. Returns how many sellers got them."""
    for chapter in db.session.scalars(select(Chapter).order_by(Chapter.id)):
        if not chapter.centre_address:
            chapter.centre_address = f"Sekretariat Jakpreneur Kecamatan {chapter.name}"
            chapter.centre_hours = "Senin-Jumat 09.00-15.00"
        for code, rows in CHAPTER_TABLES.items():
            if not delivery.chapter_table(chapter.id, code):
                delivery.set_chapter_table(chapter, code, rows)
    for product in db.session.scalars(select(Product).where(Product.weight_grams.is_(None))):
        grams, size = WEIGHTS.get(product.category, (500, None))
        product.weight_grams = grams
        if size:
            product.length_cm, product.width_cm, product.height_cm = size
    served = 0
    has_options = select(DeliveryOption.business_id)
    for i, business in enumerate(
        db.session.scalars(
            select(Business).where(Business.id.not_in(has_options)).order_by(Business.id)
        )
    ):
        delivery.add_option(
            business,
            kind="pickup_seller",
            opening_hours="Setiap hari 08.00-20.00",
            cod_allowed=True,
        )
        delivery.add_option(
            business,
            kind="seller",
            rates=[(Zone.KELURAHAN, None, 5_000), (Zone.KECAMATAN, None, 10_000)],
            cod_allowed=True,
        )
        delivery.adopt_chapter_table(business, "jne", service="REG")
        if i % 2 == 0:
            delivery.adopt_chapter_table(business, "sicepat", service="REG")
            delivery.add_option(business, kind="pickup_chapter")
        else:
            delivery.adopt_chapter_table(business, "gosend", service="Same Day")
        delivery.set_settings(
            business,
            cod_enabled=True,
            free_shipping_min_idr=250_000 if i % 3 == 0 else None,
        )
        served += 1
    db.session.flush()
    return served
