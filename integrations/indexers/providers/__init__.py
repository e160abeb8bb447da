"""Every indexer provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .jackett import Jackett
from .newznab import Newznab
from .prowlarr import Prowlarr
from .torznab import Torznab

for provider in (Newznab, Torznab, Jackett, Prowlarr):
    registry.register(provider)
