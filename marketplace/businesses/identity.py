"""The owner's identity facts read from the NIK, without ever showing it (DOMAIN 0.3, 1.1).

* age from the NIK's birth date (DDMMYY, day + 40 for women): 17 to register a business
  (the KTP age, UU PDP art. 25 on children's data), 21 for KUR (or married);
* the blind index (core/crypto.blind_index) of the NIK: one NIK, one business, and the
  chapters where the same person already has a business, found without decrypting anyone
  else's NIK.
"""

from datetime import date

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.crypto import blind_index, decrypt_text
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.legality import validators as v

MIN_OWNER_AGE = 17  # a KTP holder; a child cannot register a business
KUR_MIN_AGE = 21  # KUR: 21, or married (DOMAIN 3.3)
# Someone who is or has been married is an adult whatever their age (UU 1/1974 as amended),
# as the KUR banks' "21 or married" reads.
MARRIED_STATUSES = frozenset({"kawin", "cerai_hidup", "cerai_mati"})


def is_or_was_married(business: Business) -> bool:
    return business.marital_status in MARRIED_STATUSES


def age_on(born: date, today: date) -> int:
    """Completed years on ``today`` (a 29 February birthday counts on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def nik_index(nik: str) -> str:
    """The blind index of a normalised 16-digit NIK."""
    return blind_index(nik)


def owner_birth_date(business: Business, today: date | None = None) -> date:
    """The owner's birth date as the NIK gives it (decrypted here, never returned)."""
    nik = decrypt_text(business.nik_encrypted)
    return v.validate_nik(nik, today=today or jakarta_today()).info["birth_date"]


def owner_age(business: Business, today: date | None = None) -> int:
    today = today or jakarta_today()
    return age_on(owner_birth_date(business, today), today)


def owner_age_or_none(business: Business, today: date | None = None) -> int | None:
    """The owner's age, or None when the stored NIK carries no valid birth date (rows older
    than the NIK checks)."""
    try:
        return owner_age(business, today)
    except v.InvalidIdentifier:
        return None


def other_chapters(business: Business) -> list[str]:
    """Names of the other chapters where the same NIK has a business (never which one)."""
    rows = db.session.scalars(
        select(Chapter.name)
        .join(Business, Business.chapter_id == Chapter.id)
        .where(
            Business.nik_index == business.nik_index,
            Business.id != business.id,
            Business.chapter_id != business.chapter_id,
        )
        .distinct()
        .order_by(Chapter.name)
    )
    return list(rows)
