"""Test data builders with explicit keyword arguments (Indico/CTFd style).

Accounts, businesses and products are built by the same service-backed builders as the
demo data (marketplace.demo.builders); documents, sessions and referrals are inserted
directly in any state, as fixture data.
"""

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.demo import builders
from marketplace.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def chapter(slug: str) -> Chapter:
    return db.session.scalar(select(Chapter).where(Chapter.slug == slug))


def make_user(
    *,
    email=None,
    name="Siti Rahayu",
    password=PASSWORD,
    is_admin=False,
    phone=None,
    phone_verified=True,
    no_email=False,
) -> User:
    n = next(_seq)
    user = builders.user(
        email=None if no_email else (email or f"user{n}@example.com"),
        password=password,
        name=name,
        phone=phone,
        is_admin=is_admin,
        verified=phone_verified,
    )
    db.session.commit()
    return user


def make_lead(*, chapter: Chapter, user: User | None = None) -> User:
    user = user or make_user(name=f"Pengurus {chapter.name}")
    db.session.add(ChapterLead(chapter_id=chapter.id, user_id=user.id))
    db.session.commit()
    return user


def make_business(
    *, chapter: Chapter, owner: User | None = None, name=None, nib="9120003849102", scale="mikro"
) -> Business:
    owner = owner or make_user(name="Budi Santoso")
    business = builders.business(
        owner, chapter=chapter, name=name or f"Usaha {next(_seq)}", nib=nib, scale=scale
    )
    db.session.commit()
    return business


@dataclass
class World:
    tebet: Chapter
    cakung: Chapter
    lead_tebet: User
    lead_cakung: User
    biz_tebet: Business
    biz_cakung: Business
    consumer_a: User
    consumer_b: User
    admin: User


def make_world() -> World:
    tebet, cakung = chapter("tebet"), chapter("cakung")
    return World(
        tebet=tebet,
        cakung=cakung,
        lead_tebet=make_lead(chapter=tebet),
        lead_cakung=make_lead(chapter=cakung),
        biz_tebet=make_business(chapter=tebet, name="Keripik Bu Tini"),
        biz_cakung=make_business(chapter=cakung, name="Batik Pak Joko"),
        consumer_a=make_user(name="Ani"),
        consumer_b=make_user(name="Bayu"),
        admin=make_user(name="Admin", is_admin=True),
    )


# --- legality and products -------------------------------------------------------------

FOOD_PIRT = {"category": "kuliner", "shelf_life_days": 90}


def pdf_bytes() -> bytes:
    return builders.PDF


def image_bytes(fmt: str = "JPEG", size=(64, 48)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt)
    return out.getvalue()


def make_product(
    *,
    business: Business,
    name="Keripik Singkong Pedas",
    status="draft",
    price_idr=25_000,
    stock=10,
    category="kuliner",
    **attributes,
):
    from dataclasses import fields

    from marketplace.catalog.attributes import ProductAttributes
    from marketplace.catalog.services import ProductInput

    defaults = {"shelf_life_days": 90} if category in ("kuliner", "perikanan") else {}
    values = {**defaults, **attributes}
    owner_can_set = {f.name for f in fields(ProductInput)} | set(ProductAttributes.names())
    product = builders.product(
        business,
        name=name,
        category=category,
        price_idr=price_idr,
        stock=stock,
        **{k: v for k, v in values.items() if k in owner_can_set},
    )
    # Fixture state no owner form sets (a status without the gate, a review flag).
    for key, value in values.items():
        if key not in owner_can_set:
            setattr(product, key, value)
    product.status = status
    db.session.commit()
    return product


DOC_NUMBERS = builders.DOC_NUMBERS


