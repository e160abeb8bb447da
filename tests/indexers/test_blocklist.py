"""The blocklist: a grabbed download that fails is blocklisted when the queue sees it
fail; matching search results are marked and sorted last; a grab of one needs force."""

from __future__ import annotations

import pytest

from integrations.downloadclients import blocklist
from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import BlocklistedRelease, Download
from integrations.downloadclients.queue import poll_client, record_poll
from integrations.errors import ReleaseBlocklisted
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.grab import grab
from integrations.indexers.search import search
from tests.fakes import FakeClient
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401
from tests.indexers.test_grab import client, release

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]

HASH = "a" * 40  # the fake indexer's downloads are magnets of this infohash
TITLE = "Show.S01E01.1080p.WEB-DL.x264-GRP"


@pytest.fixture(autouse=True)
def _reset():
    FakeClient.reset()


def poll(config):
    return record_poll(config, poll_client(config))


def grabbed_then_failed(message="Unpacking failed: CRC error"):
    """A release grabbed to a client, which then reports it failed."""
    box = client("box")
    indexer = make_indexer("idx")
    outcome = grab(release(indexer, guid="g-77", title=TITLE))
    poll(box)
    FakeClient.put("box", outcome.download_id, title=TITLE, status=S.FAILED, message=message)
    poll(box)
    return box, indexer


# -- the queue adds failed grabs ---------------------------------------------------------
def test_a_grabbed_download_that_fails_is_blocklisted_with_its_release():
    grabbed_then_failed()
    entry = BlocklistedRelease.objects.get()
    assert (entry.title, entry.indexer_name, entry.release_guid, entry.infohash) == (
        TITLE,
        "idx",
        "g-77",
        HASH,
    )


def test_the_blocklist_entry_keeps_the_clients_failure_message():
    grabbed_then_failed(message="Repair failed")
    entry = BlocklistedRelease.objects.get()
    assert (entry.source, entry.reason) == (
        "failed",
        "Blocklisted: the download failed (Repair failed)",
    )


def test_a_download_failing_over_several_polls_is_blocklisted_once():
    box, _ = grabbed_then_failed()
    poll(box)
    poll(box)
    assert BlocklistedRelease.objects.count() == 1


def test_a_failed_download_idkarr_did_not_grab_is_not_blocklisted():
    box = client("box")
    FakeClient.put("box", "b" * 40, title=TITLE, status=S.FAILED)
    poll(box)
    assert not BlocklistedRelease.objects.exists()


# -- search marks what matches -------------------------------------------------------------
def test_a_result_with_a_blocklisted_infohash_is_marked():
    grabbed_then_failed()
    make_indexer("another", items=[f"x1|Other.Name|{HASH}"])
    response = search(SearchQuery(type=QueryType.SEARCH, search_term="show"), parse=False)
    assert [r.blocklisted is not None for r in response.results] == [True]


def test_a_result_with_the_same_guid_on_the_same_indexer_is_marked():
    _, indexer = grabbed_then_failed()
    indexer.settings["items"] = ["g-77|Renamed.Title"]
    indexer.save()
    response = search(SearchQuery(type=QueryType.SEARCH, search_term="show"), parse=False)
    assert [r.blocklisted is not None for r in response.results] == [True]


def test_a_result_with_the_same_title_on_the_same_indexer_is_marked_whatever_the_case():
    _, indexer = grabbed_then_failed()
    indexer.settings["items"] = [f"new-guid|{TITLE.lower()}"]
    indexer.save()
    response = search(SearchQuery(type=QueryType.SEARCH, search_term="show"), parse=False)
    assert [r.blocklisted is not None for r in response.results] == [True]


def test_the_same_guid_on_another_indexer_is_not_marked():
    grabbed_then_failed()
    make_indexer("another", items=["g-77|Another.Release"])
    response = search(SearchQuery(type=QueryType.SEARCH, search_term="show"), parse=False)
    assert [r.blocklisted for r in response.results] == [None]


def test_blocklisted_results_sort_after_the_others():
    _, indexer = grabbed_then_failed()
    indexer.settings["items"] = [
        f"g-77|{TITLE}",
        "g-78|Show.S01E01.720p.HDTV.x264-OTHER",
    ]
    indexer.save()
    response = search(SearchQuery(type=QueryType.SEARCH, search_term="show"))
    assert [r.guid for r in response.results] == ["g-78", "g-77"]


# -- grabbing ------------------------------------------------------------------------------
def test_a_grab_of_a_blocklisted_release_is_refused():
    _, indexer = grabbed_then_failed()
    with pytest.raises(ReleaseBlocklisted, match="is on the blocklist .*grab it with force"):
        grab(release(indexer, guid="g-77", title=TITLE))


def test_a_forced_grab_of_a_blocklisted_release_is_sent():
    _, indexer = grabbed_then_failed()
    before = len(FakeClient.added)
    grab(release(indexer, guid="g-77", title=TITLE), force=True)
    assert len(FakeClient.added) == before + 1


def test_a_release_taken_off_the_blocklist_is_grabbed_again():
    _, indexer = grabbed_then_failed()
    BlocklistedRelease.objects.all().delete()
    assert grab(release(indexer, guid="g-77", title=TITLE)).client.name == "box"


def test_a_queue_row_is_blocklisted_by_hand_once():
    box = client("box")
    FakeClient.put("box", "c" * 40, title=TITLE)
    poll(box)
    row = Download.objects.get()
    first = blocklist.add(row, source=blocklist.MANUAL)
    assert blocklist.add(row, source=blocklist.MANUAL) == first
    assert (first.infohash, first.reason) == (
        "c" * 40,
        "Blocklisted: removed from the queue by a user",
    )
