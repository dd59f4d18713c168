"""The rich demo catalogue (issue 16): 62 more sellers in 15 chapters across the five kota,
five products each in every category, each product with illustrations drawn by Pillow
(demo/illustrations.py), all through the real services (registration, documents, the
chapter's review, the listing gate, photo uploads).

Coherent: an owner's first name is the name in the business's ("Batik Bu Sari" is owned by
Sari ...; "Bu"/"Mbak"/"Kak" with women, "Pak"/"Bang" with men, and the NIK's birth day says
the same: +40 for women), the NIK's region is the chapter's kecamatan, documents are
submitted before the chapter reviews them and products are listed only after. Deterministic
(fixed tables, no random state) and once: a seller who exists is skipped."""

import io
from datetime import date

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.businesses import services as businesses
from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.chapters.models import Chapter
from marketplace.demo import builders
from marketplace.demo.accounts import demo_user
from marketplace.demo.illustrations import draw_product
from marketplace.extensions import db
from marketplace.legality import services as legality

# Three chapters in each of the five kota (the Tebet and Cakung chapters have leads).
CHAPTERS = (
    "Menteng", "Gambir", "Tanah Abang",
    "Penjaringan", "Koja", "Kelapa Gading",
    "Cengkareng", "Grogol Petamburan", "Kebon Jeruk",
    "Tebet", "Kebayoran Baru", "Pasar Minggu",
    "Cakung", "Matraman", "Jatinegara",
)  # fmt: skip

WOMEN = (
    "Sri", "Wati", "Yuni", "Ratna", "Dewi", "Rina", "Nur", "Lina", "Tuti", "Siti", "Ani",
    "Indah", "Fitri", "Maya", "Lilis", "Rahma", "Yanti", "Euis", "Mega", "Nining", "Tati",
    "Wulan", "Dian", "Iis", "Asih", "Ida", "Nunung", "Rosa", "Ayu", "Eka", "Laras", "Neneng",
    "Kartini", "Imas", "Sulastri", "Ratih",
)  # fmt: skip
MEN = (
    "Budi", "Joko", "Slamet", "Agus", "Rahmat", "Udin", "Hasan", "Bambang", "Dedi", "Yusuf",
    "Wahyu", "Heru", "Mamat", "Rudi", "Anwar", "Sholeh", "Komar", "Ujang", "Bowo", "Jamal",
    "Iwan", "Taufik", "Firman", "Haris", "Sarip", "Darsono",
)  # fmt: skip
FAMILY = (
    "Lestari", "Rahayu", "Susanti", "Hidayat", "Pratama", "Saputra", "Wibowo", "Nugroho",
    "Kurniawati", "Handayani", "Setiawan", "Maulana", "Purnamasari", "Hasibuan", "Siregar",
    "Simanjuntak", "Harahap", "Nasution", "Wijaya", "Kusuma", "Permata", "Anggraini",
)  # fmt: skip

