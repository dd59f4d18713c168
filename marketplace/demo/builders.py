"""Small builders shared by the demo data and the test factories (tests/factories.py).

Each builds one thing through its real service, so the demo and the tests hold the same
rows a person would make through the site: an account, a registered business, a draft
product, a submitted or verified document. Nothing here commits: the caller does.
"""

import io
import itertools
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.accounts import services as accounts
from marketplace.businesses import services as businesses
from marketplace.catalog import services as catalog
from marketplace.catalog.attributes import ProductAttributes
from marketplace.chapters.models import Kelurahan
from marketplace.extensions import db
from marketplace.legality import services as legality

# The smallest file the upload check accepts as a PDF.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Valid numbers of each kind: (as stored, as printed on the document).
DOC_NUMBERS = {
    "nib": ("9120003849102", "9120003849102"),
    "pirt": ("206317101023629", "P-IRT No. 2063171010236-29"),
    "bpom_md": ("MD224510107115", "BPOM RI MD 224510107115"),
    "bpom_ml": ("ML123456789012", "BPOM RI ML 123456789012"),
    "bpom_cosmetic": ("NA18191231707", "NA18191231707"),
    "halal": ("ID31110000326470622", "ID31110000326470622"),
    "pkrt": ("PKD20303120123", "KEMENKES RI PKD 20303120123"),
    "slhs": ("SLHS/123/2026", "SLHS/123/2026"),
}
NIK = "3171011708450001"
_nik_seq = itertools.count()


def next_nik() -> str:
    """A well-formed NIK no earlier call returned: one NIK, one business (issue 13).

    Born in January 1990 in 31.74.02, so it never equals a DOMAIN fixture NIK."""
    n = next(_nik_seq)
    return f"317402{1 + (n // 9999) % 28:02d}0190{1 + n % 9999:04d}"


def pdf_file(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


# The demo's accounts share one password: its hash is made once per run (scrypt ~130 ms).
_hashes: dict[str, str] = {}


def user(*, email: str | None, name: str, password: str, phone=None, is_admin=False, verified=True):
    """A new account through registration (the password rules apply); its number counts as
    verified unless ``verified=False`` (demo and test people hold their numbers)."""
    if password not in _hashes:
        _hashes[password] = accounts.hash_password(password)
    created = accounts.register_user(
        email=email,
        password=password,
        name=name,
        phone=phone,
        is_admin=is_admin,
        password_hash=_hashes[password],
    )
    if verified and created.pending_phone_e164:
        created.phone_e164, created.pending_phone_e164 = created.pending_phone_e164, None
    return created


def first_kelurahan(chapter) -> Kelurahan:
    return db.session.scalar(
        select(Kelurahan).where(Kelurahan.chapter_id == chapter.id).order_by(Kelurahan.code)
    )


def business(
    owner,
    *,
    chapter,
    name: str,
    nik: str | None = None,
    nib: str = DOC_NUMBERS["nib"][0],
    scale: str = "mikro",
    sector: str = "kuliner",
    started_on: date = date(2022, 1, 1),
    address_line: str = "Jl. Melati No. 1",
    whatsapp: str = "081234567890",
):
    """``owner``'s business registered at the first kelurahan of ``chapter``."""
    kelurahan = first_kelurahan(chapter)
    return businesses.register_business(
        owner,
        businesses.BusinessInput(
            name=name,
            nik=nik or next_nik(),
            nib=nib,
            scale=scale,
            sector=sector,
            started_on=started_on,
            kelurahan_code=kelurahan.code,
            address_line=address_line,
            postal_code=kelurahan.postal_code,
            whatsapp=whatsapp,
        ),
    ).business


def product(
    business,
    *,
    name: str,
    category: str,
    price_idr: int,
    stock: int,
    description: str | None = None,
    actor=None,
    **attributes,
):
    """A draft product of ``business`` (``attributes``: ProductAttributes fields)."""
    ingredients = attributes.pop("ingredients", "")
    shipping = {
        key: attributes.pop(key)
        for key in ("weight_grams", "length_cm", "width_cm", "height_cm")
        if key in attributes
    }
    return catalog.create_product(
        business,
        catalog.ProductInput(
            name=name,
            description=description if description is not None else f"{name} buatan rumah",
            ingredients=ingredients,
            category=category,
            price_idr=price_idr,
            stock=stock,
            attributes=ProductAttributes.from_mapping(attributes),
            **shipping,
        ),
        actor=actor or business.owner,
    )


def submit(business, kind, number, *, products=(), expires_on=None, issued_on=None, owner=None):
    """A document submitted by the owner, waiting for the chapter's review."""
    return legality.submit_document(
        business,
        kind=kind,
        number=number,
        issued_on=issued_on or date(2024, 3, 1),
        expires_on=expires_on,
        file=pdf_file(f"{kind}.pdf"),
        product_ids=[p.id for p in products],
        actor=owner or business.owner,
    )


def verify(document, *, reviewer, role: str) -> None:
    legality.review_document(document, "verify", actor=reviewer, role=role)
