"""Recording a poll whose items did not change costs a fixed handful of queries, not
one per item, and writes no Download row; a change hidden behind an equal-looking
stored value is still written, and ``last_seen_at`` stays true without rewrites."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.downloadclients import queue
from integrations.downloadclients.api import queue_list
from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import ClientPollState, Download
from integrations.downloadclients.queue import poll_client, record_poll
from tests.fakes import FakeClient

pytestmark = pytest.mark.django_db

ADDED = datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)


def poll(config):
    return record_poll(config, poll_client(config))


def fill(count: int, **fields) -> None:
    for n in range(count):
        FakeClient.put(
            "box",
            f"h{n:03d}",
            title=f"Show.S01E{n:02d}",
            category="tv",
            tags=["idkarr", "tv"],
            added_on=ADDED,
            ratio=1.25,
            eta=60,
            save_path="/dl/tv",
            output_path=f"/dl/tv/Show.S01E{n:02d}",
            **fields,
        )


def queries_of_a_poll(config) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        poll(config)
    return [q["sql"] for q in ctx.captured_queries]


def test_an_unchanged_queue_is_recorded_in_a_fixed_number_of_queries(make_client):
    config = make_client()
    fill(60)
    poll(config)
    few = queries_of_a_poll(config)
    fill(120)  # twice as many items, none changed after the next poll
    poll(config)
    assert len(queries_of_a_poll(config)) == len(few) <= 10
    assert not any(q.lstrip().upper().startswith("INSERT") for q in few)


def test_the_compared_fields_are_every_field_a_poll_writes():
    item = FakeClient.put("box", "x")
    assert set(queue._fields(item, [], "nas.local")) == set(queue.FIELDS)


def test_a_stored_item_compares_equal_to_the_same_item_polled_again(make_client):
    config = make_client()
    fill(2, seeds=None, peers=4)
    FakeClient.put("box", "plain", tags=[], added_on=None, ratio=None)
    poll(config)
    stored = queue._stored_rows(config)
    items = poll_client(config).items
    assert len(items) == 3
    zone = queue._naive_zone()
    for item in items:
        assert queue._unchanged(stored[item.id], queue._fields(item, [], "nas.local"), zone), (
            item.id
        )


def test_a_stored_item_differing_in_one_field_does_not_compare_equal(make_client):
    config = make_client()
    fill(1)
    poll(config)
    stored = queue._stored_rows(config)["h000"]
    item = FakeClient.put("box", "h000", title="Show.S01E00", tags=["idkarr", "tv", "x"])
    assert not queue._unchanged(stored, queue._fields(item, [], "nas.local"), queue._naive_zone())


def test_an_unchanged_poll_writes_no_download_row(make_client):
    config = make_client()
    fill(3)
    poll(config)
    writes = [
        q
        for q in queries_of_a_poll(config)
        if "downloadclients_download" in q and q.lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert writes == []


def test_unchanged_items_report_last_seen_at_of_the_latest_poll(make_client):
    config = make_client()
    fill(3)
    poll(config)
    first = {item["last_seen_at"] for item in queue_list()}
    poll(config)
    latest = ClientPollState.objects.get(client=config).last_ok_at
    assert {item["last_seen_at"] for item in queue_list()} == {latest} != first


def polled_twice(make_client):
    """A client with two items, polled twice; returns it and its last good poll time."""
    config = make_client()
    fill(2)
    poll(config)
    poll(config)
    return config, ClientPollState.objects.get(client=config).last_ok_at


def test_an_item_gone_keeps_the_time_of_the_last_poll_that_saw_it(make_client):
    config, seen_by = polled_twice(make_client)
    del FakeClient.queues["box"]["h001"]
    poll(config)
    row = Download.objects.get(download_id="h001")
    assert (row.last_seen_at, row.unknown_since is not None) == (seen_by, True)


def test_a_client_error_keeps_the_time_of_the_last_good_poll(make_client):
    config, seen_by = polled_twice(make_client)
    record_poll(config, queue.PollResult(config.pk, ok=False, error="box: refused"))
    assert set(Download.objects.values_list("last_seen_at", flat=True)) == {seen_by}


def test_a_grabbed_item_no_poll_has_seen_reports_no_last_seen_at(make_client):
    config = make_client()
    fill(1)
    poll(config)
    Download.record_grab(config, "not-there-yet", title="Show.S02E01")
    poll(config)
    row = Download.objects.get(download_id="not-there-yet")
    assert (row.last_seen_at, row.unknown_since is not None) == (None, True)
    assert [i["last_seen_at"] for i in queue_list() if i["download_id"] == "not-there-yet"] == [
        None
    ]


def test_a_changed_item_among_unchanged_ones_is_written(make_client):
    config = make_client()
    fill(5)
    poll(config)
    FakeClient.put("box", "h002", title="Show.S01E02", progress=0.75, tags=["idkarr"])
    poll(config)
    row = Download.objects.get(download_id="h002")
    assert (row.progress, row.tags, row.category) == (0.75, ["idkarr"], "")
    assert Download.objects.get(download_id="h001").progress == 0.5


def test_a_new_added_on_is_written_even_when_only_microseconds_differ(make_client):
    config = make_client()
    fill(1)
    poll(config)
    FakeClient.put("box", "h000", title="Show.S01E00", added_on=ADDED.replace(microsecond=0))
    poll(config)
    assert Download.objects.get().added_on == ADDED.replace(microsecond=0)


def test_an_item_back_after_being_unknown_is_known_again(make_client):
    config = make_client()
    fill(2)
    poll(config)
    del FakeClient.queues["box"]["h001"]
    poll(config)
    assert Download.objects.get(download_id="h001").unknown_since is not None
    fill(2)
    poll(config)
    assert not Download.objects.filter(unknown_since__isnull=False).exists()


def test_unchanged_failed_items_are_removed_once_removal_is_turned_on(make_client):
    config = make_client(remove_failed_downloads=False, tv_category="tv")
    fill(2, status=S.FAILED)
    poll(config)
    settings = FakeClient.Settings(**{**config.validated_settings().model_dump()})
    settings.remove_failed_downloads = True
    config.apply_settings(settings)
    config.save()
    outcome = poll(config)
    assert sorted(outcome.removed) == ["h000", "h001"]
    assert Download.objects.filter(removed_at__isnull=False).count() == 2


def test_polls_of_a_round_share_one_kept_pool_of_threads(make_client):
    configs = [make_client(name) for name in ("box", "nas")]
    queue.poll_many(configs)
    pool = queue.poll_pool()
    queue.poll_many(configs)
    assert queue.poll_pool() is pool
