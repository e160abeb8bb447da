"""Every notification provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .webhook import Webhook

registry.register(Webhook)

__all__ = ["Webhook"]
