"""End to end against a real qbittorrent-nox: add through the API, refresh, see it mapped."""

from __future__ import annotations

import base64
import time
import uuid

import pytest

from tests.downloadclients.conftest import qbittorrent_daemon  # noqa: F401  (session fixture)
from tests.torrentdata import make_torrent, random_magnet

from .conftest import post

pytestmark = [pytest.mark.django_db, pytest.mark.daemon]
BASE = "/api/v1/download-clients/"


@pytest.fixture
def qb_client(operator_api, qbittorrent_daemon):  # noqa: F811
    d = qbittorrent_daemon
    body = {
        "name": "qb-" + uuid.uuid4().hex[:6],
        "kind": "qbittorrent",
        "settings": {
            "host": d.host,
            "port": d.port,
            "username": d.username,
            "password": d.password,
        },
    }
    response = post(operator_api, BASE, body)
    assert response.status_code == 201, response.json()
    mapping = {"host": d.host, "remote_path": str(d.save_dir), "local_path": "/mnt/qb"}
    assert post(operator_api, "/api/v1/remote-path-mappings/", mapping).status_code == 201
    return response.json()["id"]


def wait_item(api, download_id, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    item = None
    while time.monotonic() < deadline:
        items = post(api, BASE + "queue/refresh").json()
        item = next((i for i in items if i["download_id"] == download_id), None)
        if item is not None and predicate(item):
            return item
        time.sleep(0.2)
    pytest.fail(f"{download_id} never matched; last seen: {item}")


def test_magnet_added_through_the_api_shows_in_the_queue_with_a_mapped_path(
    operator_api,
    qb_client,
    qbittorrent_daemon,  # noqa: F811
):
    unique = "q" + uuid.uuid4().hex[:8]
    magnet, infohash = random_magnet(unique)
    response = post(operator_api, BASE + f"{qb_client}/add", {"magnet": magnet, "category": unique})
    assert response.status_code == 201 and response.json()["id"] == infohash
    item = wait_item(operator_api, infohash, lambda i: i["save_path"].startswith("/mnt/qb"))
    assert (item["client_id"], item["category"], item["status"]) == (
        qb_client,
        unique,
        "downloading",
    )
    # No metadata yet, so no content path: the save directory is what is mapped.
    assert item["output_path"] == item["raw_output_path"] == ""
    assert not item["save_path"].startswith(str(qbittorrent_daemon.save_dir))
    assert operator_api.delete(BASE + f"queue/{item['id']}?delete_data=true").status_code == 204


def test_seeded_torrent_reaches_seeding_and_emits_download_for_its_movie(
    operator_api,
    qb_client,
    qbittorrent_daemon,  # noqa: F811
):
    from idkarr.library.models import Movie
    from notifications.models import Event

    unique = "q" + uuid.uuid4().hex[:8]
    payload_dir = qbittorrent_daemon.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    movie = Movie.objects.create(title="Lab Movie", year=2020, tmdb_id=4242)
    body = {
        "torrent_base64": base64.b64encode(torrent).decode(),
        "category": unique,
        "save_path": str(payload_dir),
        "movie_id": movie.pk,
    }
    assert post(operator_api, BASE + f"{qb_client}/add", body).json()["id"] == infohash
    item = wait_item(operator_api, infohash, lambda i: i["status"] == "seeding")
    assert item["output_path"] == f"/mnt/qb/{unique}/labfile.bin"
    event = Event.objects.get(event_type="download")
    assert event.payload["movie"]["tmdbId"] == 4242
    assert event.payload["movieFile"]["path"] == f"/mnt/qb/{unique}/labfile.bin"
    operator_api.delete(BASE + f"queue/{item['id']}?delete_data=false")
