"""Encryption at rest for personal data such as the NIK (UU PDP).

The NIK also gets a keyed *blind index* (:func:`blind_index`): HMAC-SHA256 of the normalised
value under NIK_INDEX_KEY, a key of its own, so "one NIK, one business" is a unique index and
a lookup, never a decryption. Without the key (dev, tests) one is derived from SECRET_KEY
with a different HKDF label; production refuses to start without it (config.py).

Keys come from DATA_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so old
ones keep decrypting during rotation). Without it, a key is derived from SECRET_KEY with
HKDF, which is fine for development and tests; production sets its own keys.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _derive(secret: str | bytes, info: bytes) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)


def _derived_key(secret: str | bytes) -> bytes:
    return base64.urlsafe_b64encode(_derive(secret, b"pasarkita-data-at-rest"))


def _fernet() -> MultiFernet:
    configured = current_app.config.get("DATA_ENCRYPTION_KEYS") or ""
    keys = [k.strip().encode() for k in configured.split(",") if k.strip()]
    if not keys:
        keys = [_derived_key(current_app.config["SECRET_KEY"])]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_text(value: str) -> bytes:
    return _fernet().encrypt(value.encode())


def decrypt_text(token: bytes) -> str:
    return _fernet().decrypt(token).decode()


def _index_key() -> bytes:
    configured = current_app.config.get("NIK_INDEX_KEY") or ""
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    return _derive(current_app.config["SECRET_KEY"], b"pasarkita-nik-blind-index")


def blind_index(normalised: str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of an already normalised identifier (16-digit NIK)."""
    return hmac.new(_index_key(), normalised.encode(), hashlib.sha256).hexdigest()
