"""PDP self-service (UU 27/2022 arts. 5-13): what is held about a user, its export, the
corrections, and erasure on request.

Everything here starts from the user: each query filters by the user's id or by the one
business they own, so an export never carries anyone else's rows. Features outside the
host (the referral network) add their sections through ``register_personal_data``.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import LoginSession, User
from marketplace.businesses.models import Business
from marketplace.core import audit
from marketplace.core.errors import ValidationFailed
from marketplace.core.extension import registry
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.privacy.models import Erasure

# What stays after an erasure, for how long and why (shown on the page, art. 21 and 43-44).
RETENTION = (
    (
        _l("Pesanan dan buku kas usaha"),
        _l("10 tahun"),
        _l(
            "Kewajiban menyimpan pembukuan dan bukti transaksi (UU KUP pasal 28 ayat 11). "
            "Disimpan tanpa nama, nomor WhatsApp, e-mail, NIK dan alamat Anda."
        ),
    ),
    (
        _l("Bukti persetujuan berbagi data ke bank"),
        _l("selama masa simpan yang tertulis di bukti itu"),
        _l("Untuk membuktikan persetujuan (UU 27/2022 pasal 22)."),
    ),
    (
        _l("Catatan audit"),
        _l("10 tahun"),
        _l("Siapa melakukan apa dan kapan, tanpa data pribadi: untuk keamanan sistem."),
    ),
    (
        _l("Foto bukti komplain pesanan"),
        _l("10 tahun"),
        _l(
            "Bagian dari bukti transaksi pengembalian dana (UU KUP pasal 28 ayat 11), "
            "disimpan bersama pesanannya."
        ),
    ),
    (
        _l("Foto produk"),
        _l("tetap disimpan"),
        _l(
            "Foto barang dagangan, bukan data pribadi; produknya diturunkan dari etalase dan "
            "pesanan lama masih menyebutnya."
        ),
    ),
    (
        _l("Scan dokumen izin (NIB, PIRT, sertifikat halal, dan lainnya) dan pratinjaunya"),
        _l("dihapus saat Anda meminta"),
        _l(
            "Berkasnya dihapus dari penyimpanan begitu penghapusan tersimpan: tidak ada aturan "
            "yang mewajibkan Pasarkita menyimpannya. Bank yang sudah menerima scan lewat "
            "rujukan KUR menyimpan salinannya sendiri sebagai pengendali data."
        ),
    ),
    (
        _l("Data akun, NIK, nomor KK, nomor WhatsApp, e-mail, alamat, nama usaha"),
        _l("dihapus saat Anda meminta"),
        _l("Dihapus atau diganti sehingga tidak lagi menunjuk Anda."),
    ),
)

ERASED_NAME = "Pengguna dihapus"
ERASED_FILE_NAME = "dokumen-dihapus"


@dataclass
class Section:
    """One block of "what we hold": a label and flat rows (dicts of str -> scalar)."""

    key: str
    label: Any
    rows: list[dict[str, Any]] = field(default_factory=list)


def _business(user) -> Business | None:
    return db.session.scalar(select(Business).where(Business.owner_id == user.id))


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _account(user: User) -> Section:
    return Section(
        "account",
        _l("Akun"),
        [
            {
                "id": user.id,
                "name": user.name,
                "email": user.email,
                "whatsapp": user.phone_e164,
                "whatsapp_pending": user.pending_phone_e164,
                "language": user.locale,
                "created_at": _iso(user.created_at),
                "roles": ", ".join(_roles(user)),
            }
        ],
    )


def _roles(user: User) -> list[str]:
    roles = ["admin"] if user.is_admin else []
    roles += [f"lead:{role.chapter.slug}" for role in user.lead_roles]
    return roles


def _business_section(business: Business | None) -> Section:
    rows = []
    if business is not None:
        rows.append(
            {
                "id": business.id,
                "name": business.name,
                "chapter": business.chapter.name,
                "kelurahan": business.kelurahan.name,
                # The NIK and KK are shown masked: the export must not become a leak of them.
                "nik": business.nik_masked,
                "kk": business.kk_masked,
                "nib": business.nib,
                "npwp": business.npwp,
                "marital_status": business.marital_status,
                "sector": business.sector,
                "scale": business.scale,
                "started_on": _iso(business.started_on),
                "address_line": business.address_line,
                "postal_code": business.postal_code,
                "whatsapp": business.whatsapp_e164,
                "created_at": _iso(business.created_at),
            }
        )
    return Section("business", _l("Usaha"), rows)


def _documents(business: Business | None) -> Section:
    from marketplace.legality.models import LegalityDocument

    rows = []
    if business is not None:
        for doc in db.session.scalars(
            select(LegalityDocument)
            .where(LegalityDocument.business_id == business.id)
            .order_by(LegalityDocument.id)
        ):
            rows.append(
                {
                    "id": doc.id,
                    "kind": doc.kind,
                    "number": doc.number_display,
                    "status": str(doc.status),
                    "issued_on": _iso(doc.issued_on),
                    "expires_on": _iso(doc.expires_on),
                    "file": doc.original_name,
                    "created_at": _iso(doc.created_at),
                }
            )
    return Section("documents", _l("Dokumen izin"), rows)


def _purchases(user: User) -> Section:
    from marketplace.orders.models import Checkout, Order

    rows = []
    for order, checkout in db.session.execute(
        select(Order, Checkout)
        .join(Checkout, Checkout.id == Order.checkout_id)
        .where(Order.consumer_id == user.id)
        .order_by(Order.id)
    ):
        rows.append(
            {
                "order": order.id,
                "status": str(order.status),
                "total_idr": order.total_idr,
                "created_at": _iso(order.created_at),
                "recipient_name": checkout.recipient_name,
                "address_line": checkout.address_line,
                "postal_code": checkout.postal_code,
                "whatsapp": checkout.whatsapp_e164,
            }
        )
    return Section("purchases", _l("Pesanan Anda sebagai pembeli"), rows)


def _sales(business: Business | None) -> Section:
    from marketplace.orders.models import Order

    rows = []
    if business is not None:
        for order in db.session.scalars(
            select(Order).where(Order.business_id == business.id).order_by(Order.id)
        ):
            # The buyer's contact is the buyer's data, not the seller's: amounts only.
            rows.append(
                {
                    "order": order.id,
                    "status": str(order.status),
                    "total_idr": order.total_idr,
                    "created_at": _iso(order.created_at),
                }
            )
    return Section("sales", _l("Pesanan masuk ke usaha Anda"), rows)


def _books(business: Business | None) -> Section:
    from marketplace.ledger.models import LedgerEntry

    rows = []
    if business is not None:
        for entry in db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.business_id == business.id)
            .order_by(LedgerEntry.occurred_on, LedgerEntry.id)
            .execution_options(yield_per=500)
        ):
            rows.append(
                {
                    "id": entry.id,
                    "kind": entry.kind,
                    "category": entry.category,
                    "amount_idr": entry.amount_idr,
                    "occurred_on": _iso(entry.occurred_on),
                    "order": entry.order_id,
                    "note": entry.note,
                }
            )
    return Section("books", _l("Buku kas"), rows)


def _assist(business: Business | None) -> Section:
    from marketplace.assist.services import grants_of

    rows = []
    if business is not None:
        for grant in grants_of(business):
            rows.append(
                {
                    "id": grant.id,
                    "helper": grant.helper.name,
                    "tasks": ", ".join(grant.tasks),
                    "created_at": _iso(grant.created_at),
                    "expires_at": _iso(grant.expires_at),
                    "revoked_at": _iso(grant.revoked_at),
                }
            )
    return Section("assist", _l("Akses pendampingan"), rows)


def sections(user: User) -> Iterator[Section]:
    """What is held about ``user``, one section at a time (the export streams them)."""
    business = _business(user)
    yield _account(user)
    yield _business_section(business)
    yield _documents(business)
    yield _purchases(user)
    yield _sales(business)
    yield _books(business)
    yield _assist(business)
    for provider in registry().personal_data:
        for key, label, rows in provider(user):
            yield Section(key, label, [{k: _iso(v) for k, v in row.items()} for row in rows])


def export_json(user: User) -> Iterator[str]:
    """The export as JSON, written a section at a time."""
    generated = json.dumps(utcnow().isoformat())
    yield f'{{"format": "pasarkita-personal-data/1", "generated_at": {generated}, "sections": {{'
    for n, section in enumerate(sections(user)):
        yield ("," if n else "") + json.dumps(section.key) + ": "
        yield json.dumps({"label": str(section.label), "rows": section.rows}, ensure_ascii=False)
    yield "}}\n"


def export_csv(user: User) -> Iterator[str]:
    """The export as one CSV in long form: section, row, field, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["section", "row", "field", "value"])
    yield flush()
    for section in sections(user):
        for n, row in enumerate(section.rows, start=1):
            for key, value in row.items():
                writer.writerow([section.key, n, key, _csv_safe(value)])
        yield flush()


