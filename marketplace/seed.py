"""Demo data for `flask seed-demo`: SMEs at every stage of the legality gate.

Everything goes through the real services (validators, uploads, the review lifecycle,
the gate and the expiry job), so the demo shows what the platform would really hold.
"""

import io
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.businesses import services as businesses
from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.chapters import services as chapters
from marketplace.chapters.models import Kelurahan
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.legality import services as legality

DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

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

NIKS = [
    "3171011708450001",
    "3174075708450002",
    "3175064101900003",
    "3172015512880004",
    "3173022306790005",
    "3175104402850006",
    "3171064107920007",
    "3174011903810008",
]
PIRT_NUMBERS = ["P-IRT No. 2063171010236-29", "2023175020118-30"]
DOCUMENT_NUMBERS = {
    "nib": None,  # the business's own NIB
    "halal": "ID31110000326470622",
    "bpom_cosmetic": "NA18191231707",
}


def _file(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(DEMO_PDF), filename=name, content_type="application/pdf")


def _submit(business, kind, number, products=(), expires_on=None, owner=None):
    return legality.submit_document(
        business,
        kind=kind,
        number=number,
        issued_on=date(2024, 3, 1),
        expires_on=expires_on,
        file=_file(f"{kind}.pdf"),
        product_ids=[p.id for p in products],
        actor=owner,
    )


def extend_demo(fake, admin) -> list[tuple[str, str, str]]:
    """Create the demo SMEs once; returns (role, e-mail, start page) login lines."""
    from marketplace.cli import _demo_user

    logins = []
    pirt_numbers = iter(PIRT_NUMBERS)
    for index, (slug, name, sector, email, stage, products) in enumerate(SMES):
        owner = _demo_user(email, fake.name(), fake.numerify("0813########"))
        if stage == "verified" and not any("verified" in r for r, _e, _w in logins):
            logins.append(("SME owner (verified, listed)", email, "/business/"))
        if stage == "pending" and not any("pending" in r for r, _e, _w in logins):
            logins.append(("SME owner (pending review)", email, "/business/"))
        if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
            continue
        chapter = chapters.get_chapter_by_slug(slug)
        kelurahan = db.session.scalar(
            select(Kelurahan).where(Kelurahan.chapter_id == chapter.id).order_by(Kelurahan.code)
        )
        business = businesses.register_business(
            owner,
            businesses.BusinessInput(
                name=name,
                nik=NIKS[index],
                nib=f"91200038491{index:02d}",
                scale="mikro",
                sector=sector,
                started_on=date(2019 + index % 5, 1 + index, 1),
                kelurahan_code=kelurahan.code,
                address_line=f"{fake.street_address()}, RT 0{index + 1}/RW 0{index + 2}",
                postal_code=kelurahan.postal_code,
                whatsapp=fake.numerify("0812########"),
            ),
        ).business
        made = [
            catalog.create_product(
                business,
                catalog.ProductInput(
                    name=pname,
                    description=f"{pname} dari {name}, {chapter.name}.",
                    ingredients="",
                    category=category,
                    price_idr=price,
                    stock=25,
                    **attrs,
                ),
                actor=owner,
            )
            for pname, category, price, attrs in products
        ]
        _documents_for(business, made, owner, stage, pirt_numbers)
        reviewer = chapter.leads[0].user if chapter.leads else admin
        role = "lead" if chapter.leads else "admin"
        if stage == "pending":
            continue
        for document in business_documents(business):
            legality.review_document(document, "verify", actor=reviewer, role=role)
        for product in made:
            catalog.list_product(product, actor=owner)
        if stage == "expired":
            # As if time passed: the P-IRT lapsed yesterday and the daily job ran.
            for document in business_documents(business, kind="pirt"):
                document.expires_on = jakarta_today() - timedelta(days=1)
            db.session.flush()
            legality.expire_permits()
    return logins


def _documents_for(business, products, owner, stage, pirt_numbers):
    _submit(business, "nib", business.nib, owner=owner)
    if stage == "pending":
        return
    food = [p for p in products if p.category in ("kuliner", "perikanan")]
    cosmetics = [p for p in products if p.category == "kosmetik"]
    if food:
        number = next(pirt_numbers)
        year = 2000 + int(number[-2:])
        _submit(business, "pirt", number, food, date(year, 6, 30), owner)
    if cosmetics:
        _submit(
            business,
            "bpom_cosmetic",
            DOCUMENT_NUMBERS["bpom_cosmetic"],
            cosmetics,
            date(2028, 6, 30),
            owner,
        )
    if food or cosmetics:
        _submit(business, "halal", DOCUMENT_NUMBERS["halal"], food + cosmetics, owner=owner)


def business_documents(business, kind=None):
    from marketplace.legality.models import LegalityDocument

    stmt = select(LegalityDocument).where(LegalityDocument.business_id == business.id)
    if kind:
        stmt = stmt.where(LegalityDocument.kind == kind)
    return db.session.scalars(stmt.order_by(LegalityDocument.id)).all()
