"""The blocklist end to end: a release grabbed from a Newznab indexer (local server) whose
one article the news server (the in-test NNTP server) does not have fails in a real
NZBGet; the queue poll puts it on the blocklist, the next search marks it and a grab of
it is refused."""

from __future__ import annotations

import time
import uuid

import pytest

from integrations.downloadclients.models import BlocklistedRelease, DownloadClient
from integrations.downloadclients.queue import poll_client, record_poll
from tests.daemons.nntp import make_nzb
from tests.downloadclients import nzbget_fixtures as fx
from tests.indexerserver import indexer_server  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.daemon]

# A session nzbget whose news server is the in-test NNTP server.
fake_nntp, nzbget_daemon = fx.fake_nntp, fx.nzbget_daemon


def post(api, path, body):
    return api.post(path, body, content_type="application/json")


def test_a_release_that_fails_in_nzbget_is_blocklisted_and_refused_next_time(
    api_client_for, indexer_server, nzbget_daemon, fake_nntp
):
    srv = indexer_server(protocol="usenet", items=2)
    missing = fake_nntp.missing(f"e2e-{uuid.uuid4().hex[:8]}.bin")
    srv.fault("body", on="download", data=make_nzb([missing]), content_type="application/x-nzb")
    api = api_client_for("operator")
    created = post(
        api,
        "/api/v1/indexers/",
        {
            "name": "Newznab",
            "kind": "newznab",
            "settings": {"base_url": srv.url, "api_key": srv.api_key},
        },
    )
    assert created.status_code == 201, created.json()
    d = nzbget_daemon
    client = DownloadClient(name="NZBGet", kind="nzbget")
    client.apply_settings(
        client.settings_model().model_validate(
            {"host": d.host, "port": d.port, "username": d.username, "password": d.password}
        )
    )
    client.save()
    result = post(api, "/api/v1/indexers/search", {"search_term": "show"}).json()["results"][0]
    assert post(api, "/api/v1/indexers/grab", {"token": result["grab_token"]}).status_code == 201

    deadline = time.monotonic() + 60
    while not BlocklistedRelease.objects.exists():
        polled = poll_client(client)
        assert time.monotonic() < deadline, [
            (i.status, i.raw_state, i.message) for i in polled.items
        ]
        record_poll(client, polled)
        time.sleep(0.2)
    entry = BlocklistedRelease.objects.get()
    assert (entry.title, entry.indexer_name, entry.source) == (result["title"], "Newznab", "failed")
    assert "health" in entry.message  # NZBGet's reason: too many articles missing

    again = post(api, "/api/v1/indexers/search", {"search_term": "show"}).json()["results"]
    marked = [r for r in again if r["guid"] == result["guid"]]
    assert marked[0]["blocklisted"].startswith("Blocklisted: the download failed")
    refused = post(api, "/api/v1/indexers/grab", {"token": marked[0]["grab_token"]})
    assert (refused.status_code, refused.json()["code"]) == (409, "blocklisted")
