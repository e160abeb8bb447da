"""System checks (``manage.py check``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register()
def secrets_key_check(app_configs, **kwargs):
    if getattr(settings, "IDKARR_SECRETS_KEY", None):
        return []
    return [
        Warning(
            "IDKARR_SECRETS_KEY is not set; integration secrets are encrypted with a key derived "
            "from SECRET_KEY, so changing SECRET_KEY would make them unreadable.",
            hint="Set IDKARR_SECRETS_KEY (or IDKARR_SECRETS_KEY_FILE) to a Fernet key.",
            id="idkarr.W001",
        )
    ]
