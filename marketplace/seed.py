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
from marketplace.chapters.models import Chapter, Kelurahan
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


def seed_orders(fake, consumers) -> int:
    """A year of orders: completed, shipped, refunded and one awaiting payment.

    Past orders are paid through the same fulfilment code as real ones, with a recorded
    demo payment reference instead of a Stripe call (the emulator may not be running yet).
    """
    import random

    from marketplace.catalog.models import Product, ProductStatus
    from marketplace.core.statemachine import apply_transition
    from marketplace.core.timeutil import utcnow
    from marketplace.ledger import services as ledger
    from marketplace.orders import services as orders
    from marketplace.orders.models import Cart, CartItem, Checkout
    from marketplace.payments.gateway import Intent
    from marketplace.payments.services import fulfil

    if db.session.scalar(select(Checkout.id).limit(1)):
        return 0
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    listed = db.session.scalars(
        select(Product).where(Product.status == ProductStatus.LISTED).order_by(Product.id)
    ).all()
    if not listed:
        return 0
    kelurahan = db.session.scalar(select(Kelurahan).order_by(Kelurahan.code))
    made = 0
    awaiting_payment = 1
    now = utcnow()
    for month_back in range(11, -1, -1):
        for consumer in consumers:
            if rng.random() < 0.35:
                continue
            picks = rng.sample(listed, k=min(len(listed), rng.choice((1, 1, 2))))
            cart = orders.cart_for(consumer, create=True)
            cart.items.clear()
            for product in picks:
                cart.items.append(CartItem(product_id=product.id, quantity=rng.choice((1, 2))))
            db.session.flush()
            try:
                checkout = orders.start_checkout(
                    consumer,
                    cart,
                    orders.Delivery(
                        recipient_name=consumer.name,
                        address_line=fake.street_address(),
                        kelurahan_code=kelurahan.code,
                        postal_code=kelurahan.postal_code,
                        whatsapp="0812" + f"{rng.randrange(10**7, 10**8)}",
                    ),
                )
            except orders.CartError:
                db.session.rollback()
                continue
            when = now - timedelta(days=30 * month_back + rng.randrange(0, 25), hours=3)
            checkout.created_at = when
            for order in checkout.orders:
                order.created_at = when
            if month_back == 0 and awaiting_payment:
                awaiting_payment -= 1
                checkout.created_at = now
                for order in checkout.orders:
                    order.created_at = now
                made += 1
                continue  # one still awaiting payment (expires like any other)
            checkout.payment_intent_id = f"pi_demo_{checkout.id}"
            db.session.flush()
            fulfil(
                checkout,
                Intent(
                    checkout.payment_intent_id,
                    "succeeded",
                    checkout.total_idr,
                    "idr",
                    None,
                    checkout.id,
                ),
            )
            for order in checkout.orders:
                order.paid_at = when
                sale = db.session.scalar(
                    select(ledger.LedgerEntry).where(ledger.LedgerEntry.order_id == order.id)
                )
                sale.occurred_on = when.date()
                if month_back >= 1 or rng.random() < 0.5:
                    apply_transition(
                        order,
                        "ship",
                        actor=order.business.owner,
                        role="sme_owner",
                        courier="JNE",
                        tracking_number=f"JNE{order.id:010d}",
                    )
                    if month_back >= 1:
                        apply_transition(order, "complete", actor=consumer, role="consumer")
            made += 1
        db.session.flush()
    # One refund, as the platform would make it (demo: no Stripe call).
    from marketplace.orders.models import Order, OrderStatus

    refundable = db.session.scalar(
        select(Order).where(Order.status == OrderStatus.COMPLETED).limit(1)
    )
    if refundable is not None:
        refundable.status = OrderStatus.PAID  # a demo refund before delivery was confirmed
        db.session.flush()
        apply_transition(
            refundable,
            "refund",
            actor=None,
            role="system",
            note="demo: barang rusak dalam pengiriman",
        )
        ledger.record_refund(refundable)
    for cart in db.session.scalars(select(Cart)):
        cart.items.clear()
    # The year of demo orders is history: its e-mails count as sent long ago.
    from sqlalchemy import update

    from marketplace.mentoring.models import OutboxEmail

    db.session.execute(update(OutboxEmail).where(OutboxEmail.sent_at.is_(None)).values(sent_at=now))
    return made


