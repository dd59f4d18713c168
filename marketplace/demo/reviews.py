"""Demo ratings and reviews (issue 16): about half of the listed products get reviews from
demo buyers, each on a completed order of that product (a checkout, its order and line, the
pay/ship/complete events, the payment's processed webhook event and the sale in the
seller's books, with coherent dates: paid, then
shipped a day later, received two days after, reviewed within a week), mostly 4-5 stars,
some 3, a few 1-2 that the seller answered.

Bulk inserts (a few statements for hundreds of rows) keep ``make run`` fast; the kept sums
(rating count/sum per product and business, units sold) are then rebuilt from the rows by
``reviews.services.recount`` and every touched product gets a search feed row.
"""

import random
from datetime import timedelta

from sqlalchemy import insert, select

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductStatus
from marketplace.chapters.models import Kelurahan
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.demo.accounts import demo_user
from marketplace.extensions import db
from marketplace.ledger.models import LedgerEntry
from marketplace.orders.models import Checkout, Order, OrderEvent, OrderLine, OrderStatus
from marketplace.payments.models import ProcessedStripeEvent
from marketplace.reviews import services as reviews
from marketplace.reviews.models import Review
from marketplace.search import feed

BUYERS = [
    "Rina Maharani",
    "Dewi Anggraini",
    "Agus Setiawan",
    "Fitri Handayani",
    "Yusuf Hidayat",
    "Nur Aisyah",
    "Bambang Wibowo",
    "Lestari Putri",
    "Hendra Gunawan",
    "Sri Wahyuni",
    "Rizky Pratama",
    "Maya Sari",
    "Doni Saputra",
    "Indah Permata",
    "Wahyu Nugroho",
    "Ratna Dewi",
]
# Mostly happy buyers, some lukewarm, a few disappointed (a marketplace's usual spread).
RATINGS = (5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1)
TEXTS = {
    5: [
        "Mantap, sesuai foto dan cepat sampai. Pasti pesan lagi!",
        "Kualitasnya bagus sekali, penjualnya ramah.",
        "Rapi, dikemas aman, recommended.",
        "",
    ],
    4: [
        "Bagus, cuma pengirimannya agak lama.",
        "Sesuai deskripsi, harga bersahabat.",
        "Puas, kemasannya bisa lebih rapi lagi.",
        "",
    ],
    3: ["Lumayan, sesuai harga.", "Biasa saja, tapi tidak mengecewakan.", ""],
    2: ["Kurang sesuai foto, warnanya beda sedikit.", "Sampainya lama dan kemasan penyok."],
    1: ["Barang datang rusak, kecewa.", "Tidak sesuai pesanan."],
}
# What a happy buyer says about this kind of product (one line joins the general ones).
PRAISE = {
    "fashion": "Bahannya adem, jahitannya rapi, ukurannya pas.",
    "kuliner": "Enak, keluarga suka. Terima kasih!",
    "kriya": "Anyamannya rapi dan kuat, cocok untuk hadiah.",
    "kosmetik": "Wanginya lembut dan cocok di kulit saya.",
    "pendidikan": "Isinya bermanfaat, anak saya senang.",
    "perikanan": "Masih segar dan bersih, dikemas dingin.",
    "pertanian": "Segar, dipetik baru, harganya bersahabat.",
    "rumah_tangga": "Awet dan mudah dipakai sehari-hari.",
}
REPLIES_LOW = [
    "Mohon maaf atas kekurangannya, Kak. Silakan hubungi kami lewat WhatsApp, kami ganti.",
    "Terima kasih masukannya, Kak. Kemasan sudah kami perbaiki untuk pesanan berikutnya.",
]
REPLIES_HIGH = [
    "Terima kasih banyak, Kak! Ditunggu pesanan berikutnya.",
    "Alhamdulillah, terima kasih!",
]


def _intent(n: int) -> str:
    return f"pi_demo_review_{n:05d}"


