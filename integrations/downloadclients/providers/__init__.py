"""Every download-client provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .aria2 import Aria2
from .deluge import Deluge
from .downloadstation import DownloadStation
from .nzbget import NZBGet
from .qbittorrent import QBittorrent
from .rtorrent import RTorrent
from .sabnzbd import SABnzbd
from .transmission import Transmission

for provider in (
    QBittorrent,
    RTorrent,
    Transmission,
    Deluge,
    SABnzbd,
    NZBGet,
    Aria2,
    DownloadStation,
):
    registry.register(provider)
