"""Tags on indexers and download clients, Sonarr's way: a config without tags serves
every series and movie; one with tags only those sharing at least one. A search or
grab for no series or movie is not restricted."""

from __future__ import annotations

import pytest

from idkarr.library.models import Series, Tag
from integrations.downloadclients.models import DownloadClient
from integrations.errors import ConfigurationError
from integrations.indexers.grab import choose_client, grab
from integrations.indexers.search import eligible
from tests.fakes import RIGHT_PASSWORD, FakeClient
from tests.indexers.fake_indexer import FakeIndexer, fake_indexer_kind, make_indexer  # noqa: F401
from tests.indexers.test_grab import release

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]


@pytest.fixture(autouse=True)
def _reset():
    FakeClient.reset()


def tagged(config, *labels):
    config.tags.set(Tag.resolve(list(labels)))
    return config


def client(name: str, priority: int, *labels: str) -> DownloadClient:
    config = DownloadClient(name=name, kind="fakeclient")
    config.apply_settings(
        FakeClient.Settings.model_validate(
            {"password": RIGHT_PASSWORD, "client_priority": priority}
        )
    )
    config.save()
    return tagged(config, *labels)


def series(*labels: str, tvdb_id: int = 81189) -> Series:
    return tagged(Series.objects.create(title="Show", tvdb_id=tvdb_id), *labels)


# -- download clients ------------------------------------------------------------------
def test_a_tagged_client_serves_a_series_sharing_a_tag():
    client("general", 2)
    anime = client("anime-box", 1, "anime")
    assert choose_client("torrent", tags={"anime", "kids"}) == anime


def test_a_tagged_client_is_not_used_for_a_series_without_its_tags():
    general = client("general", 2)
    client("anime-box", 1, "anime")
    assert choose_client("torrent", tags=set()) == general


def test_a_grab_for_no_series_or_movie_is_not_restricted_by_tags():
    client("general", 2)
    anime = client("anime-box", 1, "anime")
    assert choose_client("torrent") == anime


def test_a_grab_for_a_series_goes_to_a_client_its_tags_allow():
    general = client("general", 2)
    client("uhd-box", 1, "4k")
    outcome = grab(release(make_indexer("idx")), series=series("anime"))
    assert outcome.client == general


def test_no_client_serving_the_series_tags_is_a_clear_error():
    client("uhd-box", 1, "4k")
    with pytest.raises(
        ConfigurationError, match=r"serves this series or movie \(its tags: anime\)"
    ):
        choose_client("torrent", tags={"anime"})


# -- indexers ----------------------------------------------------------------------------
def names(tags):
    chosen, _ = eligible(None, tags)
    return [c.name for c in chosen]


def test_a_tagged_indexer_is_searched_for_a_series_sharing_a_tag():
    make_indexer("general")
    tagged(make_indexer("anime-tracker"), "anime")
    assert names({"anime"}) == ["anime-tracker", "general"]


def test_a_tagged_indexer_is_not_searched_for_a_series_without_its_tags():
    make_indexer("general")
    tagged(make_indexer("anime-tracker"), "anime")
    assert names(set()) == ["general"]


def test_a_search_for_no_series_or_movie_uses_tagged_indexers_too():
    make_indexer("general")
    tagged(make_indexer("anime-tracker"), "anime")
    assert names(None) == ["anime-tracker", "general"]


# -- the search API for a series ---------------------------------------------------------
def post(api, body):
    return api.post("/api/v1/indexers/search", body, content_type="application/json")


def test_a_search_for_a_series_fills_its_ids_into_the_query(api_client_for):
    make_indexer("general")
    show = series(tvdb_id=121361)
    post(api_client_for("operator"), {"type": "season", "series_id": show.pk, "season": 1})
    [(_, query)] = FakeIndexer.searches
    assert (query.tvdb_id, query.season) == (121361, 1)


def test_a_search_for_a_series_skips_indexers_its_tags_exclude(api_client_for):
    make_indexer("general")
    tagged(make_indexer("anime-tracker"), "anime")
    show = series("drama")
    data = post(api_client_for("operator"), {"type": "series", "series_id": show.pk}).json()
    assert [o["name"] for o in data["indexers"]] == ["general"]


def test_a_search_for_a_series_that_does_not_exist_is_404(api_client_for):
    assert post(api_client_for("operator"), {"type": "series", "series_id": 999}).status_code == 404


def test_a_search_for_a_movie_fills_its_ids_into_the_query(api_client_for):
    from idkarr.library.models import Movie

    make_indexer("general")
    film = Movie.objects.create(title="Film", tmdb_id=603, imdb_id="tt0133093")
    post(api_client_for("operator"), {"type": "movie", "movie_id": film.pk})
    [(_, query)] = FakeIndexer.searches
    assert (query.tmdb_id, query.imdb_id) == (603, "tt0133093")


def test_a_search_for_both_a_series_and_a_movie_is_refused(api_client_for):
    response = post(api_client_for("operator"), {"type": "series", "series_id": 1, "movie_id": 1})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_query")
