"""Referrals: opened by a chapter lead, consented by the member, endorsed and sent to a
partner bank, decided by the bank. Every rule (scope, consent, quota, bounds, transitions)
is in this package, so the portal, the bank API and the CLI behave the same.

One module per concern; the public names are re-exported here, so callers write
``from referrals import services; services.endorse_and_send(...)``.
"""

from referrals.services import dossier
from referrals.services.bank_actions import (
    BANK_ACTIONS,
    allowed_bank_actions,
    answer_info,
    bank_action,
    check_approval,
)
from referrals.services.banks import (
    add_officer,
    banks_page,
    banks_with_officers,
    create_bank,
    officers_page,
    public_banks,
    remove_officer,
    scheme_or_404,
    set_chapters,
    update_scheme,
)
from referrals.services.bounds import AMOUNT_IDR, DECISION_BOUNDS, RATE_BP, TENOR_MONTHS
from referrals.services.consent import (
    CONSENT_VERSION,
    RETENTION_DAYS,
    SHARED_FIELDS,
    consent_text,
    give_consent,
    receipt_document,
    withdraw_consent,
)
from referrals.services.eligibility import (
    ALLOWED_CREDIT,
    BLOCKING_CREDIT,
    CREDIT_QUESTIONS,
    DISCLAIMER,
    KIND_LABELS,
    current_scheme,
    pre_screen,
    screen_for,
    screen_json,
)
from referrals.services.endorsement import (
    PreScreenFailed,
    QuotaExceeded,
    ReferralInput,
    banks_serving,
    endorse_and_send,
    endorsements_this_month,
    open_referral,
    quota_for,
    withdraw,
)
from referrals.services.records import TrackRecord, figures, pathway_dates, track_records
from referrals.services.scope import (
    bank_by_slug_or_404,
    bank_of_officer,
    bank_referrals,
    bank_referrals_select,
    bank_visible,
    get_for_bank_or_404,
    referral_in_chapter_or_404,
    referral_of_member_or_404,
)
from referrals.services.sla import (
    SLA_WORKING_DAYS,
    acknowledge_by,
    flag_overdue,
    is_overdue,
    overdue_among,
    sla_state,
    working_days_since,
)
from referrals.services.texts import MESSAGES, STATUS_LABELS
from referrals.services.tokens import hash_token, issue_token, revoke_token

__all__ = [
    "check_approval",
    "AMOUNT_IDR",
    "BANK_ACTIONS",
    "CONSENT_VERSION",
    "DECISION_BOUNDS",
    "DISCLAIMER",
    "MESSAGES",
    "RATE_BP",
    "RETENTION_DAYS",
    "SHARED_FIELDS",
    "SLA_WORKING_DAYS",
    "STATUS_LABELS",
    "TENOR_MONTHS",
    "PreScreenFailed",
    "QuotaExceeded",
    "ReferralInput",
    "TrackRecord",
    "add_officer",
    "acknowledge_by",
    "allowed_bank_actions",
    "answer_info",
    "bank_action",
    "bank_by_slug_or_404",
    "bank_of_officer",
    "bank_referrals",
    "bank_referrals_select",
    "bank_visible",
    "banks_page",
    "banks_with_officers",
    "officers_page",
    "public_banks",
    "scheme_or_404",
    "banks_serving",
    "consent_text",
    "create_bank",
    "current_scheme",
    "dossier",
    "endorse_and_send",
    "endorsements_this_month",
    "figures",
    "flag_overdue",
    "get_for_bank_or_404",
    "give_consent",
    "hash_token",
    "is_overdue",
    "issue_token",
    "open_referral",
    "overdue_among",
    "pathway_dates",
    "pre_screen",
    "receipt_document",
    "screen_for",
    "screen_json",
    "ALLOWED_CREDIT",
    "BLOCKING_CREDIT",
    "CREDIT_QUESTIONS",
    "KIND_LABELS",
    "quota_for",
    "referral_in_chapter_or_404",
    "referral_of_member_or_404",
    "remove_officer",
    "revoke_token",
    "set_chapters",
    "sla_state",
    "track_records",
    "update_scheme",
    "withdraw",
    "withdraw_consent",
    "working_days_since",
]