def make_document(
    *,
    business: Business,
    kind="nib",
    status="verified",
    products=(),
    expires_on=None,
    issued_on=None,
    review_note=None,
):
    from datetime import date as _date

    from marketplace.core.uploads import store
    from marketplace.legality.models import REFUSED, DocumentStatus, LegalityDocument
    from marketplace.legality.permits import EXPIRING_KINDS

    number, display = DOC_NUMBERS[kind]
    if expires_on is None and kind in EXPIRING_KINDS:
        expires_on = _date(2029, 12, 31)
    # Rows in a given state carry what that state implies (the table's CHECKs hold them to it).
    if expires_on is None and status == DocumentStatus.EXPIRED:
        expires_on = _date(2025, 12, 31)
    if review_note is None and status in REFUSED:
        review_note = "Berkas tidak terbaca"
    data = pdf_bytes()
    document = LegalityDocument(
        business_id=business.id,
        chapter_id=business.chapter_id,
        kind=kind,
        number=number,
        number_display=display,
        issued_on=issued_on or _date(2024, 1, 15),
        expires_on=expires_on,
        status=status,
        review_note=review_note,
        file_key=store(data),
        file_mime="application/pdf",
        file_size=len(data),
        original_name=f"{kind}.pdf",
        products=list(products),
    )
    db.session.add(document)
    db.session.commit()
    return document


def make_listable_product(*, business: Business, name="Keripik Singkong Pedas", **kw):
    """A P-IRT food product with a verified NIB, P-IRT and halal certificate."""
    product = make_product(business=business, name=name, **kw)
    make_document(business=business, kind="nib")
    make_document(business=business, kind="pirt", products=[product])
    make_document(business=business, kind="halal", products=[product])
    return product


def make_session(
    *,
    chapter: Chapter,
    lead: User,
    days_from_now: float = -1,
    topic="Jualan lewat WhatsApp",
    capacity=30,
):
    from datetime import timedelta

    from marketplace.core.timeutil import utcnow
    from marketplace.mentoring.models import MentoringSession

    session = MentoringSession(
        chapter_id=chapter.id,
        topic=topic,
        track="upskilling",
        digital_level="whatsapp",
        starts_at=utcnow() + timedelta(days=days_from_now),
        place="Aula Kecamatan",
        capacity=capacity,
        created_by_id=lead.id,
    )
    db.session.add(session)
    db.session.commit()
    return session


# --- orders ----------------------------------------------------------------------------


def make_order(
    *, business: Business, consumer: User, status="pending_payment", total_idr=25_000, paid_at=None
):
    """An order of one line inserted directly in ``status``, with what that state implies
    (paid_at once paid, courier and tracking number once shipped).

    Fixture data only: state changes under test go through the services."""
    from datetime import timedelta

    from marketplace.core.timeutil import utcnow
    from marketplace.orders.models import PAID_STATES, SHIPPED_STATES, Checkout, Order, OrderLine

    now = utcnow()
    kelurahan = db.session.scalar(
        select(Kelurahan)
        .where(Kelurahan.chapter_id == business.chapter_id)
        .order_by(Kelurahan.code)
    )
    product = make_product(business=business, price_idr=total_idr)
    checkout = Checkout(
        user_id=consumer.id,
        total_idr=total_idr,
        recipient_name=consumer.name,
        address_line="Jl. Kenanga No. 7",
        kelurahan_code=kelurahan.code,
        postal_code=kelurahan.postal_code,
        whatsapp_e164="+6281298765432",
        expires_at=now + timedelta(minutes=30),
    )
    shipped = status in SHIPPED_STATES
    order = Order(
        checkout=checkout,
        business_id=business.id,
        consumer_id=consumer.id,
        total_idr=total_idr,
        status=status,
        paid_at=(paid_at or now) if status in PAID_STATES else None,
        courier="JNE" if shipped else None,
        tracking_number=f"JNE{next(_seq):010d}" if shipped else None,
    )
    db.session.add_all([checkout, order])
    db.session.flush()
    db.session.add(
        OrderLine(
            order_id=order.id,
            product_id=product.id,
            product_name=product.name,
            unit_price_idr=total_idr,
            quantity=1,
        )
    )
    db.session.commit()
    return order


# --- referral network ------------------------------------------------------------------


def make_bank(
    *,
    slug: str,
    name: str | None = None,
    chapters=(),
    schemes=("super_mikro", "mikro", "kecil"),
    sharia=False,
    conventional=True,
):
    from referrals.models import Bank

    bank = Bank(
        slug=slug,
        name=name or slug.upper(),
        chapters=list(chapters),
        schemes=list(schemes),
        sharia=sharia,
        conventional=conventional,
    )
    db.session.add(bank)
    db.session.commit()
    return bank


