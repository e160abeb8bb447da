"""TMDB: searching series and movies, their full records, and finding them by an
IMDb, TVDB or TMDB id."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.errors import NotFoundError, ProtocolError, UnsupportedError
from integrations.metadata.providers.tmdb import Tmdb, TmdbSettings
from tests.httpserver import RecordingServer, Reply
from tests.metadata.fake_tmdb import (
    API_KEY,
    IMAGE_BASE,
    fake_tmdb,  # noqa: F401 (fixture)
    make_tmdb,
    release,
    tmdb,  # noqa: F401 (fixture)
)


# -- search ----------------------------------------------------------------------
def test_search_series_maps_a_result(tmdb):
    [show] = tmdb.search_series("Breaking Bad")

    assert (show.id, show.tmdb_id, show.title, show.original_title) == (
        "1396",
        1396,
        "Breaking Bad",
        "Breaking Bad",
    )
    assert (show.year, show.first_aired) == (2008, date(2008, 1, 20))
    assert (show.overview, show.rating, show.original_language) == (
        "The story of Breaking Bad.",
        8.9,
        "en",
    )
    assert show.images.poster == f"{IMAGE_BASE}original/poster1396.jpg"


def test_search_series_asks_for_the_first_page_without_adult_titles(fake_tmdb, tmdb):
    tmdb.search_series("Breaking Bad")

    request = fake_tmdb.last_request
    assert request.path == "/search/tv"
    assert (request.query["query"], request.query["include_adult"], request.query["page"]) == (
        ["Breaking Bad"],
        ["false"],
        ["1"],
    )


def test_search_series_without_year_sends_no_year_filter(fake_tmdb, tmdb):
    results = tmdb.search_series("Shameless")

    assert "first_air_date_year" not in fake_tmdb.last_request.query
    assert sorted(s.id for s in results) == ["1906", "34307"]


def test_search_series_with_year_filters_by_first_air_year(fake_tmdb, tmdb):
    results = tmdb.search_series("Shameless", 2011)

    assert fake_tmdb.last_request.query["first_air_date_year"] == ["2011"]
    assert [s.id for s in results] == ["34307"]


def test_include_adult_setting_is_sent(fake_tmdb):
    with make_tmdb(fake_tmdb, include_adult=True) as provider:
        results = provider.search_series("Shameless")

    assert fake_tmdb.last_request.query["include_adult"] == ["true"]
    assert "99999" in [s.id for s in results]


def test_search_with_no_match_is_empty(tmdb):
    assert tmdb.search_series("No Such Show") == []


def test_search_movies_maps_a_result(tmdb):
    [film] = tmdb.search_movies("Inception")

    assert (film.id, film.tmdb_id, film.title, film.year) == ("27205", 27205, "Inception", 2010)
    assert film.release_date == date(2010, 7, 15)
    assert film.images.fanart == f"{IMAGE_BASE}original/backdrop27205.jpg"


def test_search_movies_with_year_sends_the_year_parameter(fake_tmdb, tmdb):
    results = tmdb.search_movies("Dune", 2021)

    request = fake_tmdb.last_request
    assert (request.path, request.query["year"]) == ("/search/movie", ["2021"])
    assert [m.id for m in results] == ["438631"]


def test_search_skips_wrongly_typed_results(fake_tmdb, tmdb):
    good = {"id": 1396, "name": "Breaking Bad", "first_air_date": "2008-01-20"}
    bad = [None, "1396", 7, {"name": "no id"}, {"id": "1396"}, {"id": True}]
    fake_tmdb.replace("/search/tv", {"page": 1, "results": [*bad, good], "total_results": 7})

    assert [s.id for s in tmdb.search_series("Breaking Bad")] == ["1396"]


def test_search_with_results_that_are_not_a_list_is_a_protocol_error(fake_tmdb, tmdb):
    fake_tmdb.replace("/search/movie", {"page": 1, "results": {"id": 27205}})

    with pytest.raises(ProtocolError):
        tmdb.search_movies("Inception")


# -- series ----------------------------------------------------------------------
def test_series_maps_the_record(tmdb):
    show = tmdb.series("1396")

    assert (show.title, show.year, show.first_aired) == ("Breaking Bad", 2008, date(2008, 1, 20))
    assert (show.runtime, show.network) == (45, "AMC")
    assert show.genres == ["Drama", "Crime"]
    assert (show.rating, show.original_language) == (8.9, "en")
    assert (show.season_count, show.episode_count) == (2, 5)


def test_series_asks_for_external_ids_and_content_ratings(fake_tmdb, tmdb):
    tmdb.series("1396")

    request = fake_tmdb.last_request
    assert request.path == "/tv/1396"
    assert request.query["append_to_response"] == ["external_ids,content_ratings"]


def test_series_carries_the_ids_of_every_database(tmdb):
    show = tmdb.series("1396")

    assert (show.tmdb_id, show.tvdb_id, show.imdb_id) == (1396, 81189, "tt0903747")


def test_series_certification_is_the_us_rating(tmdb):
    assert tmdb.series("1396").certification == "TV-MA"


def test_series_without_a_us_rating_has_no_certification(fake_tmdb, tmdb):
    fake_tmdb.tv[1396]["content_ratings"]["results"] = [
        {"descriptors": [], "iso_3166_1": "DE", "rating": "16"}
    ]

    assert tmdb.series("1396").certification == ""


def test_series_images_are_full_original_size_urls(tmdb):
    images = tmdb.series("1396").images

    assert images.poster == "https://image.tmdb.org/t/p/original/poster1396.jpg"
    assert images.fanart == "https://image.tmdb.org/t/p/original/backdrop1396.jpg"


def test_image_urls_use_the_configured_image_base(fake_tmdb):
    with make_tmdb(fake_tmdb, image_base_url="https://cdn.example/tmdb/") as provider:
        assert provider.series("1396").images.poster == (
            "https://cdn.example/tmdb/original/poster1396.jpg"
        )


@pytest.mark.parametrize(
    ("tmdb_status", "status"),
    [
        ("Returning Series", "continuing"),
        ("Ended", "ended"),
        ("Canceled", "ended"),
        ("In Production", "upcoming"),
        ("Planned", "upcoming"),
        ("Something New", ""),
    ],
)
def test_series_status_maps_to_the_contracts_words(fake_tmdb, tmdb, tmdb_status, status):
    fake_tmdb.tv[1396]["status"] = tmdb_status

    assert tmdb.series("1396").status == status


def test_series_runtime_falls_back_to_the_last_episode(fake_tmdb, tmdb):
    fake_tmdb.tv[1396]["episode_run_time"] = []

    assert tmdb.series("1396").runtime == 48  # "Grilled", the last aired episode


def test_series_with_wrongly_typed_fields_maps_what_it_can(fake_tmdb, tmdb):
    record = fake_tmdb.tv[1396]
    record |= {
        "name": 5,
        "first_air_date": "soon",
        "genres": "Drama",
        "networks": [None, 174, {"name": None}, {"name": "AMC"}],
        "episode_run_time": ["45"],
        "last_episode_to_air": None,
        "vote_average": "8.9",
        "number_of_seasons": True,
        "external_ids": ["tt0903747"],
        "content_ratings": {"results": [None, {"iso_3166_1": "US", "rating": 16}]},
    }

    show = tmdb.series("1396")

    assert (show.id, show.title, show.year, show.first_aired) == ("1396", "", None, None)
    assert (show.genres, show.network, show.runtime, show.rating) == ([], "AMC", None, None)
    assert (show.season_count, show.tvdb_id, show.imdb_id, show.certification) == (
        None,
        None,
        "",
        "",
    )


def test_series_record_without_a_numeric_id_is_a_protocol_error(fake_tmdb, tmdb):
    fake_tmdb.replace("/tv/1396", {"id": "1396", "name": "Breaking Bad"})

    with pytest.raises(ProtocolError):
        tmdb.series("1396")


# -- movies ----------------------------------------------------------------------
def test_movie_maps_the_record(tmdb):
    film = tmdb.movie("27205")

    assert (film.title, film.year, film.release_date) == ("Inception", 2010, date(2010, 7, 15))
    assert (film.status, film.runtime, film.studio) == ("released", 148, "Legendary Pictures")
    assert film.genres == ["Action", "Science Fiction", "Adventure"]
    assert (film.rating, film.tmdb_id, film.imdb_id) == (8.369, 27205, "tt1375666")


def test_movie_asks_for_external_ids_and_release_dates(fake_tmdb, tmdb):
    tmdb.movie("27205")

    request = fake_tmdb.last_request
    assert request.path == "/movie/27205"
    assert request.query["append_to_response"] == ["external_ids,release_dates"]


def test_movie_certification_is_the_us_theatrical_rating(tmdb):
    # The US premiere comes first but has no certification; the theatrical one says PG-13.
    assert tmdb.movie("27205").certification == "PG-13"


def test_movie_certification_prefers_the_theatrical_release(fake_tmdb, tmdb):
    fake_tmdb.movies[27205]["release_dates"]["results"] = [
        {
            "iso_3166_1": "US",
            "release_dates": [
                release("NR", "2010-07-13", 1, "premiere"),
                release("R", "2010-07-14", 2),
                release("PG-13", "2010-07-16", 3),
            ],
        }
    ]

    assert tmdb.movie("27205").certification == "PG-13"


@pytest.mark.parametrize(
    ("tmdb_status", "status"),
    [
        ("Released", "released"),
        ("Rumored", "announced"),
        ("Planned", "announced"),
        ("In Production", "in_production"),
        ("Post Production", "in_production"),
        ("Canceled", ""),
    ],
)
def test_movie_status_maps_to_the_contracts_words(fake_tmdb, tmdb, tmdb_status, status):
    fake_tmdb.movies[27205]["status"] = tmdb_status

    assert tmdb.movie("27205").status == status


def test_movie_with_wrongly_typed_release_dates_has_no_certification(fake_tmdb, tmdb):
    fake_tmdb.movies[27205]["release_dates"] = {
        "results": [{"iso_3166_1": "US", "release_dates": "PG-13"}, "US"]
    }

    film = tmdb.movie("27205")

    assert (film.title, film.certification) == ("Inception", "")


# -- find ------------------------------------------------------------------------
def test_find_series_by_imdb_id(fake_tmdb, tmdb):
    show = tmdb.find_series("imdb", "tt0903747")

    assert (show.id, show.title, show.tvdb_id) == ("1396", "Breaking Bad", 81189)
    assert fake_tmdb.paths == ["/find/tt0903747", "/tv/1396"]
    assert fake_tmdb.requests[0].query["external_source"] == ["imdb_id"]


def test_find_series_by_tvdb_id(fake_tmdb, tmdb):
    show = tmdb.find_series("tvdb", "161511")

    assert (show.id, show.title, show.network) == ("34307", "Shameless", "Showtime")
    assert fake_tmdb.requests[0].query["external_source"] == ["tvdb_id"]


def test_find_movie_by_imdb_id(fake_tmdb, tmdb):
    film = tmdb.find_movie("imdb", "tt1375666")

    assert (film.id, film.title, film.certification) == ("27205", "Inception", "PG-13")
    assert fake_tmdb.paths == ["/find/tt1375666", "/movie/27205"]


def test_find_series_with_no_match_is_none(fake_tmdb, tmdb):
    assert tmdb.find_series("imdb", "tt9999999") is None
    assert fake_tmdb.paths == ["/find/tt9999999"]


def test_find_series_by_a_movies_imdb_id_is_none(tmdb):
    assert tmdb.find_series("imdb", "tt1375666") is None


def test_find_with_a_malformed_imdb_id_is_none_without_asking(fake_tmdb, tmdb):
    assert tmdb.find_movie("imdb", "../configuration") is None
    assert fake_tmdb.requests == []


def test_find_by_tmdb_id_fetches_the_record_directly(fake_tmdb, tmdb):
    film = tmdb.find_movie("tmdb", "27205")

    assert film.title == "Inception"
    assert fake_tmdb.paths == ["/movie/27205"]


def test_find_by_unknown_tmdb_id_is_none(tmdb):
    assert tmdb.find_series("tmdb", "424242") is None


def test_find_skips_results_without_a_numeric_id(fake_tmdb, tmdb):
    fake_tmdb.replace(
        "/find/tt0903747",
        {"movie_results": [], "tv_results": [{"id": "x"}, None, {"id": 1396}]},
    )

    assert tmdb.find_series("imdb", "tt0903747").id == "1396"


def test_find_answer_without_a_results_list_is_a_protocol_error(fake_tmdb, tmdb):
    fake_tmdb.replace("/find/tt0903747", {"tv_results": None, "movie_results": []})

    with pytest.raises(ProtocolError):
        tmdb.find_series("imdb", "tt0903747")


def test_find_by_an_unknown_source_is_unsupported(tmdb):
    with pytest.raises(UnsupportedError):
        tmdb.find_series("tvmaze", "169")  # type: ignore[arg-type]


def test_find_by_tmdb_id_does_not_hide_a_404_that_is_not_tmdbs():
    # An API URL pointing at some other web server: its HTML 404 is a NotFoundError
    # about the address, not "no such series".
    with RecordingServer(Reply(404, "<html><h1>404 Not Found</h1></html>")) as srv:
        provider = Tmdb(TmdbSettings(api_url=srv.url, api_key=API_KEY))
        with provider, pytest.raises(NotFoundError) as caught:
            provider.find_series("tmdb", "1396")
    assert "check the URL base" in caught.value.message
