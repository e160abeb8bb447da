"""qBittorrent's health check: full test on first use, one light call afterwards."""

from __future__ import annotations

import json

import pytest
import responses

from integrations.base import DEGRADED, HEALTHY, UNHEALTHY
from integrations.downloadclients.providers.qbittorrent import QBittorrent

BASE = "http://127.0.0.1:18080/api/v2/"


def provider() -> QBittorrent:
    return QBittorrent(
        QBittorrent.Settings(host="127.0.0.1", port=18080, username="u", password="p")
    )


def qbit(status="connected"):
    responses.post(BASE + "auth/login", body="Ok.", headers={"Set-Cookie": "SID=abc; path=/"})
    responses.get(BASE + "app/version", body="v4.5.2")
    responses.get(BASE + "app/webapiVersion", body="2.8.19")
    responses.get(BASE + "torrents/categories", json={})
    responses.get(BASE + "transfer/info", body=json.dumps({"connection_status": status}))


def paths():
    return [c.request.url.split("/api/v2/")[1].split("?")[0] for c in responses.calls]


@responses.activate
def test_first_health_check_runs_the_full_test():
    qbit()
    assert provider().health().status == HEALTHY
    assert "app/webapiVersion" in paths()


@responses.activate
def test_next_health_check_makes_one_request_on_the_open_session():
    qbit()
    p = provider()
    p.health()
    responses.calls.reset()
    result = p.health()
    assert (result.status, paths()) == (HEALTHY, ["transfer/info"])
    assert "4.5.2" in result.message


@responses.activate
def test_light_check_reports_disconnected_as_degraded():
    qbit(status="disconnected")
    p = provider()
    p.health()
    assert p.health().status == DEGRADED


@responses.activate
def test_full_test_is_repeated_after_an_hour(monkeypatch):
    qbit()
    p = provider()
    p.health()
    p._last_full_test -= QBittorrent.FULL_TEST_EVERY + 1
    responses.calls.reset()
    p.health()
    assert "app/version" in paths()


@responses.activate
def test_light_check_failure_is_unhealthy_with_the_reason():
    qbit()
    p = provider()
    p.health()
    responses.replace(responses.GET, BASE + "transfer/info", status=500, body="boom")
    result = p.health()
    assert result.status == UNHEALTHY
    assert "500" in result.message


@pytest.mark.parametrize("status", ["connected", "firewalled"])
@responses.activate
def test_connected_and_firewalled_are_healthy(status):
    qbit(status=status)
    p = provider()
    p.health()
    assert p.health().status == HEALTHY
