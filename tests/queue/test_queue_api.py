"""GET /download-clients/queue, refresh, add, and the item actions."""

from __future__ import annotations

import base64

import pytest

from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import Download, RemotePathMapping
from tests.fakes import FakeClient

from .conftest import post

pytestmark = pytest.mark.django_db
BASE = "/api/v1/download-clients/"
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{HASH}&dn=The.Show.S01E02"


@pytest.fixture
def viewer_api(api_client_for):
    return api_client_for("viewer")


def refresh(api):
    return post(api, BASE + "queue/refresh")


def test_queue_lists_items_with_client_and_mapped_output_path(operator_api, make_client):
    RemotePathMapping.objects.create(host="nas.local", remote_path="/dl/", local_path="/mnt/dl/")
    config = make_client()
    FakeClient.put("box", "a", title="A", category="tv", output_path="/dl/tv/A", seeds=4)
    refresh(operator_api)
    [item] = operator_api.get(BASE + "queue").json()
    assert item["client_id"] == config.pk and item["client_name"] == "box"
    assert (item["download_id"], item["status"], item["seeds"]) == ("a", "downloading", 4)
    assert (item["output_path"], item["raw_output_path"]) == ("/mnt/dl/tv/A", "/dl/tv/A")


def test_queue_filters_by_client(operator_api, make_client):
    one = make_client("one")
    make_client("two")
    FakeClient.put("one", "a")
    FakeClient.put("two", "b")
    refresh(operator_api)
    items = operator_api.get(BASE + f"queue?client_id={one.pk}").json()
    assert [i["download_id"] for i in items] == ["a"]


def test_queue_filters_by_status(operator_api, make_client):
    make_client()
    FakeClient.put("box", "a", status=S.PAUSED)
    FakeClient.put("box", "b", status=S.SEEDING)
    refresh(operator_api)
    items = operator_api.get(BASE + "queue?status=seeding").json()
    assert [i["download_id"] for i in items] == ["b"]


def test_queue_filters_by_category(operator_api, make_client):
    make_client()
    FakeClient.put("box", "a", category="tv")
    FakeClient.put("box", "b", category="movies")
    refresh(operator_api)
    items = operator_api.get(BASE + "queue?category=movies").json()
    assert [i["download_id"] for i in items] == ["b"]


def test_queue_shows_unknown_items_with_the_client_error(operator_api, make_client):
    config = make_client()
    FakeClient.put("box", "a", progress=0.4)
    refresh(operator_api)
    config.settings["mode"] = "down"
    config.save()
    [item] = refresh(operator_api).json()
    assert item["unknown"] is True and item["progress"] == 0.4
    assert item["client_error"].startswith("box: Cannot reach Fake client")


def test_viewer_can_read_the_queue(viewer_api, make_client):
    assert viewer_api.get(BASE + "queue").status_code == 200


def test_viewer_cannot_refresh_the_queue(viewer_api):
    assert refresh(viewer_api).status_code == 403


def test_anonymous_cannot_read_the_queue(client):
    assert client.get(BASE + "queue").status_code == 401


def test_add_magnet_returns_the_infohash(operator_api, make_client):
    config = make_client()
    response = post(operator_api, BASE + f"{config.pk}/add", {"magnet": MAGNET, "category": "tv"})
    assert response.status_code == 201
    assert response.json()["id"] == HASH
    [(_, request)] = FakeClient.added
    assert (request.magnet, request.category) == (MAGNET, "tv")


def test_add_url(operator_api, make_client):
    config = make_client()
    response = post(operator_api, BASE + f"{config.pk}/add", {"url": "http://127.0.0.1/x.torrent"})
    assert response.status_code == 201
    assert FakeClient.added[0][1].url == "http://127.0.0.1/x.torrent"


def test_add_torrent_base64_sends_the_bytes(operator_api, make_client):
    config = make_client()
    body = {"torrent_base64": base64.b64encode(b"d4:infod4:name1:xee").decode(), "paused": True}
    response = post(operator_api, BASE + f"{config.pk}/add", body)
    assert response.status_code == 201
    request = FakeClient.added[0][1]
    assert (request.torrent, request.paused) == (b"d4:infod4:name1:xee", True)


def test_add_nzb_base64_with_name_and_priority(operator_api, make_client):
    config = make_client()
    body = {"nzb_base64": base64.b64encode(b"<nzb/>").decode(), "name": "a.nzb", "priority": "high"}
    response = post(operator_api, BASE + f"{config.pk}/add", body)
    assert response.status_code == 201
    request = FakeClient.added[0][1]
    assert (request.nzb, request.name, request.priority) == (b"<nzb/>", "a.nzb", "high")


