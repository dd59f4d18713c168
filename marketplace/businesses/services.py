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
from marketplace.core.errors import FieldErrors, ValidationFailed
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
    # The kecamatan picked first (a chapter slug): narrows and disambiguates the kelurahan.
    kecamatan: str | None = None


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


@dataclass
class CheckedRegistration:
    """A registration whose every answer passed (``check_registration``)."""

    name: str
    nik: v.Validated
    index: str
    nib: v.Validated
    npwp: str | None
    npwp_is_nik: bool
    warnings: list
    sikp: dict
    whatsapp: v.Validated
    postal: v.Validated
    address: str
    kelurahan: Kelurahan


def check_registration(owner: User, data: BusinessInput) -> CheckedRegistration:
    """Every rule of a registration, nothing written: refused with EVERY field's error at
    once (ValidationFailed with ``errors``, the form's error summary), else the checked
    values. The "check your answers" page runs it before the owner confirms."""
    if db.session.scalar(select(Business.id).where(Business.owner_id == owner.id)):
        raise ValidationFailed(ALREADY_REGISTERED)
    errors = FieldErrors()
    name = (data.name or "").strip()
    with errors.on("name"):
        if not 2 <= len(name) <= 120:
            raise ValidationFailed(_l("Nama usaha wajib diisi (2-120 karakter)."), field="name")
    nik = index = nib = whatsapp = postal = kelurahan = None
    npwp: str | None = None
    npwp_is_nik = False
    npwp_warnings: list = []
    sikp: dict = {}
    with errors.on("nik"):
        nik = _owner_nik(data.nik, jakarta_today())
        index = identity.nik_index(nik.value)
        if nik_taken(index):
            raise ValidationFailed(NIK_TAKEN, field="nik")
    with errors.on("nib"):
        nib = _check(v.validate_nib, data.nib, "nib")
    if nik is not None:
        with errors.on("npwp"):
            npwp, npwp_is_nik, npwp_warnings = _npwp(data, nik)
    with errors.on("kk"):
        sikp = _sikp_values(data)
    with errors.on("whatsapp"):
        whatsapp = _check(v.validate_whatsapp, data.whatsapp, "whatsapp")
    with errors.on("postal_code"):
        postal = _check(v.validate_postal_code, data.postal_code, "postal_code")
    with errors.on("scale"):
        if data.scale not in SCALES:
            raise ValidationFailed(_l("Pilih skala usaha."), field="scale")
    with errors.on("sector"):
        if data.sector not in CATEGORIES:
            raise ValidationFailed(_l("Pilih bidang usaha."), field="sector")
    with errors.on("started_on"):
        if data.started_on is None or data.started_on > jakarta_today():
            raise ValidationFailed(
                _l("Tanggal mulai usaha tidak boleh di masa depan."), field="started_on"
            )
    address = (data.address_line or "").strip()
    with errors.on("address_line"):
        if not 5 <= len(address) <= 200:
            raise ValidationFailed(
                _l("Alamat usaha wajib diisi (jalan, nomor, RT/RW)."), field="address_line"
            )
    with errors.on("kelurahan_code"):
        kelurahan = find_kelurahan(data.kelurahan_code, data.kecamatan)
        if kelurahan is None:
            raise ValidationFailed(_l("Pilih kelurahan tempat usaha."), field="kelurahan_code")
    errors.raise_if_any()
    assert nik and index and nib and whatsapp and postal and kelurahan  # noqa: PT018, S101
    return CheckedRegistration(
        name=name,
        nik=nik,
        index=index,
        nib=nib,
        npwp=npwp,
        npwp_is_nik=npwp_is_nik,
        warnings=list(npwp_warnings),
        sikp=sikp,
        whatsapp=whatsapp,
        postal=postal,
        address=address,
        kelurahan=kelurahan,
    )


def register_business(owner: User, data: BusinessInput) -> Registered:
    """Create the owner's business in the chapter of its kelurahan (one per owner, one per
    NIK: the unique blind index decides a race, the loser gets NIK_TAKEN). Every answer is
    checked first (``check_registration``: all refused fields at once)."""
    checked = check_registration(owner, data)
    name, nik, index, nib = checked.name, checked.nik, checked.index, checked.nib
    npwp, npwp_is_nik, npwp_warnings = checked.npwp, checked.npwp_is_nik, checked.warnings
    sikp, whatsapp, postal = checked.sikp, checked.whatsapp, checked.postal
    address, kelurahan = checked.address, checked.kelurahan

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


def kecamatan_choices() -> list[tuple[str, str]]:
    """(chapter slug, 'Kec. Name, Kota') of the 44 kecamatan, by kota then name."""
    from marketplace.chapters.models import Chapter

    rows = db.session.execute(select(Chapter.slug, Chapter.name, Chapter.kota))
    return sorted(
        ((slug, f"Kec. {name}, {kota}") for slug, name, kota in rows),
        key=lambda pair: pair[1].split(", ", 1)[::-1],
    )


def kelurahan_of(kecamatan: str | None) -> list[tuple[str, str]]:
    """(code, label) of the kelurahan of one kecamatan (chapter slug), else of all of them:
    the options of the kelurahan field's datalist."""
    from marketplace.chapters.models import Chapter

    if not kecamatan:
        return kelurahan_choices()
    rows = db.session.execute(
        select(Kelurahan.code, Kelurahan.name)
        .join(Chapter, Kelurahan.chapter_id == Chapter.id)
        .where(Chapter.slug == kecamatan)
        .order_by(Kelurahan.name)
    )
    return [(code, name) for code, name in rows]


def find_kelurahan(text: str | None, kecamatan: str | None = None) -> Kelurahan | None:
    """The kelurahan a person picked or typed: its code (the select of older clients), its
    full label from the datalist, or its name (within the kecamatan when one was picked;
    across Jakarta only when the name is unique). Case and spaces do not matter."""
    typed = " ".join((text or "").split())
    if not typed:
        return None
    found = db.session.get(Kelurahan, typed)
    if found is not None:
        return found
    wanted = typed.casefold()
    matches = [
        code
        for code, label in kelurahan_of(kecamatan)
        if wanted in (label.casefold(), label.split(" — ", 1)[0].casefold())
    ]
    return db.session.get(Kelurahan, matches[0]) if len(matches) == 1 else None