def make_referral(
    *,
    business: Business,
    bank,
    lead: User,
    status="sent",
    consented=True,
    amount_idr=25_000_000,
    tenor_months=24,
    scheme="mikro",
    purpose="Modal kerja untuk bahan baku",
):
    """A referral inserted directly in ``status``; a consent receipt when ``consented``.

    Fixture data only: state changes under test go through the services or the API."""
    from datetime import timedelta

    from marketplace.core.timeutil import utcnow
    from referrals.models import ConsentReceipt, Referral

    now = utcnow()
    after_send = status in Referral.VISIBLE_TO_BANK and status != "sent"
    referral = Referral(
        business_id=business.id,
        chapter_id=business.chapter_id,
        bank_id=bank.id,
        lead_id=lead.id,
        scheme=scheme,
        amount_idr=amount_idr,
        tenor_months=tenor_months,
        purpose=purpose,
        recommendation="Usaha stabil, pembukuan rapi selama setahun."
        if status in Referral.VISIBLE_TO_BANK
        else None,
        status=status,
        status_changed_at=now,
        created_at=now - timedelta(days=2),
        sent_at=now - timedelta(days=1) if status in Referral.VISIBLE_TO_BANK else None,
        acknowledged_at=now if after_send else None,
    )
    # A decided referral carries its terms, as decide() writes them (the database checks).
    if status in ("approved", "disbursed"):
        referral.approved_amount_idr = amount_idr
        referral.approved_tenor_months = tenor_months
        referral.approved_rate_bp = 600
        referral.decided_at = now
    elif status == "rejected":
        referral.reject_reason = "lainnya"
        referral.decided_at = now
    db.session.add(referral)
    db.session.flush()
    if consented:
        db.session.add(
            ConsentReceipt(
                referral_id=referral.id,
                user_id=business.owner_id,
                bank_id=bank.id,
                text_version="test",
                text_hash="x" * 64,
                fields=["test"],
                purpose="Pra-penilaian dan pengajuan KUR",
                retention_days=365,
            )
        )
    db.session.commit()
    return referral


def make_officer(*, bank, user: User | None = None) -> User:
    """An account that is an officer of ``bank`` (the portal's only way in)."""
    from referrals.models import BankOfficer

    user = user or make_user(name=f"Petugas {bank.name}")
    db.session.add(BankOfficer(bank_id=bank.id, user_id=user.id))
    db.session.commit()
    return user


def make_attendance(*, session, business: Business, lead: User):
    from marketplace.mentoring.models import Attendance

    row = Attendance(session_id=session.id, business_id=business.id, recorded_by_id=lead.id)
    db.session.add(row)
    db.session.commit()
    return row


def make_ready_member(*, business: Business, lead: User, sessions=None, books_months=3):
    """A member who passes the KUR pre-screen: a verified NIB, books in each of the last
    ``books_months`` complete months, and the chapter's sessions attended in the last 90 days
    (the business factory's start date is years ago)."""
    from marketplace.core.timeutil import jakarta_today
    from marketplace.ledger.models import LedgerEntry

    make_document(business=business, kind="nib")
    today = jakarta_today()
    year, month = today.year, today.month
    for _ in range(books_months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        # The owner's own entries in four weeks of the month: the chapter's default rhythm.
        db.session.add_all(
            LedgerEntry(
                business_id=business.id,
                kind="manual_income",
                category="penjualan_offline",
                amount_idr=375_000,
                occurred_on=date(year, month, day),
            )
            for day in (3, 10, 17, 24)
        )
    db.session.commit()
    count = business.chapter.mentoring_sessions_required if sessions is None else sessions
    for i in range(count):
        session = make_session(chapter=business.chapter, lead=lead, days_from_now=-(7 * i + 3))
        make_attendance(session=session, business=business, lead=lead)
    return business


def make_world_referral(world, *, status="draft"):
    """A referral of Tebet's member by Tebet's lead to a bank serving Tebet, made once per
    world (the tenancy matrix aims the Cakung lead at it)."""
    if getattr(world, "referral_tebet", None) is None:
        bank = make_bank(slug="bank-matrix", name="Bank Matrix", chapters=[world.tebet])
        world.referral_tebet = make_referral(
            business=world.biz_tebet,
            bank=bank,
            lead=world.lead_tebet,
            status=status,
            consented=status != "draft",
        )
    return world.referral_tebet