def test_add_nzb_without_name_is_422(operator_api, make_client):
    config = make_client()
    body = {"nzb_base64": base64.b64encode(b"<nzb/>").decode()}
    assert post(operator_api, BASE + f"{config.pk}/add", body).status_code == 422


def test_add_with_bad_base64_is_422(operator_api, make_client):
    config = make_client()
    response = post(operator_api, BASE + f"{config.pk}/add", {"torrent_base64": "not base64!"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_base64"
    assert FakeClient.added == []


def test_add_with_two_payloads_is_422(operator_api, make_client):
    config = make_client()
    response = post(operator_api, BASE + f"{config.pk}/add", {"magnet": MAGNET, "url": "http://x"})
    assert response.status_code == 422


def test_add_with_no_payload_is_422(operator_api, make_client):
    config = make_client()
    assert post(operator_api, BASE + f"{config.pk}/add", {"category": "tv"}).status_code == 422


def test_add_with_unknown_priority_is_422(operator_api, make_client):
    config = make_client()
    body = {"magnet": MAGNET, "priority": "urgent"}
    assert post(operator_api, BASE + f"{config.pk}/add", body).status_code == 422


def test_add_to_unknown_client_is_404(operator_api):
    assert post(operator_api, BASE + "999/add", {"magnet": MAGNET}).status_code == 404


def test_add_refused_for_the_clients_configuration_is_409_with_its_message(
    operator_api, make_client
):
    config = make_client()
    response = post(
        operator_api, BASE + f"{config.pk}/add", {"magnet": MAGNET, "category": "refused"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "configuration_error")
    assert response.json()["message"] == "Fake client refused the category 'refused'"


def test_add_to_an_unreachable_client_is_502(operator_api, make_client):
    config = make_client(mode="down")
    response = post(operator_api, BASE + f"{config.pk}/add", {"magnet": MAGNET})
    assert response.status_code == 502
    assert response.json()["code"] == "connection_failed"


def test_add_links_the_item_to_the_series_and_marks_it_grabbed(operator_api, make_client, series):
    config = make_client()
    episode = series.episodes.get()
    body = {"magnet": MAGNET, "series_id": series.pk, "episode_ids": [episode.pk]}
    item_id = post(operator_api, BASE + f"{config.pk}/add", body).json()["item_id"]
    row = Download.objects.get(pk=item_id)
    assert row.grabbed and row.series == series
    assert list(row.episodes.all()) == [episode]


def test_added_and_linked_item_emits_download_when_it_completes(operator_api, make_client, movie):
    from notifications.models import Event

    config = make_client()
    post(operator_api, BASE + f"{config.pk}/add", {"magnet": MAGNET, "movie_id": movie.pk})
    refresh(operator_api)
    FakeClient.put("box", HASH, status=S.COMPLETED, progress=1.0)
    refresh(operator_api)
    assert Event.objects.get().payload["movie"]["title"] == "The Movie"


def test_viewer_cannot_add(viewer_api, make_client):
    config = make_client()
    assert post(viewer_api, BASE + f"{config.pk}/add", {"magnet": MAGNET}).status_code == 403


def _one_item(api, **fields):
    FakeClient.put("box", "a", **fields)
    return refresh(api).json()[0]["id"]


def test_pause_pauses_the_item_on_its_client(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    response = post(operator_api, BASE + f"queue/{item_id}/pause")
    assert response.status_code == 200 and response.json()["status"] == "paused"
    assert FakeClient.calls == [("pause", "box", "a")]


def test_resume_resumes_the_item_on_its_client(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api, status=S.PAUSED)
    response = post(operator_api, BASE + f"queue/{item_id}/resume")
    assert response.json()["status"] == "downloading"


def test_delete_removes_the_item_from_client_and_queue(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    response = operator_api.delete(BASE + f"queue/{item_id}?delete_data=true")
    assert response.status_code == 204
    assert FakeClient.calls == [("remove", "box", "a", True)]
    assert operator_api.get(BASE + "queue").json() == []


def test_action_on_unknown_item_is_404(operator_api):
    assert post(operator_api, BASE + "queue/999/pause").status_code == 404


def test_action_the_client_rejects_is_502(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    del FakeClient.queues["box"]["a"]
    response = post(operator_api, BASE + f"queue/{item_id}/pause")
    assert response.status_code == 502
    assert "no download a" in response.json()["message"]


def test_viewer_cannot_pause_or_delete(viewer_api, operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    assert post(viewer_api, BASE + f"queue/{item_id}/pause").status_code == 403
    assert viewer_api.delete(BASE + f"queue/{item_id}").status_code == 403


def test_queue_routes_do_not_shadow_the_config_routes(operator_api, make_client):
    config = make_client()
    assert operator_api.get(BASE + f"{config.pk}").json()["name"] == "box"
