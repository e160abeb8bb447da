"""Import lists through the API with the test-only kind: sync now, what the list
held, a verb the kind lacks, and the exclusion list."""

from __future__ import annotations

import pytest

from idkarr.library.models import RootFolder, Series
from importlists.models import ImportListExclusion
from tests.importlists.conftest import make_list

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_kinds")]

BREAKING = {"media_type": "series", "title": "Breaking Bad", "year": 2008, "tvdb_id": 81189}


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def adding_list(**settings):
    root = RootFolder.objects.create(path="/data/tv")
    return make_list(items=[BREAKING], root_folder_id=root.pk, **settings)


def test_an_operator_syncs_a_list_now(api_client_for):
    config = adding_list()
    response = post(api_client_for("operator"), f"/api/v1/import-lists/{config.pk}/sync")
    assert response.status_code == 200, response.content
    assert (response.json()["found"], response.json()["added"]) == (1, 1)
    assert Series.objects.get().tvdb_id == 81189


def test_a_viewer_may_not_sync_a_list(api_client_for):
    config = adding_list()
    response = post(api_client_for("viewer"), f"/api/v1/import-lists/{config.pk}/sync")
    assert response.status_code == 403
    assert Series.objects.count() == 0


def test_a_list_that_cannot_be_read_is_a_502_naming_it(api_client_for):
    config = adding_list(mode="down")
    response = post(api_client_for("operator"), f"/api/v1/import-lists/{config.pk}/sync")
    assert response.status_code == 502
    assert response.json()["message"] == "Watchlist had a server error (HTTP 503)"


def test_what_the_list_held_is_listed_with_its_outcome(api_client_for):
    config = adding_list()
    post(api_client_for("operator"), f"/api/v1/import-lists/{config.pk}/sync")
    rows = api_client_for("viewer").get(f"/api/v1/import-lists/{config.pk}/items").json()
    assert [(r["title"], r["outcome"], r["series_id"]) for r in rows] == [
        ("Breaking Bad", "added", Series.objects.get().pk)
    ]


def test_a_kind_without_device_sign_in_says_so(api_client_for):
    config = adding_list()
    response = post(api_client_for("operator"), f"/api/v1/import-lists/{config.pk}/device-auth")
    assert response.status_code == 422
    assert response.json()["message"] == "Watchlist has no device sign-in"


def test_an_exclusion_is_added_and_listed(api_client_for):
    body = {"media_type": "series", "title": "Breaking Bad", "tvdb_id": 81189}
    response = post(api_client_for("operator"), "/api/v1/import-list-exclusions/", body)
    assert response.status_code == 201, response.content
    listed = api_client_for("viewer").get("/api/v1/import-list-exclusions/").json()
    assert [(e["title"], e["tvdb_id"]) for e in listed] == [("Breaking Bad", 81189)]


def test_a_series_exclusion_needs_a_tvdb_id(api_client_for):
    body = {"media_type": "series", "title": "Breaking Bad", "tmdb_id": 1396}
    response = post(api_client_for("operator"), "/api/v1/import-list-exclusions/", body)
    assert response.status_code == 422
    assert response.json()["message"] == "A series exclusion needs tvdb_id"


def test_the_same_exclusion_twice_is_a_conflict(api_client_for):
    body = {"media_type": "movie", "title": "Heat", "tmdb_id": 949}
    client = api_client_for("operator")
    post(client, "/api/v1/import-list-exclusions/", body)
    response = post(client, "/api/v1/import-list-exclusions/", body)
    assert response.status_code == 409
    assert ImportListExclusion.objects.count() == 1


def test_an_exclusion_is_deleted(api_client_for):
    row = ImportListExclusion.objects.create(media_type="movie", tmdb_id=949)
    response = api_client_for("operator").delete(f"/api/v1/import-list-exclusions/{row.pk}")
    assert response.status_code == 204
    assert ImportListExclusion.objects.count() == 0
