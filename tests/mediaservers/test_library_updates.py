"""Library updates: which events make which media servers scan which folder, how
waiting updates of one folder join, and how a claimed update ends (done, retried
later, failed), is reclaimed from a killed worker, or is sent again by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.mediaservers import updates
from integrations.mediaservers.models import LibraryUpdate, MediaServer
from notifications import events
from notifications.events import RETRY_DELAYS
from tests.mediaservers.conftest import FakeMediaServer, make_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_media_kind")]

SERIES = {"title": "The Show", "year": 2019, "path": "/data/tv/The Show", "tvdbId": 81189}
MOVIE = {"title": "A Film", "year": 2020, "folderPath": "/data/movies/A Film (2020)", "tmdbId": 7}


@pytest.fixture(autouse=True)
def no_delay(settings):
    settings.MEDIA_SERVER_UPDATE_DELAY_SECONDS = 0


def emit(event_type="download", payload=None, tags=None):
    return events.emit(
        event_type, payload if payload is not None else {"series": SERIES}, tags=tags
    )


def scheduled():
    return list(LibraryUpdate.objects.order_by("server__name", "pk"))


def test_an_import_schedules_one_update_per_server(no_enqueue):
    make_server("Plex")
    make_server("Jellyfin")
    emit()
    assert [(u.server.name, u.change["path"]) for u in scheduled()] == [
        ("Jellyfin", "/data/tv/The Show"),
        ("Plex", "/data/tv/The Show"),
    ]


def test_updates_are_enqueued_once_the_event_commits(
    no_enqueue, django_capture_on_commit_callbacks
):
    make_server("Plex")
    with django_capture_on_commit_callbacks(execute=True):
        emit()
    assert no_enqueue == [([scheduled()[0].pk], 0)]


def test_the_update_carries_the_series_ids_and_change_type(no_enqueue):
    make_server("Plex")
    emit("episode_file_delete")
    change = scheduled()[0].library_change
    assert (change.media_type, change.tvdb_id, change.year, change.update_type) == (
        "series",
        81189,
        2019,
        "deleted",
    )


def test_a_movie_event_updates_the_movie_folder(no_enqueue):
    make_server("Plex")
    emit("movie_add", {"movie": MOVIE})
    change = scheduled()[0].library_change
    assert (change.media_type, change.path, change.tmdb_id) == (
        "movie",
        "/data/movies/A Film (2020)",
        7,
    )


def test_a_grab_changes_no_library(no_enqueue):
    make_server("Plex")
    emit("grab", {"series": SERIES, "release": {"releaseTitle": "x"}})
    assert scheduled() == []


def test_an_event_without_a_folder_changes_no_library(no_enqueue):
    make_server("Plex")
    emit("download", {"series": {"title": "No Path"}})
    assert scheduled() == []


def test_a_disabled_server_gets_no_update(no_enqueue):
    make_server("Off", enabled=False)
    emit()
    assert scheduled() == []


def test_a_server_with_update_library_off_gets_no_update(no_enqueue):
    make_server("Manual", update_library=False)
    emit()
    assert MediaServer.objects.get().update_library is False
    assert scheduled() == []


def test_a_tagged_server_takes_only_events_sharing_a_tag(no_enqueue):
    make_server("Kids", tags=("kids",))
    emit(tags=["anime"])
    emit(tags=["kids"])
    assert [u.event.tags for u in scheduled()] == [["kids"]]


def test_imports_into_a_waiting_folder_join_its_update(no_enqueue, settings):
    settings.MEDIA_SERVER_UPDATE_DELAY_SECONDS = 5
    make_server("Plex")
    for _ in range(10):  # a season pack
        emit()
    assert len(scheduled()) == 1


def test_a_joined_update_of_mixed_changes_lets_the_server_decide(no_enqueue, settings):
    settings.MEDIA_SERVER_UPDATE_DELAY_SECONDS = 5
    make_server("Plex")
    emit("download")
    emit("episode_file_delete")
    assert scheduled()[0].change["update_type"] == "modified"


def test_an_update_being_sent_is_not_joined(no_enqueue):
    make_server("Plex")
    emit()
    LibraryUpdate.objects.update(status="sending")
    emit()
    assert [u.status for u in scheduled()] == ["sending", "pending"]


def test_a_due_update_is_sent_and_recorded_done(no_enqueue):
    make_server("Plex", map_from="/data/tv", map_to="/tv")
    emit()
    update = scheduled()[0]
    assert updates.run(update.pk) == "done"
    update.refresh_from_db()
    assert (update.status, update.result, update.attempts) == ("done", "Scanned /tv/The Show", 1)
    assert [name for name, _ in FakeMediaServer.changes] == ["Plex"]


def test_an_update_not_yet_due_is_skipped(no_enqueue, settings):
    settings.MEDIA_SERVER_UPDATE_DELAY_SECONDS = 60
    make_server("Plex")
    emit()
    assert updates.run(scheduled()[0].pk) == "skipped"
    assert FakeMediaServer.changes == []


def test_an_update_is_sent_once_when_two_workers_run_it(no_enqueue):
    make_server("Plex")
    emit()
    pk = scheduled()[0].pk
    assert [updates.run(pk), updates.run(pk)] == ["done", "skipped"]
    assert len(FakeMediaServer.changes) == 1


def test_a_server_that_is_down_is_retried_after_the_first_back_off(no_enqueue):
    make_server("Plex", mode="down")
    emit()
    update = scheduled()[0]
    before = timezone.now()
    assert updates.run(update.pk) == "retrying"
    update.refresh_from_db()
    assert update.last_error == "Plex had a server error (HTTP 503)"
    assert update.next_attempt_at >= before + timedelta(seconds=RETRY_DELAYS[0])
    assert no_enqueue == [([update.pk], RETRY_DELAYS[0])]


def test_a_refused_token_fails_at_once_and_marks_the_server_unhealthy(no_enqueue):
    make_server("Plex", mode="auth")
    emit()
    update = scheduled()[0]
    assert updates.run(update.pk) == "failed"
    server = MediaServer.objects.get()
    assert (server.health, server.last_error) == ("unhealthy", "Plex refused the token")


def test_a_provider_bug_is_retried_not_raised(no_enqueue):
    make_server("Plex", mode="bug")
    emit()
    update = scheduled()[0]
    assert updates.run(update.pk) == "retrying"
    update.refresh_from_db()
    assert update.last_error == "Internal error: KeyError"


def test_an_update_is_given_up_after_the_last_attempt(no_enqueue, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    make_server("Plex", mode="down")
    emit()
    update = scheduled()[0]
    updates.run(update.pk)
    LibraryUpdate.objects.update(next_attempt_at=timezone.now())
    assert updates.run(update.pk) == "failed"
    update.refresh_from_db()
    assert update.last_error == "Gave up after 2 attempts: Plex had a server error (HTTP 503)"


def test_the_sweeper_reclaims_an_update_a_killed_worker_held(no_enqueue, settings):
    settings.DELIVERY_STALE_SECONDS = 60
    make_server("Plex")
    emit()
    update = scheduled()[0]
    LibraryUpdate.objects.update(status="sending", claimed_at=timezone.now() - timedelta(hours=1))
    assert updates.sweep() == 1
    update.refresh_from_db()
    assert (update.status, update.last_error) == (
        "retrying",
        "The worker stopped during the update; retrying",
    )
    assert no_enqueue == [([update.pk], 0)]


def test_the_sweeper_leaves_an_update_being_sent_alone(no_enqueue):
    make_server("Plex")
    emit()
    LibraryUpdate.objects.update(status="sending", claimed_at=timezone.now())
    assert updates.sweep() == 0
    assert scheduled()[0].status == "sending"


def test_the_sweeper_enqueues_an_overdue_update_whose_task_was_lost(no_enqueue, settings):
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 60
    make_server("Plex")
    emit()
    LibraryUpdate.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert updates.sweep() == 1
    assert no_enqueue == [([scheduled()[0].pk], 0)]


def test_a_failed_update_sent_again_starts_a_fresh_count(
    no_enqueue, django_capture_on_commit_callbacks
):
    server = make_server("Plex", mode="auth")
    emit()
    update = scheduled()[0]
    updates.run(update.pk)
    server.apply_settings(server.provider_class().Settings.model_validate({"mode": "ok"}))
    server.save()
    with django_capture_on_commit_callbacks(execute=True):
        updates.retry_now(update)
    assert updates.run(update.pk) == "done"
    update.refresh_from_db()
    assert (update.status, update.attempts, update.last_error) == ("done", 1, "")
