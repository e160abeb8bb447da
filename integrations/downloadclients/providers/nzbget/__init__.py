"""NZBGet download client: JSON-RPC API of NZBGet 21 or newer, tested against nzbget 21.0."""

from __future__ import annotations

from .provider import NZBGet, NZBGetSettings

__all__ = ["NZBGet", "NZBGetSettings"]
