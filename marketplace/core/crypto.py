"""Encryption at rest for personal data such as the NIK (UU PDP).

Keys come from DATA_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so old
ones keep decrypting during rotation). Without it, a key is derived from SECRET_KEY with
HKDF, which is fine for development and tests; production sets its own keys.
"""

import base64

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _derived_key(secret: str | bytes) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pasarkita-data-at-rest")
    return base64.urlsafe_b64encode(hkdf.derive(raw))


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
