"""Every download-client provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .qbittorrent import QBittorrent

registry.register(QBittorrent)
