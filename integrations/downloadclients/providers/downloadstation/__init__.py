"""Synology Download Station (DSM 6+ Web API) download client."""

from __future__ import annotations

from .provider import DownloadStation, DownloadStationSettings

__all__ = ["DownloadStation", "DownloadStationSettings"]
