"""The Test of a proxy, against real tinyproxy (HTTP) and microsocks (SOCKS5):
reachability and the login, checked without leaving loopback."""

from __future__ import annotations

import pytest

from integrations.models import Proxy
from tests.daemons.process import free_port
from tests.proxy_fixtures import proxy_settings


def run_test(kind: str, settings: dict, name: str = "VPN"):
    cls = Proxy.registry.get(kind)
    with cls(cls.Settings.model_validate(settings), name=name) as provider:
        return provider.run_test()


def test_an_http_proxy_with_the_right_login_passes(tinyproxy):
    result = run_test("http", proxy_settings(tinyproxy))
    assert result.ok
    assert result.message == (
        f"Connected to proxy 'VPN' (http 127.0.0.1:{tinyproxy.port}); login accepted"
    )


def test_an_http_proxy_refusing_the_password_fails_without_it(tinyproxy):
    result = run_test("http", proxy_settings(tinyproxy, password="Wrong-Secret-1"))
    assert not result.ok
    assert "refused the login (HTTP 401): check its username and password" in result.message
    assert "Wrong-Secret-1" not in result.message


def test_an_http_proxy_asking_for_a_login_says_to_set_one(tinyproxy):
    result = run_test("http", proxy_settings(tinyproxy, login=False))
    assert result.message.endswith("asks for a login (HTTP 407): set its username and password")


def test_a_socks5_proxy_with_the_right_login_passes(microsocks):
    result = run_test("socks5", proxy_settings(microsocks))
    assert result.ok, result.message
    assert result.message.endswith("; login accepted")


def test_a_socks5_proxy_refusing_the_password_fails_without_it(microsocks):
    result = run_test("socks5", proxy_settings(microsocks, password="Wrong-Secret-2"))
    assert not result.ok
    assert result.message.endswith("refused the login: check its username and password")
    assert "Wrong-Secret-2" not in result.message


def test_a_socks5_proxy_asking_for_a_login_says_to_set_one(microsocks):
    result = run_test("socks5", proxy_settings(microsocks, login=False))
    assert result.message.endswith("asks for a login: set its username and password")


def test_a_proxy_that_is_not_running_fails_with_connection_refused():
    result = run_test("socks5", {"host": "127.0.0.1", "port": free_port()})
    assert not result.ok
    assert "connection refused" in result.message
    assert result.details["code"] == "connection_failed"


def test_an_http_kind_pointed_at_a_socks5_proxy_says_so(microsocks):
    result = run_test("http", proxy_settings(microsocks))
    assert not result.ok
    assert "did not answer as an HTTP proxy (is it a SOCKS proxy?)" in result.message


def test_a_socks5_kind_pointed_at_an_http_proxy_says_so(tinyproxy):
    result = run_test("socks5", proxy_settings(tinyproxy))
    assert not result.ok
    assert "did not answer the SOCKS5 greeting within 3 s (is it an HTTP proxy?)" in result.message


@pytest.mark.parametrize("host", ["http://10.0.0.2", "10.0.0.2/path", "10.0.0 .2", ""])
def test_a_host_with_a_scheme_path_or_space_is_refused(host):
    cls = Proxy.registry.get("http")
    with pytest.raises(ValueError, match="A host name or IP address only"):
        cls.Settings.model_validate({"host": host, "port": 8080})
