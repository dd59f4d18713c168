"""The referral network's part of the OpenAPI document: the public list of partner banks
and the banks' bearer API. Registered with ``register_openapi`` by ``init_app``; the host
merges it into ``/api/v1/openapi.json``.

Built from the constants the API validates against (statuses, schemes, reject reasons, the
decision bounds), so the schemathesis run checks the code against these very values.
"""

from copy import deepcopy

from marketplace.api.openapi import error as _error
from marketplace.api.openapi import id_parameter as _id_parameter
from marketplace.api.openapi import json_response as _json
from marketplace.api.openapi import nullable as _nullable
from marketplace.api.openapi import ref as _ref
from referrals.api.bank_api import STATUSES
from referrals.models import PURPOSE_KINDS, REJECT_REASONS, SCHEMES, Referral
from referrals.services.bank_actions import NOTE_MAX
from referrals.services.bounds import AMOUNT_IDR, RATE_BP, TENOR_MONTHS

# Referral ids in URLs: digits the API reads before the scoped loader answers 404.
MAX_ID = 2**63 - 1


def _referral_properties() -> dict:
    timestamp = {"type": "string", "format": "date-time"}
    return {
        "id": {"type": "integer", "minimum": 1},
        "status": {"type": "string", "enum": list(Referral.VISIBLE_TO_BANK)},
        "bank": {"type": "string", "description": "Slug of the bank the referral was sent to."},
        "chapter": {"type": "string", "description": "Slug of the member's chapter."},
        "scheme": {"type": "string", "enum": list(SCHEMES)},
        "sharia": {"type": "boolean"},
        "amount_idr": {"type": "integer", "minimum": 1, "description": "Requested, rupiah."},
        "tenor_months": {"type": "integer", "minimum": 1},
        "purpose_kind": {
            "type": "string",
            "enum": list(PURPOSE_KINDS),
            "description": "kmk = working capital, ki = investment (sets the tenor maximum).",
        },
        "created_at": timestamp,
        "sent_at": _nullable("string", format="date-time"),
        "status_changed_at": {**timestamp, "description": "What `since` filters on."},
        "acknowledged_at": _nullable("string", format="date-time"),
        "decided_at": _nullable("string", format="date-time"),
        "approved": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "amount_idr": {"type": "integer"},
                        "tenor_months": {"type": "integer"},
                        "rate_bp": {"type": "integer"},
                    },
                    "required": ["amount_idr", "tenor_months", "rate_bp"],
                    "additionalProperties": False,
                },
            ],
        },
        "reject_reason": {"enum": [*REJECT_REASONS, None]},
        "info_request": _nullable("string"),
        "info_answer": _nullable("string"),
    }


def _statements_schema() -> dict:
    money = {"type": "integer"}
    by_key = {"type": "object", "additionalProperties": money}
    return {
        "type": "object",
        "description": "Profit and loss for the period, financial position at its end "
        "(assets = liabilities + equity), notes. Rupiah integers; prive lowers equity.",
        "required": ["standard", "period", "profit_and_loss", "financial_position", "notes"],
        "properties": {
            "standard": {"const": "SAK EMKM"},
            "basis": {"type": "string"},
            "period": {
                "type": "object",
                "properties": {"start": {"type": "string"}, "end": {"type": "string"}},
            },
            "profit_and_loss": {
                "type": "object",
                "properties": {
                    "revenue_idr": by_key,
                    "total_revenue_idr": money,
                    "expenses_idr": by_key,
                    "total_expenses_idr": money,
                    "profit_idr": money,
                },
            },
            "financial_position": {
                "type": "object",
                "properties": {
                    "assets_idr": by_key,
                    "total_assets_idr": money,
                    "liabilities_idr": by_key,
                    "total_liabilities_idr": money,
                    "equity_idr": by_key,
                    "total_liabilities_and_equity_idr": money,
                },
            },
            "notes": {"type": "object"},
        },
    }


