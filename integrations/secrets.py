"""Secrets at rest: Fernet-encrypted JSON of a provider's secret fields.

The key comes from ``IDKARR_SECRETS_KEY`` (or ``IDKARR_SECRETS_KEY_FILE``); when it
is unset, a key is derived from Django's SECRET_KEY and a system check warns,
because rotating SECRET_KEY would then make stored secrets unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from .errors import ConfigurationError


@lru_cache(maxsize=4)
def _fernet(key: str | None, fallback: str) -> Fernet:
    if key:
        try:
            return Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigurationError(
                "IDKARR_SECRETS_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes); "
                "generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None
    derived = base64.urlsafe_b64encode(
        hashlib.sha256(("idkarr-secrets:" + fallback).encode()).digest()
    )
    return Fernet(derived)


def fernet() -> Fernet:
    return _fernet(getattr(settings, "IDKARR_SECRETS_KEY", None), settings.SECRET_KEY)


def encrypt(values: dict[str, str]) -> str:
    """Encrypt a dict of secret strings. An empty dict is stored as an empty string."""
    if not values:
        return ""
    return fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ConfigurationError(
            "Stored secrets cannot be decrypted: IDKARR_SECRETS_KEY (or SECRET_KEY) changed since they were saved; "
            "enter the passwords again"
        ) from None