def _csv_safe(value) -> str:
    # Spreadsheet formula injection: a cell that starts like a formula is quoted as text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- rectification -------------------------------------------------------------------------


def correct_business(owner: User, *, name: str, address_line: str, postal_code: str) -> Business:
    """The owner corrects their business's name and address (art. 6). The NIK and NIB are
    corrected by the chapter (they are checked against documents)."""
    from marketplace.assist.services import refuse_helper

    refuse_helper(owner)
    business = _business(owner)
    if business is None:
        raise ValidationFailed(_l("Anda belum mendaftarkan usaha."))
    name = (name or "").strip()
    address_line = (address_line or "").strip()
    postal_code = (postal_code or "").strip()
    if not 2 <= len(name) <= 120:
        raise ValidationFailed(_l("Nama usaha wajib diisi (maksimal 120 karakter)."), field="name")
    if not 5 <= len(address_line) <= 200:
        raise ValidationFailed(_l("Tulis alamat usaha (5 sampai 200 karakter)."), field="address")
    if not (len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()):
        raise ValidationFailed(_l("Kode pos 5 angka."), field="postal_code")
    business.name, business.address_line, business.postal_code = name, address_line, postal_code
    audit.record(
        "privacy.corrected",
        actor=owner,
        role="sme_owner",
        chapter=business.chapter,
        target=business,
    )
    db.session.flush()
    return business