def _dossier_schema() -> dict:
    nullable_date = _nullable("string")
    return {
        "type": "object",
        "description": "Everything the bank needs to decide. Contains the member's full NIK: "
        "only ever returned to the consented bank.",
        "required": [
            "referral",
            "business",
            "legality",
            "books",
            "orders",
            "mentoring",
            "pathway",
            "endorsement",
        ],
        "properties": {
            "pre_screen": {
                "type": "object",
                "description": "The KUR pre-screen (a pre-screen, not a credit decision): "
                "each rule with pass/fail, whose rule it is (kur, bank, platform), its basis "
                "and what the member can do; notes never fail.",
                "required": ["passed", "rules"],
                "properties": {
                    "passed": {"type": "boolean"},
                    "disclaimer": {"type": "string"},
                    "rules": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "passed", "kind", "reason"],
                            "properties": {
                                "key": {"type": "string"},
                                "passed": {"type": "boolean"},
                                "kind": {"type": "string", "enum": ["kur", "bank", "platform"]},
                                "note": {"type": "boolean"},
                                "reason": {"type": "string"},
                                "basis": {"type": "string"},
                                "action": {"type": "string"},
                            },
                        },
                    },
                },
            },
            "referral": {
                "type": "object",
                "required": ["id", "status", "bank", "chapter", "scheme", "amount_idr"],
                "properties": {
                    "id": {"type": "integer"},
                    "status": {"type": "string"},
                    "bank": {"type": "string"},
                    "chapter": {"type": "string"},
                    "scheme": {"type": "string"},
                    "sharia": {"type": "boolean"},
                    "amount_idr": {"type": "integer"},
                    "tenor_months": {"type": "integer"},
                    "purpose": {"type": "string"},
                    "created_at": {"type": "string"},
                    "sent_at": nullable_date,
                    "no_other_credit_declared": {"type": "boolean"},
                    # The kinds of other credit the member declared (all allowed ones
                    # unless the pre-screen says otherwise): KUR's allowed list, DOMAIN 3.3.
                    "credit_held": {"type": "array", "items": {"type": "string"}},
                    "info_request": _nullable("string"),
                    "info_answer": _nullable("string"),
                },
            },
            "business": {
                "type": "object",
                "required": ["id", "name", "owner_name", "nik"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "owner_name": {"type": "string"},
                    "nik": {"type": "string"},
                    "nib": _nullable("string"),
                    "npwp": _nullable("string"),
                    "npwp_is_nik": {"type": "boolean"},
                    "scale": {"type": "string"},
                    "sector": {"type": "string"},
                    "started_on": {"type": "string"},
                    "sikp": {
                        "type": "object",
                        "description": "SIKP debtor data: KK number, birth date and age from "
                        "the NIK, marital status, sector (produksi / perdagangan_jasa), KBLI.",
                        "properties": {
                            "kk": _nullable("string"),
                            "birth_date": {"type": "string"},
                            "age": {"type": "integer"},
                            "marital_status": _nullable("string"),
                            "sector": _nullable("string"),
                            "kbli_code": _nullable("string"),
                            "business_started_on": {"type": "string"},
                        },
                    },
                    "address": {"type": "string"},
                    "whatsapp": _nullable("string"),
                },
            },
            "legality": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string"},
                        "number": {"type": "string"},
                        "issued_on": nullable_date,
                        "expires_on": nullable_date,
                        "verified_at": {"type": "string"},
                        "document_id": {
                            "type": "integer",
                            "description": "The scan: GET /api/v1/bank/referrals/{referral_id}"
                            "/documents/{document_id}/file.",
                        },
                        "file_mime": _nullable("string"),
                    },
                },
            },
            "statements": {
                "oneOf": [{"type": "null"}, _statements_schema()],
                "description": "SAK EMKM statements from the member's books for the last 12 "
                "months (null when the consent in force predates them, version 2026-12-v4).",
            },
            "books": {
                "type": "array",
                "description": "The last 12 months of the member's books, in rupiah.",
                "items": {
                    "type": "object",
                    "properties": {
                        "month": {"type": "string"},
                        "platform_sales_idr": {"type": "integer"},
                        "self_recorded_sales_idr": {"type": "integer"},
                        "refunds_idr": {"type": "integer"},
                        "expenses_idr": {"type": "integer"},
                        "profit_idr": {"type": "integer"},
                    },
                },
            },
            "orders": {
                "type": "object",
                "properties": {
                    name: {"type": "integer"}
                    for name in (
                        "orders",
                        "buyers",
                        "repeat_buyer_share",
                        "fulfilment_rate",
                        "refunded",
                    )
                },
            },
            "mentoring": {
                "type": "object",
                "properties": {
                    "sessions_attended": {"type": "integer"},
                    "last_sessions": {"type": "array", "items": {"type": "string"}},
                    "check_ins": {"type": "array", "items": {"type": "object"}},
                },
            },
            "pathway": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"step": {"type": "string"}, "done_on": nullable_date},
                },
            },
            "endorsement": {
                "type": "object",
                "properties": {
                    "lead_name": {"type": "string"},
                    "recommendation": _nullable("string"),
                    "track_record": {"type": "object"},
                },
            },
        },
    }