FOOD = {"shelf_life_days": 90}
# sector: [(business name template, honorific gender)], [(product, price, attributes)]
SECTORS = {
    "fashion": (
        [("Batik Bu {n}", "f"), ("Tenun Ikat Mbak {n}", "f"), ("Konveksi Batik Pak {n}", "m"),
         ("Butik Kebaya Bu {n}", "f")],
        [("Kemeja Batik Parang Lengan Panjang", 185_000, {}),
         ("Daster Batik Kawung", 85_000, {}),
         ("Kain Tenun Ikat Betawi 2 m", 320_000, {}),
         ("Blus Batik Mega Mendung", 145_000, {}),
         ("Sarung Tenun Songket", 275_000, {}),
         ("Kemeja Batik Ondel-ondel Anak", 95_000, {}),
         ("Selendang Tenun Ikat", 120_000, {}),
         ("Gamis Batik Truntum", 210_000, {})],
    ),
    "kuliner": (
        [("Dapur Bu {n}", "f"), ("Keripik Pak {n}", "m"), ("Kopi Bang {n}", "m"),
         ("Sambal Mbak {n}", "f"), ("Kue Kering Bu {n}", "f")],
        [("Keripik Singkong Balado 250 gr", 22_000, FOOD),
         ("Sambal Bawang Botol 150 gr", 35_000, {"shelf_life_days": 60}),
         ("Kopi Robusta Bubuk 200 gr", 48_000, {"shelf_life_days": 180}),
         ("Dodol Betawi Ketan Hitam", 40_000, {"shelf_life_days": 30}),
         ("Kue Nastar Toples 500 gr", 85_000, {"shelf_life_days": 60}),
         ("Rengginang Terasi Mentah", 25_000, {"shelf_life_days": 120}),
         ("Sirup Jeruk Kalamansi Botol", 45_000, {"shelf_life_days": 180}),
         ("Keripik Tempe Sagu", 18_000, FOOD),
         ("Bir Pletok Botol 250 ml", 20_000, {"shelf_life_days": 30}),
         ("Kembang Goyang Renyah", 28_000, FOOD)],
    ),
    "perikanan": (
        [("Abon Ikan Bu {n}", "f"), ("Kerupuk Ikan Pak {n}", "m")],
        [("Abon Ikan Tongkol Pedas 100 gr", 45_000, {"shelf_life_days": 180}),
         ("Kerupuk Ikan Tenggiri Mentah", 38_000, {"shelf_life_days": 180}),
         ("Ikan Asin Jambal Roti 250 gr", 60_000, {"shelf_life_days": 120}),
         ("Terasi Udang Rebon 100 gr", 15_000, {"shelf_life_days": 180}),
         ("Otak-otak Bandeng Beku", 55_000, {"shelf_life_days": 90})],
    ),
    "kosmetik": (
        [("Rumah Sabun Mbak {n}", "f"), ("Lulur dan Jamu Bu {n}", "f")],
        [("Sabun Sereh Wangi Alami", 25_000, {}),
         ("Lulur Bengkoang 200 gr", 45_000, {}),
         ("Minyak Rambut Kemiri 100 ml", 35_000, {}),
         ("Body Lotion Melati", 55_000, {}),
         ("Lip Balm Madu", 20_000, {}),
         ("Masker Wajah Kopi", 40_000, {})],
    ),
    "kriya": (
        [("Anyaman Rotan Pak {n}", "m"), ("Gerabah Pak {n}", "m"),
         ("Kerajinan Pandan Bu {n}", "f")],
        [("Keranjang Rotan Anyaman Besar", 120_000, {}),
         ("Tas Anyaman Pandan", 95_000, {}),
         ("Vas Gerabah Motif Betawi", 75_000, {}),
         ("Tempat Tisu Rotan", 55_000, {}),
         ("Kendi Gerabah Tanah Liat", 60_000, {}),
         ("Miniatur Ondel-ondel", 150_000, {})],
    ),
    "pendidikan": (
        [("Bimbel Kak {n}", "f"), ("Sanggar Belajar Pak {n}", "m")],
        [("Buku Cerita Anak Betawi", 65_000, {}),
         ("Paket Les Matematika SD 8 Pertemuan", 400_000, {}),
         ("Kursus Menjahit 4 Pertemuan", 350_000, {}),
         ("Buku Mewarnai Ikon Jakarta", 30_000, {}),
         ("Kelas Membatik Tulis untuk Pemula", 250_000, {})],
    ),
    "pertanian": (
        [("Kebun Organik Pak {n}", "m"), ("Tani Kota Bu {n}", "f")],
        [("Sayur Organik Segar Paket 2 kg", 45_000, {"fresh_unprocessed": True}),
         ("Jeruk Nipis Segar 1 kg", 25_000, {"fresh_unprocessed": True}),
         ("Cabai Rawit Segar 250 gr", 20_000, {"fresh_unprocessed": True}),
         ("Bibit Tanaman Cabai Polybag", 10_000, {"fresh_unprocessed": True}),
         ("Microgreens Segar 100 gr", 30_000, {"fresh_unprocessed": True})],
    ),
    "rumah_tangga": (
        [("Perca Kreasi Bu {n}", "f"), ("Sapu Ijuk Pak {n}", "m")],
        [("Keset Kain Perca", 35_000, {}),
         ("Sapu Ijuk Gagang Bambu", 40_000, {}),
         ("Taplak Meja Sulam", 85_000, {}),
         ("Sarung Bantal Batik", 45_000, {}),
         ("Tatakan Gelas Anyaman", 30_000, {})],
    ),
}  # fmt: skip

# 62 sellers: how many of each sector (fashion and food first, like the members).
MIX = (
    ["fashion"] * 14 + ["kuliner"] * 16 + ["perikanan"] * 5 + ["kosmetik"] * 6
    + ["kriya"] * 8 + ["pendidikan"] * 4 + ["pertanian"] * 4 + ["rumah_tangga"] * 5
)  # fmt: skip
PRODUCTS_PER_SELLER = 5
# Documents by kind: the number a demo seller's document carries (DOMAIN-valid fixtures).
NUMBERS = {kind: printed for kind, (_stored, printed) in builders.DOC_NUMBERS.items()}


