"""qBittorrent (Web API v2) download client."""

from __future__ import annotations

from .provider import QBittorrent, QBittorrentSettings

__all__ = ["QBittorrent", "QBittorrentSettings"]