def _event_schemas() -> dict:
    note = {"type": ["string", "null"], "maxLength": NOTE_MAX}
    action = lambda name: {"type": "string", "const": name}  # noqa: E731

    def variant(name: str, description: str, properties: dict, required=()) -> dict:
        return {
            "type": "object",
            "description": description,
            "properties": {"action": action(name), "note": note, **properties},
            "required": ["action", *required],
            "additionalProperties": False,
        }

    return {
        "EventAcknowledge": variant("acknowledge", "sent → acknowledged", {}),
        "EventRequestInfo": variant(
            "request_info",
            "acknowledged or under_review → info_requested; the note is the question "
            "the member sees.",
            {"note": {"type": "string", "minLength": 1, "maxLength": NOTE_MAX, "pattern": r"\S"}},
            ["note"],
        ),
        "EventApprove": variant(
            "approve",
            "acknowledged or under_review → approved, within the KUR rules in force on the "
            "decision date: `amount_idr` inside the scheme's range and not above the requested "
            "amount unless `confirm_above_requested` is true; `tenor_months` at most the "
            "scheme's maximum for the referral's purpose (working capital or investment); "
            "`rate_bp` the scheme's rate (or sharia margin) for the borrower's access number. "
            "A refusal answers 400 with the field and a message naming the rule and the range.",
            {
                "amount_idr": _bounded(AMOUNT_IDR),
                "tenor_months": _bounded(
                    TENOR_MONTHS, "The referral's KUR scheme may allow fewer months."
                ),
                "rate_bp": _bounded(RATE_BP, "Effective annual rate in basis points."),
                "confirm_above_requested": {
                    "type": "boolean",
                    "description": "The officer confirms an amount above the requested one.",
                },
            },
            ["amount_idr", "tenor_months", "rate_bp"],
        ),
        "EventReject": variant(
            "reject",
            "acknowledged, under_review or info_requested → rejected.",
            {"reason": {"type": "string", "enum": list(REJECT_REASONS)}},
            ["reason"],
        ),
        "EventDisburse": variant("disburse", "approved → disbursed", {}),
    }


