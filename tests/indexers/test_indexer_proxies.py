"""Indexer proxies against real daemons: tinyproxy (HTTP) and microsocks (SOCKS5).

An indexer with a proxy sends its searches, caps reads and downloads through it; a
proxy that is down, disabled, deleted or refuses the login fails the indexer with a
message naming the proxy, and never lets it connect directly."""

from __future__ import annotations

import base64
import threading

import pytest

from integrations import health
from integrations.indexers import search
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.models import Indexer
from integrations.manager import manager
from integrations.models import Proxy
from tests.daemons.process import free_port
from tests.httpserver import RecordingServer
from tests.indexerserver import indexer_server  # noqa: F401  (fixture)
from tests.proxy_fixtures import make_proxy, make_torznab, started

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(type=QueryType.SEARCH, search_term="Show")


@pytest.fixture(autouse=True)
def _fresh_providers():
    health.providers.clear()
    yield
    health.providers.clear()


def only_outcome(response):
    (outcome,) = response.indexers
    return outcome


def via(srv) -> list[str]:
    return [r.headers.get("Via", "") for r in srv.requests]


def test_a_search_goes_through_the_http_proxy(indexer_server, tinyproxy):
    srv = indexer_server(items=3)
    make_torznab(srv, make_proxy(tinyproxy, "http"))
    response = search.search(QUERY, parse=False)
    assert len(response.results) == 3
    assert all("tinyproxy" in v for v in via(srv))


def test_a_search_goes_through_the_socks5_proxy(indexer_server, microsocks):
    srv = indexer_server(items=3)
    make_torznab(srv, make_proxy(microsocks, "socks5"))
    response = search.search(QUERY, parse=False)
    assert len(response.results) == 3
    assert f"connected to 127.0.0.1:{srv.port}" in microsocks.log()


def test_an_indexer_without_a_proxy_connects_directly(indexer_server, tinyproxy):
    srv = indexer_server(items=2)
    make_proxy(tinyproxy, "http")
    make_torznab(srv)
    assert len(search.search(QUERY, parse=False).results) == 2
    assert via(srv) and not any(via(srv))


def test_a_download_goes_through_the_proxy(indexer_server, tinyproxy):
    srv = indexer_server(items=1)
    config = make_torznab(srv, make_proxy(tinyproxy, "http"))
    provider = health.providers.get(config)
    downloaded = provider.download(provider.search(QUERY)[0])
    assert downloaded.torrent
    download_requests = [r for r in srv.requests if not r.path.endswith("/api")]
    assert download_requests and "tinyproxy" in download_requests[-1].headers.get("Via", "")


def test_testing_an_unsaved_indexer_goes_through_its_proxy(indexer_server, tinyproxy):
    srv = indexer_server(items=1)
    proxy = make_proxy(tinyproxy, "http")
    cls = Indexer.registry.get("torznab")
    validated = cls.Settings.model_validate(
        {"base_url": srv.url, "api_key": srv.api_key, "proxy_id": proxy.pk}
    )
    result = manager.test_settings(cls, validated, name="New tracker")
    assert result.ok, result.message
    assert all("tinyproxy" in v for v in via(srv))


def test_a_wrong_socks5_password_fails_the_search_naming_the_proxy(indexer_server, microsocks):
    srv = indexer_server(items=1)
    make_torznab(srv, make_proxy(microsocks, "socks5", name="VPN", password="wrong-pass"))
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert not outcome.ok
    assert outcome.error.startswith("proxy 'VPN' (socks5 127.0.0.1:")
    assert "refused the login" in outcome.error
    assert "wrong-pass" not in outcome.error
    assert srv.requests == []


def test_a_stopped_proxy_fails_the_search_instead_of_connecting_directly(
    indexer_server, fresh_microsocks
):
    srv = indexer_server(items=1)
    make_torznab(srv, make_proxy(fresh_microsocks, "socks5", name="VPN"))
    fresh_microsocks.stop()
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert outcome.error.startswith("Cannot reach proxy 'VPN' (socks5 127.0.0.1:")
    assert "connection refused" in outcome.error
    assert srv.requests == []


def test_a_disabled_proxy_fails_the_indexer_instead_of_connecting_directly(
    indexer_server, tinyproxy
):
    srv = indexer_server(items=1)
    make_torznab(srv, make_proxy(tinyproxy, "http", name="VPN", enabled=False))
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert (outcome.ok, outcome.code) == (False, "configuration_error")
    assert "the proxy 'VPN', which is disabled" in outcome.error
    assert srv.requests == []


