"""Prowlarr: search through its aggregate, fetch through its proxy, pull-sync its indexers."""

from __future__ import annotations

from .provider import Prowlarr, ProwlarrSettings

__all__ = ["Prowlarr", "ProwlarrSettings"]
