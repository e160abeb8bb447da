"""Every import-list provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .imdb import ImdbList
from .plexwatchlist import PlexWatchlist
from .trakt import TraktList

for provider in (TraktList, ImdbList, PlexWatchlist):
    registry.register(provider)