def seed_reviews(consumers) -> int:
    """Reviews on about half of the listed products, once (none when some exist). Returns
    how many reviews were written."""
    if db.session.scalar(select(Review.id).limit(1)):
        return 0
    rng = random.Random(1616)  # noqa: S311 - reproducible demo data
    listed = db.session.execute(
        select(Product.id, Product.business_id, Product.name, Product.price_idr, Product.category)
        .where(Product.status == ProductStatus.LISTED)
        .order_by(Product.id)
    ).all()
    if not listed:
        return 0
    buyers = list(consumers) + [
        demo_user(f"pembeli{i}@pasarkita.test", name)
        for i, name in enumerate(BUYERS, start=len(consumers) + 1)
    ]
    owner_of = dict(
        db.session.execute(
            select(Business.id, Business.owner_id).where(
                Business.id.in_({p.business_id for p in listed})
            )
        ).all()
    )
    kelurahan = db.session.scalar(select(Kelurahan).order_by(Kelurahan.code))
    now = utcnow()
    chosen = [p for k, p in enumerate(listed) if k % 2 == 0]  # about half, spread over sellers
    plan = []  # (product, buyer, rating, paid_at)
    for product in chosen:
        for buyer in rng.sample(buyers, k=rng.choice((1, 2, 2, 3, 3, 4, 5, 6))):
            paid = now - timedelta(days=rng.randrange(12, 330), hours=rng.randrange(0, 12))
            plan.append((product, buyer, rng.choice(RATINGS), paid))
    plan.sort(key=lambda item: item[3])

    checkouts = (
        db.session.execute(
            insert(Checkout).returning(Checkout.id, sort_by_parameter_order=True),
            [
                {
                    "user_id": buyer.id,
                    "total_idr": product.price_idr,
                    "cod_idr": 0,
                    "payment_intent_id": _intent(n),
                    "attempt": 1,
                    "recipient_name": buyer.name,
                    "address_line": f"Jl. Cempaka No. {n % 90 + 1}",
                    "kelurahan_code": kelurahan.code,
                    "postal_code": kelurahan.postal_code,
                    "whatsapp_e164": f"+62813{10_000_000 + n:08d}",
                    "created_at": paid - timedelta(minutes=20),
                    "expires_at": paid + timedelta(minutes=10),
                }
                for n, (product, buyer, _rating, paid) in enumerate(plan)
            ],
        )
        .scalars()
        .all()
    )
    orders = (
        db.session.execute(
            insert(Order).returning(Order.id, sort_by_parameter_order=True),
            [
                {
                    "checkout_id": checkout_id,
                    "business_id": product.business_id,
                    "consumer_id": buyer.id,
                    "status": OrderStatus.COMPLETED,
                    "status_changed_at": paid + timedelta(days=3),
                    "total_idr": product.price_idr,
                    "refunded_idr": 0,
                    "shipping_idr": 0,
                    "payment_method": "card",
                    "courier": "JNE",
                    "tracking_number": f"JNR{n:010d}",
                    "paid_at": paid,
                    "completed_at": paid + timedelta(days=3),
                    "created_at": paid - timedelta(minutes=20),
                }
                for n, ((product, buyer, _rating, paid), checkout_id) in enumerate(
                    zip(plan, checkouts, strict=True)
                )
            ],
        )
        .scalars()
        .all()
    )
    lines = (
        db.session.execute(
            insert(OrderLine).returning(OrderLine.id, sort_by_parameter_order=True),
            [
                {
                    "order_id": order_id,
                    "product_id": product.id,
                    "product_name": product.name,
                    "unit_price_idr": product.price_idr,
                    "quantity": 1,
                }
                for (product, _buyer, _rating, _paid), order_id in zip(plan, orders, strict=True)
            ],
        )
        .scalars()
        .all()
    )
    events = []
    for n, ((product, buyer, _rating, paid), order_id) in enumerate(zip(plan, orders, strict=True)):
        owner = owner_of.get(product.business_id)
        # Paid as the webhook's fulfilment records it (the intent's id in the event's note).
        pay_note = f"payment {_intent(n)}"
        for seq, (action, before, after, actor, role, when) in enumerate(
            (
                ("pay", "pending_payment", "paid", None, "system", paid),
                ("ship", "paid", "shipped", owner, "sme_owner", paid + timedelta(days=1)),
                (
                    "complete",
                    "shipped",
                    "completed",
                    buyer.id,
                    "consumer",
                    paid + timedelta(days=3),
                ),
            ),
            start=1,
        ):
            events.append(
                {
                    "order_id": order_id,
                    "seq": seq,
                    "action": action,
                    "from_status": before,
                    "to_status": after,
                    "actor_id": actor,
                    "role": role,
                    "note": pay_note if action == "pay" else None,
                    "created_at": when,
                }
            )
    db.session.execute(insert(OrderEvent), events)
    # Each payment's succeeded event, processed once (as the webhook leaves it).
    db.session.execute(
        insert(ProcessedStripeEvent),
        [
            {
                "event_id": f"evt_demo_review_{n:05d}",
                "type": "payment_intent.succeeded",
                "received_at": paid,
            }
            for n, (_product, _buyer, _rating, paid) in enumerate(plan)
        ],
    )
    db.session.execute(
        insert(LedgerEntry),
        [
            {
                "business_id": product.business_id,
                "kind": "sale",
                "category": "penjualan_platform",
                "amount_idr": product.price_idr,
                "occurred_on": paid.astimezone(JAKARTA).date(),
                "order_id": order_id,
                "note": f"Pesanan #{order_id}",
                "origin": "platform",
                "created_at": paid,
            }
            for (product, _buyer, _rating, paid), order_id in zip(plan, orders, strict=True)
        ],
    )
    rows = []
    for (product, buyer, rating, paid), order_id, line_id in zip(plan, orders, lines, strict=True):
        written = paid + timedelta(days=3, hours=rng.randrange(2, 120))
        low = rating <= 2
        replied = low or rng.random() < 0.2
        rows.append(
            {
                "order_line_id": line_id,
                "order_id": order_id,
                "product_id": product.id,
                "business_id": product.business_id,
                "author_id": buyer.id,
                "rating": rating,
                "text": rng.choice(
                    TEXTS[rating] + ([PRAISE[product.category]] if rating >= 4 else [])
                ),
                "status": "visible",
                "created_at": written,
                "reply_text": rng.choice(REPLIES_LOW if low else REPLIES_HIGH) if replied else None,
                "reply_at": written + timedelta(hours=rng.randrange(1, 30)) if replied else None,
                "reply_by_id": owner_of.get(product.business_id) if replied else None,
                "report_count": 0,
            }
        )
    db.session.execute(insert(Review), rows)
    _one_report(buyers)
    reviews.recount()
    feed.record(db.session(), {product.id for product, *_ in plan})
    return len(rows)


def _one_report(buyers) -> None:
    """One review reported by another buyer, waiting for the admin (/admin/reviews)."""
    first_low = db.session.scalar(
        select(Review).where(Review.rating <= 2).order_by(Review.id).limit(1)
    )
    if first_low is None:
        return
    reporter = next(b for b in buyers if b.id != first_low.author_id)
    reviews.report(
        first_low, reason="Sepertinya ulasan ini bukan tentang barangnya.", actor=reporter
    )