# --- erasure -------------------------------------------------------------------------------


def erasure_effects(user: User) -> list[str]:
    """What an erasure will do for this user, in words (the check-your-answers page)."""
    effects = [
        str(_l("Nama, e-mail dan nomor WhatsApp akun dihapus; Anda tidak bisa masuk lagi.")),
        str(_l("Semua sesi masuk Anda berakhir.")),
    ]
    if _business(user) is not None:
        effects += [
            str(_l("NIK, nomor KK, alamat, nomor WhatsApp dan nama usaha Anda dihapus.")),
            str(_l("Usaha Anda tidak lagi tampil di Pasarkita; semua produk diturunkan.")),
            str(_l("Pesanan dan buku kas tetap disimpan 10 tahun tanpa data pribadi Anda.")),
            str(_l("Scan dokumen izin Anda dan pratinjaunya dihapus dari penyimpanan.")),
        ]
    for provider in registry().personal_data:
        describe = getattr(provider, "on_delete", None)
        if describe is not None:
            effects += [str(line) for line in describe(user)]
    return effects


def open_orders(user: User) -> int:
    """Paid orders not yet completed, as buyer or seller: their delivery needs the address."""
    from sqlalchemy import func, or_

    from marketplace.orders.models import Order, OrderStatus

    business = _business(user)
    who = Order.consumer_id == user.id
    if business is not None:
        who = or_(who, Order.business_id == business.id)
    return db.session.execute(
        select(func.count(Order.id)).where(
            who, Order.status.in_((OrderStatus.PAID, OrderStatus.SHIPPED))
        )
    ).scalar_one()


