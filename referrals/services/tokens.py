"""Bank API tokens: random, shown once, stored as a SHA-256 hash, revocable. The CLI, the
demo data and the API's authentication all come here."""

import hashlib
import re
import secrets

from sqlalchemy import select

from marketplace.core import audit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from referrals.models import Bank, BankToken
from referrals.services.scope import token_or_404

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,200}")


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(bank: Bank, label: str = "") -> tuple[BankToken, str]:
    """A new token for ``bank``: the clear value is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    row = BankToken(bank_id=bank.id, token_hash=hash_token(token), label=label[:80])
    db.session.add(row)
    db.session.flush()
    audit.record("bank_token.issued", role="system", bank_id=bank.id, target=row)
    return row, token


def revoke_token(token_id: int) -> BankToken:
    """Revoke a token by id; it answers 401 from the next request on. Idempotent."""
    row = token_or_404(token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("bank_token.revoked", role="system", bank_id=row.bank_id, target=row)
    return row


def revoke_labelled(bank: Bank, label: str) -> int:
    """Revoke the bank's live tokens carrying ``label`` (the demo data's old tokens)."""
    rows = db.session.scalars(
        select(BankToken).where(
            BankToken.bank_id == bank.id, BankToken.label == label, BankToken.revoked_at.is_(None)
        )
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)


def live_token(value: str) -> BankToken | None:
    """The live token whose clear value is ``value``, marked as used now; else None."""
    value = (value or "").strip()
    if not _TOKEN_RE.fullmatch(value):
        return None
    row = db.session.scalar(select(BankToken).where(BankToken.token_hash == hash_token(value)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utcnow()
    return row


def tokens(bank_slug: str | None = None) -> list[BankToken]:
    """Tokens in id order, optionally one bank's (for the operator's listing)."""
    stmt = select(BankToken).join(Bank, Bank.id == BankToken.bank_id).order_by(BankToken.id)
    if bank_slug:
        stmt = stmt.where(Bank.slug == bank_slug)
    return list(db.session.scalars(stmt))