def test_a_deleted_proxy_fails_the_indexer_naming_the_setting(indexer_server, tinyproxy):
    srv = indexer_server(items=1)
    proxy = make_proxy(tinyproxy, "http")
    make_torznab(srv, proxy)
    assert search.search(QUERY, parse=False).results
    proxy.delete()
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert "which no longer exists: choose another proxy or none" in outcome.error


def test_a_changed_proxy_login_reaches_an_indexer_already_in_use(indexer_server, microsocks):
    srv = indexer_server(items=1)
    proxy = make_proxy(microsocks, "socks5")
    make_torznab(srv, proxy)
    assert search.search(QUERY, parse=False).results  # the provider is cached now
    proxy.apply_settings(
        proxy.settings_model().model_validate(
            {"host": microsocks.host, "port": microsocks.port, "username": "idkarr",
             "password": "changed"}
        )
    )  # fmt: skip
    proxy.save()
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert "refused the login" in outcome.error


def test_a_proxy_dying_mid_request_fails_only_that_indexer(indexer_server, fresh_microsocks):
    slow = indexer_server(items=1, delay=1.0)
    direct = indexer_server(items=2)
    make_torznab(slow, make_proxy(fresh_microsocks, "socks5", name="VPN"), name="Slow")
    make_torznab(direct, name="Direct")
    timer = threading.Timer(0.4, fresh_microsocks.kill)
    timer.start()
    try:
        response = search.search(QUERY, parse=False)
    finally:
        timer.join()
    by_name = {o.name: o for o in response.indexers}
    assert by_name["Direct"].ok and len(response.results) == 2
    assert not by_name["Slow"].ok
    assert by_name["Slow"].code in ("connection_failed", "timeout")
    assert "through proxy 'VPN' (socks5 127.0.0.1:" in by_name["Slow"].error


def https_torznab(proxy) -> Indexer:
    config = Indexer(name="Tracker", kind="torznab")
    settings = {"base_url": f"https://127.0.0.1:{free_port()}", "api_key": "k" * 32,
                "proxy_id": proxy.pk}  # fmt: skip
    config.apply_settings(config.settings_model().model_validate(settings))
    config.save()
    return config


def test_a_tunnel_refused_for_the_login_names_the_proxy(tinyproxy):
    https_torznab(make_proxy(tinyproxy, "http", name="VPN", password="Wrong-Tunnel-Pass"))
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert outcome.code == "authentication_failed"
    assert outcome.error.startswith("proxy 'VPN' (http 127.0.0.1:")
    assert "refused the login (HTTP 401) for Tracker" in outcome.error
    assert "Wrong-Tunnel-Pass" not in outcome.error


def test_a_tunnel_the_proxy_cannot_open_says_where_it_failed(tinyproxy):
    https_torznab(make_proxy(tinyproxy, "http", name="VPN"))
    outcome = only_outcome(search.search(QUERY, parse=False))
    assert outcome.code == "connection_failed"
    assert "could not open a connection to Tracker (HTTP 500)" in outcome.error


ODD_PASSWORD = "p@ss:w/rd%41#?"


def test_a_password_with_url_characters_reaches_a_socks5_proxy_intact(indexer_server, tmp_path):
    with started("microsocks", tmp_path, password=ODD_PASSWORD) as microsocks_daemon:
        srv = indexer_server(items=1)
        make_torznab(srv, make_proxy(microsocks_daemon, "socks5"))
        assert len(search.search(QUERY, parse=False).results) == 1


def test_a_password_with_url_characters_reaches_an_http_proxy_intact(indexer_server):
    # tinyproxy's config takes only letters and digits in a password: a recording
    # server stands in for the proxy and shows the Proxy-Authorization it was sent.
    with RecordingServer() as fake_proxy:
        proxy = Proxy(name="fake", kind="http")
        proxy.apply_settings(
            proxy.settings_model().model_validate(
                {"host": "127.0.0.1", "port": fake_proxy.port, "username": "idkarr",
                 "password": ODD_PASSWORD}
            )
        )  # fmt: skip
        proxy.save()
        make_torznab(indexer_server(items=1), proxy)
        search.search(QUERY, parse=False)
        header = fake_proxy.last_request.headers["Proxy-Authorization"]
    assert base64.b64decode(header.split()[1]).decode() == f"idkarr:{ODD_PASSWORD}"
