"""Demo SMEs at every stage of the legality gate, through the real services (validators,
uploads, the review lifecycle, the gate and the expiry job)."""

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.chapters import services as chapters
from marketplace.core.timeutil import jakarta_today
from marketplace.demo import builders
from marketplace.demo.accounts import demo_user
from marketplace.demo.photos import add_photos
from marketplace.extensions import db
from marketplace.legality import services as legality
from marketplace.legality.models import LegalityDocument

# (chapter slug, business, sector, owner e-mail, stage, products)
# stage: "verified" (listed), "pending" (documents waiting), "expired" (P-IRT lapsed)
SMES = [
    (
        "tebet",
        "Batik Bu Sari",
        "fashion",
        "sari@umkm.test",
        "verified",
        [
            ("Kemeja Batik Pria Lengan Panjang", "fashion", 185_000, {}),
            ("Daster Batik Wanita Motif Mega Mendung", "fashion", 95_000, {}),
        ],
    ),
    (
        "tebet",
        "Keripik Mak Nyak",
        "kuliner",
        "maknyak@umkm.test",
        "verified",
        [
            ("Keripik Singkong Balado Pedas", "kuliner", 18_000, {"shelf_life_days": 120}),
            ("Keripik Pisang Cokelat", "kuliner", 22_000, {"shelf_life_days": 90}),
        ],
    ),
    (
        "tebet",
        "Dapur Sambal Ijo Bu Endah",
        "kuliner",
        "endah@umkm.test",
        "pending",
        [
            ("Sambal Ijo Botol 200 gr", "kuliner", 35_000, {"shelf_life_days": 60}),
        ],
    ),
    (
        "cakung",
        "Kerajinan Rotan Pak Darto",
        "kriya",
        "darto@umkm.test",
        "verified",
        [
            ("Keranjang Rotan Anyaman Besar", "kriya", 120_000, {}),
        ],
    ),
    (
        "cakung",
        "Lestari Kosmetik Alami",
        "kosmetik",
        "lestari@umkm.test",
        "verified",
        [
            ("Sabun Sereh Wangi Alami", "kosmetik", 25_000, {}),
        ],
    ),
    (
        "cakung",
        "Abon Ikan Bu Ros",
        "perikanan",
        "ros@umkm.test",
        "expired",
        [
            ("Abon Ikan Tongkol Pedas", "perikanan", 45_000, {"shelf_life_days": 180}),
        ],
    ),
    (
        "menteng",
        "Busana Muslim Aisyah",
        "fashion",
        "aisyah@umkm.test",
        "verified",
        [
            ("Gamis Katun Polos", "fashion", 150_000, {}),
        ],
    ),
    (
        "menteng",
        "Bimbel Cerdas Menteng",
        "pendidikan",
        "bimbel@umkm.test",
        "pending",
        [
            ("Paket Les Matematika SD 8 Pertemuan", "pendidikan", 400_000, {}),
        ],
    ),
]

# A woman's NIK carries her birth day + 40 (issue 16: Sari's, Darto's and Lestari's said
# the other sex; their birth dates, so their ages for the KUR pre-screen, are unchanged).
NIKS = [
    "3171015708450001",
    "3174075708450002",
    "3175064101900003",
    "3172011512880004",
    "3173026306790005",
    "3175104402850006",
    "3171064107920007",
    "3174011903810008",
]
PIRT_NUMBERS = ["P-IRT No. 2063171010236-29", "2023175020118-30"]
HALAL = builders.DOC_NUMBERS["halal"][1]
BPOM_COSMETIC = builders.DOC_NUMBERS["bpom_cosmetic"][1]


# Owners whose names fit their business (issue 16: "Batik Bu Sari" is owned by a Sari).
OWNERS = {
    "sari@umkm.test": "Sari Handayani",
    "maknyak@umkm.test": "Nyak Rohayati",
    "endah@umkm.test": "Endah Purwaningsih",
    "darto@umkm.test": "Darto Sugiharto",
    "lestari@umkm.test": "Lestari Wulandari",
    "ros@umkm.test": "Rosmawati Siregar",
    "aisyah@umkm.test": "Aisyah Rahmawati",
    "bimbel@umkm.test": "Hendra Gunawan",
}


