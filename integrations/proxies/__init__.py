"""Proxies (Prowlarr's indexer proxies, Sonarr's proxy setting): an HTTP or SOCKS5
proxy that an integration's HTTP traffic goes through, chosen in its settings
(``proxy_id``; indexers have it: their searches, RSS fetches and downloads)."""

from __future__ import annotations

from integrations.registry import Registry

from .base import FAMILY

registry = Registry(FAMILY)


def register_all() -> None:
    from .http import HttpProxy
    from .socks5 import Socks5Proxy

    for provider in (HttpProxy, Socks5Proxy):
        if provider.kind not in registry:
            registry.register(provider)
