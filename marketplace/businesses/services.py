"""SME registration. The chapter comes from the declared address, never from the NIK."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.businesses import identity
from marketplace.businesses.models import MARITAL_STATUSES, SCALES, SIKP_SECTORS, Business
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
    npwp_is_nik: bool = False
    # SIKP fields (issue 13): optional at registration, asked again on the profile page.
    kk: str | None = None
    marital_status: str | None = None
    sikp_sector: str | None = None
    kbli_code: str | None = None


@dataclass
class SikpInput:
    """The SIKP debtor fields a bank registers a KUR borrower with."""

    kk: str | None = None
    marital_status: str | None = None
    sikp_sector: str | None = None
    kbli_code: str | None = None


@dataclass
class Registered:
    business: Business
    warnings: list = field(default_factory=list)


def _check(validate, text, field_name):
    try:
        return validate(text)
    except v.InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field=field_name) from exc


ALREADY_REGISTERED = _l("Akun ini sudah memiliki usaha terdaftar.")
NIK_TAKEN = _l(
    "NIK ini sudah dipakai untuk usaha lain yang terdaftar: satu NIK untuk satu usaha. Jika "
    "itu usaha Anda, masuk dengan akun yang mendaftarkannya, atau hubungi pengurus chapter."
)


def _owner_nik(data_nik, today: date):
    """The NIK, validated, of an owner at least 17 years old."""
    nik = _check(v.validate_nik, data_nik, "nik")
    if identity.age_on(nik.info["birth_date"], today) < identity.MIN_OWNER_AGE:
        raise ValidationFailed(
            _l(
                "Menurut tanggal lahir di NIK, pemilik belum berusia 17 tahun. Usaha hanya bisa "
                "didaftarkan oleh pemilik yang sudah 17 tahun (punya KTP); daftarkan atas nama "
                "orang tua atau wali."
            ),
            field="nik",
        )
    return nik


def _npwp(data: BusinessInput, nik: v.Validated) -> tuple[str | None, bool, list]:
    """(entity NPWP, npwp_is_nik, warnings): an individual's NPWP is the NIK, never a copy."""
    text = (data.npwp or "").strip()
    if not text:
        return None, bool(data.npwp_is_nik), []
    npwp = _check(v.validate_npwp, text, "npwp")
    form = npwp.info.get("form")
    if form == "nik":
        if npwp.value != nik.value:
            raise ValidationFailed(
                _l(
                    "NPWP perorangan adalah NIK pemilik usaha, tetapi nomor ini berbeda dengan "
                    'NIK yang Anda isi. Kosongkan NPWP dan centang "NPWP saya adalah NIK".'
                ),
                field="npwp",
            )
        return None, True, []
    if npwp.info.get("use_nik"):
        return None, True, [npwp.info["advice"]]
    if data.npwp_is_nik:
        raise ValidationFailed(
            _l(
                'Nomor ini NPWP badan usaha, bukan NIK. Hapus centang "NPWP saya adalah NIK" '
                "atau kosongkan nomornya."
            ),
            field="npwp",
        )
    return npwp.value, False, []


def _sikp_values(data) -> dict:
    """The SIKP fields, checked: those left blank stay unknown (None)."""
    values: dict = {}
    kk_text = (data.kk or "").strip()
    if kk_text:
        kk = _check(v.validate_kk, kk_text, "kk")
        values["kk_encrypted"] = encrypt_text(kk.value)
        values["kk_masked"] = kk.display
    if data.marital_status:
        if data.marital_status not in MARITAL_STATUSES:
            raise ValidationFailed(_l("Pilih status perkawinan."), field="marital_status")
        values["marital_status"] = data.marital_status
    if data.sikp_sector:
        if data.sikp_sector not in SIKP_SECTORS:
            raise ValidationFailed(_l("Pilih sektor usaha."), field="sikp_sector")
        values["sikp_sector"] = data.sikp_sector
    kbli = "".join((data.kbli_code or "").split())
    if kbli:
        if not (len(kbli) == 5 and kbli.isascii() and kbli.isdigit()):
            raise ValidationFailed(
                _l("Kode KBLI terdiri dari 5 angka, lihat di NIB Anda (contoh 10792)."),
                field="kbli_code",
            )
        values["kbli_code"] = kbli
    return values


