"""What a shopper may see: THE definition, in SQL and in Python, used by every read path
(home, chapter and business storefronts, product page and photos, search and its reindex,
the public API, the cart and checkout).

A product is visible while it is listed. Listing is reachable only through the legality
gate (verified NIB, valid permits), and whatever breaks the gate later (an expired or
revoked permit, an edit, a rule that starts by date) unlists it, so "listed" already
carries the gate. Checkout still re-asks the gate itself, as a second line of defence.
"""

from sqlalchemy import ColumnElement, Select, select

from marketplace.catalog.models import Product, ProductStatus

VISIBLE_STATUS = ProductStatus.LISTED


def visible_condition() -> ColumnElement[bool]:
    """The SQL condition, for queries and conditional UPDATEs that start elsewhere."""
    return Product.status == VISIBLE_STATUS


def visible_products() -> Select:
    """``SELECT product WHERE <visible>``: every shopper-facing query starts here."""
    return select(Product).where(visible_condition())


def is_visible(product: Product) -> bool:
    """The same rule for a product already loaded."""
    return product.status == VISIBLE_STATUS
