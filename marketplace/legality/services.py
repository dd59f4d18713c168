"""The legality gate: documents, their verification, expiry, and what blocks a listing.

Every path that lists a product (web form, JSON API, CLI) goes through
``assert_listable``; the rules live here and nowhere else.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.businesses import storage
from marketplace.businesses.conflict import refuse_own
from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductStatus
from marketplace.chapters.models import ChapterLead
from marketplace.core import audit, uploads
from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import jakarta_today
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.legality import validators as v
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.legality.permits import (
    DOCUMENT_KINDS,
    EXPIRING_KINDS,
    PERMIT_LABELS,
    PermitRequirement,
    required_permits,
)
from marketplace.notifications.services import notify

EXPIRY_WARNING_DAYS = 30


class ListingGateError(DomainError):
    """The product may not be listed; the message names exactly what is missing."""

    status_code = 409
    code = "listing_gate"

    def __init__(self, blockers: list["Blocker"]):
        self.blockers = blockers
        text = "; ".join(str(b.message) for b in blockers)
        super().__init__(
            _l("Produk belum bisa ditampilkan: %(missing)s", missing=text), missing=text
        )

    def json_details(self) -> dict:
        return {"missing": [{"kind": b.kind, "message": str(b.message)} for b in self.blockers]}


@dataclass(frozen=True)
class Blocker:
    kind: str  # a permit kind, or "product"/"halal_review"/"blocked"
    message: object  # lazy string, plain Indonesian
    upload_kind: str | None = None  # the document to upload to fix it


def _number_validator(kind: str):
    if kind == "nib":
        return v.validate_nib
    if kind == "pirt":
        return v.validate_pirt
    if kind in ("bpom_md", "bpom_ml"):
        return v.validate_bpom_food
    if kind == "bpom_cosmetic":
        return v.validate_bpom_cosmetic
    if kind == "halal":
        return v.validate_halal
    if kind == "pkrt":
        return v.validate_pkrt
    return _validate_slhs


def _validate_slhs(text) -> v.Validated:
    # No published format for SLHS numbers: accept a plain reference, verified by a human.
    value = " ".join(str(text or "").split()).upper()
    if not 3 <= len(value) <= 40 or not all(ch.isalnum() or ch in " ./-" for ch in value):
        raise v.InvalidIdentifier("slhs", _l("Nomor SLHS tidak valid. Ketik sesuai sertifikat."))
    return v.Validated("slhs", value, value)


def check_number(kind: str, text: str) -> v.Validated:
    try:
        validated = _number_validator(kind)(text)
    except v.InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="number") from exc
    if kind == "bpom_md" and validated.info.get("prefix") != "MD":
        raise ValidationFailed(
            _l("Nomor izin edar produk dalam negeri diawali MD."), field="number"
        )
    if kind == "bpom_ml" and validated.info.get("prefix") != "ML":
        raise ValidationFailed(_l("Nomor izin edar produk impor diawali ML."), field="number")
    return validated


def _leads_of(chapter_id: int) -> list[int]:
    return list(
        db.session.scalars(select(ChapterLead.user_id).where(ChapterLead.chapter_id == chapter_id))
    )


def submit_document(
    business: Business,
    *,
    kind: str,
    number: str,
    issued_on: date | None,
    expires_on: date | None,
    file,
    product_ids=(),
    actor,
) -> LegalityDocument:
    """Store a permit document for review by the chapter's leads.

    Checks the number's format, dates, file content and the business's storage quota.
    ``product_ids`` may name only this business's products. A helper needs the
    documents grant (checked before the file is stored).
    """
    from marketplace.assist import services as assist
    from marketplace.assist.models import AssistTask

    grant = assist.check_helper(actor, business, AssistTask.DOCUMENTS)
    if kind not in DOCUMENT_KINDS:
        raise ValidationFailed(_l("Pilih jenis dokumen."), field="kind")
    validated = check_number(kind, number)
    today = jakarta_today()
    if issued_on and issued_on > today:
        raise ValidationFailed(_l("Tanggal terbit tidak boleh di masa depan."), field="issued_on")
    if kind in EXPIRING_KINDS:
        if expires_on is None:
            raise ValidationFailed(
                _l("Isi tanggal berlaku sampai, sesuai dokumen."), field="expires_on"
            )
        if expires_on < today:
            raise ValidationFailed(
                _l("Izin ini sudah kedaluwarsa. Unggah izin yang masih berlaku."),
                field="expires_on",
            )
        if issued_on and expires_on <= issued_on:
            raise ValidationFailed(
                _l("Tanggal berlaku harus setelah tanggal terbit."), field="expires_on"
            )
        if kind == "pirt" and expires_on.year != validated.info.get("expires_year"):
            raise ValidationFailed(
                _l(
                    "Tahun berlaku tidak cocok dengan 2 angka terakhir nomor P-IRT (%(year)s).",
                    year=validated.info.get("expires_year"),
                ),
                field="expires_on",
            )
    else:
        expires_on = None  # NIB and halal certificates have no expiry date (UU 6/2023)

    products = []
    if kind != "nib":
        wanted = {parse_id(pid) for pid in product_ids or ()}
        products = (
            list(
                db.session.scalars(
                    select(Product).where(
                        Product.id.in_(wanted), Product.business_id == business.id
                    )
                )
            )
            if wanted
            else []
        )
        if len(products) != len(wanted):
            raise ValidationFailed(_l("Produk yang dipilih tidak ditemukan."), field="products")

    checked = uploads.check_upload(file, max_bytes=current_app.config["MAX_DOCUMENT_BYTES"])
    size = len(checked.data)
    storage.reserve(
        business,
        size,
        message=_l("Ruang penyimpanan dokumen usaha Anda sudah penuh. Hubungi pengurus chapter."),
    )
    key = uploads.store(checked.data)  # removed again if this transaction does not commit
    document = LegalityDocument(
        business_id=business.id,
        chapter_id=business.chapter_id,
        kind=kind,
        number=validated.value,
        number_display=validated.display,
        issued_on=issued_on,
        expires_on=expires_on,
        file_key=key,
        file_mime=checked.mime,
        file_size=size,
        original_name=checked.original_name,
        products=products,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.submitted",
        actor=actor,
        role="sme_owner",
        chapter=business.chapter,
        target=document,
        kind=kind,
    )
    assist.record_assisted(
        grant, actor, business, AssistTask.DOCUMENTS, "document.submitted", document
    )
    for lead_id in _leads_of(business.chapter_id):
        notify(
            lead_id,
            "document_submitted",
            business=business.name,
            kind=kind,
            link=external_url(
                "lead.document", chapter_slug=business.chapter.slug, document_id=document.id
            ),
        )
    return document


def review_document(
    document: LegalityDocument, action: str, *, actor, role: str, note: str | None = None
) -> None:
    """Verify, reject or revoke a document (leads of its chapter or admins), never one of
    the reviewer's own business (another lead or an admin does)."""
    refuse_own(
        document.business,
        actor,
        _l("Dokumen usaha Anda sendiri: diperiksa pengurus lain atau admin"),
    )
    note = (note or "").strip() or None
    if action in ("reject", "revoke") and not note:
        raise ValidationFailed(
            _l("Tuliskan alasan agar pemilik usaha tahu apa yang harus diperbaiki."), field="note"
        )
    if action not in ("verify", "reject", "revoke"):
        raise ValidationFailed(_l("Tindakan tidak dikenal."))
    apply_transition(document, action, actor=actor, role=role, note=note, review_note=note)
    audit.record(
        f"document.{action}",
        actor=actor,
        role=role,
        chapter=document.business.chapter,
        target=document,
    )
    kinds = {
        "verify": "document_verified",
        "reject": "document_rejected",
        "revoke": "document_revoked",
    }
    notify(
        document.business.owner_id,
        kinds[action],
        kind=document.kind,
        reason=note or "",
        link=external_url("business.dashboard"),
    )
    if action == "revoke":
        unlist_failing_products(
            document.business, actor=actor, role=role, note=f"{document.kind} revoked"
        )


