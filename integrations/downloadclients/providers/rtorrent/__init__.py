"""rTorrent (XML-RPC over SCGI or HTTP) download client."""

from __future__ import annotations

from .provider import RTorrent, RTorrentSettings

__all__ = ["RTorrent", "RTorrentSettings"]
