"""Media servers through the API, with the test-only kind: a folder scan by hand, a
disabled server, a verb the kind lacks, and the log of library updates with a retry."""

from __future__ import annotations

import pytest

from integrations.mediaservers.models import LibraryUpdate, MediaServer
from notifications import events
from tests.mediaservers.conftest import FakeMediaServer, make_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_media_kind")]

SERIES = {"title": "The Show", "year": 2019, "path": "/data/tv/The Show"}


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_an_operator_adds_a_media_server_after_a_passing_test(api_client_for):
    body = {"name": "Plex", "kind": "fakemedia", "settings": {"update_library": False}}
    response = post(api_client_for("operator"), "/api/v1/media-servers/", body)
    assert response.status_code == 201, response.content
    assert MediaServer.objects.get(name="Plex").update_library is False


def test_a_scan_by_hand_goes_through_the_path_mapping(api_client_for):
    server = make_server("Plex", map_from="/data/tv", map_to="/tv")
    response = post(
        api_client_for("operator"),
        f"/api/v1/media-servers/{server.pk}/scan",
        {"path": "/data/tv/The Show"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"message": "Scanned /tv/The Show"}


def test_a_viewer_may_not_start_a_scan(api_client_for):
    server = make_server("Plex")
    response = post(
        api_client_for("viewer"), f"/api/v1/media-servers/{server.pk}/scan", {"path": "/x"}
    )
    assert response.status_code == 403
    assert FakeMediaServer.changes == []


def test_a_disabled_server_is_not_contacted(api_client_for):
    server = make_server("Plex", enabled=False)
    response = post(
        api_client_for("operator"), f"/api/v1/media-servers/{server.pk}/scan", {"path": "/x"}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "Plex is disabled: enable it first"


def test_a_verb_the_kind_lacks_is_unsupported(api_client_for):
    server = make_server("Plex")
    response = api_client_for("viewer").get(f"/api/v1/media-servers/{server.pk}/libraries")
    assert response.status_code == 422
    assert response.json()["code"] == "unsupported"


def test_a_server_error_is_a_502_naming_the_server(api_client_for):
    server = make_server("Plex", mode="down")
    response = post(
        api_client_for("operator"), f"/api/v1/media-servers/{server.pk}/scan", {"path": "/x"}
    )
    assert response.status_code == 502
    assert response.json()["message"] == "Plex had a server error (HTTP 503)"


def test_library_updates_are_listed_with_their_folder_and_event(api_client_for):
    make_server("Plex")
    event = events.emit("download", {"series": SERIES})
    rows = api_client_for("viewer").get("/api/v1/media-servers/updates").json()
    assert [(r["server_name"], r["folder"], r["event_id"], r["status"]) for r in rows] == [
        ("Plex", "/data/tv/The Show", event.pk, "pending")
    ]


def test_a_failed_update_is_queued_again_by_the_retry_endpoint(api_client_for):
    make_server("Plex")
    events.emit("download", {"series": SERIES})
    update = LibraryUpdate.objects.get()
    LibraryUpdate.objects.update(status="failed", attempts=8, last_error="Plex refused the token")
    response = post(api_client_for("operator"), f"/api/v1/media-servers/updates/{update.pk}/retry")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
