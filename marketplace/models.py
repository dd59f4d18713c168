"""Every model module, imported once so the metadata knows all tables."""

from marketplace.accounts.models import LoginSession, LoginThrottle, User
from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.core.audit import AuditEvent

__all__ = [
    "AuditEvent",
    "Business",
    "Chapter",
    "ChapterLead",
    "Kelurahan",
    "LoginSession",
    "LoginThrottle",
    "User",
]
