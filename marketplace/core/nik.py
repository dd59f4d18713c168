"""The birth date a NIK carries (DDMMYY at digits 7-12, +40 on the day for women) and age.

A minimal helper for the KUR pre-screen (age >= 21 or married); the identifiers work of
issue 13 may fold it into ``core/ids.py`` (the integrator reconciles). The two-digit year is
read as the latest century that does not put the birth in the future.
"""

from datetime import date

# Marital statuses that make a person an adult whatever their age (UU 1/1974 as amended:
# someone who is or has been married), as the KUR banks' criteria read "or married".
MARRIED_STATUSES = frozenset({"kawin", "cerai_hidup", "cerai_mati", "married"})


def birth_date(nik: str, today: date) -> date | None:
    """The birth date in ``nik``, or None when the digits do not form one."""
    digits = "".join(ch for ch in str(nik or "") if ch.isdigit())
    if len(digits) != 16:
        return None
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40
    for century in (2000, 1900):
        try:
            born = date(century + yy, month, day)
        except ValueError:
            return None
        if born <= today:
            return born
    return None


def age_on(nik: str, day: date) -> int | None:
    """Whole years of age on ``day``, or None for a NIK without a valid birth date."""
    born = birth_date(nik, day)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_or_was_married(status: str | None) -> bool:
    return (status or "").strip().lower() in MARRIED_STATUSES