def sellers() -> list[dict]:
    """The 62 demo sellers, fixed: name, owner, chapter name, sector, products."""
    out = []
    seen = {"f": 0, "m": 0}
    for i, sector in enumerate(MIX):
        templates, products = SECTORS[sector]
        template, gender = templates[i % len(templates)]
        names = WOMEN if gender == "f" else MEN
        first = names[seen[gender] % len(names)]
        seen[gender] += 1
        start = (i * 3) % len(products)
        chosen = [products[(start + k) % len(products)] for k in range(PRODUCTS_PER_SELLER)]
        out.append(
            {
                "index": i,
                "name": template.format(n=first),
                "owner": f"{first} {FAMILY[i % len(FAMILY)]}",
                "gender": gender,
                "email": f"penjual{i + 1:02d}@umkm.test",
                "chapter": CHAPTERS[i % len(CHAPTERS)],
                "sector": sector,
                # A product's name says whose it is when two sellers sell the same kind.
                "products": chosen,
            }
        )
    return out


def _nik(chapter: Chapter, seller: dict) -> str:
    """Region = the chapter's kecamatan; born 1970-1995; women's birth day + 40."""
    i = seller["index"]
    day = 1 + i % 28 + (40 if seller["gender"] == "f" else 0)
    month = 1 + i % 12
    year = 70 + i % 26
    return f"{chapter.code.replace('.', '')}{day:02d}{month:02d}{year:02d}{5001 + i:04d}"


def add_photos(product, count: int = 1) -> None:
    """``count`` illustrations of ``product`` through the photo upload (renditions)."""
    for variant in range(count):
        data = draw_product(product.name, product.category, variant)
        catalog.add_image(
            product,
            FileStorage(io.BytesIO(data), f"ilustrasi-{variant + 1}.jpg"),
            actor=product.business.owner,
        )


def seed_catalogue(admin) -> int:
    """Create the sellers once; returns how many were created now."""
    chapters = {
        c.name: c for c in db.session.scalars(select(Chapter).where(Chapter.name.in_(CHAPTERS)))
    }
    made = 0
    limit = current_app.config.get("DEMO_CATALOGUE_SELLERS")  # None: all (tests: a few)
    for seller in sellers()[:limit]:
        i = seller["index"]
        owner = demo_user(seller["email"], seller["owner"], f"0857{10_000_000 + i * 7919:08d}")
        if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
            continue
        chapter = chapters[seller["chapter"]]
        business = builders.business(
            owner,
            chapter=chapter,
            name=seller["name"],
            nik=_nik(chapter, seller),
            nib=f"91200{7_000_000 + i:08d}",
            sector=seller["sector"],
            started_on=date(2012 + i % 12, 1 + i % 12, 1),
            address_line=f"Jl. {('Melati', 'Kenanga', 'Mawar', 'Anggrek')[i % 4]} No. {i + 3}",
            whatsapp=f"0812{20_000_000 + i * 104_729:08d}"[:12],
        )
        businesses.set_storefront_description(
            business,
            f"{seller['name']} dari {chapter.name}, {chapter.kota}, sejak "
            f"{business.started_on.year}. Pesan lewat Pasarkita atau WhatsApp.",
            actor=owner,
        )
        products = [
            builders.product(
                business,
                name=name,
                category=seller["sector"],
                price_idr=price,
                stock=10 + (i * 7 + k * 3) % 40,
                description=f"{name} buatan {seller['name']}, {chapter.name}.",
                actor=owner,
                **attrs,
            )
            for k, (name, price, attrs) in enumerate(seller["products"])
        ]
        for k, product in enumerate(products):
            add_photos(product, 2 if k == 0 else 1)
        _documents(business, products)
        reviewer = chapter.leads[0].user if chapter.leads else admin
        role = "lead" if chapter.leads else "admin"
        for document in legality_documents(business):
            builders.verify(document, reviewer=reviewer, role=role)
        for product in products:
            if not legality.listing_blockers(product):
                catalog.list_product(product, actor=owner)
        made += 1
    return made


def _documents(business, products) -> None:
    """The NIB first, then each permit the gate asks for, covering the products that need
    it (submitted by the owner; reviewed afterwards)."""
    builders.submit(business, "nib", business.nib)
    db.session.flush()
    needed: dict[str, list] = {}
    for product in products:
        for blocker in legality.listing_blockers(product):
            if blocker.upload_kind and blocker.upload_kind != "nib":
                needed.setdefault(blocker.upload_kind, []).append(product)
    for kind, covered in sorted(needed.items()):
        if kind in NUMBERS:
            builders.submit(
                business,
                kind,
                NUMBERS[kind],
                products=covered,
                expires_on=date(2029, 6, 30) if kind != "halal" else None,
            )


def legality_documents(business):
    from marketplace.legality.models import DocumentStatus, LegalityDocument

    return db.session.scalars(
        select(LegalityDocument)
        .where(
            LegalityDocument.business_id == business.id,
            LegalityDocument.status == DocumentStatus.SUBMITTED,
        )
        .order_by(LegalityDocument.id)
    ).all()