def _schemas() -> dict:
    referral_props = _referral_properties()
    return {
        "Bank": {
            "type": "object",
            "required": ["slug", "name", "conventional", "sharia", "schemes", "chapters"],
            "additionalProperties": False,
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "conventional": {"type": "boolean"},
                "sharia": {"type": "boolean"},
                "schemes": {"type": "array", "items": {"type": "string", "enum": list(SCHEMES)}},
                "chapters": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Slugs of the chapters the bank serves.",
                },
            },
        },
        "Referral": {
            "type": "object",
            "required": list(referral_props),
            "additionalProperties": False,
            "properties": referral_props,
        },
        "ReferralDetail": {
            "type": "object",
            "description": "The referral object plus its dossier.",
            "required": [*referral_props, "dossier"],
            "additionalProperties": False,
            "properties": {**deepcopy(referral_props), "dossier": _ref("Dossier")},
        },
        "ReferralList": {
            "type": "object",
            "required": ["items", "count", "next_cursor"],
            "additionalProperties": False,
            "properties": {
                "items": {"type": "array", "items": _ref("Referral")},
                "count": {"type": "integer", "minimum": 0, "description": "Items on this page."},
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` (with the same `status` and `since`) for "
                    "the next page; null on the last page.",
                },
            },
        },
        "Dossier": _dossier_schema(),
        **_event_schemas(),
        "Event": {
            "description": "One bank decision step. Extra fields are refused.",
            "oneOf": [
                _ref(name)
                for name in (
                    "EventAcknowledge",
                    "EventRequestInfo",
                    "EventApprove",
                    "EventReject",
                    "EventDisburse",
                )
            ],
            "discriminator": {
                "propertyName": "action",
                "mapping": {
                    "acknowledge": "#/components/schemas/EventAcknowledge",
                    "request_info": "#/components/schemas/EventRequestInfo",
                    "approve": "#/components/schemas/EventApprove",
                    "reject": "#/components/schemas/EventReject",
                    "disburse": "#/components/schemas/EventDisburse",
                },
            },
        },
    }


def _responses() -> dict:
    error = {"application/json": {"schema": _ref("Error")}}
    return {
        "Unauthorized": {
            "description": "No valid bearer token (`unauthorized`). Cookies never count.",
            "headers": {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "description": 'Bearer realm="pasarkita-bank-api"',
                }
            },
            "content": error,
        },
    }


def _bounded(bound, description: str | None = None) -> dict:
    schema = {"type": "integer", "minimum": bound.minimum, "maximum": bound.maximum}
    if description:
        schema["description"] = description
    return schema


def _paths() -> dict:
    bearer = [{"bearerAuth": []}]
    statuses = list(STATUSES)
    referral_id = _id_parameter("referral_id", MAX_ID)
    return {
        "/api/v1/banks": {
            "get": {
                "operationId": "listBanks",
                "tags": ["public"],
                "security": [],
                "summary": "Partner banks with the KUR schemes they offer.",
                "responses": {"200": _json({"type": "array", "items": _ref("Bank")}, "Banks")},
            }
        },
        "/api/v1/bank/referrals": {
            "get": {
                "operationId": "listBankReferrals",
                "tags": ["bank"],
                "security": bearer,
                "summary": "The token's bank's referrals that are sent and still consented, "
                "newest first (with `since`: oldest change first), 200 per page; "
                "follow `next_cursor` for the next page.",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": statuses},
                    },
                    {
                        "name": "since",
                        "in": "query",
                        "required": False,
                        "description": "ISO 8601 date-time; only referrals whose status changed "
                        "at or after it. Without an offset, UTC.",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    *_inbox_filter_parameters(),
                    {
                        "name": "cursor",
                        "in": "query",
                        "required": False,
                        "description": "The `next_cursor` of the previous page (opaque). A "
                        "cursor that is not one gives the first page. A page never holds "
                        "another bank's referrals, whatever the cursor says.",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": _json(_ref("ReferralList"), "Referrals"),
                    "400": _error("BadRequest"),
                    "401": _error("Unauthorized"),
                },
            }
        },
        "/api/v1/bank/referrals/{referral_id}": {
            "get": {
                "operationId": "getBankReferral",
                "tags": ["bank"],
                "security": bearer,
                "summary": "One referral with its dossier.",
                "parameters": [referral_id],
                "responses": {
                    "200": _json(_ref("ReferralDetail"), "The referral and dossier"),
                    "401": _error("Unauthorized"),
                    "404": _error("NotFound"),
                },
            }
        },
        "/api/v1/bank/referrals/{referral_id}/documents/{document_id}/file": {
            "get": {
                "operationId": "getBankReferralDocumentFile",
                "tags": ["bank"],
                "security": bearer,
                "summary": "The scan of a verified legality document in the dossier.",
                "description": "Only for the bank the member consented to, while the consent "
                "stands, and only for documents the dossier lists (verified and valid).",
                "parameters": [referral_id, _id_parameter("document_id", MAX_ID)],
                "responses": {
                    "200": {
                        "description": "The scan, as an attachment",
                        "content": {
                            mime: {"schema": {"type": "string", "format": "binary"}}
                            for mime in ("application/pdf", "image/jpeg", "image/png")
                        },
                    },
                    "401": _error("Unauthorized"),
                    "404": _error("NotFound"),
                },
            }
        },
        "/api/v1/bank/referrals/{referral_id}/events": {
            "post": {
                "operationId": "postBankReferralEvent",
                "tags": ["bank"],
                "security": bearer,
                "summary": "Record the bank's next step on a referral.",
                "parameters": [referral_id],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Event")}},
                },
                "responses": {
                    "200": _json(_ref("Referral"), "The referral after the step"),
                    "400": _error("BadRequest"),
                    "401": _error("Unauthorized"),
                    "404": _error("NotFound"),
                    "409": _error("Conflict"),
                },
            }
        },
    }


def part() -> dict:
    """The paths, components and tags this plug-in adds to the host's document."""
    return {
        "description": "Also the API partner banks' systems use for KUR referrals. Bank "
        "endpoints take `Authorization: Bearer <token>` (issued with `flask referrals "
        "issue-token BANK_SLUG`).",
        "tags": [{"name": "bank", "description": "Bearer token of one partner bank."}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A bank API token; scoped to one bank.",
                },
            },
        },
    }


