"""SABnzbd (JSON API, 3.0 or newer) download client."""

from __future__ import annotations

from .provider import SABnzbd, SABnzbdSettings

__all__ = ["SABnzbd", "SABnzbdSettings"]