def erase_account(user: User, *, password: str) -> Erasure:
    """Anonymise ``user`` and their business's personal fields, keep what the law keeps,
    end every session, unlist the business; the plug-ins' providers act first (an open
    referral is withdrawn and its bank told). Needs the password; never by a helper."""
    from marketplace.assist.services import refuse_helper
    from marketplace.catalog import services as catalog
    from marketplace.catalog.models import Product, ProductStatus
    from marketplace.orders.models import Checkout

    refuse_helper(user)
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationFailed(_l("Kata sandi salah."), field="password")
    if db.session.scalar(select(Erasure.id).where(Erasure.user_id == user.id)) is not None:
        raise ValidationFailed(_l("Akun ini sudah dihapus."))
    if open_orders(user):
        raise ValidationFailed(
            _l(
                "Masih ada pesanan yang sudah dibayar tetapi belum selesai. Selesaikan dulu "
                "(terima atau kirim), lalu minta penghapusan lagi."
            )
        )
    for provider in registry().personal_data:
        erase = getattr(provider, "erase", None)
        if erase is not None:
            erase(user)
    from marketplace.assist.services import end_grants_given_by

    end_grants_given_by(user)  # helpers lose access now and are told it ended early
    business = _business(user)
    files = _erase_document_files(business) if business is not None else 0
    if business is not None:
        for product in db.session.scalars(
            select(Product).where(
                Product.business_id == business.id, Product.status == ProductStatus.LISTED
            )
        ):
            catalog.unlist_product(product, actor=user, note="account erased")
        business.name = f"Usaha dihapus #{business.id}"
        business.nik_encrypted = b""
        business.nik_masked = ""
        # Unique and meaningless: the NIK can be registered again, and nothing links to it.
        business.nik_index = f"erased:{business.id}"
        business.kk_encrypted = None
        business.kk_masked = None
        business.marital_status = None
        business.address_line = ""
        business.whatsapp_e164 = ""
    # The buyer's delivery contact on their own checkouts (amounts and items stay).
    db.session.execute(
        update(Checkout)
        .where(Checkout.user_id == user.id)
        .values(recipient_name=ERASED_NAME, address_line="", whatsapp_e164="")
        .execution_options(synchronize_session=False)
    )
    user.name = ERASED_NAME
    user.email = None
    user.phone_e164 = None
    user.pending_phone_e164 = None
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    user.is_disabled = True
    user.locale = None
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    erasure = Erasure(user_id=user.id, business_id=business.id if business else None)
    db.session.add(erasure)
    db.session.flush()
    audit.record(
        "privacy.erased",
        actor=user,
        role="sme_owner" if business else "consumer",
        chapter=business.chapter if business else None,
        target=erasure,
        files=files,
    )
    return erasure


def _erase_document_files(business: Business) -> int:
    """The business's legality scans (NIB, PIRT, halal, KTP-bearing permits: personal data,
    and no rule makes Pasarkita keep them) leave the private store once the erasure
    commits (core.uploads.discard_after_commit: a rolled-back erasure keeps them, since a
    file deleted before a rollback could not come back). The rows stay for the products'
    history with their file name blanked; downloads and previews of them answer 404 (the
    preview cache drops a preview whose file is gone, in every process). Returns how many."""
    from marketplace.core import uploads
    from marketplace.legality import preview
    from marketplace.legality.models import LegalityDocument

    keys = list(
        db.session.scalars(
            select(LegalityDocument.file_key).where(LegalityDocument.business_id == business.id)
        )
    )
    for key in keys:
        uploads.discard_after_commit(key)
    db.session.execute(
        update(LegalityDocument)
        .where(LegalityDocument.business_id == business.id)
        .values(original_name=ERASED_FILE_NAME)
        .execution_options(synchronize_session=False)
    )
    preview.forget(keys)  # this process's copies now; a cache miss is harmless if rolled back
    return len(keys)


def is_erased(user: User) -> bool:
    return db.session.scalar(select(Erasure.id).where(Erasure.user_id == user.id)) is not None
