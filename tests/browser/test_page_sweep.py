"""Every page of every role, on the demo data, at 360x640: no sideways scrolling and no
serious or critical axe-core violation. New pages get added to PAGES."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.cli import seed_demo
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    assert_no_serious_axe_violations,
    open_menu,
)
from tests.conftest import PLUGINS

pytestmark = pytest.mark.browser


def _ids():
    from marketplace.businesses.models import Business
    from marketplace.catalog.models import Product
    from marketplace.legality.models import LegalityDocument
    from marketplace.mentoring.models import MentoringSession
    from marketplace.orders.models import Order

    sari = db.session.scalar(select(Business).where(Business.name == "Batik Bu Sari"))
    product = db.session.scalar(
        select(Product).where(Product.business_id == sari.id, Product.status == "listed")
    )
    order = db.session.scalar(select(Order).where(Order.business_id == sari.id))
    consumer_order = db.session.scalar(select(Order).where(Order.consumer_id == order.consumer_id))
    document = db.session.scalar(
        select(LegalityDocument).where(LegalityDocument.business_id == sari.id)
    )
    pending = db.session.scalar(
        select(LegalityDocument).where(
            LegalityDocument.status == "submitted", LegalityDocument.chapter_id == sari.chapter_id
        )
    )
    session = db.session.scalar(
        select(MentoringSession).where(MentoringSession.chapter_id == sari.chapter_id)
    )
    from marketplace.ledger.models import OWNER_KINDS, LedgerEntry

    entry = db.session.scalar(
        select(LedgerEntry.id)
        .where(LedgerEntry.business_id == sari.id, LedgerEntry.kind.in_(OWNER_KINDS))
        .limit(1)
    )
    ids = _review_ids(consumer_order.consumer_id)
    ids |= {
        "business": sari.id,
        "product": product.id,
        "order": order.id,
        "consumer_order": consumer_order.id,
        "consumer": consumer_order.consumer.email,
        "document": document.id,
        "pending": pending.id,
        "session": session.id,
        "entry": entry,
    }
    if "referrals" in PLUGINS:
        from referrals.models import Referral

        referral = db.session.scalar(
            select(Referral).where(
                Referral.business_id == sari.id, Referral.status == "under_review"
            )
        )
        ids.update(
            referral=referral.id,
            referral_bank=referral.bank.slug,
            officer=f"petugas.{referral.bank.slug}@bank.test",
        )
    return ids


def _review_ids(consumer_id) -> dict:
    """Issue 16: a reviewed product, a reported review, and a completed order line of the
    swept consumer that has no review yet (its review form)."""
    from marketplace.orders.models import Order, OrderLine
    from marketplace.reviews.models import Review

    reviewed = db.session.scalar(
        select(Review.product_id).where(Review.status == "visible").order_by(Review.id).limit(1)
    )
    reported = db.session.scalar(select(Review.id).where(Review.reported_at.is_not(None)))
    line = db.session.execute(
        select(OrderLine.order_id, OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.consumer_id == consumer_id,
            Order.status == "completed",
            ~select(Review.id).where(Review.order_line_id == OrderLine.id).exists(),
        )
        .order_by(OrderLine.id)
        .limit(1)
    ).one()
    return {
        "reviewed_product": reviewed,
        "reported_review": reported,
        "completed_order": line[0],
        "review_line": line[1],
    }


PAGES = {
    None: [
        "/",
        "/search?q=batik",
        "/c/tebet",
        "/b/{business}",
        "/b/{business}?category=fashion",
        "/b/{business}/poster",
        "/c/tebet/poster",
        "/p/{product}",
        "/search?category=fashion&size=M",  # issue 16: the size facet
        "/p/{reviewed_product}",
        "/cart",
        "/login",
        "/register",
    ],
    "sari@umkm.test": [
        "/business/",
        "/business/pathway",
        "/business/documents/new",
        "/business/documents/{document}",
        "/business/products/new",
        "/business/products/{product}/edit",
        "/business/orders",
        "/business/orders/{order}",
        "/business/books/",
        "/business/books/statements",
        "/business/books/entries/{entry}/delete",
        "/business/profile",
        "/business/storefront",
        "/business/reviews",
        "/notifications/",
        "/account",
        "/business/assist/",
        "/account/data/",
        "/account/data/delete",
    ],
    "{consumer}": [
        "/orders",
        "/orders/{consumer_order}",
        "/orders/{completed_order}",
        "/orders/{completed_order}/lines/{review_line}/review",
        "/reviews/{reported_review}/report",
        "/cart",
        "/business/register",
    ],
    "pengurus.tebet@pasarkita.test": [
        "/lead/tebet/",
        "/lead/tebet/queue",
        "/lead/tebet/documents/{pending}",
        "/lead/tebet/members/{business}",
        "/lead/tebet/sessions",
        "/lead/tebet/sessions/{session}",
        "/lead/tebet/settings",
        "/lead/tebet/products/{product}",
        "/lead/tebet/assisted/",
        "/assist/",
    ],
    "admin@pasarkita.test": [
        "/admin/dashboard",
        "/admin/",
        "/admin/chapters/tebet",
        "/admin/documents",
        "/admin/orders",
        "/admin/payouts",
        "/admin/holidays",
        "/admin/orders?q=a&status=paid",
        "/admin/products/",
        "/admin/products/?q=batik",
        "/admin/products/{product}/take-down",
        "/admin/products/taken-down",
        "/admin/documents/{pending}",
        "/admin/reviews",
        "/admin/reviews/{reported_review}/hide",
    ],
}

# The referral network's pages: swept when the plug-in is installed (PASARKITA_PLUGINS unset
# or naming it); the host-only sweep (PASARKITA_PLUGINS=) checks the host's pages alone.
REFERRAL_PAGES = {
    "sari@umkm.test": [
        "/business/referrals/",
        "/business/referrals/{referral}",
        "/business/referrals/{referral}/withdraw-consent",
        "/business/referrals/ready",
        "/business/referrals/ready?scheme=super_mikro&amount_idr=5000000&tenor_months=40",
    ],
    "pengurus.tebet@pasarkita.test": [
        "/lead/tebet/referrals/",
        "/lead/tebet/referrals/{referral}",
        "/lead/tebet/referrals/members/{business}/new",
    ],
    "{officer}": [
        "/bank/{referral_bank}/",
        "/bank/{referral_bank}/?closed=y&sort=amount_high&assigned=none",
        "/bank/{referral_bank}/referrals/{referral}",
        "/bank/{referral_bank}/referrals/{referral}/assign",
    ],
    "admin@pasarkita.test": [
        "/admin/banks/",
        "/admin/banks/new",
        "/admin/banks/{referral_bank}",
        "/admin/banks/kur",
        "/admin/banks/figures",
    ],
}

if "referrals" in PLUGINS:
    for who, paths in REFERRAL_PAGES.items():
        PAGES[who] = [*PAGES.get(who, []), *paths]


@pytest.mark.parametrize("who", list(PAGES), ids=lambda w: w or "anonymous")
def test_every_page_fits_a_phone_and_passes_axe(page, live_server, app, db, who):
    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    ids = _ids()
    if who is not None:
        page.goto(live_server("/login"))
        form = page.locator("main form")
        form.get_by_label("E-mail").fill(who.format(**ids))
        form.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
        form.get_by_role("button", name="Masuk").click()
        expect(open_menu(page).get_by_role("button", name="Keluar")).to_be_visible()
    for path in PAGES[who]:
        url = live_server(path.format(**ids))
        response = page.goto(url)
        assert response.status == 200, url
        assert_no_horizontal_scroll(page)
        assert_no_serious_axe_violations(page)
