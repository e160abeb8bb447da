"""Proxies through the API and the console, with a real tinyproxy."""

from __future__ import annotations

import pytest

from integrations.models import Proxy
from tests.indexerserver import indexer_server  # noqa: F401  (fixture)
from tests.proxy_fixtures import make_proxy, make_torznab, proxy_settings

pytestmark = pytest.mark.django_db(transaction=True)


def create(client, daemon, **overrides):
    body = {"name": "VPN", "kind": "http", "settings": proxy_settings(daemon), **overrides}
    return client.post("/api/v1/proxies/", body, content_type="application/json")


def test_an_operator_adds_a_proxy_after_a_passing_test(api_client_for, tinyproxy):
    response = create(api_client_for("operator"), tinyproxy)
    assert response.status_code == 201, response.content
    assert Proxy.objects.get(name="VPN").kind == "http"


def test_a_proxy_refusing_the_login_is_not_added(api_client_for, tinyproxy):
    settings = proxy_settings(tinyproxy, password="Not-The-Password-7")
    response = create(api_client_for("operator"), tinyproxy, settings=settings)
    assert response.status_code == 422
    assert "refused the login" in response.content.decode()
    assert "Not-The-Password-7" not in response.content.decode()
    assert not Proxy.objects.exists()


def test_a_proxy_is_listed_without_its_password(api_client_for, tinyproxy):
    client = api_client_for("operator")
    create(client, tinyproxy)
    body = client.get("/api/v1/proxies/").content.decode()
    assert '"username": "idkarr"' in body or '"username":"idkarr"' in body
    assert tinyproxy.password not in body


def test_the_proxy_kinds_are_http_and_socks5(api_client_for):
    kinds = api_client_for("viewer").get("/api/v1/proxies/kinds").json()
    assert sorted(k["kind"] for k in kinds) == ["http", "socks5"]


def test_the_indexer_form_offers_the_proxies(console_for, tinyproxy):
    make_proxy(tinyproxy, "http", name="Office VPN")
    page = console_for("operator").get("/admin/indexers/indexer/add/?kind=torznab")
    assert page.status_code == 200
    assert "Office VPN (HTTP proxy)" in page.content.decode()


def test_the_proxy_list_names_the_indexers_using_each(console_for, tinyproxy, indexer_server):
    proxy = make_proxy(tinyproxy, "http", name="Office VPN")
    make_torznab(indexer_server(items=1), proxy, name="Tracker A")
    page = console_for("operator").get("/admin/integrations/proxy/")
    assert page.status_code == 200
    assert "Tracker A" in page.content.decode()
