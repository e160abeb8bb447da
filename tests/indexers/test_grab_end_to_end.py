"""Usenet end to end through the API: a Newznab indexer (local server) is searched, and the
grabbed release's .nzb reaches a real NZBGet, which queues it under the TV category."""

from __future__ import annotations

import secrets

import pytest

from integrations.downloadclients.models import Download, DownloadClient
from notifications.models import Event
from tests.conftest import free_port, require_binary
from tests.daemons.nzbget import start_nzbget
from tests.indexerserver import indexer_server  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.daemon]


@pytest.fixture
def nzbget(tmp_path):
    binary = require_binary("nzbget")
    with start_nzbget(
        tmp_path / "nzbget",
        password="nz-" + secrets.token_urlsafe(10),
        nntp_port=free_port(),  # a closed news server: the job waits in the queue
        categories=["tv-e2e"],
        binary=binary,
    ) as daemon:
        yield daemon


def test_search_then_grab_sends_the_nzb_to_real_nzbget(api_client_for, indexer_server, nzbget):
    srv = indexer_server(protocol="usenet", items=8, filter_queries=True)
    api = api_client_for("operator")
    created = api.post(
        "/api/v1/indexers/",
        {
            "name": "Local Newznab",
            "kind": "newznab",
            "settings": {"base_url": srv.url, "api_key": srv.api_key},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    client = DownloadClient(name="NZBGet", kind="nzbget")
    client.apply_settings(
        client.settings_model().model_validate(
            {
                "host": nzbget.host,
                "port": nzbget.port,
                "username": nzbget.username,
                "password": nzbget.password,
                "tv_category": "tv-e2e",
            }
        )
    )
    client.save()

    found = api.post(
        "/api/v1/indexers/search",
        {"type": "series", "search_term": "Severance", "tvdb_id": 371980},
        content_type="application/json",
    ).json()
    assert found["indexers"][0]["ok"] is True, found["indexers"]
    result = found["results"][0]
    assert result["protocol"] == "usenet" and srv.api_key not in result["download_url"]

    grabbed = api.post(
        "/api/v1/indexers/grab", {"token": result["grab_token"]}, content_type="application/json"
    )
    assert grabbed.status_code == 201, grabbed.json()
    nzb_id = int(grabbed.json()["download_id"])
    groups = {g["NZBID"]: g for g in nzbget.rpc("listgroups", 0)}
    assert groups[nzb_id]["Category"] == "tv-e2e"
    assert Download.objects.get(client=client, download_id=str(nzb_id)).grabbed
    payload = Event.objects.get(event_type="grab").payload
    assert payload["release"]["releaseTitle"] == result["title"]
    assert payload["downloadClientType"] == "NZBGet"
