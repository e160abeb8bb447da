"""Trakt: which path each list type reads, how entries map to ListItems (wrapped,
bare, null ids, wrong types), pagination up to the limit, filters, headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.errors import ProtocolError
from tests.importlists.fake_trakt import (
    CLIENT_ID,
    NO_IDS,
    build,  # noqa: F401 (fixture)
    fake_trakt,  # noqa: F401 (fixture)
    listed,
    numbered_shows,
    signed_in,  # noqa: F401 (fixture)
)


def titles(items):
    return [item.title for item in items]


# -- headers -----------------------------------------------------------------------
def test_every_request_sends_api_version_key_and_json_type(fake_trakt, build):
    build().fetch()

    headers = fake_trakt.last_request.headers
    assert (headers["trakt-api-version"], headers["trakt-api-key"]) == ("2", CLIENT_ID)
    assert headers["Content-Type"] == "application/json"


def test_signed_in_request_sends_the_bearer_token(fake_trakt, signed_in):
    provider = signed_in()
    provider.fetch()

    token = provider.settings.access_token.get_secret_value()
    assert fake_trakt.last_request.headers["Authorization"] == f"Bearer {token}"


def test_request_without_sign_in_sends_no_authorization(fake_trakt, build):
    build(list_type="popular").fetch()

    assert fake_trakt.last_request.headers.get("Authorization") is None


# -- user lists --------------------------------------------------------------------
def test_watchlist_reads_the_users_watchlist_of_shows(fake_trakt, build):
    build().fetch()

    assert fake_trakt.last_request.path == "/users/alice/watchlist/shows"


def test_watchlist_maps_title_year_ids_rank_and_listed_at(build):
    first = build().fetch()[0]

    assert first.to_dict() == {
        "media_type": "series",
        "title": "Breaking Bad",
        "year": 2008,
        "tvdb_id": 81189,
        "tmdb_id": 1396,
        "imdb_id": "tt0903747",
        "overview": "",
        "added_at": "2024-01-02T03:04:05+00:00",
        "rank": 1,
        "notes": "",
    }


def test_watchlist_keeps_trakts_order(build):
    assert titles(build().fetch()) == ["Breaking Bad", "The Wire"]


def test_movie_watchlist_reads_movies(fake_trakt, build):
    items = build(media_type="movie").fetch()

    assert fake_trakt.last_request.path == "/users/alice/watchlist/movies"
    assert [(i.media_type, i.title, i.tmdb_id, i.imdb_id) for i in items] == [
        ("movie", "Inception", 27205, "tt1375666")
    ]


def test_movie_has_no_tvdb_id(build):
    assert build(media_type="movie").fetch()[0].tvdb_id is None


def test_collection_reads_the_users_collection(fake_trakt, build):
    items = build(list_type="collection").fetch()

    assert fake_trakt.last_request.path == "/users/alice/collection/shows"
    assert [(i.title, i.tvdb_id) for i in items] == [("Severance", 371980)]


def test_watched_reads_the_users_watched_shows(fake_trakt, build):
    items = build(list_type="watched").fetch()

    assert fake_trakt.last_request.path == "/users/alice/watched/shows"
    assert [(i.title, i.tvdb_id) for i in items] == [("The Wire", 79126)]


def test_watched_movies_map_to_movies(build):
    items = build(list_type="watched", media_type="movie").fetch()

    assert [(i.media_type, i.title, i.tmdb_id) for i in items] == [("movie", "Dune", 438631)]


def test_custom_list_reads_its_items_by_slug(fake_trakt, build):
    items = build(list_type="custom", list_slug="sci-fi-picks").fetch()

    assert fake_trakt.last_request.path == "/users/alice/lists/sci-fi-picks/items/shows"
    assert [(i.title, i.rank) for i in items] == [("Severance", 1)]


def test_empty_username_reads_the_signed_in_users_list(fake_trakt, signed_in):
    items = signed_in().fetch()

    assert fake_trakt.last_request.path == "/users/me/watchlist/shows"
    assert titles(items) == ["Breaking Bad", "The Wire"]


def test_signed_in_user_reads_their_private_custom_list(fake_trakt, signed_in):
    items = signed_in(list_type="custom", list_slug="secret-stash").fetch()

    assert fake_trakt.last_request.path == "/users/me/lists/secret-stash/items/shows"
    assert items == []


def test_username_and_slug_are_quoted_in_the_path(fake_trakt, build):
    fake_trakt.replace("/users/a%20b%2Fc/lists/x%2Fy/items/shows", [{"title": "Lost"}])
    items = build(username="a b/c", list_type="custom", list_slug="x/y").fetch()

    assert titles(items) == ["Lost"]


# -- public lists and recommendations ------------------------------------------------
def test_trending_reads_the_trending_path(fake_trakt, build):
    build(list_type="trending").fetch()

    assert fake_trakt.last_request.path == "/shows/trending"


def test_trending_unwraps_the_show_from_its_watchers(build):
    items = build(list_type="trending").fetch()

    assert [(i.title, i.tvdb_id) for i in items] == [("Severance", 371980), ("The Wire", 79126)]


def test_popular_reads_bare_show_objects(fake_trakt, build):
    items = build(list_type="popular").fetch()

    assert fake_trakt.last_request.path == "/shows/popular"
    assert [(i.title, i.year, i.tvdb_id) for i in items] == [
        ("Breaking Bad", 2008, 81189),
        ("The Wire", 2002, 79126),
    ]


def test_popular_movies_read_bare_movie_objects(fake_trakt, build):
    items = build(list_type="popular", media_type="movie").fetch()

    assert fake_trakt.last_request.path == "/movies/popular"
    assert [(i.title, i.tmdb_id) for i in items] == [("Inception", 27205), ("Arrival", 329865)]


def test_anticipated_unwraps_the_show_from_its_list_count(fake_trakt, build):
    items = build(list_type="anticipated").fetch()

    assert fake_trakt.last_request.path == "/shows/anticipated"
    assert titles(items) == ["Severance"]


def test_trending_movies_unwrap_the_movie(build):
    items = build(list_type="trending", media_type="movie").fetch()

    assert [(i.media_type, i.title) for i in items] == [("movie", "Dune")]


def test_recommended_reads_the_signed_in_users_recommendations(fake_trakt, signed_in):
    items = signed_in(list_type="recommended").fetch()

    assert fake_trakt.last_request.path == "/recommendations/shows"
    assert titles(items) == ["Severance", "Breaking Bad"]


# -- pagination ----------------------------------------------------------------------
def test_small_limit_is_the_page_size(fake_trakt, build):
    fake_trakt.public["shows"]["trending"] = [{"show": s} for s in numbered_shows(30)]
    items = build(list_type="trending", limit=5).fetch()

    assert len(items) == 5
    assert [(r.query["page"], r.query["limit"]) for r in fake_trakt.requests] == [(["1"], ["5"])]


def test_pages_are_read_until_the_limit(fake_trakt, build):
    fake_trakt.public["shows"]["trending"] = [{"show": s} for s in numbered_shows(250)]
    items = build(list_type="trending", limit=150).fetch()

    assert [r.query["page"] for r in fake_trakt.requests] == [["1"], ["2"]]
    assert [i.tvdb_id for i in items] == list(range(1, 151))


def test_pages_stop_at_the_last_page(fake_trakt, build):
    fake_trakt.public["shows"]["popular"] = numbered_shows(130)
    items = build(list_type="popular", limit=1000).fetch()

    assert [r.query["page"] for r in fake_trakt.requests] == [["1"], ["2"]]
    assert len(items) == 130


def test_pages_ask_for_100_items_each(fake_trakt, build):
    fake_trakt.public["shows"]["popular"] = numbered_shows(130)
    build(list_type="popular", limit=1000).fetch()

    assert {r.query["limit"][0] for r in fake_trakt.requests} == {"100"}


def test_answer_without_page_count_is_one_page(fake_trakt, signed_in):
    fake_trakt.recommendations["shows"] = numbered_shows(100)
    items = signed_in(list_type="recommended", limit=500).fetch()

    assert len(fake_trakt.requests) == 1
    assert len(items) == 100


def test_user_list_pages_are_read_too(fake_trakt, build):
    entries = [
        listed(s, "show", n, "2024-01-01T00:00:00Z") for n, s in enumerate(numbered_shows(120), 1)
    ]
    fake_trakt.users["alice"]["watchlist"]["shows"] = entries
    items = build(limit=1000).fetch()

    assert len(fake_trakt.requests_to("/users/alice/watchlist/shows")) == 2
    assert items[-1].rank == 120


# -- filters -------------------------------------------------------------------------
@pytest.mark.parametrize("list_type", ["trending", "popular", "anticipated"])
def test_filters_are_sent_to_public_lists(fake_trakt, build, list_type):
    build(list_type=list_type, genres="drama,crime", years="2010-2020", ratings="70-100").fetch()

    query = fake_trakt.last_request.query
    assert (query["genres"], query["years"], query["ratings"]) == (
        ["drama,crime"],
        ["2010-2020"],
        ["70-100"],
    )


def test_filters_are_not_sent_to_user_lists(fake_trakt, build):
    build(genres="drama", years="2010", ratings="70-100").fetch()

    assert set(fake_trakt.last_request.query) == {"page", "limit"}


def test_filters_are_not_sent_to_recommendations(fake_trakt, signed_in):
    signed_in(list_type="recommended", genres="drama").fetch()

    assert "genres" not in fake_trakt.last_request.query


def test_empty_filters_are_left_out(fake_trakt, build):
    build(list_type="popular", years="2010").fetch()

    assert set(fake_trakt.last_request.query) == {"page", "limit", "years"}


# -- odd payloads --------------------------------------------------------------------
def test_null_ids_become_none(fake_trakt, build):
    fake_trakt.public["shows"]["popular"] = [NO_IDS]
    item = build(list_type="popular").fetch()[0]

    assert (item.title, item.year, item.tvdb_id, item.tmdb_id, item.imdb_id) == (
        "Nameless Pilot",
        None,
        None,
        None,
        "",
    )


def test_entry_without_title_or_ids_is_skipped(fake_trakt, build):
    fake_trakt.public["shows"]["popular"] = [{"title": None, "ids": {"trakt": 5}}, NO_IDS]

    assert titles(build(list_type="popular").fetch()) == ["Nameless Pilot"]


def test_entries_of_the_wrong_type_are_skipped(fake_trakt, build):
    fake_trakt.replace(
        "/users/alice/watchlist/shows",
        [1, "x", None, [], {"show": "Lost"}, {"show": {"title": "Lost", "ids": [4]}}],
    )

    assert titles(build().fetch()) == ["Lost"]


def test_wrong_typed_fields_are_ignored(fake_trakt, build):
    bad = {
        "rank": "first",
        "listed_at": "yesterday",
        "notes": 7,
        "show": {
            "title": "Lost",
            "year": "2004",
            "ids": {"tvdb": {"id": 1}, "tmdb": True, "imdb": 42},
        },
    }
    fake_trakt.replace("/users/alice/watchlist/shows", [bad])
    item = build().fetch()[0]

    assert (item.rank, item.added_at, item.notes, item.year) == (None, None, "", 2004)
    assert (item.tvdb_id, item.tmdb_id, item.imdb_id) == (None, None, "")


def test_imdb_id_that_is_not_a_title_id_is_dropped(fake_trakt, build):
    fake_trakt.public["shows"]["popular"] = [{"title": "Lost", "ids": {"imdb": "nm0000001"}}]

    assert build(list_type="popular").fetch()[0].imdb_id == ""


def test_listed_at_is_an_aware_datetime(build):
    assert build().fetch()[0].added_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_entry_of_the_other_media_type_is_skipped(fake_trakt, build):
    fake_trakt.replace(
        "/users/alice/lists/mixed/items/shows",
        [{"type": "movie", "movie": {"title": "Dune", "ids": {"tmdb": 1}}}],
    )
    fake_trakt.users["alice"]["lists"]["mixed"] = {"meta": {"privacy": "public"}}

    assert build(list_type="custom", list_slug="mixed").fetch() == []


def test_object_instead_of_a_list_is_a_protocol_error(fake_trakt, build):
    fake_trakt.replace("/users/alice/watchlist/shows", {"error": "nope"})

    with pytest.raises(ProtocolError, match="watchlist of alice"):
        build().fetch()


def test_empty_list_reads_as_no_items(fake_trakt, build):
    fake_trakt.users["alice"]["watchlist"]["shows"] = []

    assert build().fetch() == []
