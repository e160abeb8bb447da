"""Library updates in a real worker: an import makes a Jellyfin server (a loopback
stand-in answering as Jellyfin does) scan the series folder, and a worker killed in
the middle of an update still ends with the folder reported after a restart."""

from __future__ import annotations

import pytest

from integrations.manager import manager
from integrations.mediaservers.models import LibraryUpdate
from notifications import events
from tests.httpserver import RecordingServer, Reply
from tests.worker.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SERIES = {"title": "The Show", "year": 2019, "path": "/data/tv/The Show", "tvdbId": 81189}
NO_ITEMS = Reply(200, {"Items": [], "TotalRecordCount": 0, "StartIndex": 0})


@pytest.fixture(autouse=True)
def no_delay(settings):
    settings.MEDIA_SERVER_UPDATE_DELAY_SECONDS = 0


def jellyfin(url_port: int) -> None:
    manager.register(
        "media_server",
        name="Jellyfin",
        kind="jellyfin",
        settings={
            "host": "127.0.0.1",
            "port": url_port,
            "api_key": "0123456789abcdef0123456789abcdef",
            "map_from": "/data/tv",
            "map_to": "/tv",
            "timeout_seconds": 30,
        },
        test=False,
    )


def reported(sink) -> list:
    return [r.json()["Updates"] for r in sink.requests if r.path == "/Library/Media/Updated"]


def done() -> bool:
    return LibraryUpdate.objects.filter(status="done").count() == 1


def test_an_import_makes_the_server_scan_the_series_folder(worker, sender):
    with RecordingServer(default_response=NO_ITEMS) as sink:
        jellyfin(sink.port)
        w = worker()
        events.emit("download", {"series": SERIES})
        sender.send_task("mediaservers.run_update", args=[LibraryUpdate.objects.get().pk])
        wait_for(done, 30, "the library update", w)
    assert reported(sink) == [[{"Path": "/tv/The Show", "UpdateType": "Created"}]]


def test_a_worker_killed_during_an_update_reports_the_folder_after_a_restart(worker, sender):
    with RecordingServer(default_response=NO_ITEMS) as sink:
        sink.script([Reply(hang=True)])  # the first request never answers
        jellyfin(sink.port)
        first = worker()
        events.emit("download", {"series": SERIES})
        sender.send_task("mediaservers.run_update", args=[LibraryUpdate.objects.get().pk])
        sink.wait_for_requests(1, timeout=30)
        first.kill()
        assert LibraryUpdate.objects.get().status == "sending"

        second = worker()  # its sweeper reclaims it once DELIVERY_STALE_SECONDS pass
        wait_for(done, 40, "the reclaimed update", second)
    assert reported(sink) == [[{"Path": "/tv/The Show", "UpdateType": "Created"}]]
    assert LibraryUpdate.objects.get().attempts == 2