def seed_smes(fake, admin) -> list[tuple[str, str, str]]:
    """Create the demo SMEs once; returns (role, e-mail, start page) login lines."""
    logins = []
    pirt_numbers = iter(PIRT_NUMBERS)
    for index, (slug, name, sector, email, stage, products) in enumerate(SMES):
        made_up = fake.name()  # still drawn: the rest of the demo's stream stays as it was
        owner = demo_user(email, OWNERS.get(email, made_up), fake.numerify("0813########"))
        if stage == "verified" and not any("verified" in r for r, _e, _w in logins):
            logins.append(("SME owner (verified, listed)", email, "/business/"))
        if stage == "pending" and not any("pending" in r for r, _e, _w in logins):
            logins.append(("SME owner (pending review)", email, "/business/"))
        if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
            continue
        chapter = chapters.get_chapter_by_slug(slug)
        business = builders.business(
            owner,
            chapter=chapter,
            name=name,
            nik=NIKS[index],
            nib=f"91200038491{index:02d}",
            sector=sector,
            started_on=date(2019 + index % 5, 1 + index, 1),
            address_line=f"{fake.street_address()}, RT 0{index + 1}/RW 0{index + 2}",
            whatsapp=fake.numerify("0812########"),
        )
        made = [
            builders.product(
                business,
                name=pname,
                category=category,
                price_idr=price,
                stock=25,
                description=f"{pname} dari {name}, {chapter.name}.",
                actor=owner,
                **attrs,
            )
            for pname, category, price, attrs in products
        ]
        for product in made:
            add_photos(product, 2)
        _documents_for(business, made, stage, pirt_numbers)
        if stage == "pending":
            continue
        reviewer = chapter.leads[0].user if chapter.leads else admin
        role = "lead" if chapter.leads else "admin"
        for document in business_documents(business):
            builders.verify(document, reviewer=reviewer, role=role)
        for product in made:
            catalog.list_product(product, actor=owner, without_photo=not product.images)
        if stage == "expired":
            # As if time passed: the P-IRT lapsed yesterday (the upload refuses a lapsed
            # date, so the date moves afterwards) and the daily expiry job ran.
            for document in business_documents(business, kind="pirt"):
                document.expires_on = jakarta_today() - timedelta(days=1)
            db.session.flush()
            legality.expire_permits()
    return logins


def _documents_for(business, products, stage, pirt_numbers):
    builders.submit(business, "nib", business.nib)
    if stage == "pending":
        return
    food = [p for p in products if p.category in ("kuliner", "perikanan")]
    cosmetics = [p for p in products if p.category == "kosmetik"]
    if food:
        number = next(pirt_numbers)
        year = 2000 + int(number[-2:])
        builders.submit(business, "pirt", number, products=food, expires_on=date(year, 6, 30))
    if cosmetics:
        builders.submit(
            business,
            "bpom_cosmetic",
            BPOM_COSMETIC,
            products=cosmetics,
            expires_on=date(2028, 6, 30),
        )
    if food or cosmetics:
        builders.submit(business, "halal", HALAL, products=food + cosmetics)


def business_documents(business, kind=None):
    stmt = select(LegalityDocument).where(LegalityDocument.business_id == business.id)
    if kind:
        stmt = stmt.where(LegalityDocument.kind == kind)
    return db.session.scalars(stmt.order_by(LegalityDocument.id)).all()


def verified_owners():
    """(business, owner) for the demo SMEs whose products are listed."""
    from marketplace.catalog.models import Product, ProductStatus

    rows = db.session.scalars(
        select(Business)
        .where(
            Business.id.in_(
                select(Product.business_id).where(Product.status == ProductStatus.LISTED)
            )
        )
        .order_by(Business.id)
    ).all()
    return [(b, b.owner) for b in rows]
