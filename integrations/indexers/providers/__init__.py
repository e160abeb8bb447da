"""Every indexer provider, registered explicitly."""

from __future__ import annotations

from ..registry import registry

for provider in ():
    registry.register(provider)
