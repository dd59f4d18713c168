"""SME registration. The chapter comes from the declared address, never from the NIK."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.businesses.models import SCALES, Business
from marketplace.catalog.categories import CATEGORIES
from marketplace.chapters.models import Kelurahan
from marketplace.core import audit
from marketplace.core.crypto import encrypt_text
from marketplace.core.errors import ValidationFailed
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.legality import validators as v


@dataclass
class BusinessInput:
    name: str
    nik: str
    nib: str
    scale: str
    sector: str
    started_on: date | None
    kelurahan_code: str
    address_line: str
    postal_code: str
    whatsapp: str
    npwp: str | None = None


@dataclass
class Registered:
    business: Business
    warnings: list = field(default_factory=list)


def _check(validate, text, field_name):
    try:
        return validate(text)
    except v.InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field=field_name) from exc


def register_business(owner: User, data: BusinessInput) -> Registered:
    """Create the owner's business in the chapter of its kelurahan (one per owner)."""
    if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
        raise ValidationFailed(_l("Akun ini sudah memiliki usaha terdaftar."))
    name = (data.name or "").strip()
    if not 2 <= len(name) <= 120:
        raise ValidationFailed(_l("Nama usaha wajib diisi (2-120 karakter)."), field="name")
    nik = _check(v.validate_nik, data.nik, "nik")
    nib = _check(v.validate_nib, data.nib, "nib")
    npwp = _check(v.validate_npwp, data.npwp, "npwp") if (data.npwp or "").strip() else None
    whatsapp = _check(v.validate_whatsapp, data.whatsapp, "whatsapp")
    postal = _check(v.validate_postal_code, data.postal_code, "postal_code")
    if data.scale not in SCALES:
        raise ValidationFailed(_l("Pilih skala usaha."), field="scale")
    if data.sector not in CATEGORIES:
        raise ValidationFailed(_l("Pilih bidang usaha."), field="sector")
    if data.started_on is None or data.started_on > jakarta_today():
        raise ValidationFailed(
            _l("Tanggal mulai usaha tidak boleh di masa depan."), field="started_on"
        )
    address = (data.address_line or "").strip()
    if not 5 <= len(address) <= 200:
        raise ValidationFailed(
            _l("Alamat usaha wajib diisi (jalan, nomor, RT/RW)."), field="address_line"
        )
    kelurahan = db.session.get(Kelurahan, data.kelurahan_code or "")
    if kelurahan is None:
        raise ValidationFailed(_l("Pilih kelurahan tempat usaha."), field="kelurahan_code")

    business = Business(
        owner_id=owner.id,
        chapter_id=kelurahan.chapter_id,
        kelurahan_code=kelurahan.code,
        name=name,
        nik_encrypted=encrypt_text(nik.value),
        nik_masked=v.mask_nik(nik.value),
        nib=nib.value,
        npwp=npwp.value if npwp else None,
        scale=data.scale,
        sector=data.sector,
        started_on=data.started_on,
        address_line=address,
        postal_code=postal.value,
        whatsapp_e164=whatsapp.value,
    )
    db.session.add(business)
    db.session.flush()
    audit.record(
        "business.registered",
        actor=owner,
        role="sme_owner",
        chapter=kelurahan.chapter,
        target=business,
    )
    warnings = []
    if postal.value != kelurahan.postal_code:
        warnings.append(
            _l(
                "Kode pos %(given)s biasanya bukan untuk kelurahan %(kel)s (%(expected)s). "
                "Periksa lagi alamat Anda.",
                given=postal.value,
                kel=kelurahan.name,
                expected=kelurahan.postal_code,
            )
        )
    return Registered(business, warnings)


def kelurahan_choices() -> list[tuple[str, str]]:
    """(code, 'Kelurahan — Kecamatan, Kota') for the address picker, grouped by kecamatan."""
    from marketplace.chapters.models import Chapter

    rows = db.session.execute(
        select(Kelurahan.code, Kelurahan.name, Chapter.name, Chapter.kota)
        .join(Chapter, Kelurahan.chapter_id == Chapter.id)
        .order_by(Chapter.kota, Chapter.name, Kelurahan.name)
    )
    return [(code, f"{kel} — Kec. {kec}, {kota}") for code, kel, kec, kota in rows]
