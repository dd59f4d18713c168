"""Offline *format* checks for the identifiers an UMKM seller gives us (DOMAIN.md §0, §1.1–1.8).

A passing check means "well-formed", never "real and current": only OSS, DJP, Dukcapil, BPOM,
BPJPH and Dinkes can say that (DOMAIN §0.1). Every validator takes arbitrary input and either
returns a :class:`Validated` or raises :class:`InvalidIdentifier` -- nothing else -- whose
``reason`` is a plain-Indonesian lazy string that is safe to show to the seller (it never echoes
the number back, because a NIK is personal data).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from flask_babel import lazy_gettext as _l
from stdnum import luhn

__all__ = [
    "VALIDATORS",
    "InvalidIdentifier",
    "Validated",
    "check",
    "mask_nik",
    "validate_bpom",
    "validate_bpom_cosmetic",
    "validate_bpom_food",
    "validate_halal",
    "validate_kk",
    "validate_nib",
    "validate_nik",
    "validate_npwp",
    "validate_phone",
    "validate_pirt",
    "validate_pkrt",
    "validate_postal_code",
    "validate_whatsapp",
]

#: Raw input longer than this is refused before any parsing (the longest legitimate form,
#: ``SPP-IRT No. 2063171010236-29`` or a spaced-out phone number, is far shorter).
MAX_INPUT_LENGTH = 64


@dataclass(frozen=True)
class Validated:
    """A well-formed identifier: ``value`` is what to store, ``display`` what to show."""

    kind: str
    value: str
    display: str
    info: dict[str, Any] = field(default_factory=dict, hash=False)


class InvalidIdentifier(ValueError):
    """The text is not a well-formed identifier of ``kind``; ``reason`` is safe to show."""

    def __init__(self, kind: str, reason: Any) -> None:
        super().__init__(kind, reason)
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


# --------------------------------------------------------------------------------------------
# Shared input preparation
# --------------------------------------------------------------------------------------------

LABELS = {
    "nik": _l("NIK"),
    "kk": _l("Nomor KK"),
    "nib": _l("NIB"),
    "npwp": _l("NPWP"),
    "pirt": _l("Nomor P-IRT"),
    "bpom": _l("Nomor BPOM"),
    "halal": _l("Nomor sertifikat halal"),
    "pkrt": _l("Nomor izin edar PKRT"),
    "phone": _l("Nomor telepon"),
    "postal": _l("Kode pos"),
}

# Look-alike separators that phones and word processors put into pasted text; anything else
# outside printable ASCII (Arabic-Indic or full-width digits, control characters) is refused.
_UNICODE_SEPARATORS = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u202f": " ",  # narrow no-break space
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
    }
)

_SEPARATORS = re.compile(r"[ .\-/]")
_DIGITS = re.compile(r"\d+", re.ASCII)


def _fail(kind: str, reason: Any) -> InvalidIdentifier:
    return InvalidIdentifier(kind, reason)


def _prepare(kind: str, text: object) -> str:
    """Type, length and character checks shared by every validator.

    Returns the stripped, upper-cased text (printable ASCII only).
    """
    label = LABELS[kind]
    if text is None:
        raise _fail(kind, _l("%(label)s belum diisi.", label=label))
    if not isinstance(text, str):
        raise _fail(kind, _l("%(label)s tidak bisa dibaca. Ketik ulang nomornya.", label=label))
    if len(text) > MAX_INPUT_LENGTH:
        raise _fail(kind, _l("%(label)s terlalu panjang. Periksa lagi nomornya.", label=label))
    text = text.translate(_UNICODE_SEPARATORS).strip()
    if not text:
        raise _fail(kind, _l("%(label)s belum diisi.", label=label))
    if not (text.isascii() and text.isprintable()):
        raise _fail(
            kind,
            _l(
                "%(label)s berisi tanda yang tidak dikenal. "
                "Ketik ulang nomornya dengan angka dan huruf biasa.",
                label=label,
            ),
        )
    return text.upper()


def _label_stripper(labels: str) -> re.Pattern[str]:
    """A prefix such as ``NPWP:``, ``P-IRT No.``, ``No. KTP`` or ``BPOM RI Nomor``."""
    number = r"(?:(?:NOMOR|NOMER|NO)(?![A-Z])\s*\.?\s*)?"
    return re.compile(rf"^{number}(?:(?:{labels})(?![A-Z])\s*)?{number}:?\s*", re.ASCII)


def _compact(text: str, stripper: re.Pattern[str]) -> str:
    return _SEPARATORS.sub("", stripper.sub("", text, count=1))


def _digits_only(kind: str, compact: str, expected: int) -> str:
    """``compact`` must be exactly ``expected`` ASCII digits."""
    label = LABELS[kind]
    if not compact:
        raise _fail(kind, _l("%(label)s belum diisi.", label=label))
    if not compact.isdigit():
        raise _fail(
            kind,
            _l(
                "%(label)s hanya berisi angka, tanpa huruf atau tanda lain.",
                label=label,
            ),
        )
    if len(compact) != expected:
        raise _fail(
            kind,
            _l(
                "%(label)s harus %(expected)s angka. Yang Anda ketik %(count)s angka.",
                label=label,
                expected=expected,
                count=len(compact),
            ),
        )
    return compact


def _today(today: datetime.date | None) -> datetime.date:
    return today if today is not None else datetime.date.today()


# --------------------------------------------------------------------------------------------
# 1.1 NIK
# --------------------------------------------------------------------------------------------

#: Province codes (Kemendagri, 38 provinces incl. the 2022 Papua split). 94 was the old Papua
#: code and still appears on older NIKs (python-stdnum's table has it too).
PROVINCE_CODES = frozenset(
    ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21"]
    + ["31", "32", "33", "34", "35", "36", "51", "52", "53"]
    + ["61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76"]
    + ["81", "82", "91", "92", "93", "94", "95", "96"]
)

_NIK_LABELS = _label_stripper(r"NIK|KTP")


def mask_nik(nik: str) -> str:
    """``3171********0001``: the only form in which a NIK may be shown (DOMAIN §0.3)."""
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}"


def _nik_birth_date(kind: str, nik: str, today: datetime.date) -> tuple[datetime.date, bool]:
    """(birth date, century_ambiguous). Day > 40 means a woman (day + 40)."""
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if not (1 <= dd <= 31 or 41 <= dd <= 71):
        raise _fail(
            kind,
            _l(
                "Tanggal lahir di dalam NIK (angka ke-7 dan ke-8) tidak benar. "
                "Periksa lagi NIK di KTP Anda."
            ),
        )
    if not 1 <= mm <= 12:
        raise _fail(
            kind,
            _l(
                "Bulan lahir di dalam NIK (angka ke-9 dan ke-10) tidak benar. "
                "Periksa lagi NIK di KTP Anda."
            ),
        )
    day = dd - 40 if dd > 40 else dd
    candidates = []
    for century in (1900, 2000):
        try:
            candidates.append(datetime.date(century + yy, mm, day))
        except ValueError:
            continue
    if not candidates:
        raise _fail(
            kind,
            _l("Tanggal lahir di dalam NIK tidak ada di kalender. Periksa lagi NIK di KTP Anda."),
        )
    past = [d for d in candidates if d <= today]
    if not past:
        raise _fail(
            kind,
            _l("Tanggal lahir di dalam NIK belum terjadi. Periksa lagi NIK di KTP Anda."),
        )
    # 19YY is always in the past, so "reject future dates" only has teeth if the more recent
    # century wins whenever it is not in the future (born 2005, not 1905).
    return max(past), len(past) > 1


def validate_nik(text: object, *, today: datetime.date | None = None, _kind: str = "nik"):
    """NIK: ``PP KK CC DDMMYY SSSS``, 16 digits, no checksum (DOMAIN §1.1).

    The region digits are informational only: any known province is accepted and the
    python-stdnum region table is deliberately *not* consulted (DOMAIN §1.1 caveat).
    """
    kind = _kind
    nik = _digits_only(kind, _compact(_prepare("nik", text), _NIK_LABELS), 16)
    if "00" in (nik[0:2], nik[2:4], nik[4:6]):
        raise _fail(
            kind,
            _l(
                "Kode wilayah di awal NIK (6 angka pertama) tidak benar. "
                "Periksa lagi NIK di KTP Anda."
            ),
        )
    if nik[0:2] not in PROVINCE_CODES:
        raise _fail(
            kind,
            _l(
                "Kode provinsi di NIK (2 angka pertama) tidak dikenal. "
                "Periksa lagi NIK di KTP Anda."
            ),
        )
    birth_date, ambiguous = _nik_birth_date(kind, nik, _today(today))
    if nik[12:16] == "0000":
        raise _fail(
            kind,
            _l("Empat angka terakhir NIK tidak boleh 0000. Periksa lagi NIK di KTP Anda."),
        )
    info = {
        "province_code": nik[0:2],
        "regency_code": nik[2:4],
        "district_code": nik[4:6],
        "birth_date": birth_date,
        "birth_century_ambiguous": ambiguous,
        "sex": "female" if int(nik[6:8]) > 40 else "male",
        "serial": nik[12:16],
    }
    return Validated("nik", nik, mask_nik(nik), info)


_KK_LABELS = _label_stripper(r"KK|KARTU\s*KELUARGA")


def validate_kk(text: object) -> Validated:
    """Family card (Kartu Keluarga) number: 16 digits, region code first like the NIK (SIKP
    asks for it). Personal data: the display is masked like a NIK."""
    kk = _digits_only("kk", _compact(_prepare("kk", text), _KK_LABELS), 16)
    if "00" in (kk[0:2], kk[2:4], kk[4:6]) or kk[0:2] not in PROVINCE_CODES:
        raise _fail(
            "kk",
            _l(
                "Kode wilayah di awal nomor KK (6 angka pertama) tidak benar. "
                "Periksa lagi nomor di Kartu Keluarga Anda."
            ),
        )
    return Validated("kk", kk, mask_nik(kk), {})


# --------------------------------------------------------------------------------------------
# 1.2 NIB
# --------------------------------------------------------------------------------------------

_NIB_LABELS = _label_stripper(r"NIB")


def validate_nib(text: object) -> Validated:
    """NIB: 13 digits issued by OSS, no public structure or checksum (DOMAIN §1.2)."""
    nib = _digits_only("nib", _compact(_prepare("nib", text), _NIB_LABELS), 13)
    return Validated("nib", nib, nib, {})


# --------------------------------------------------------------------------------------------
# 1.3 NPWP
# --------------------------------------------------------------------------------------------

_NPWP_LABELS = _label_stripper(r"NPWP")


#: Old-format taxpayer types of individuals (DOMAIN 0.5); 01-03 are entities, 00 treasurers.
PERSONAL_TAXPAYER_TYPES = frozenset({"04", "05", "06", "07", "08", "09"})


def _format_npwp15(n15: str) -> str:
    return f"{n15[0:2]}.{n15[2:5]}.{n15[5:8]}.{n15[8]}-{n15[9:12]}.{n15[12:15]}"


def validate_npwp(text: object, *, today: datetime.date | None = None) -> Validated:
    """NPWP (DOMAIN §1.3, mirrors ``stdnum.id.npwp``).

    * 15 digits (old): Luhn over the first 9 digits;
    * 16 digits starting with ``0``: the same number with a leading ``0``;
    * 16 digits otherwise: an individual's NIK.

    An entity's old 15-digit form is normalised to the 16-digit form (``0`` + 15 digits) so
    both spellings of one taxpayer store the same value; ``info["legacy_format"]`` says it was
    typed the old way. A resident individual's NPWP is the NIK (PMK 112/2022 arts. 2-3): a
    16-digit individual NPWP is validated as a NIK (display masked), and an old 15-digit
    *personal* NPWP (taxpayer types 04-09) is accepted as legacy input, kept as typed (never
    turned into the ``0`` + 15 entity form), with ``info["use_nik"]`` and
    ``info["advice"]`` telling the caller to record NPWP = NIK instead.
    """
    compact = _compact(_prepare("npwp", text), _NPWP_LABELS)
    if not compact.isdigit():
        raise _fail("npwp", _l("NPWP hanya berisi angka, tanpa huruf atau tanda lain."))
    if len(compact) == 16 and not compact.startswith("0"):
        try:
            nik = validate_nik(compact, today=today, _kind="npwp")
        except InvalidIdentifier as exc:
            raise _fail(
                "npwp",
                _l("NPWP 16 angka untuk perorangan sama dengan NIK. %(detail)s", detail=exc.reason),
            ) from None
        return Validated("npwp", nik.value, nik.display, {"form": "nik", "legacy_format": False})
    if len(compact) == 15:
        n15, legacy = compact, True
    elif len(compact) == 16:
        n15, legacy = compact[1:], False
    else:
        raise _fail(
            "npwp",
            _l(
                "NPWP harus 15 atau 16 angka. Yang Anda ketik %(count)s angka.",
                count=len(compact),
            ),
        )
    if n15 == "0" * 15:
        raise _fail(
            "npwp",
            _l(
                "NPWP berisi nol semua bukan NPWP yang sah. "
                "Kosongkan saja jika Anda belum punya NPWP."
            ),
        )
    if not luhn.is_valid(n15[:9]):
        raise _fail(
            "npwp",
            _l(
                "Ada angka NPWP yang salah ketik (angka ke-9 tidak cocok). "
                "Periksa lagi dengan kartu NPWP Anda."
            ),
        )
    if legacy and n15[0:2] in PERSONAL_TAXPAYER_TYPES:
        info = {
            "form": "npwp15_personal",
            "legacy_format": True,
            "use_nik": True,
            "taxpayer_type": n15[0:2],
            "advice": _l(
                "NPWP 15 angka untuk perorangan sudah diganti NIK sejak 1 Juli 2024 "
                "(PMK 112/2022). Kami mencatat NPWP Anda = NIK; pastikan NIK Anda sudah "
                "dipadankan di DJP Online."
            ),
        }
        return Validated("npwp", n15, _format_npwp15(n15), info)
    info = {
        "form": "npwp15" if legacy else "npwp16",
        "legacy_format": legacy,
        "taxpayer_type": n15[0:2],
        "serial": n15[2:8],
        "check_digit": n15[8],
        "kpp": n15[9:12],
        "branch": n15[12:15],
        "head_office": n15[12:15] == "000",
    }
    return Validated("npwp", "0" + n15, _format_npwp15(n15), info)


# --------------------------------------------------------------------------------------------
# 1.4 P-IRT
# --------------------------------------------------------------------------------------------

_PIRT_LABELS = _label_stripper(r"(?:SPP|P)\s*[-.]?\s*IRT")
# PerBPOM 22/2018: "paling sedikit 15 digit" -- the IRTP sequence grows, the year stays last.
_PIRT_RE = re.compile(r"^([1-8])(\d{2})(\d{4})(\d{2})(\d{4,})-?(\d{2})$", re.ASCII)
PIRT_MIN_DIGITS = 15
PIRT_MAX_DIGITS = 20  # no upper bound in the regulation; a bound keeps typos out

PIRT_PACKAGING = {
    1: "glass",
    2: "plastic",
    3: "carton_paper",
    4: "can",
    5: "aluminium_foil",
    6: "other",
    7: "composite",
    8: "double",
}

#: Food-type codes as listed in BPOM's 2021 material (MED; see DOMAIN §1.4 and §9.3).
PIRT_FOOD_TYPES = {
    "01": "dried_processed_meat",
    "02": "dried_fish",
    "03": "dried_poultry",
    "04": "vegetable_products",
    "05": "coconut_products",
    "06": "flour_products",
    "07": "oils_fats",
    "08": "jam_jelly",
    "09": "sugar_confectionery_honey",
    "10": "coffee_cocoa_tea",
    "11": "seasonings",
    "12": "spices",
    "13": "powdered_drinks",
    "14": "fruit_products",
    "15": "grain_nut_tuber_products",
}


def validate_pirt(text: object, *, today: datetime.date | None = None) -> Validated:
    """P-IRT number, at least 15 digits (PerBPOM 22/2018, DOMAIN 0.5 and §1.4).

    An expired certificate is still *well-formed*: ``info["expired"]`` and
    ``info["expires_this_year"]`` let the caller refuse the listing or warn.
    """
    compact = _compact(_prepare("pirt", text), _PIRT_LABELS)
    if not compact:
        raise _fail("pirt", _l("%(label)s belum diisi.", label=LABELS["pirt"]))
    if not compact.isdigit():
        raise _fail(
            "pirt",
            _l("%(label)s hanya berisi angka, tanpa huruf atau tanda lain.", label=LABELS["pirt"]),
        )
    if not PIRT_MIN_DIGITS <= len(compact) <= PIRT_MAX_DIGITS:
        raise _fail(
            "pirt",
            _l(
                "Nomor P-IRT paling sedikit 15 angka. Yang Anda ketik %(count)s angka.",
                count=len(compact),
            ),
        )
    match = _PIRT_RE.match(compact)
    if match is None:
        raise _fail(
            "pirt",
            _l(
                "Angka pertama nomor P-IRT (kode kemasan) harus 1 sampai 8. "
                "Periksa lagi nomor di label atau sertifikat SPP-IRT."
            ),
        )
    packaging, food_type, region, product, irtp, yy = match.groups()
    expires_year = 2000 + int(yy)
    year = _today(today).year
    info = {
        "packaging_code": int(packaging),
        "packaging": PIRT_PACKAGING[int(packaging)],
        "food_type_code": food_type,
        "food_type": PIRT_FOOD_TYPES.get(food_type),
        "region_code": region,
        "product_seq": product,
        "irtp_seq": irtp,
        "expires_year": expires_year,
        "expired": expires_year < year,
        "expires_this_year": expires_year == year,
    }
    display = f"P-IRT No. {compact[:-2]}-{compact[-2:]}"
    return Validated("pirt", compact, display, info)


# --------------------------------------------------------------------------------------------
# 1.5 BPOM
# --------------------------------------------------------------------------------------------

_BPOM_LABELS = _label_stripper(r"BADAN\s*POM(?:\s*RI)?|BPOM(?:\s*RI)?|POM(?:\s*RI)?")
_BPOM_FOOD_RE = re.compile(r"^(M[DL])(\d{12})$", re.ASCII)
_BPOM_COSMETIC_RE = re.compile(r"^(N[A-E])(\d{11})$", re.ASCII)
# Cosmetic kits are notified as NKIT + 9 digits (PerBPOM 30/2020).
_BPOM_KIT_RE = re.compile(r"^(NKIT)(\d{9})$", re.ASCII)
_BPOM_OTHER_RE = re.compile(r"^(?:S[DI]|T[RIL]|D[A-Z]{2}|G[A-Z]{2})\d", re.ASCII)
_BPOM_COSMETIC_LEGACY_RE = re.compile(r"^C[DLA]\d", re.ASCII)
_BPOM_PREFIX_RE = re.compile(r"^([A-Z]{2})(\d*)$", re.ASCII)

BPOM_ORIGIN = {
    "MD": "domestic",
    "ML": "imported",
    "NA": "asia",
    "NB": "australia",
    "NC": "europe",
    "ND": "africa",
    "NE": "america",
}

_BPOM_FOOD_EXAMPLE = "BPOM RI MD 224510107115"
_BPOM_COSMETIC_EXAMPLE = "NA18191231707"


def _bpom_reason(compact: str, categories: tuple[str, ...]) -> Any:
    """The most helpful reason for a compacted BPOM number that matched no allowed pattern."""
    if _BPOM_COSMETIC_LEGACY_RE.match(compact) and "cosmetic" in categories:
        return _l(
            "Nomor kosmetik lama (diawali CD, CL, atau CA) tidak bisa dipakai lagi. "
            "Masukkan nomor notifikasi baru yang diawali NA sampai NE, contoh: %(example)s.",
            example=_BPOM_COSMETIC_EXAMPLE,
        )
    if _BPOM_OTHER_RE.match(compact):
        return _l(
            "Nomor ini untuk obat, jamu, atau suplemen. Di sini hanya bisa nomor BPOM "
            "makanan (MD atau ML) atau kosmetik (NA sampai NE)."
        )
    if compact.startswith("NKIT") and "cosmetic" in categories:
        return _l(
            "Nomor notifikasi kit kosmetik diawali NKIT lalu 9 angka. Yang Anda ketik "
            "%(count)s angka.",
            count=len(compact) - 4,
        )
    prefix = _BPOM_PREFIX_RE.match(compact)
    expected = {"MD": 12, "ML": 12, "NA": 11, "NB": 11, "NC": 11, "ND": 11, "NE": 11}
    if prefix and prefix.group(1) in expected:
        code = prefix.group(1)
        category = "food" if code.startswith("M") else "cosmetic"
        if category in categories:
            return _l(
                "Setelah %(prefix)s harus ada %(expected)s angka. Yang Anda ketik %(count)s angka.",
                prefix=code,
                expected=expected[code],
                count=len(prefix.group(2)),
            )
    if categories == ("food",):
        return _l(
            "Nomor BPOM makanan diawali MD atau ML lalu 12 angka, contoh: %(example)s.",
            example=_BPOM_FOOD_EXAMPLE,
        )
    if categories == ("cosmetic",):
        return _l(
            "Nomor notifikasi kosmetik diawali NA, NB, NC, ND, atau NE lalu 11 angka "
            "(kit kosmetik: NKIT lalu 9 angka), contoh: %(example)s.",
            example=_BPOM_COSMETIC_EXAMPLE,
        )
    return _l(
        "Nomor BPOM tidak dikenali. Contoh nomor makanan: %(food)s. "
        "Contoh nomor kosmetik: %(cosmetic)s.",
        food=_BPOM_FOOD_EXAMPLE,
        cosmetic=_BPOM_COSMETIC_EXAMPLE,
    )


def _validate_bpom(text: object, categories: tuple[str, ...]) -> Validated:
    compact = _compact(_prepare("bpom", text), _BPOM_LABELS)
    if "food" in categories and (match := _BPOM_FOOD_RE.match(compact)):
        prefix, digits = match.groups()
        info = {"prefix": prefix, "category": "food", "origin": BPOM_ORIGIN[prefix]}
        return Validated("bpom", compact, f"BPOM RI {prefix} {digits}", info)
    if "cosmetic" in categories and (match := _BPOM_COSMETIC_RE.match(compact)):
        prefix, digits = match.groups()
        info = {
            "prefix": prefix,
            "category": "cosmetic",
            "origin": BPOM_ORIGIN[prefix],
            "year": digits[2:4],
        }
        return Validated("bpom", compact, compact, info)
    if "cosmetic" in categories and (match := _BPOM_KIT_RE.match(compact)):
        info = {"prefix": "NKIT", "category": "cosmetic", "origin": None, "kit": True}
        return Validated("bpom", compact, compact, info)
    raise _fail("bpom", _bpom_reason(compact, categories))


def validate_bpom(text: object) -> Validated:
    """BPOM food (``MD``/``ML`` + 12 digits) or cosmetics (``NA``–``NE`` + 11 digits), §1.5."""
    return _validate_bpom(text, ("food", "cosmetic"))


def validate_bpom_food(text: object) -> Validated:
    """BPOM processed food: ``MD`` (domestic) or ``ML`` (imported) + 12 digits."""
    return _validate_bpom(text, ("food",))


def validate_bpom_cosmetic(text: object) -> Validated:
    """BPOM cosmetics notification: ``NA``–``NE`` + 11 digits or ``NKIT`` + 9 digits for a
    kit (PerBPOM 30/2020); legacy CD/CL/CA refused."""
    return _validate_bpom(text, ("cosmetic",))


# --------------------------------------------------------------------------------------------
# 1.6 Halal
# --------------------------------------------------------------------------------------------

_HALAL_LABELS = _label_stripper(r"(?:SERTIFIKAT\s*)?HALAL(?:\s*MUI)?|LPPOM(?:\s*MUI)?|MUI")
_HALAL_RE = re.compile(r"^ID\d{14,17}$", re.ASCII)
_HALAL_LEGACY_RE = re.compile(r"^\d{14}$", re.ASCII)
_HALAL_EXAMPLE = "ID31110000326470622"


def validate_halal(text: object) -> Validated:
    """BPJPH halal certificate, leniently ``ID`` + 14–17 digits (DOMAIN §1.6, format LOW).

    A pre-2019 MUI certificate number (14 digits, e.g. ``00150012340509``) is refused: MUI
    certificates were valid 2 years and BPJPH took over on 17 Oct 2019, so every one has
    lapsed (DOMAIN 0.5); the reason says how to renew at BPJPH. A KH (ketetapan halal)
    number is not a certificate and is refused too.
    """
    compact = _compact(_prepare("halal", text), _HALAL_LABELS)
    if _HALAL_RE.match(compact):
        return Validated("halal", compact, compact, {"legacy": False})
    if _HALAL_LEGACY_RE.match(compact):
        raise _fail(
            "halal",
            _l(
                "Ini nomor sertifikat halal MUI lama (sebelum 17 Oktober 2019) dan sudah tidak "
                "berlaku. Ajukan sertifikat baru ke BPJPH lewat SIHALAL (ptsp.halal.go.id); "
                "usaha mikro dan kecil bisa lewat jalur pernyataan mandiri (self declare) "
                "yang gratis. Lalu masukkan nomor baru yang diawali ID."
            ),
        )
    if compact.startswith("KH"):
        raise _fail(
            "halal",
            _l(
                "Nomor KH (ketetapan halal) bukan nomor sertifikat halal. Masukkan nomor "
                "sertifikat dari BPJPH yang diawali ID, contoh: %(example)s.",
                example=_HALAL_EXAMPLE,
            ),
        )
    raise _fail(
        "halal",
        _l(
            "Nomor sertifikat halal diawali ID lalu 14 sampai 17 angka, contoh: %(example)s.",
            example=_HALAL_EXAMPLE,
        ),
    )


# --------------------------------------------------------------------------------------------
# PKRT (household cleaning products): Kemenkes distribution permit
# --------------------------------------------------------------------------------------------

_PKRT_LABELS = _label_stripper(r"(?:KEMENKES|DEPKES)(?:\s*RI)?")
_PKRT_RE = re.compile(r"^(PK[DL])(\d{11})$", re.ASCII)
_PKRT_EXAMPLE = "KEMENKES RI PKD 20303120123"
#: Validity of a PKRT distribution permit (Permenkes 62/2017: 5 years; MED).
PKRT_VALIDITY_YEARS = 5


def validate_pkrt(text: object) -> Validated:
    """Kemenkes PKRT permit: ``PKD`` (domestic) or ``PKL`` (imported) + 11 digits, printed
    ``KEMENKES RI PKD 20303120123`` (DOMAIN 0.5; format MED, verify on infoalkes.kemkes.go.id).
    """
    compact = _compact(_prepare("pkrt", text), _PKRT_LABELS)
    match = _PKRT_RE.match(compact)
    if match is None:
        raise _fail(
            "pkrt",
            _l(
                "Nomor izin edar PKRT diawali PKD (dalam negeri) atau PKL (impor) lalu 11 "
                "angka, contoh: %(example)s.",
                example=_PKRT_EXAMPLE,
            ),
        )
    prefix, digits = match.groups()
    info = {"prefix": prefix, "origin": "domestic" if prefix == "PKD" else "imported"}
    return Validated("pkrt", compact, f"KEMENKES RI {prefix} {digits}", info)


# --------------------------------------------------------------------------------------------
# 1.7 Phone
# --------------------------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-/]+$", re.ASCII)
_PHONE_TYPES = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if name.isupper()
}
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def validate_phone(text: object, *, mobile_only: bool = False) -> Validated:
    """Indonesian phone number via ``phonenumbers`` (region ID), normalised to E.164 (§1.7).

    ``mobile_only=True`` (WhatsApp contact) refuses fixed lines.
    """
    raw = _prepare("phone", text)
    bad = _l("Nomor telepon tidak lengkap atau salah. Contoh: 0812-3456-7890.")
    if not _PHONE_CHARS.match(raw):
        raise _fail(
            "phone",
            _l("Nomor telepon hanya berisi angka (boleh diawali +62). Contoh: 0812-3456-7890."),
        )
    digits = "".join(_DIGITS.findall(raw))
    if not 3 <= len(digits) <= 17:
        raise _fail("phone", bad)
    # "62812..." typed without "+" means +62 812...: an Indonesian national number is written
    # with its trunk 0, yet phonenumbers would otherwise read e.g. 62810000000 as (0628) 10000000.
    if raw.startswith("+"):
        candidates = ["+" + digits]
    elif digits.startswith("62"):
        candidates = ["+" + digits, digits]
    else:
        candidates = [digits]
    number = None
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, "ID")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number_for_region(number, "ID"):
            break
    if number is None:
        raise _fail("phone", bad)
    if number.country_code != 62:
        raise _fail(
            "phone",
            _l("Hanya nomor telepon Indonesia (+62) yang bisa dipakai."),
        )
    if not phonenumbers.is_valid_number_for_region(number, "ID"):
        raise _fail("phone", bad)
    number_type = phonenumbers.number_type(number)
    if mobile_only and number_type not in _MOBILE_TYPES:
        raise _fail(
            "phone",
            _l(
                "Untuk WhatsApp, masukkan nomor HP (diawali 08), "
                "bukan nomor telepon rumah atau kantor."
            ),
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    info = {
        "type": _PHONE_TYPES.get(number_type, "unknown"),
        "mobile": number_type in _MOBILE_TYPES,
        "national_number": str(number.national_number),
    }
    return Validated("phone", e164, display, info)


def validate_whatsapp(text: object) -> Validated:
    """A phone number that can receive WhatsApp: Indonesian mobile only."""
    return validate_phone(text, mobile_only=True)


# --------------------------------------------------------------------------------------------
# 1.8 Postal code
# --------------------------------------------------------------------------------------------

_POSTAL_LABELS = _label_stripper(r"KODE\s*POS|KODEPOS")
_POSTAL_RE = re.compile(r"^[1-9]\d{4}$", re.ASCII)
DKI_POSTAL_RANGE = (10110, 14540)


def validate_postal_code(text: object) -> Validated:
    """Five digits, first digit 1–9 (DOMAIN §1.8).

    ``info["in_dki_range"]`` is informational; matching the code to the chosen kelurahan is a
    warning-level check done elsewhere.
    """
    compact = _compact(_prepare("postal", text), _POSTAL_LABELS)
    if not _POSTAL_RE.match(compact):
        raise _fail(
            "postal",
            _l("Kode pos harus 5 angka dan tidak diawali 0. Contoh: 10110."),
        )
    low, high = DKI_POSTAL_RANGE
    return Validated("postal", compact, compact, {"in_dki_range": low <= int(compact) <= high})


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

VALIDATORS: dict[str, Callable[[object], Validated]] = {
    "nik": validate_nik,
    "kk": validate_kk,
    "nib": validate_nib,
    "npwp": validate_npwp,
    "pirt": validate_pirt,
    "bpom": validate_bpom,
    "halal": validate_halal,
    "pkrt": validate_pkrt,
    "phone": validate_phone,
    "postal": validate_postal_code,
}


def check(kind: object, text: object) -> Validated:
    """Validate ``text`` as identifier ``kind`` (a key of :data:`VALIDATORS`)."""
    validator = VALIDATORS.get(kind) if isinstance(kind, str) else None
    if validator is None:
        name = kind[:32] if isinstance(kind, str) else type(kind).__name__
        raise InvalidIdentifier(
            name,
            _l("Jenis nomor %(kind)s tidak dikenal.", kind=repr(name)),
        )
    return validator(text)
