"""Deluge (Web UI JSON-RPC, Deluge 2.0+) download client."""

from __future__ import annotations

from .provider import Deluge, DelugeSettings

__all__ = ["Deluge", "DelugeSettings"]
