"""Demo data for the reviewers' tools (issue 14): the documents waiting for review get a file
the lead's preview can show (a one-page PDF or a phone photo of the permit, drawn with
Pillow), so the review page shows the document itself rather than only its number."""

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.core import uploads
from marketplace.extensions import db
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.legality.permits import PERMIT_LABELS


def _page(document: LegalityDocument, size=(595, 842)) -> Image.Image:
    """A plain permit-like page: the issuer's title, the number, the business."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, size[0] - 24, size[1] - 24), outline=(30, 60, 120), width=3)
    lines = [
        str(PERMIT_LABELS.get(document.kind, document.kind)),
        "",
        f"Nomor: {document.number_display}",
        f"Pelaku usaha: {document.business.name}",
        "",
        "Contoh dokumen untuk demo Pasarkita",
    ]
    for i, line in enumerate(lines):
        draw.text((60, 80 + 36 * i), line, fill=(20, 20, 20))
    return image


def _pdf(document: LegalityDocument) -> bytes:
    out = io.BytesIO()
    _page(document).save(out, "PDF", resolution=72.0)
    return out.getvalue()


def _photo(document: LegalityDocument) -> bytes:
    """A photo of the page taken at a slant, as an owner would send it."""
    photo = Image.new("RGB", (900, 1200), (120, 100, 80))
    page = _page(document).rotate(4, expand=True, fillcolor=(120, 100, 80))
    photo.paste(page.resize((700, 1000)), (100, 100))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=80)
    return out.getvalue()


def seed_tools() -> None:
    """Give every document waiting for review a file its preview can show (alternating PDF
    and photo); the business's storage use follows the new size."""
    documents = db.session.scalars(
        select(LegalityDocument)
        .where(LegalityDocument.status == DocumentStatus.SUBMITTED)
        .order_by(LegalityDocument.id)
    ).all()
    for i, document in enumerate(documents):
        as_photo = i % 2 == 1
        data = _photo(document) if as_photo else _pdf(document)
        old_key = document.file_key
        document.file_key = uploads.store(data)
        document.file_mime = "image/jpeg" if as_photo else "application/pdf"
        business = db.session.get(Business, document.business_id)
        business.storage_used_bytes = max(
            0, business.storage_used_bytes - document.file_size + len(data)
        )
        document.file_size = len(data)
        document.original_name = document.original_name.rsplit(".", 1)[0] + (
            ".jpg" if as_photo else ".pdf"
        )
        uploads.discard_after_commit(old_key)
    db.session.commit()
