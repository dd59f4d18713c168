"""Conflict of interest: nobody attests to a business they own.

A lead (or an admin) who owns a business may not review, verify, reject or revoke its
documents, confirm its halal certificate, record its attendance or check-ins, or endorse it:
another lead of the chapter or an admin does. One rule, asked by every service that attests,
so the web form, the JSON API and the CLI refuse it alike. A business has one owner
(``Business.owner_id``); co-owners would be added here.
"""

from flask_babel import lazy_gettext as _l

from marketplace.core.errors import PermissionDenied

OWN_BUSINESS_NOTE = _l("Dokumen usaha Anda sendiri: diperiksa pengurus lain atau admin")


class ConflictOfInterest(PermissionDenied):
    code = "conflict_of_interest"


def owns(business, user) -> bool:
    """Whether ``user`` owns ``business`` (the one rule; templates ask it too)."""
    user_id = getattr(user, "id", user)
    return business is not None and user_id is not None and business.owner_id == user_id


def refuse_own(business, actor, message=None) -> None:
    """Raise ConflictOfInterest when ``actor`` owns ``business``."""
    if owns(business, actor):
        raise ConflictOfInterest(
            message
            or _l(
                "Anda pemilik usaha ini: pengurus lain di chapter ini atau admin yang memeriksanya."
            )
        )
