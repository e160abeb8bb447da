"""Every import-list provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .imdb import ImdbList
from .trakt import TraktList

for provider in (TraktList, ImdbList):
    registry.register(provider)
