from __future__ import annotations

from integrations.models import ProviderConfig

from .base import FAMILY
from .registry import registry


class DownloadClient(ProviderConfig):
    """A configured download client (qBittorrent, Transmission, SABnzbd, …)."""

    registry = registry
    family = FAMILY

    class Meta(ProviderConfig.Meta):
        verbose_name = "download client"
