"""The blocklist through the API: remove-with-blocklist, list, take off, and what search
and grab answer for a blocklisted release."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import BlocklistedRelease, Download
from integrations.downloadclients.queue import poll_client, record_poll
from tests.fakes import FakeClient
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401
from tests.indexers.test_grab import client

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]

TITLE = "Show.S01E01.1080p.WEB-DL.x264-GRP"


@pytest.fixture(autouse=True)
def _reset():
    FakeClient.reset()


def post(api, path, body):
    return api.post(path, body, content_type="application/json")


def poll(config):
    record_poll(config, poll_client(config))


def search_token(api) -> str:
    return post(api, "/api/v1/indexers/search", {"search_term": "show"}).json()["results"][0][
        "grab_token"
    ]


@pytest.fixture
def failed_grab(api_client_for):
    """Search, grab, and the client reports the download failed."""
    box = client("box")
    make_indexer("idx", items=[f"g1|{TITLE}"])
    api = api_client_for("operator")
    grabbed = post(api, "/api/v1/indexers/grab", {"token": search_token(api)}).json()
    poll(box)
    FakeClient.put("box", grabbed["download_id"], title=TITLE, status=S.FAILED)
    poll(box)
    return api


def test_a_failed_grab_is_listed_on_the_blocklist(failed_grab, api_client_for):
    entries = api_client_for("viewer").get("/api/v1/blocklist/").json()
    assert [(e["title"], e["indexer_name"], e["source"]) for e in entries] == [
        (TITLE, "idx", "failed")
    ]


def test_search_results_say_why_they_are_blocklisted(failed_grab):
    result = post(failed_grab, "/api/v1/indexers/search", {"search_term": "show"}).json()[
        "results"
    ][0]
    assert result["blocklisted"] == "Blocklisted: the download failed"


def test_grabbing_a_blocklisted_release_is_a_409_conflict(failed_grab):
    response = post(failed_grab, "/api/v1/indexers/grab", {"token": search_token(failed_grab)})
    assert (response.status_code, response.json()["code"]) == (409, "blocklisted")


def test_grabbing_a_blocklisted_release_with_force_sends_it(failed_grab):
    token = search_token(failed_grab)
    response = post(failed_grab, "/api/v1/indexers/grab", {"token": token, "force": True})
    assert response.status_code == 201


def test_an_operator_takes_a_release_off_the_blocklist(failed_grab):
    entry = BlocklistedRelease.objects.get()
    assert failed_grab.delete(f"/api/v1/blocklist/{entry.pk}").status_code == 204
    assert not BlocklistedRelease.objects.exists()


def test_a_viewer_may_not_take_a_release_off_the_blocklist(failed_grab, api_client_for):
    entry = BlocklistedRelease.objects.get()
    assert api_client_for("viewer").delete(f"/api/v1/blocklist/{entry.pk}").status_code == 403


def test_removing_a_queue_item_with_blocklist_puts_its_release_on_the_blocklist(
    api_client_for,
):
    box = client("box")
    FakeClient.put("box", "d" * 40, title=TITLE)
    poll(box)
    item = Download.objects.get()
    response = api_client_for("operator").delete(
        f"/api/v1/download-clients/queue/{item.pk}?blocklist=true"
    )
    assert response.status_code == 204
    assert list(BlocklistedRelease.objects.values_list("infohash", "source")) == [
        ("d" * 40, "manual")
    ]


def test_removing_a_queue_item_without_blocklist_leaves_the_blocklist_alone(api_client_for):
    box = client("box")
    FakeClient.put("box", "d" * 40, title=TITLE)
    poll(box)
    item = Download.objects.get()
    api_client_for("operator").delete(f"/api/v1/download-clients/queue/{item.pk}")
    assert not BlocklistedRelease.objects.exists()


def test_rss_releases_say_which_are_blocklisted(api_client_for):
    from integrations.indexers import rss

    indexer = make_indexer("idx", items=[f"g1|{TITLE}", "g2|Other.Show.S01E01"])
    rss.dispatch_due()
    BlocklistedRelease.objects.create(
        title=TITLE, indexer_id=indexer.pk, release_guid="g1", source="manual"
    )
    data = api_client_for("viewer").get("/api/v1/indexers/releases").json()
    assert {r["guid"]: r["blocklisted"] for r in data} == {
        "g1": "Blocklisted: removed from the queue by a user",
        "g2": None,
    }


def test_a_grabbed_queue_item_names_the_indexer_it_came_from(api_client_for):
    box = client("box")
    make_indexer("idx", items=[f"g1|{TITLE}"])
    api = api_client_for("operator")
    post(api, "/api/v1/indexers/grab", {"token": search_token(api)})
    poll(box)
    [item] = api.get("/api/v1/download-clients/queue").json()
    assert (item["grabbed"], item["indexer_name"]) == (True, "idx")