def valid_documents(business_id: int, on: date) -> list[LegalityDocument]:
    return [
        d
        for d in db.session.scalars(
            select(LegalityDocument).where(
                LegalityDocument.business_id == business_id,
                LegalityDocument.status == DocumentStatus.VERIFIED,
            )
        )
        if d.is_valid_on(on)
    ]


def requirement_for(product: Product, on: date | None = None) -> PermitRequirement:
    return required_permits(
        product.category,
        product.attributes(),
        scale=product.business.scale,
        on=on or jakarta_today(),
        halal_dates=current_app.config.get("HALAL_MANDATORY_DATES") or None,
    )


def listing_blockers(
    product: Product, on: date | None = None, documents: list[LegalityDocument] | None = None
) -> list[Blocker]:
    """Everything that stops ``product`` from being listed on ``on``, in plain Indonesian."""
    on = on or jakarta_today()
    docs = valid_documents(product.business_id, on) if documents is None else documents
    requirement = requirement_for(product, on)
    blockers: list[Blocker] = []
    if requirement.blocked is not None:
        blockers.append(Blocker("blocked", requirement.blocked))
    if not any(d.kind == "nib" for d in docs):
        blockers.append(Blocker("nib", _l("NIB usaha belum diverifikasi pengurus."), "nib"))
    covering = {d.kind for d in docs if product in d.products}
    for kind in sorted(requirement.kinds):
        if kind not in covering:
            blockers.append(
                Blocker(
                    kind,
                    _l(
                        "%(permit)s untuk produk ini belum ada atau belum diverifikasi (%(why)s)",
                        permit=PERMIT_LABELS[kind],
                        why=requirement.because[kind],
                    ),
                    kind,
                )
            )
    if requirement.halal:
        if "halal" not in covering:
            blockers.append(
                Blocker(
                    "halal",
                    _l(
                        "Sertifikat halal belum ada atau belum diverifikasi. %(rule)s Unggah "
                        "sertifikatnya, atau centang pernyataan tidak halal jika bahannya "
                        "tidak halal.",
                        rule=requirement.halal_reason,
                    ),
                    "halal",
                )
            )
        elif product.halal_review_required:
            blockers.append(
                Blocker(
                    "halal_review",
                    _l(
                        "Komposisi atau proses berubah: pengurus perlu memeriksa ulang sertifikat "
                        "halal produk ini."
                    ),
                )
            )
    if product.stock < 0 or product.price_idr <= 0:
        blockers.append(Blocker("product", _l("Harga dan stok produk belum benar.")))
    return blockers