def seed_books(owners_by_business) -> None:
    """Offline sales and expenses typed by owners; one member stopped three months ago."""
    import random

    from marketplace.ledger import services as ledger
    from marketplace.ledger.models import LedgerEntry

    rng = random.Random(7)  # noqa: S311 - reproducible demo data
    today = jakarta_today()
    for index, (business, owner) in enumerate(owners_by_business):
        if db.session.scalar(
            select(LedgerEntry.id)
            .where(
                LedgerEntry.business_id == business.id,
                LedgerEntry.kind.in_(("manual_income", "expense")),
            )
            .limit(1)
        ):
            continue
        stop_after = 3 if index == 1 else 0  # this member stopped keeping books
        for back in range(11, stop_after - 1, -1):
            day = today - timedelta(days=30 * back + rng.randrange(0, 20))
            ledger.add_entry(
                business,
                kind="manual_income",
                category="penjualan_offline",
                amount_idr=rng.randrange(20, 120) * 10_000,
                occurred_on=day,
                note="Bazar / pesanan tetangga",
                actor=owner,
            )
            for category in ("bahan_baku", "transport"):
                ledger.add_entry(
                    business,
                    kind="expense",
                    category=category,
                    amount_idr=rng.randrange(5, 60) * 10_000,
                    occurred_on=day,
                    note=None,
                    actor=owner,
                )


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


def seed_mentoring() -> None:
    """Six months of fortnightly sessions in chapters with leads, attendance at different
    rates (so members sit at different pathway stages), check-ins and one PPKD course."""
    import random

    from marketplace.core.timeutil import JAKARTA, utcnow
    from marketplace.mentoring import services as mentoring
    from marketplace.mentoring.models import ExternalTraining, MentoringSession

    if db.session.scalar(select(MentoringSession.id).limit(1)):
        return
    rng = random.Random(11)  # noqa: S311 - reproducible demo data
    topics = [
        ("Foto produk yang menjual dengan HP", "upskilling", "whatsapp"),
        ("Katalog WhatsApp Business", "upskilling", "whatsapp"),
        ("Promosi di Instagram dan TikTok", "new_skilling", "social_media"),
        ("Mencatat buku kas sederhana", "reskilling", None),
        ("Mengurus P-IRT dan sertifikat halal", "reskilling", None),
        ("Berjualan di marketplace", "new_skilling", "marketplace"),
        ("Live jualan untuk pemula", "new_skilling", "live_streaming"),
    ]
    now = utcnow()
    for chapter in db.session.scalars(select(Chapter).where(Chapter.slug.in_(("tebet", "cakung")))):
        lead = chapter.leads[0].user
        members = db.session.scalars(
            select(Business).where(Business.chapter_id == chapter.id).order_by(Business.id)
        ).all()
        rates = [0.9, 0.5, 0.2, 0.0]
        first = (
            (now - timedelta(weeks=24))
            .astimezone(JAKARTA)
            .replace(hour=19, minute=0, second=0, microsecond=0)
        )
        for i in range(14):
            topic, track, level = topics[i % len(topics)]
            session = mentoring.schedule_sessions(
                chapter,
                mentoring.SessionInput(
                    topic=topic,
                    track=track,
                    digital_level=level,
                    starts_at=now,
                    duration_minutes=90,
                    place=f"Aula Kantor Kecamatan {chapter.name}",
                    online_link=None,
                    capacity=30,
                ),
                actor=lead,
            )[0]
            # History: the service refuses scheduling far in the past, so move it back.
            session.starts_at = first + timedelta(weeks=2 * i)
            if session.starts_at < now:
                present = [
                    m.id for j, m in enumerate(members) if rng.random() < rates[j % len(rates)]
                ]
                mentoring.record_attendance(chapter, session.id, present, actor=lead)
            else:
                for member in members[:2]:
                    mentoring.sign_up(member, session.id, actor=member.owner)
        for j, member in enumerate(members):
            if j == len(members) - 1:
                continue  # this member's check-in is overdue
            mentoring.record_check_in(
                chapter,
                member.id,
                applies_learning=j % 2 == 0,
                books_kept=j != 1,
                next_step="Coba jualan lewat katalog WhatsApp minggu ini",
                actor=lead,
            )
        if members:
            db.session.add(
                ExternalTraining(
                    business_id=members[-1].id,
                    chapter_id=chapter.id,
                    provider="ppkd",
                    title="Kursus Tata Boga PPKD",
                    completed_on=jakarta_today() - timedelta(days=60),
                    recorded_by_id=lead.id,
                )
            )
    db.session.flush()
