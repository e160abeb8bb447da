"""TheTVDB provider: search, series records, translations, images and find by id."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.errors import NotFoundError, UnsupportedError
from integrations.metadata.base import Capability
from integrations.metadata.providers.tvdb import Tvdb, TvdbSettings
from tests.httpserver import Reply
from tests.metadata.fake_tvdb import (  # noqa: F401 (fixtures)
    ART,
    NOT_FOUND,
    envelope,
    fake_tvdb,
    make_tvdb,
    search_result,
    tvdb_token_cache,
)

# -- the kind ---------------------------------------------------------------------


def test_kind_declares_series_episodes_and_images():
    assert (Tvdb.kind, Tvdb.label) == ("tvdb", "TheTVDB")
    assert Tvdb.default_api_url == "https://api4.thetvdb.com/v4"
    assert Tvdb.capabilities == {Capability.SERIES, Capability.EPISODES, Capability.IMAGES}


def test_settings_mark_key_and_pin_secret_and_describe_every_field():
    described = Tvdb.describe()

    assert described["secret_fields"] == ["api_key", "pin"]
    properties = described["settings_schema"]["properties"]
    assert all(field.get("description") for field in properties.values())
    assert described["settings_schema"]["required"] == ["api_key"]


def test_empty_api_url_means_the_official_one():
    provider = Tvdb(TvdbSettings(api_key="k"))

    assert provider.url("/login") == "https://api4.thetvdb.com/v4/login"


# -- search -----------------------------------------------------------------------


def test_search_sends_query_type_and_year(fake_tvdb, make_tvdb):
    make_tvdb().search_series("breaking bad", 2008)

    request = fake_tvdb.requests[-1]
    assert request.path == "/v4/search"
    assert request.query == {"query": ["breaking bad"], "type": ["series"], "year": ["2008"]}


def test_search_without_a_year_sends_none(fake_tvdb, make_tvdb):
    make_tvdb().search_series("dark")

    assert "year" not in fake_tvdb.requests[-1].query


def test_search_maps_a_result(make_tvdb):
    (found,) = make_tvdb().search_series("breaking")

    assert (found.id, found.tvdb_id, found.title, found.year) == (
        "81189",
        81189,
        "Breaking Bad",
        2008,
    )
    assert found.overview.startswith("A high school chemistry teacher")
    assert (found.status, found.network, found.first_aired) == ("ended", "AMC", date(2008, 1, 20))
    assert found.genres == ["Drama", "Crime", "Thriller"]
    assert found.original_language == "en"
    assert found.images.poster == f"{ART}/posters/81189-10.jpg"


def test_search_maps_remote_ids(make_tvdb):
    (found,) = make_tvdb().search_series("breaking")

    assert (found.imdb_id, found.tmdb_id, found.tvmaze_id) == ("tt0903747", 1396, 169)


def test_search_filters_by_year(make_tvdb):
    assert make_tvdb().search_series("breaking", 2017) == []


def test_search_uses_the_translated_title_of_the_chosen_language(make_tvdb):
    (found,) = make_tvdb(language="pt-BR").search_series("breaking")

    assert found.title == "Breaking Bad: A Química do Mal"
    assert found.original_title == "Breaking Bad"


def test_search_takes_the_id_from_the_prefixed_id_without_tvdb_id(fake_tvdb, make_tvdb):
    result = search_result(fake_tvdb.series[81189]) | {"tvdb_id": None}
    fake_tvdb.fail("/v4/search", Reply(200, envelope([result])))

    (found,) = make_tvdb().search_series("breaking")

    assert found.id == "81189"


def test_search_skips_results_without_an_id_or_of_another_type(fake_tvdb, make_tvdb):
    good = search_result(fake_tvdb.series[81189])
    no_id = good | {"id": "series-", "tvdb_id": ""}
    movie = good | {"type": "movie", "id": "movie-190", "tvdb_id": "190"}
    fake_tvdb.fail("/v4/search", Reply(200, envelope([no_id, "junk", movie, good])))

    found = make_tvdb().search_series("breaking")

    assert [series.id for series in found] == ["81189"]


# -- series -----------------------------------------------------------------------


def test_series_reads_the_extended_record_with_translations(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")

    request = fake_tvdb.requests[-1]
    assert request.path == "/v4/series/81189/extended"
    assert request.query == {"meta": ["translations"]}


def test_series_maps_the_core_fields(make_tvdb):
    series = make_tvdb().series("81189")

    assert (series.id, series.tvdb_id, series.title, series.year) == (
        "81189",
        81189,
        "Breaking Bad",
        2008,
    )
    assert series.overview == "A high school chemistry teacher turns to making meth."
    assert (series.first_aired, series.runtime) == (date(2008, 1, 20), 47)
    assert (series.network, series.air_time, series.original_language) == ("AMC", "21:00", "en")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ended", "ended"), ("Continuing", "continuing"), ("Upcoming", "upcoming"), ("Pilot", "")],
)
def test_series_status_is_lower_case_or_empty_when_unknown(fake_tvdb, make_tvdb, name, expected):
    fake_tvdb.series[81189]["status"]["name"] = name

    assert make_tvdb().series("81189").status == expected


def test_series_maps_remote_ids(make_tvdb):
    series = make_tvdb().series("81189")

    assert (series.imdb_id, series.tmdb_id, series.tvmaze_id) == ("tt0903747", 1396, 169)


def test_series_maps_genres(make_tvdb):
    assert make_tvdb().series("81189").genres == ["Drama", "Crime", "Thriller"]


def test_series_maps_the_air_days(fake_tvdb, make_tvdb):
    fake_tvdb.series[81189]["airsDays"]["monday"] = True

    assert make_tvdb().series("81189").air_days == ["monday", "sunday"]


def test_series_network_falls_back_to_the_latest_network(fake_tvdb, make_tvdb):
    fake_tvdb.series[81189]["originalNetwork"] = None

    assert make_tvdb().series("81189").network == "AMC"


def test_series_counts_seasons_of_the_default_order_without_specials(make_tvdb):
    # 0-5 aired order, 1-6 DVD order, 1 absolute order
    assert make_tvdb().series("81189").season_count == 5


def test_series_images_are_the_best_of_each_type(make_tvdb):
    images = make_tvdb().series("81189").images

    assert images.poster == f"{ART}/posters/81189-1.jpg"  # English before a better German one
    assert images.fanart == f"{ART}/fanart/original/81189-4.jpg"
    assert images.clearlogo == f"{ART}/v4/series/81189/clearlogo/logo.png"


def test_series_images_make_relative_paths_absolute(make_tvdb):
    images = make_tvdb().series("81189").images

    assert images.banner == "https://artworks.thetvdb.com/banners/graphical/81189-g.jpg"


def test_series_images_list_every_poster_with_resolution_and_language(make_tvdb):
    posters = make_tvdb().series("81189").images.posters

    assert [(p.url, p.resolution, p.language) for p in posters] == [
        (f"{ART}/posters/81189-1.jpg", "680x1000", "en"),
        (f"{ART}/posters/81189-2.jpg", "680x1000", "de"),
    ]


def test_series_images_ignore_season_artwork(make_tvdb):
    images = make_tvdb().series("81189").images

    every = images.posters + images.fanarts + images.banners
    assert not any("seasons/" in info.url for info in every)


def test_series_images_prefer_the_chosen_language(make_tvdb):
    assert make_tvdb(language="de").series("81189").images.poster == f"{ART}/posters/81189-2.jpg"


def test_series_poster_falls_back_to_the_record_image(fake_tvdb, make_tvdb):
    fake_tvdb.series[81189]["artworks"] = []

    assert make_tvdb().series("81189").images.poster == f"{ART}/posters/81189-10.jpg"


def test_series_uses_the_translation_of_the_chosen_language(make_tvdb):
    series = make_tvdb(language="pt-BR").series("81189")

    assert series.title == "Breaking Bad: A Química do Mal"
    assert series.overview == "Um professor de química vira fabricante de metanfetamina."


def test_series_keeps_the_record_name_when_only_the_overview_is_translated(make_tvdb):
    series = make_tvdb(language="de").series("81189")

    assert (series.title, series.overview) == (
        "Breaking Bad",
        "Ein Chemielehrer wird zum Drogenkoch.",
    )


def test_series_reads_the_original_record_without_a_translation(make_tvdb):
    series = make_tvdb(language="fr").series("334824")

    assert series.title == "Dark"
    assert series.overview.startswith("Ein Kind verschwindet")
    assert series.original_language == "de"


def test_missing_series_raises_not_found_naming_it(make_tvdb):
    with pytest.raises(NotFoundError, match="series 99999999") as caught:
        make_tvdb().series("99999999")

    assert "NotFoundException" in caught.value.message


def test_images_read_the_series_artworks(fake_tvdb, make_tvdb):
    images = make_tvdb().images("81189", "series")

    assert images.fanart == f"{ART}/fanart/original/81189-4.jpg"
    assert fake_tvdb.requests[-1].path == "/v4/series/81189/extended"


def test_images_of_a_movie_are_unsupported(fake_tvdb, make_tvdb):
    with pytest.raises(UnsupportedError):
        make_tvdb().images("190", "movie")

    assert fake_tvdb.requests == []


def test_movies_are_unsupported(make_tvdb):
    with pytest.raises(UnsupportedError):
        make_tvdb().search_movies("heat")


# -- find by outside id ----------------------------------------------------------------


def test_find_by_imdb_id_returns_the_full_series(fake_tvdb, make_tvdb):
    series = make_tvdb().find_series("imdb", "tt0903747")

    assert (series.tvdb_id, series.title, series.network) == (81189, "Breaking Bad", "AMC")
    assert fake_tvdb.paths() == ["/v4/search/remoteid/tt0903747", "/v4/series/81189/extended"]


def test_find_by_tmdb_id(make_tvdb):
    assert make_tvdb().find_series("tmdb", "1396").tvdb_id == 81189


def test_find_skips_entries_that_are_not_series(fake_tvdb, make_tvdb):
    movie = {"movie": {"id": 190, "name": "Heat"}}
    series = {"series": {"id": 334824, "name": "Dark"}}
    fake_tvdb.fail("/v4/search/remoteid/tt5753856", Reply(200, envelope([movie, series])))

    assert make_tvdb().find_series("imdb", "tt5753856").tvdb_id == 334824


def test_find_returns_none_when_nothing_matches(make_tvdb):
    assert make_tvdb().find_series("imdb", "tt0000001") is None


def test_find_returns_none_on_a_not_found_envelope(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/search/remoteid/tt0000001", Reply(404, NOT_FOUND))

    assert make_tvdb().find_series("imdb", "tt0000001") is None


def test_find_returns_none_on_null_data(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/search/remoteid/1396", Reply(200, envelope(None)))

    assert make_tvdb().find_series("tmdb", "1396") is None


def test_find_by_tvdb_id_reads_the_series(fake_tvdb, make_tvdb):
    assert make_tvdb().find_series("tvdb", "334824").title == "Dark"
    assert fake_tvdb.paths() == ["/v4/series/334824/extended"]


def test_find_by_unknown_tvdb_id_returns_none(make_tvdb):
    assert make_tvdb().find_series("tvdb", "99999999") is None


@pytest.mark.parametrize(
    ("source", "value"), [("imdb", "nm0000001"), ("tmdb", "tt1"), ("tvdb", "x/1")]
)
def test_find_by_a_malformed_id_returns_none_without_asking(fake_tvdb, make_tvdb, source, value):
    assert make_tvdb().find_series(source, value) is None
    assert fake_tvdb.requests == []
