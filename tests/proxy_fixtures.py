"""Real proxy daemons for the proxy tests, and helpers to point idkarr at them."""

from __future__ import annotations

import secrets

import pytest

from integrations.indexers.models import Indexer
from integrations.models import Proxy
from tests.conftest import require_binary
from tests.daemons.proxies import ProxyDaemon, start_microsocks, start_tinyproxy

STARTERS = {"tinyproxy": start_tinyproxy, "microsocks": start_microsocks}


def started(binary_name: str, base, password: str | None = None) -> ProxyDaemon:
    """Start the named proxy daemon in ``base`` with a login of its own."""
    binary = require_binary(binary_name)
    password = password or "px-" + secrets.token_urlsafe(12)
    return STARTERS[binary_name](base, username="idkarr", password=password, binary=binary)


@pytest.fixture(scope="session")
def tinyproxy(tmp_path_factory) -> ProxyDaemon:
    with started("tinyproxy", tmp_path_factory.mktemp("tinyproxy")) as daemon:
        yield daemon


@pytest.fixture(scope="session")
def microsocks(tmp_path_factory) -> ProxyDaemon:
    with started("microsocks", tmp_path_factory.mktemp("microsocks")) as daemon:
        yield daemon


@pytest.fixture
def fresh_microsocks(tmp_path) -> ProxyDaemon:
    """A SOCKS5 proxy of the test's own, free to be stopped."""
    with started("microsocks", tmp_path) as daemon:
        yield daemon


def proxy_settings(daemon: ProxyDaemon, *, password: str | None = None, login: bool = True):
    data = {"host": daemon.host, "port": daemon.port}
    if login:
        data.update(username=daemon.username, password=password or daemon.password)
    return data


def make_proxy(daemon: ProxyDaemon, kind: str, *, name: str | None = None, **options):
    enabled = options.pop("enabled", True)
    proxy = Proxy(name=name or f"{kind} proxy", kind=kind, enabled=enabled)
    proxy.apply_settings(proxy.settings_model().model_validate(proxy_settings(daemon, **options)))
    proxy.save()
    return proxy


def make_torznab(srv, proxy: Proxy | None = None, name: str = "Tracker") -> Indexer:
    config = Indexer(name=name, kind="torznab")
    settings = {"base_url": srv.url, "api_key": srv.api_key, "timeout_seconds": 10}
    if proxy is not None:
        settings["proxy_id"] = proxy.pk
    config.apply_settings(config.settings_model().model_validate(settings))
    config.save()
    return config
