"""aria2 (JSON-RPC) download client."""

from __future__ import annotations

from .provider import Aria2, Aria2Settings

__all__ = ["Aria2", "Aria2Settings"]
