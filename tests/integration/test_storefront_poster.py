"""Issue 16, storefronts that sell: description, WhatsApp, chapter, verified permits, products
by category (paged, flat statements), Open Graph tags for a shared link, and the printable
A5 posters whose QR code decodes to the storefront's (or chapter's) URL."""

import html
import io
import re
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from werkzeug.datastructures import FileStorage

from marketplace.businesses import services as businesses
from marketplace.catalog import services as catalog
from tests.factories import image_bytes, make_document, make_product


def _photo(product):
    catalog.add_image(
        product,
        FileStorage(io.BytesIO(image_bytes(size=(800, 800))), "a.jpg"),
        actor=product.business.owner,
    )


def _meta(page: str, prop: str) -> str | None:
    found = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def decode_qr(svg: str) -> str:
    """Draw segno's SVG path (rows of horizontal strokes, one unit thick) into pixels and
    decode it with zxing-cpp: what a phone camera does with the printed poster."""
    import zxingcpp

    width, height = map(int, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    image = Image.new("L", (width, height), 255)
    x = y = 0.0
    for cmd, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(round(x), round(x + float(a))):
                image.putpixel((column, int(y)), 0)
            x += float(a)
    big = image.resize((width * 8, height * 8), Image.Resampling.NEAREST)
    found = zxingcpp.read_barcodes(big)
    assert found, "no QR code found"
    return found[0].text


def _storefront(db, world):
    business = world.biz_tebet
    food = make_product(business=business, name="Keripik Tempe", status="listed")
    shirt = make_product(
        business=business, name="Kemeja Batik", status="listed", category="fashion"
    )
    make_document(business=business, kind="nib")
    make_document(business=business, kind="pirt", products=[food])
    _photo(shirt)
    businesses.set_storefront_description(
        business, "Batik tulis & keripik sejak 2010.", actor=business.owner
    )
    db.session.commit()
    return business, food, shirt


def test_a_storefront_shows_description_whatsapp_chapter_permits_and_products_by_category(
    client, db, world
):
    business, food, shirt = _storefront(db, world)
    page = client.get(f"/b/{business.id}").get_data(as_text=True)
    assert "Batik tulis &amp; keripik sejak 2010." in page
    wa = html.unescape(re.search(r'href="(https://wa\.me/\d+\?text=[^"]+)"', page).group(1))
    text = parse_qs(urlsplit(wa).query)["text"][0]
    assert business.name in text
    assert f"/b/{business.id}" in text
    assert business.chapter.name in page
    badges = re.findall(r'<li class="badge-permit[^"]*">([^<]*)</li>', page)
    assert len(badges) == 2  # the NIB and the P-IRT, each verified
    assert all("terverifikasi" in b for b in badges)
    # By category: fashion before kuliner, each under its heading, the cover on the card.
    assert page.index("Kemeja Batik") < page.index("Keripik Tempe")
    assert re.search(r"<h3>Fashion (&amp;|&) pakaian</h3>", page)
    assert f"/media/p/{shirt.images[0].id}/" in page
    only_food = client.get(f"/b/{business.id}?category=kuliner").get_data(as_text=True)
    assert "Keripik Tempe" in only_food
    assert "Kemeja Batik" not in only_food


def test_storefront_and_product_pages_carry_open_graph_tags_with_absolute_urls(client, db, world):
    business, food, shirt = _storefront(db, world)
    store = client.get(f"/b/{business.id}").get_data(as_text=True)
    assert _meta(store, "og:title") == business.name
    assert _meta(store, "og:description") == "Batik tulis & keripik sejak 2010."
    assert _meta(store, "og:url").endswith(f"/b/{business.id}")
    image = _meta(store, "og:image")
    assert image.startswith("http")
    assert re.search(rf"/media/p/{shirt.images[0].id}/\d+-[0-9a-f]{{16}}\.jpg$", image)
    assert client.get(urlsplit(image).path).status_code == 200
    product = client.get(f"/p/{shirt.id}").get_data(as_text=True)
    assert _meta(product, "og:title") == "Kemeja Batik"
    assert _meta(product, "og:url").endswith(f"/p/{shirt.id}")
    assert _meta(product, "og:image").startswith("http")
    assert _meta(client.get(f"/p/{food.id}").get_data(as_text=True), "og:image") is None


def test_the_storefront_poster_qr_code_decodes_to_the_storefront_url(client, db, world):
    business, _food, _shirt = _storefront(db, world)
    store_url = _meta(client.get(f"/b/{business.id}").get_data(as_text=True), "og:url")
    response = client.get(f"/b/{business.id}/poster")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert decode_qr(svg) == store_url
    assert "Legalitas terverifikasi Pasarkita" in page
    assert business.chapter.name in page
    assert "poster.css" in page


def test_the_chapter_poster_qr_code_decodes_to_the_chapter_url(client, db, world):
    response = client.get("/c/tebet/poster")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert urlsplit(decode_qr(svg)).path == "/c/tebet"
    assert world.tebet.name in page
    assert client.get("/c/no-such-chapter/poster").status_code == 404


def test_a_storefront_without_listed_products_has_no_poster(client, db, world):
    make_product(business=world.biz_cakung, name="Draf", status="draft")
    assert client.get(f"/b/{world.biz_cakung.id}/poster").status_code == 404


def test_the_owner_writes_the_storefront_description(csrf_client, login_as, db, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    assert csrf_client.get("/business/storefront").status_code == 200
    response = csrf_client.post("/business/storefront", data={"description": "Sejak 1998."})
    assert response.status_code == 302
    db.session.refresh(world.biz_tebet)
    assert world.biz_tebet.description == "Sejak 1998."
    too_long = csrf_client.post("/business/storefront", data={"description": "x" * 1001})
    assert too_long.status_code == 400


def test_the_storefront_costs_the_same_statements_with_ten_times_the_products(
    client, db, world, count_statements
):
    business = world.biz_tebet
    make_document(business=business, kind="nib")

    def grow(n, offset):
        for i in range(n):
            product = make_product(
                business=business,
                name=f"Produk {offset + i:03d}",
                status="listed",
                category=("fashion", "kriya", "kosmetik")[i % 3],
            )
            _photo(product)
        db.session.commit()

    def measure():
        with count_statements() as counter:
            assert client.get(f"/b/{business.id}").status_code == 200
        return len(counter)

    grow(3, 0)
    small = measure()
    grow(27, 3)
    assert measure() == small
    assert small <= 8
