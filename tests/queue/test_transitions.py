"""Transitions: the download event for linked items, removal of failed/completed items."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import Download
from integrations.downloadclients.queue import poll_client, record_poll
from notifications.models import Event
from notifications.payloads import validate_payload
from tests.fakes import FakeClient

pytestmark = pytest.mark.django_db


def poll(config):
    return record_poll(config, poll_client(config))


def grabbed(config, download_id, *, series=None, movie=None, **fields):
    """An item sent through idkarr: its row exists (from the add) before it completes."""
    FakeClient.put(config.name, download_id, **fields)
    poll(config)
    row = Download.objects.get(client=config, download_id=download_id)
    row.grabbed, row.series, row.movie = True, series, movie
    row.save()
    if series is not None:
        row.episodes.set(series.episodes.all())
    return row


def finish(config, download_id, status=S.COMPLETED, **fields):
    FakeClient.put(config.name, download_id, status=status, progress=1.0, size_left=0, **fields)
    return poll(config)


def test_completion_of_an_item_linked_to_a_series_emits_download(make_client, series):
    config = make_client()
    grabbed(config, "a", series=series)
    outcome = finish(config, "a", output_path="/downloads/The.Show.S01E02")
    event = Event.objects.get(pk=outcome.events[0])
    assert event.event_type == "download"
    assert event.payload["series"]["title"] == "The Show"
    assert event.payload["episodes"][0]["episodeNumber"] == 2
    assert event.payload["episodeFile"]["relativePath"] == "The.Show.S01E02"
    assert event.payload["downloadId"] == "a"


def test_download_payload_is_valid(make_client, series):
    config = make_client()
    grabbed(config, "a", series=series)
    finish(config, "a")
    payload = Event.objects.get().payload
    assert validate_payload("download", payload) == payload


def test_seeding_counts_as_completion_for_a_linked_movie(make_client, movie):
    config = make_client()
    grabbed(config, "m", movie=movie)
    finish(config, "m", status=S.SEEDING)
    event = Event.objects.get(event_type="download")
    assert event.payload["movie"]["tmdbId"] == 550
    assert "movieFile" in event.payload


def test_completion_of_an_unlinked_item_emits_nothing(make_client):
    config = make_client()
    FakeClient.put("box", "x")
    poll(config)
    finish(config, "x")
    assert not Event.objects.exists()


def test_item_first_seen_already_completed_emits_nothing(make_client):
    config = make_client()
    finish(config, "old")
    assert not Event.objects.exists()


def test_completion_emits_once_not_on_every_poll(make_client, series):
    config = make_client()
    grabbed(config, "a", series=series)
    finish(config, "a", status=S.SEEDING)
    finish(config, "a", status=S.SEEDING)
    finish(config, "a", status=S.COMPLETED)
    assert Event.objects.filter(event_type="download").count() == 1


def test_failed_item_of_idkarr_is_removed_with_its_data(make_client, series):
    config = make_client(remove_failed_downloads=True)
    grabbed(config, "f", series=series)
    FakeClient.put("box", "f", status=S.FAILED, message="par2 repair failed")
    outcome = poll(config)
    assert outcome.removed == ["f"]
    assert ("remove", "box", "f", True) in FakeClient.calls
    assert Download.objects.get().removed_at is not None


def test_failed_item_stays_when_remove_failed_is_off(make_client, series):
    config = make_client(remove_failed_downloads=False)
    grabbed(config, "f", series=series)
    FakeClient.put("box", "f", status=S.FAILED)
    poll(config)
    assert FakeClient.calls == []
    assert Download.objects.get().status == "failed"


def test_failed_item_not_owned_by_idkarr_is_left_alone(make_client):
    config = make_client(remove_failed_downloads=True)
    FakeClient.put("box", "theirs", status=S.FAILED, category="personal")
    poll(config)
    assert FakeClient.calls == []


def test_failed_item_in_an_idkarr_category_is_removed(make_client):
    config = make_client(remove_failed_downloads=True)
    FakeClient.put("box", "cat", status=S.FAILED, category="tv-idkarr")
    poll(config)
    assert FakeClient.calls == [("remove", "box", "cat", True)]


def test_completed_item_is_removed_without_data_when_remove_completed_is_on(make_client, series):
    config = make_client(remove_completed_downloads=True)
    grabbed(config, "c", series=series)
    finish(config, "c")
    assert FakeClient.calls == [("remove", "box", "c", False)]
    assert Event.objects.filter(event_type="download").count() == 1


def test_seeding_torrent_is_not_removed_before_its_seeding_goals(make_client, series):
    config = make_client(remove_completed_downloads=True)
    grabbed(config, "s", series=series)
    finish(config, "s", status=S.SEEDING)
    assert FakeClient.calls == []


def test_completed_item_stays_when_remove_completed_is_off(make_client, series):
    config = make_client(remove_completed_downloads=False)
    grabbed(config, "c", series=series)
    finish(config, "c")
    assert FakeClient.calls == []


def test_removed_item_is_not_marked_unknown_later(make_client, series):
    config = make_client(remove_completed_downloads=True)
    grabbed(config, "c", series=series)
    finish(config, "c")
    poll(config)
    assert Download.objects.get().unknown_since is None
