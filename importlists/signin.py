"""Signing an import list in to its service with a device code (Trakt): the user
enters ``user_code`` at ``verification_url``; polling then saves the tokens on the
list (never shown anywhere). Used by the API and the console."""

from __future__ import annotations

from integrations.errors import UnsupportedError

from .models import ImportList


def _provider(config: ImportList):
    provider = config.build_provider()
    if not hasattr(provider, "start_device_auth"):
        provider.close()
        raise UnsupportedError(f"{config.name} has no device sign-in")
    return provider


def start(config: ImportList) -> dict:
    """``{device_code, user_code, verification_url, expires_in, interval}``."""
    with _provider(config) as provider:
        return provider.start_device_auth()


def poll(config: ImportList, device_code: str) -> bool:
    """Whether the user approved; when so, the tokens are saved on ``config``."""
    with _provider(config) as provider:
        tokens = provider.poll_device_auth(device_code)
    if tokens is None:
        return False
    current = config.validated_settings()
    config.apply_settings(type(current).model_validate({**current.model_dump(), **tokens}))
    config.save()
    return True
