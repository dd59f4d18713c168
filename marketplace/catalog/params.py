"""Search parameters from a query string, shared by the search page and the JSON API.

Anything malformed raises ValidationFailed (400), never a 500.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from marketplace.catalog.categories import CATEGORIES
from marketplace.chapters import reference
from marketplace.core.errors import ValidationFailed
from marketplace.core.money import MAX_PRICE_FILTER_IDR
from marketplace.search.index import SORTS, Filters

MAX_PAGE = 500
MAX_QUERY = 200


def kota_slugs() -> dict[str, tuple[str, str]]:
    """'jakarta-selatan' -> ('31.74', 'Jakarta Selatan')."""
    return {reference.slugify(c["kota"]): (c["kota_code"], c["kota"]) for c in reference.chapters()}


def after_id(args) -> int | None:
    """``?after=<product id>`` of a storefront's next page; anything else is the first page."""
    raw = args.get("after", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) < 2**31:
        return int(raw)
    return None


@dataclass(frozen=True)
class SearchParams:
    q: str
    filters: Filters
    sort: str
    page: int
    per_page: int


def _int(args, name, *, minimum=0, maximum=None, default=None):
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    if not (isinstance(raw, str) and raw.strip().isdigit() and raw.isascii()):
        raise ValidationFailed(_l("Parameter %(name)s harus angka.", name=name), field=name)
    raw = raw.strip()
    # Python refuses int() of more than 4,300 digits (a ValueError, not a message); any number
    # longer than the maximum's digits is out of bounds anyway.
    if maximum is not None and len(raw.lstrip("0")) > len(str(maximum)):
        raise ValidationFailed(_l("Parameter %(name)s di luar batas.", name=name), field=name)
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        raise ValidationFailed(_l("Parameter %(name)s di luar batas.", name=name), field=name)
    return value


def _bool(args, name):
    raw = (args.get(name) or "").strip().lower()
    if raw == "":
        return None
    if raw in ("1", "true", "ya", "yes", "on"):
        return True
    if raw in ("0", "false", "tidak", "no", "off"):
        return False
    raise ValidationFailed(_l("Parameter %(name)s harus true atau false.", name=name), field=name)


def _size(args) -> str | None:
    """``?size=m`` -> "M" (issue 16); a size the facet does not know is refused (400)."""
    from marketplace.catalog.variants import normalise_size

    raw = args.get("size") or ""
    if not raw:
        return None
    size = normalise_size(raw[:20])
    if size is None:
        raise ValidationFailed(_l("Ukuran tidak dikenal."), field="size")
    return size


def parse(args, *, default_per_page=20, max_per_page=100) -> SearchParams:
    q = args.get("q", "") or ""
    if len(q) > MAX_QUERY:
        raise ValidationFailed(_l("Kata pencarian terlalu panjang."), field="q")
    category = args.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise ValidationFailed(_l("Kategori tidak dikenal."), field="category")
    chapter = args.get("chapter") or None
    if chapter is not None and (len(chapter) > 64 or not chapter.replace("-", "").isalnum()):
        raise ValidationFailed(_l("Chapter tidak dikenal."), field="chapter")
    kota = args.get("kota") or None
    kota_code = None
    if kota is not None:
        if kota not in kota_slugs():
            raise ValidationFailed(_l("Kota tidak dikenal."), field="kota")
        kota_code = kota_slugs()[kota][0]
    min_price = _int(args, "min_price", maximum=MAX_PRICE_FILTER_IDR)
    max_price = _int(args, "max_price", maximum=MAX_PRICE_FILTER_IDR)
    if min_price is not None and max_price is not None and min_price > max_price:
        raise ValidationFailed(
            _l("Harga minimum lebih besar dari harga maksimum."), field="min_price"
        )
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise ValidationFailed(_l("Urutan tidak dikenal."), field="sort")
    page = _int(args, "page", minimum=1, maximum=MAX_PAGE, default=1)
    per_page = _int(args, "per_page", minimum=1, maximum=max_per_page, default=default_per_page)
    filters = Filters(
        category=category,
        chapter=chapter,
        kota=kota_code,
        halal=_bool(args, "halal"),
        in_stock=_bool(args, "in_stock"),
        min_price=min_price,
        max_price=max_price,
        size=_size(args),
    )
    return SearchParams(q=q.strip(), filters=filters, sort=sort, page=page, per_page=per_page)
