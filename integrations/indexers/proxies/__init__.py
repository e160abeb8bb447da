"""Indexer proxies (Prowlarr's): an HTTP or SOCKS5 proxy that an indexer's searches,
RSS fetches and downloads go through, chosen per indexer (its ``proxy_id``)."""

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