def nik_taken(index: str) -> bool:
    """Another business (registered after issue 13) holds this NIK's blind index."""
    return (
        db.session.scalar(
            select(Business.id).where(
                Business.nik_index == index, Business.nik_legacy_duplicate.is_(False)
            )
        )
        is not None
    )


def register_business(owner: User, data: BusinessInput) -> Registered:
    """Create the owner's business in the chapter of its kelurahan (one per owner, one per
    NIK: the unique blind index decides a race, the loser gets NIK_TAKEN)."""
    if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
        raise ValidationFailed(ALREADY_REGISTERED)
    name = (data.name or "").strip()
    if not 2 <= len(name) <= 120:
        raise ValidationFailed(_l("Nama usaha wajib diisi (2-120 karakter)."), field="name")
    nik = _owner_nik(data.nik, jakarta_today())
    index = identity.nik_index(nik.value)
    if nik_taken(index):
        raise ValidationFailed(NIK_TAKEN, field="nik")
    nib = _check(v.validate_nib, data.nib, "nib")
    npwp, npwp_is_nik, npwp_warnings = _npwp(data, nik)
    sikp = _sikp_values(data)
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
        nik_index=index,
        nib=nib.value,
        npwp=npwp,
        npwp_is_nik=npwp_is_nik,
        scale=data.scale,
        sector=data.sector,
        started_on=data.started_on,
        address_line=address,
        postal_code=postal.value,
        whatsapp_e164=whatsapp.value,
        **sikp,
    )
    try:
        # A savepoint: a concurrent registration with the same NIK (or owner) loses here on
        # the unique index, and the rest of the request's transaction stays usable.
        with db.session.begin_nested():
            db.session.add(business)
            db.session.flush()
    except IntegrityError:
        if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
            raise ValidationFailed(ALREADY_REGISTERED) from None
        raise ValidationFailed(NIK_TAKEN, field="nik") from None
    audit.record(
        "business.registered",
        actor=owner,
        role="sme_owner",
        chapter=kelurahan.chapter,
        target=business,
    )
    warnings = list(npwp_warnings)
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


def update_sikp(business: Business, data: SikpInput, *, actor) -> Business:
    """The owner fills in or corrects the SIKP fields (blank fields keep their value)."""
    values = _sikp_values(data)
    if not values:
        raise ValidationFailed(_l("Isi paling sedikit satu data."))
    for name, value in values.items():
        setattr(business, name, value)
    audit.record(
        "business.sikp_updated",
        actor=actor,
        role="sme_owner",
        chapter=business.chapter,
        target=business,
        fields=sorted(k for k in values if k != "kk_encrypted"),
    )
    return business


def kelurahan_choices() -> list[tuple[str, str]]:
    """(code, 'Kelurahan — Kecamatan, Kota') for the address picker, grouped by kecamatan."""
    from marketplace.chapters.models import Chapter

    rows = db.session.execute(
        select(Kelurahan.code, Kelurahan.name, Chapter.name, Chapter.kota)
        .join(Chapter, Kelurahan.chapter_id == Chapter.id)
        .order_by(Chapter.kota, Chapter.name, Kelurahan.name)
    )
    return [(code, f"{kel} — Kec. {kec}, {kota}") for code, kel, kec, kota in rows]


MAX_STOREFRONT_DESCRIPTION = 1000


def set_storefront_description(business: Business, text: str, *, actor) -> Business:
    """The storefront's "about us" (issue 16), shown on /b/<id> and its share preview."""
    text = (text or "").strip()
    if len(text) > MAX_STOREFRONT_DESCRIPTION:
        raise ValidationFailed(
            _l("Deskripsi etalase maksimal %(n)d karakter.", n=MAX_STOREFRONT_DESCRIPTION),
            field="description",
        )
    business.description = text
    audit.record(
        "business.storefront_updated",
        actor=actor,
        role="sme_owner",
        chapter=business.chapter,
        target=business,
    )
    return business
