"""Every notification provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .apprise import Apprise
from .customscript import CustomScript
from .discord import Discord
from .email import Email
from .gotify import Gotify
from .join import Join
from .ntfy import Ntfy
from .pushover import Pushover
from .slack import Slack
from .telegram import Telegram
from .webhook import Webhook

PROVIDERS = (
    Discord,
    Slack,
    Telegram,
    Pushover,
    Email,
    Gotify,
    Ntfy,
    Join,
    Apprise,
    Webhook,
    CustomScript,
)
for provider in PROVIDERS:
    registry.register(provider)

__all__ = [cls.__name__ for cls in PROVIDERS]
