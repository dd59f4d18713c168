"""The referral network's shape (issue 10): tokens come from one service, the decision
bounds have one source, and the web and API layers leave transactions and refusals to
``@unit_of_work`` / ``domain_errors()`` and the app's error handler."""

import ast
import inspect
from pathlib import Path

from sqlalchemy import select
from wtforms.validators import NumberRange

import marketplace.core.errors as core_errors
import referrals
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError
from referrals import services
from referrals.api import bank_api, openapi
from referrals.cli import referrals as referrals_cli
from referrals.models import BankToken
from referrals.services import bounds, tokens
from referrals.web.forms import ApproveForm
from tests.factories import make_bank

PACKAGE = Path(referrals.__file__).resolve().parent


def _modules(*folders: str):
    for folder in folders:
        yield from sorted((PACKAGE / folder).glob("*.py"))


def _domain_error_names() -> set[str]:
    """DomainError and every subclass the referral code can name."""
    names = set()
    for module in (core_errors, services, services.endorsement):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, DomainError):
                names.add(name)
    return names


def _names_in(node) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def test_no_web_or_api_module_commits_or_catches_domain_errors():
    """The one handler allowed is for NotFound from a scoped loader: it logs the scope
    refusal and answers 404 (referrals.web.answer_out_of_scope); no refused rule is caught."""
    refused = _domain_error_names()
    offences = []
    for path in _modules("web", "api"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "commit":
                    offences.append(f"{path.name}:{node.lineno} commits")
                if node.func.attr == "errorhandler" and _names_in(node) & (refused - {"NotFound"}):
                    offences.append(f"{path.name}:{node.lineno} handles a DomainError")
            if isinstance(node, ast.ExceptHandler) and _names_in(node.type) & refused:
                offences.append(f"{path.name}:{node.lineno} catches {_names_in(node.type)}")
    assert "ValidationFailed" in refused
    assert "QuotaExceeded" in refused
    assert offences == []


def test_issued_token_comes_from_the_token_service(app, db):
    bank = make_bank(slug="bank-t", name="Bank T")
    result = app.test_cli_runner().invoke(referrals_cli, ["issue-token", "bank-t"])
    assert result.exit_code == 0, result.output
    printed = result.stdout.strip().splitlines()[-1]
    row = db.session.scalar(select(BankToken).where(BankToken.bank_id == bank.id))
    # The service's hash and its audit row: the CLI did not mint a token of its own.
    assert row.token_hash == tokens.hash_token(printed)
    issued = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "bank_token.issued", AuditEvent.target_id == row.id
        )
    )
    assert issued is not None
    assert issued.bank_id == bank.id


def test_tokens_are_minted_and_stored_only_by_the_token_service():
    minting = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "tokens.py" or path.name == "models.py":
            continue
        text = path.read_text()
        for needle in ("token_urlsafe", "BankToken(", "token_hash="):
            if needle in text:
                minting.append(f"{path.relative_to(PACKAGE)}: {needle}")
    assert minting == []


def test_decision_bounds_are_one_source_for_form_api_and_openapi(app):
    # The API validates with the very objects the service uses.
    assert bank_api.DECISION_BOUNDS is bounds.DECISION_BOUNDS
    assert bounds.DECISION_BOUNDS == {
        "amount_idr": bounds.AMOUNT_IDR,
        "tenor_months": bounds.TENOR_MONTHS,
        "rate_bp": bounds.RATE_BP,
    }

    def form_range(field) -> tuple:
        (rule,) = [v for v in field.kwargs["validators"] if isinstance(v, NumberRange)]
        return rule.min, rule.max

    assert form_range(ApproveForm.amount_idr) == (
        bounds.AMOUNT_IDR.minimum,
        bounds.AMOUNT_IDR.maximum,
    )
    assert form_range(ApproveForm.tenor_months) == (
        bounds.TENOR_MONTHS.minimum,
        bounds.TENOR_MONTHS.maximum,
    )
    # The form takes percent a year; 100 % is the API's 10 000 basis points.
    low, high = form_range(ApproveForm.rate_percent)
    assert (low * 100, high * 100) == (bounds.RATE_BP.minimum, bounds.RATE_BP.maximum)

    approve = openapi.part()["components"]["schemas"]["EventApprove"]["properties"]
    for field, bound in bounds.DECISION_BOUNDS.items():
        assert (approve[field]["minimum"], approve[field]["maximum"]) == (
            bound.minimum,
            bound.maximum,
        ), field


def test_served_openapi_document_carries_the_decision_bounds(client):
    document = client.get("/api/v1/openapi.json").get_json()
    approve = document["components"]["schemas"]["EventApprove"]["properties"]
    assert approve["amount_idr"]["maximum"] == bounds.AMOUNT_IDR.maximum
    assert approve["tenor_months"]["maximum"] == bounds.TENOR_MONTHS.maximum
    assert approve["rate_bp"]["maximum"] == bounds.RATE_BP.maximum


def test_referral_notification_links_are_absolute(world, csrf_client, login_as, db):
    from marketplace.notifications.models import Notification

    bank = make_bank(slug="bank-l", name="Bank L", chapters=[world.tebet])
    biz = world.biz_tebet
    login_as(csrf_client.client, world.lead_tebet)
    response = csrf_client.post(
        f"/lead/tebet/referrals/members/{biz.id}/new",
        data={
            "bank_id": bank.id,
            "scheme": "mikro",
            "variant": "konvensional",
            "amount_idr": "25000000",
            "tenor_months": "24",
            "purpose": "Membeli oven kedua agar produksi kue naik",
        },
    )
    assert response.status_code == 302
    notice = db.session.scalar(
        select(Notification).where(
            Notification.user_id == biz.owner_id, Notification.kind == "referral_consent_needed"
        )
    )
    assert notice.link.startswith("http://localhost/business/referrals/")


def test_referral_links_outside_a_request_use_the_public_base_url(app):
    from referrals.services.links import external_url

    with app.app_context():
        link = external_url("bank_portal.inbox", bank_slug="bri")
    assert link == app.config["PUBLIC_BASE_URL"].rstrip("/") + "/bank/bri/"
