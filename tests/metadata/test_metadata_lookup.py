"""Asking the configured metadata sources in priority order (test-only kind), and the
metadata API on top of a source."""

from __future__ import annotations

import pytest

from integrations.metadata import lookup
from integrations.metadata.base import MovieMetadata, SeriesMetadata
from tests.importlists.conftest import FakeMetadata, fake_kinds, make_source  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_kinds")]

BREAKING = SeriesMetadata(id="81189", title="Breaking Bad", tvdb_id=81189, imdb_id="tt0903747")


def test_a_series_is_found_by_its_imdb_id():
    make_source()
    FakeMetadata.catalogue = [BREAKING]
    found = lookup.series(imdb_id="tt0903747")
    assert (found.metadata.tvdb_id, found.source.name) == (81189, "Meta")


def test_the_source_with_the_lowest_priority_number_answers_first():
    make_source("Second", priority=30)
    make_source("First", priority=5)
    FakeMetadata.catalogue = [BREAKING]
    assert lookup.series(tvdb_id=81189).source.name == "First"


def test_a_source_that_is_down_is_skipped_for_the_next():
    make_source("Down", priority=1, mode="down")
    make_source("Up", priority=2)
    FakeMetadata.catalogue = [BREAKING]
    assert lookup.series(tvdb_id=81189).source.name == "Up"


def test_when_every_source_failed_the_lookup_fails_instead_of_finding_nothing():
    make_source("Down", mode="down")
    with pytest.raises(lookup.LookupFailed, match="Down had a server error"):
        lookup.series(imdb_id="tt0903747")


def test_a_title_no_source_knows_is_none():
    make_source()
    assert lookup.movie(imdb_id="tt404") is None


def test_without_ids_nothing_is_asked():
    make_source(mode="down")
    assert lookup.series() is None


def test_a_disabled_source_is_not_asked():
    source = make_source()
    source.enabled = False
    source.save()
    FakeMetadata.catalogue = [BREAKING]
    assert lookup.series(tvdb_id=81189) is None


def test_a_sources_health_is_checked_hourly():
    assert make_source().interval_seconds() == 3600


def test_the_api_finds_a_movie_by_its_imdb_id(api_client_for):
    source = make_source()
    FakeMetadata.catalogue = [
        MovieMetadata(id="949", title="Heat", tmdb_id=949, imdb_id="tt0113277")
    ]
    response = api_client_for("viewer").get(
        f"/api/v1/metadata/{source.pk}/find?source=imdb&value=tt0113277&media_type=movie"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["tmdb_id"]) == ("Heat", 949)


def test_the_api_says_when_nothing_has_that_id(api_client_for):
    source = make_source()
    response = api_client_for("viewer").get(
        f"/api/v1/metadata/{source.pk}/find?source=imdb&value=tt1"
    )
    assert response.json() == {
        "code": "not_found",
        "message": "Meta knows no series with imdb id tt1",
        "details": {},
    }


def test_a_verb_the_source_lacks_is_unsupported(api_client_for):
    source = make_source()
    response = api_client_for("viewer").get(f"/api/v1/metadata/{source.pk}/movies/search?q=heat")
    assert (response.status_code, response.json()["code"]) == (422, "unsupported")
