"""Polling a client and recording its queue: upsert, path mapping, unknown marking."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import ClientPollState, Download, RemotePathMapping
from integrations.downloadclients.queue import PollResult, poll_client, record_poll
from tests.fakes import FakeClient

pytestmark = pytest.mark.django_db


def poll(config):
    return record_poll(config, poll_client(config))


def test_poll_client_returns_the_items_without_touching_the_database(make_client):
    config = make_client()
    FakeClient.put("box", "abc")
    result = poll_client(config)
    assert result.ok and [i.id for i in result.items] == ["abc"]
    assert not Download.objects.exists()


def test_poll_of_an_unreachable_client_is_a_failed_result_naming_it(make_client):
    result = poll_client(make_client(mode="down"))
    assert not result.ok
    assert result.error.startswith("box: Cannot reach Fake client")
    assert result.code == "connection_failed"


def test_first_poll_creates_a_row_per_item(make_client):
    config = make_client()
    FakeClient.put("box", "a", title="A", category="tv", seeds=3, peers=1, ratio=0.5, eta=60)
    FakeClient.put("box", "b", title="B")
    outcome = poll(config)
    assert outcome.created == 2
    row = Download.objects.get(download_id="a")
    assert (row.title, row.category, row.status, row.seeds, row.eta) == (
        "A",
        "tv",
        "downloading",
        3,
        60,
    )
    assert row.first_seen_at == row.last_seen_at


def test_second_poll_updates_the_same_row(make_client):
    config = make_client()
    FakeClient.put("box", "a", progress=0.1)
    poll(config)
    FakeClient.put("box", "a", progress=0.9, size_left=100)
    poll(config)
    row = Download.objects.get()
    assert (row.progress, row.size_left) == (0.9, 100)


def test_output_path_is_translated_and_the_raw_path_kept(make_client):
    RemotePathMapping.objects.create(
        host="nas.local", remote_path="/downloads/", local_path="/mnt/dl/"
    )
    config = make_client()
    FakeClient.put("box", "a", output_path="/downloads/tv/Show", save_path="/downloads/tv")
    poll(config)
    row = Download.objects.get()
    assert row.output_path == "/mnt/dl/tv/Show"
    assert row.raw_output_path == "/downloads/tv/Show"
    assert row.save_path == "/mnt/dl/tv"


def test_item_no_longer_reported_is_marked_unknown_and_kept(make_client):
    config = make_client()
    FakeClient.put("box", "a")
    FakeClient.put("box", "b")
    poll(config)
    del FakeClient.queues["box"]["b"]
    outcome = poll(config)
    assert outcome.marked_unknown == 1
    assert Download.objects.get(download_id="b").unknown_since is not None
    assert Download.objects.get(download_id="a").unknown_since is None


def test_item_reported_again_is_no_longer_unknown(make_client):
    config = make_client()
    FakeClient.put("box", "a")
    poll(config)
    FakeClient.queues["box"].clear()
    poll(config)
    FakeClient.put("box", "a")
    poll(config)
    assert Download.objects.get().unknown_since is None


def test_client_error_marks_all_items_unknown_and_keeps_their_last_good_state(make_client):
    config = make_client()
    FakeClient.put("box", "a", progress=0.7, status=S.DOWNLOADING, message="")
    poll(config)
    record_poll(config, PollResult(config.pk, ok=False, error="box: Cannot reach it"))
    row = Download.objects.get()
    assert row.unknown_since is not None
    assert (row.progress, row.status) == (0.7, "downloading")


def test_client_error_is_stored_on_the_poll_state(make_client):
    config = make_client()
    record_poll(config, PollResult(config.pk, ok=False, error="box: Cannot reach it"))
    state = ClientPollState.objects.get(client=config)
    assert state.last_error == "box: Cannot reach it"
    assert state.last_ok_at is None


def test_successful_poll_clears_the_error_and_counts_items(make_client):
    config = make_client()
    record_poll(config, PollResult(config.pk, ok=False, error="boom"))
    FakeClient.put("box", "a")
    poll(config)
    state = ClientPollState.objects.get(client=config)
    assert (state.last_error, state.item_count) == ("", 1)


def test_items_of_two_clients_with_the_same_id_are_separate_rows(make_client):
    one, two = make_client("one"), make_client("two")
    FakeClient.put("one", "same")
    FakeClient.put("two", "same")
    poll(one)
    poll(two)
    assert Download.objects.filter(download_id="same").count() == 2


def test_completed_at_is_set_when_the_item_finishes(make_client):
    config = make_client()
    FakeClient.put("box", "a")
    poll(config)
    FakeClient.put("box", "a", status=S.SEEDING, progress=1.0)
    poll(config)
    assert Download.objects.get().completed_at is not None


def test_a_size_beyond_what_the_database_holds_is_recorded_as_unknown(make_client):
    # A client's unsigned wrap (2**64 - n) must not fail the recording of its whole queue.
    config = make_client()
    FakeClient.put("box", "wrapped", size_left=(1 << 64) - 5, size=-3)
    record_poll(config, poll_client(config))
    row = Download.objects.get(download_id="wrapped")
    assert (row.size, row.size_left) == (0, 0)
