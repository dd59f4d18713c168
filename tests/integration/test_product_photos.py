"""Issue 16, photos first: photos at creation, the listing rule (a photo or an explicit
"tanpa foto", the same on web, JSON API and CLI), reorder and cover, and the responsive
renditions (WebP and JPEG widths, content-hashed URLs, cache headers, EXIF stripped)."""

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product, ProductImage
from marketplace.core import uploads
from tests.conftest import csrf_token_for
from tests.factories import make_listable_product

FORM = {
    "name": "Keripik Tempe Sagu",
    "category": "kuliner",
    "price_idr": "15000",
    "stock": "20",
    "storage": "ambient",
    "food_process": "none",
    "production_site": "home",
    "shelf_life_days": "60",
}


def photo(color=(200, 120, 40), size=(900, 700), fmt="JPEG", exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(out, fmt, **({"exif": exif} if exif else {}))
    return out.getvalue()


def _upload(product, data=None, name="a.jpg"):
    return catalog.add_image(
        product, FileStorage(io.BytesIO(data or photo()), name), actor=product.business.owner
    )


def test_a_seller_adds_photos_while_creating_a_product_and_the_first_is_the_cover(
    csrf_client, login_as, db, world
):
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = csrf_client.post(
        "/business/products/new",
        data={
            **FORM,
            "photos": [
                (io.BytesIO(photo((10, 120, 40))), "sampul.jpg"),
                (io.BytesIO(photo((200, 20, 40), fmt="PNG")), "kedua.png"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    product = db.session.scalar(select(Product).where(Product.name == FORM["name"]))
    assert [i.position for i in product.images] == [1, 2]
    cover = Image.open(
        io.BytesIO(uploads.upload_dir().joinpath(product.images[0].key_large).read_bytes())
    )
    assert cover.convert("RGB").getpixel((5, 5))[1] > 100  # the green one came first
    dashboard = csrf_client.get("/business/").get_data(as_text=True)
    assert "dengan 2 foto" in dashboard


def test_more_than_five_photos_at_creation_save_nothing(csrf_client, login_as, db, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = csrf_client.post(
        "/business/products/new",
        data={**FORM, "photos": [(io.BytesIO(photo()), f"{i}.jpg") for i in range(6)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Maksimal 5 foto" in response.get_data(as_text=True)
    assert db.session.scalar(select(Product.id).where(Product.name == FORM["name"])) is None
    assert db.session.scalar(select(ProductImage.id)) is None


def _list_web(csrf_client, product, **extra):
    return csrf_client.post(f"/business/products/{product.id}/list", data=extra)


def _list_api(csrf_client, product, **extra):
    token = csrf_token_for(csrf_client.client, csrf_client.app)
    return csrf_client.client.post(
        f"/api/v1/me/products/{product.id}/status",
        data=json.dumps({"status": "listed", **{k: True for k in extra}}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def _list_cli(csrf_client, product, **extra):
    from marketplace.catalog.cli import products

    flags = ["--without-photo"] if extra else []
    return csrf_client.app.test_cli_runner().invoke(
        products, ["set-status", str(product.id), "listed", *flags]
    )


@pytest.mark.parametrize("path", [_list_web, _list_api, _list_cli], ids=["web", "api", "cli"])
def test_a_product_without_photos_is_listed_only_when_the_seller_says_tanpa_foto(
    path, csrf_client, login_as, db, world
):
    product = make_listable_product(business=world.biz_tebet)
    login_as(csrf_client.client, world.biz_tebet.owner)
    path(csrf_client, product)
    db.session.refresh(product)
    assert product.status == "draft"

    path(csrf_client, product, without_photo="y")
    db.session.refresh(product)
    assert product.status == "listed"


def test_the_listing_rule_names_the_photo_and_a_photo_is_enough(db, world):
    product = make_listable_product(business=world.biz_tebet)
    with pytest.raises(catalog.PhotoRequired) as refused:
        catalog.list_product(product, actor=world.biz_tebet.owner)
    assert refused.value.code == "photo_required"
    db.session.rollback()
    _upload(product)
    catalog.list_product(product, actor=world.biz_tebet.owner)
    assert product.status == "listed"


def test_the_api_answers_photo_required_with_its_code(csrf_client, login_as, db, world):
    product = make_listable_product(business=world.biz_tebet)
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = _list_api(csrf_client, product)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "photo_required"


def test_the_owner_sets_the_cover_and_moves_photos(csrf_client, login_as, db, world):
    product = make_listable_product(business=world.biz_tebet)
    first, second, third = (_upload(product) for _ in range(3))
    db.session.commit()
    login_as(csrf_client.client, world.biz_tebet.owner)
    csrf_client.post(f"/business/products/{product.id}/images/{third.id}/cover")
    db.session.expire_all()
    assert [i.id for i in db.session.get(Product, product.id).images] == [
        third.id,
        first.id,
        second.id,
    ]
    csrf_client.post(f"/business/products/{product.id}/images/{first.id}/down")
    db.session.expire_all()
    assert [i.id for i in db.session.get(Product, product.id).images] == [
        third.id,
        second.id,
        first.id,
    ]
    page = csrf_client.get(f"/business/products/{product.id}/edit").get_data(as_text=True)
    assert "Jadikan sampul" in page


def test_renditions_are_webp_and_jpeg_at_bounded_widths_without_exif(db, world):
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"  # Make
    product = make_listable_product(business=world.biz_tebet)
    image = _upload(product, photo(size=(2400, 1600), exif=exif.tobytes()))
    widths = sorted({r["w"] for r in image.renditions})
    assert widths == [160, 320, 640, 1200]
    assert {r["f"] for r in image.renditions} == {"webp", "jpg"}
    for r in image.renditions:
        data = (uploads.upload_dir() / r["k"]).read_bytes()
        opened = Image.open(io.BytesIO(data))
        assert opened.format == {"webp": "WEBP", "jpg": "JPEG"}[r["f"]]
        assert opened.size == (r["w"], r["h"])
        assert max(opened.size) <= 1200
        assert b"SecretPhone" not in data
    assert (image.width, image.height) == (1200, 800)
    assert image.size_bytes == sum(r["b"] for r in image.renditions)


def test_a_small_photo_is_never_upscaled(db, world):
    product = make_listable_product(business=world.biz_tebet)
    image = _upload(product, photo(size=(300, 200)))
    assert sorted({r["w"] for r in image.renditions}) == [160, 300]


def test_image_responses_carry_type_size_and_a_year_of_cache_at_a_content_hashed_url(
    client, db, world
):
    product = make_listable_product(business=world.biz_tebet)
    image = _upload(product)
    catalog.list_product(product, actor=world.biz_tebet.owner)
    db.session.commit()
    page = client.get(f"/p/{product.id}").get_data(as_text=True)
    urls = set(re.findall(r"/media/p/\d+/\d+-[0-9a-f]{16}\.(?:webp|jpg)", page))
    assert len(urls) == len(image.renditions)
    assert 'type="image/webp"' in page
    assert "sizes=" in page
    for r in image.renditions:
        url = f"/media/p/{image.id}/{r['w']}-{r['d']}.{r['f']}"
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == {"webp": "image/webp", "jpg": "image/jpeg"}[r["f"]]
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(response.data)).size == (r["w"], r["h"])
    r = image.renditions[0]
    assert client.get(f"/media/p/{image.id}/{r['w']}-{'0' * 16}.{r['f']}").status_code == 404


def test_an_unlisted_products_photos_are_private_to_its_owner(client, login_as, db, world):
    product = make_listable_product(business=world.biz_tebet)
    image = _upload(product)
    db.session.commit()
    r = image.renditions[0]
    url = f"/media/p/{image.id}/{r['w']}-{r['d']}.{r['f']}"
    assert client.get(url).status_code == 404
    login_as(client, world.biz_tebet.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")


def test_a_decompression_bomb_is_refused_before_any_rendition(db, world):
    from marketplace.core.errors import ValidationFailed

    out = io.BytesIO()
    Image.new("L", (8000, 8000)).save(out, "PNG")
    product = make_listable_product(business=world.biz_tebet)
    with pytest.raises(ValidationFailed):
        _upload(product, out.getvalue(), name="bom.png")
    assert db.session.scalar(select(ProductImage.id)) is None


def test_cards_show_the_cover_with_srcset_and_only_the_first_cards_load_eagerly(client, db, world):
    for i in range(4):
        product = make_listable_product(business=world.biz_tebet, name=f"Keripik {i}")
        _upload(product)
        catalog.list_product(product, actor=world.biz_tebet.owner)
    db.session.commit()
    page = client.get("/search").get_data(as_text=True)
    imgs = re.findall(r"<img [^>]*>", page)
    cards = [i for i in imgs if "/media/p/" in i]
    assert len(cards) == 4
    assert all('srcset="' in i and 'width="' in i and 'height="' in i for i in cards)
    assert ['loading="lazy"' in i for i in cards] == [False, False, True, True]


def test_the_api_gives_each_product_its_images_cover_first_with_sizes(client, db, world):
    import jsonschema_rs

    product = make_listable_product(business=world.biz_tebet)
    first, second = _upload(product), _upload(product, photo(size=(400, 400)))
    catalog.reorder_image(product, second.id, "cover", actor=world.biz_tebet.owner)
    catalog.list_product(product, actor=world.biz_tebet.owner)
    db.session.commit()
    item = client.get(f"/api/v1/products/{product.id}").get_json()
    assert [(i["id"], i["cover"]) for i in item["images"]] == [(second.id, True), (first.id, False)]
    sizes = item["images"][0]["sizes"]
    assert [s["width"] for s in sizes] == [160, 320, 400]
    for size in sizes:
        for fmt in ("jpeg", "webp"):
            assert size[fmt].startswith("http")
            path = "/" + size[fmt].split("://", 1)[1].split("/", 1)[1]
            assert client.get(path).status_code == 200
    document = client.get("/api/v1/openapi.json").get_json()
    schema = _resolve(document, "ProductDetail")  # the detail endpoint: Product + delivery
    jsonschema_rs.validate(schema, item)
    listed = client.get("/api/v1/products").get_json()["items"]
    assert listed[0]["images"][0]["id"] == second.id


def _resolve(document, name):
    """The schema with its #/components refs inlined (jsonschema_rs needs them resolvable)."""

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(document["components"]["schemas"][name])


def _photo_from_before_renditions(product, data: bytes) -> ProductImage:
    """A photo as stored before issue 16: one large and one thumbnail JPEG, no renditions."""
    files = uploads.product_photo_variants(data)
    image = ProductImage(
        product_id=product.id,
        position=1,
        key_large=uploads.store(files["large"]),
        key_thumb=uploads.store(files["thumb"]),
        size_bytes=len(files["large"]) + len(files["thumb"]),
    )
    catalog.db.session.add(image)
    product.business.storage_used_bytes += image.size_bytes
    catalog.db.session.commit()
    return image


def test_an_operator_backfills_renditions_for_photos_stored_before_them(client, db, world):
    from marketplace.catalog.cli import uploads_cli

    product = make_listable_product(business=world.biz_tebet)
    old = _photo_from_before_renditions(product, photo(size=(1600, 1200)))
    old_keys = {old.key_large, old.key_thumb}
    catalog.list_product(product, actor=world.biz_tebet.owner)
    db.session.commit()
    before = client.get(f"/p/{product.id}").get_data(as_text=True)
    assert 'type="image/webp"' not in before  # served as before: the one JPEG

    result = client.application.test_cli_runner().invoke(uploads_cli, ["renditions"])
    assert result.exit_code == 0, result.output
    assert "made renditions for 1 photo(s); 0 could not be read" in result.output

    db.session.expire_all()
    image = db.session.get(ProductImage, old.id)
    assert sorted({r["w"] for r in image.renditions}) == [160, 320, 640, 1200]
    assert (image.width, image.height) == (1200, 900)
    assert image.size_bytes == sum(r["b"] for r in image.renditions)
    assert product.business.storage_used_bytes == image.size_bytes  # the old files' bytes left
    for key in old_keys:
        assert not (uploads.upload_dir() / key).exists()
    assert (uploads.upload_dir() / image.key_large).exists()
    assert client.get(f"/media/p/{image.id}/thumb.jpg").status_code == 200  # old URLs still work
    page = client.get(f"/p/{product.id}").get_data(as_text=True)
    assert 'type="image/webp"' in page

    again = client.application.test_cli_runner().invoke(uploads_cli, ["renditions"])
    assert "made renditions for 0 photo(s)" in again.output


def test_a_photo_whose_file_is_gone_is_reported_and_the_others_still_get_renditions(db, world):
    from flask import current_app

    from marketplace.catalog.cli import uploads_cli

    lost = make_listable_product(business=world.biz_tebet)
    kept = make_listable_product(business=world.biz_tebet)
    gone = _photo_from_before_renditions(lost, photo())
    fine = _photo_from_before_renditions(kept, photo())
    (uploads.upload_dir() / gone.key_large).unlink()

    result = current_app.test_cli_runner().invoke(uploads_cli, ["renditions", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert f"photo {gone.id} (product {lost.id})" in result.output
    assert "made renditions for 1 photo(s); 1 could not be read" in result.output
    db.session.expire_all()
    assert db.session.get(ProductImage, gone.id).renditions == []
    assert db.session.get(ProductImage, fine.id).renditions
