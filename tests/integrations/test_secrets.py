from __future__ import annotations

import pytest
from django.test import override_settings

from integrations import secrets
from integrations.errors import ConfigurationError


def test_secrets_round_trip():
    token = secrets.encrypt({"password": "p@ss"})
    assert secrets.decrypt(token) == {"password": "p@ss"}


def test_ciphertext_does_not_contain_the_plaintext():
    assert "p@ss" not in secrets.encrypt({"password": "p@ss"})


def test_empty_secrets_are_stored_as_empty_string():
    assert secrets.encrypt({}) == ""
    assert secrets.decrypt("") == {}


def test_a_different_key_cannot_read_stored_secrets():
    token = secrets.encrypt({"password": "p@ss"})
    with override_settings(IDKARR_SECRETS_KEY="bm90LXRoZS1zYW1lLWtleS1hdC1hbGwtMDAwMDAwMDA="):
        with pytest.raises(ConfigurationError, match="cannot be decrypted"):
            secrets.decrypt(token)


def test_an_invalid_key_is_a_clear_configuration_error():
    with override_settings(IDKARR_SECRETS_KEY="short"):
        with pytest.raises(ConfigurationError, match="not a valid Fernet key"):
            secrets.encrypt({"a": "b"})


def test_system_check_warns_when_secrets_key_is_unset():
    from integrations.checks import secrets_key_check

    with override_settings(IDKARR_SECRETS_KEY=None):
        assert [w.id for w in secrets_key_check(None)] == ["idkarr.W001"]
