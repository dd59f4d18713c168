"""Every model module, imported once so the metadata knows all tables."""

from marketplace.accounts.models import LoginSession, LoginThrottle, User
from marketplace.assist.models import AssistedAction, AssistGrant
from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductEvent
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.complaints.models import Complaint, ComplaintEvent, ComplaintPhoto
from marketplace.core.audit import AuditEvent
from marketplace.core.workdays import Holiday
from marketplace.delivery.models import DeliveryOption, DeliveryRate, DeliverySettings
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.legality.models import DocumentEvent, LegalityDocument
from marketplace.mentoring.models import (
    Attendance,
    CheckIn,
    ExternalTraining,
    MentoringSession,
    OutboxEmail,
    SessionSignup,
)
from marketplace.mentoring.summaries import (
    ChapterMonthSales,
    ChapterSummary,
    MemberFact,
    MemberMonthSales,
    SummaryState,
)
from marketplace.notifications.models import Notification
from marketplace.orders.models import Cart, CartItem, Checkout, Order, OrderEvent, OrderLine
from marketplace.payments.models import PaymentRefund, ProcessedStripeEvent
from marketplace.search.models import SearchChange, SearchFeedState, SearchNode

__all__ = [
    "AssistGrant",
    "AssistedAction",
    "AuditEvent",
    "Business",
    "Complaint",
    "ComplaintEvent",
    "ComplaintPhoto",
    "Chapter",
    "DeliveryOption",
    "DeliveryRate",
    "DeliverySettings",
    "ChapterMonthSales",
    "ChapterSummary",
    "MemberMonthSales",
    "MemberFact",
    "SummaryState",
    "ChapterLead",
    "Holiday",
    "Kelurahan",
    "LoginSession",
    "LoginThrottle",
    "DocumentEvent",
    "LegalityDocument",
    "Notification",
    "Product",
    "ProductEvent",
    "SearchChange",
    "SearchFeedState",
    "SearchNode",
    "Cart",
    "CartItem",
    "Checkout",
    "LedgerEntry",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payout",
    "PaymentRefund",
    "ProcessedStripeEvent",
    "Attendance",
    "CheckIn",
    "ExternalTraining",
    "MentoringSession",
    "OutboxEmail",
    "SessionSignup",
    "User",
]