def assert_listable(product: Product, on: date | None = None) -> None:
    blockers = listing_blockers(product, on)
    if blockers:
        raise ListingGateError(blockers)


def has_verified_halal(product: Product, on: date | None = None) -> bool:
    """The halal badge: only with a verified certificate covering this product."""
    on = on or jakarta_today()
    return not product.halal_review_required and any(
        d.kind == "halal" and d.is_valid_on(on) for d in product.documents
    )


def unlist_failing_products(
    business: Business, *, actor=None, role="system", note=None, on: date | None = None
) -> list[Product]:
    """Unlist every listed product of ``business`` that no longer passes the gate."""
    on = on or jakarta_today()
    docs = valid_documents(business.id, on)
    unlisted = []
    listed = db.session.scalars(
        select(Product).where(
            Product.business_id == business.id, Product.status == ProductStatus.LISTED
        )
    )
    for product in listed:
        if listing_blockers(product, on, docs):
            apply_transition(product, "unlist", actor=actor, role=role, note=note)
            unlisted.append(product)
    return unlisted


def recheck_listed(on: date | None = None, note: str = "rules re-checked") -> list[Product]:
    """Re-ask the gate for every listed product; unlist (with an event) whatever fails.

    Run after a change of the permit table (``flask permits recheck`` after the issue-13
    migration) and daily by :func:`expire_permits`. Idempotent.
    """
    on = on or jakarta_today()
    with_listed = db.session.scalars(
        select(Business).where(
            Business.id.in_(
                select(Product.business_id).where(Product.status == ProductStatus.LISTED)
            )
        )
    ).all()
    unlisted: list[Product] = []
    for business in with_listed:
        unlisted += unlist_failing_products(business, role="system", note=note, on=on)
    return unlisted


def expire_permits(on: date | None = None) -> dict:
    """Daily job: expire lapsed permits, unlist what depended on them, warn 30 days ahead.

    Idempotent: a second run on the same day changes nothing more.
    """
    on = on or jakarta_today()
    stats = {"expired": 0, "unlisted": 0, "warned": 0}
    lapsed = db.session.scalars(
        select(LegalityDocument).where(
            LegalityDocument.status == DocumentStatus.VERIFIED,
            LegalityDocument.expires_on.is_not(None),
            LegalityDocument.expires_on < on,
        )
    ).all()
    for document in lapsed:
        apply_transition(
            document,
            "expire",
            actor=None,
            role="system",
            note=f"expired on {document.expires_on.isoformat()}",  # type: ignore[union-attr]
        )
        business = document.business
        products = unlist_failing_products(
            business, role="system", note=f"{document.kind} expired", on=on
        )
        stats["expired"] += 1
        stats["unlisted"] += len(products)
        audit.record(
            "document.expired",
            role="system",
            chapter=business.chapter,
            target=document,
            unlisted=len(products),
        )
        for user_id in [business.owner_id, *_leads_of(business.chapter_id)]:
            notify(
                user_id,
                "permit_expired",
                kind=document.kind,
                number=document.number_display,
                business=business.name,
                count=len(products),
                link=external_url("business.dashboard"),
                dedupe_key=f"expired:{document.id}:{user_id}",
            )

    # Rules can start to apply by date alone (the halal obligation of 18 Oct 2026).
    stats["unlisted"] += len(recheck_listed(on))

    horizon = on + timedelta(days=EXPIRY_WARNING_DAYS)
    expiring = db.session.scalars(
        select(LegalityDocument).where(
            LegalityDocument.status == DocumentStatus.VERIFIED,
            LegalityDocument.expires_on.is_not(None),
            LegalityDocument.expires_on >= on,
            LegalityDocument.expires_on <= horizon,
            LegalityDocument.expiry_warned_on.is_(None),
        )
    ).all()
    for document in expiring:
        document.expiry_warned_on = on
        business = document.business
        for user_id in [business.owner_id, *_leads_of(business.chapter_id)]:
            notify(
                user_id,
                "permit_expiring",
                kind=document.kind,
                number=document.number_display,
                business=business.name,
                date=document.expires_on.strftime("%d-%m-%Y"),  # type: ignore[union-attr]
                link=external_url("business.dashboard"),
                dedupe_key=f"expiring:{document.id}:{user_id}",
            )
        stats["warned"] += 1
    db.session.flush()
    return stats
