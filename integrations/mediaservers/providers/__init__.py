"""Every media-server provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .emby import Emby
from .jellyfin import Jellyfin
from .plex import Plex

for provider in (Plex, Jellyfin, Emby):
    registry.register(provider)