def _inbox_filter_parameters() -> list[dict]:
    """The portal inbox's filters on the bank API (services.inbox.parse_filter: one parser)."""
    from referrals.models import SCHEMES
    from referrals.services.inbox import SORTS

    def query(name: str, description: str, schema: dict) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

    amount = {"type": "integer", "minimum": 0, "maximum": 10**15 - 1}
    return [
        query(
            "chapter",
            "A chapter slug. A chapter the bank does not serve gives an empty list.",
            {"type": "string"},
        ),
        query("scheme", "KUR scheme code.", {"type": "string", "enum": list(SCHEMES)}),
        query(
            "amount_min",
            "Requested amount at least this many rupiah (the portal's parser: 65.000 works too).",
            amount,
        ),
        query("amount_max", "Requested amount at most this many rupiah.", amount),
        query(
            "sent_from", "Sent on or after this Jakarta day.", {"type": "string", "format": "date"}
        ),
        query(
            "sent_to", "Sent on or before this Jakarta day.", {"type": "string", "format": "date"}
        ),
        query(
            "q",
            "Business name (part of it), the referral number, or the NIK's last 1-4 digits "
            "(a whole 16-digit NIK is matched exactly); longer than 80 characters is cut.",
            {"type": "string"},
        ),
        query(
            "assigned",
            "`none` (not assigned) or an officer's user id (`me` matches nothing for a token).",
            {"type": "string", "pattern": "^(me|none|[0-9]{1,18})$"},
        ),
        query(
            "closed",
            "Include rejected and disbursed referrals (default true on the API; the portal "
            "hides them by default).",
            {"type": "boolean", "default": True},
        ),
        query("sort", "Order (ignored with `since`).", {"type": "string", "enum": list(SORTS)}),
    ]
