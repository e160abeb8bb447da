"""``PlexWatchlist`` reading a fake discover service: requests, paging, id mapping."""

from __future__ import annotations

import pytest

from importlists.providers.plexwatchlist import PlexWatchlist, PlexWatchlistSettings
from importlists.registry import registry

from .fake_plex_watchlist import (
    BOURDAIN,
    MATRIX,
    NO_GUIDS,
    PATH,
    THIRTY_ROCK,
    TOKEN,
    FakePlexWatchlist,
    container,
    entry,
    json_reply,
    numbered,
    page_reply,
    provider,
)


@pytest.fixture
def srv():
    with FakePlexWatchlist() as server:
        yield server


def fetch(srv: FakePlexWatchlist, **settings):
    with provider(srv, **settings) as plex:
        return plex.fetch()


def starts(srv: FakePlexWatchlist) -> list[int]:
    return [int(r.query["X-Plex-Container-Start"][0]) for r in srv.requests]


# -- the provider --------------------------------------------------------------
def test_plexwatchlist_is_registered_as_an_import_list():
    assert registry.get("plexwatchlist") is PlexWatchlist


def test_refresh_is_at_most_every_six_hours():
    assert PlexWatchlist.min_refresh_minutes == 360


def test_empty_api_url_reads_plexs_discover_service():
    plex = PlexWatchlist(PlexWatchlistSettings(auth_token=TOKEN))
    assert plex.url(PATH) == "https://discover.provider.plex.tv" + PATH


# -- the request -----------------------------------------------------------------
def test_fetch_gets_the_watchlist_path(srv):
    fetch(srv, media_type="series")
    assert [(r.method, r.path) for r in srv.requests] == [("GET", PATH)]


def test_fetch_sends_sonarrs_watchlist_query(srv):
    fetch(srv, media_type="series")
    assert srv.last_request.query == {
        "includeFields": ["title,type,year,ratingKey"],
        "excludeElements": ["Image"],
        "includeGuids": ["1"],
        "sort": ["watchlistedAt:desc"],
        "type": ["2"],
        "X-Plex-Container-Size": ["100"],
        "X-Plex-Container-Start": ["0"],
    }


def test_token_travels_in_the_x_plex_token_header(srv):
    fetch(srv)
    assert {r.headers["X-Plex-Token"] for r in srv.requests} == {TOKEN}


def test_token_is_never_in_the_url(srv):
    fetch(srv)
    assert srv.requests and all(TOKEN not in r.raw_path for r in srv.requests)


def test_requests_ask_for_json_and_name_idkarr(srv):
    fetch(srv, media_type="movie")
    headers = srv.last_request.headers
    assert (
        headers["Accept"],
        headers["X-Plex-Client-Identifier"],
        headers["X-Plex-Product"],
    ) == ("application/json", "idkarr", "idkarr")


# -- media type --------------------------------------------------------------
def test_series_setting_reads_shows_with_type_2(srv):
    items = fetch(srv, media_type="series")
    assert [r.query["type"] for r in srv.requests] == [["2"]]
    assert [(i.media_type, i.title) for i in items] == [
        ("series", "30 Rock"),
        ("series", "Anthony Bourdain: No Reservations"),
    ]


def test_movie_setting_reads_movies_with_type_1(srv):
    items = fetch(srv, media_type="movie")
    assert [r.query["type"] for r in srv.requests] == [["1"]]
    assert [(i.media_type, i.title) for i in items] == [("movie", "The Matrix")]


def test_both_reads_shows_then_movies_in_two_requests(srv):
    items = fetch(srv, media_type="both")
    assert [r.query["type"][0] for r in srv.requests] == ["2", "1"]
    assert [i.title for i in items] == [
        "30 Rock",
        "Anthony Bourdain: No Reservations",
        "The Matrix",
    ]


def test_entries_of_the_other_type_are_skipped_when_plex_ignores_the_filter(srv):
    srv.script([page_reply([THIRTY_ROCK, MATRIX, BOURDAIN])])
    items = fetch(srv, media_type="series")
    assert [i.title for i in items] == ["30 Rock", "Anthony Bourdain: No Reservations"]


# -- ids ---------------------------------------------------------------------
def test_tvdb_guid_becomes_the_tvdb_id(srv):
    srv.watchlist = [THIRTY_ROCK]
    [item] = fetch(srv, media_type="series")
    assert (item.title, item.year, item.tvdb_id, item.tmdb_id, item.imdb_id) == (
        "30 Rock",
        2006,
        79488,
        None,
        "",
    )


def test_imdb_tmdb_and_tvdb_guids_all_map(srv):
    srv.watchlist = [BOURDAIN]
    [item] = fetch(srv, media_type="series")
    assert (item.imdb_id, item.tmdb_id, item.tvdb_id) == ("tt0475900", 4533, 79668)


def test_movie_guids_map_to_imdb_and_tmdb(srv):
    [item] = fetch(srv, media_type="movie")
    assert (item.media_type, item.imdb_id, item.tmdb_id, item.year) == (
        "movie",
        "tt0133093",
        603,
        1999,
    )


def test_entry_without_guids_keeps_title_and_year(srv):
    srv.watchlist = [NO_GUIDS]
    [item] = fetch(srv, media_type="series")
    assert (item.title, item.year, item.tvdb_id, item.tmdb_id, item.imdb_id) == (
        "Obscure Pilot",
        2019,
        None,
        None,
        "",
    )


def test_unusable_guids_are_ignored(srv):
    srv.watchlist = [
        entry("show", "Odd Ids", 2001, "abc", "plex://show/abc", "tvdb://x1", "imdb://nm0001")
    ]
    [item] = fetch(srv, media_type="series")
    assert (item.tvdb_id, item.tmdb_id, item.imdb_id) == (None, None, "")


def test_wrong_typed_entries_are_skipped_without_crashing(srv):
    metadata = [
        "30 Rock",
        None,
        {"type": "show"},  # neither title nor ids
        {"type": "show", "title": 42, "Guid": [{"id": "tvdb://7"}]},
        {"type": "show", "title": "Kept", "year": "abc", "Guid": "tvdb://8"},
        {"type": "show", "title": "Also kept", "Guid": [None, {"id": 5}, {"id": "tmdb://9"}]},
    ]
    srv.script([page_reply(metadata)])
    items = fetch(srv, media_type="series")
    assert [(i.title, i.year, i.tvdb_id, i.tmdb_id) for i in items] == [
        ("", None, 7, None),
        ("Kept", None, None, None),
        ("Also kept", None, None, 9),
    ]


# -- paging ------------------------------------------------------------------
def test_paging_reads_until_offset_plus_size_reaches_the_total(srv):
    srv.watchlist = numbered("show", 250)
    items = fetch(srv, media_type="series")
    assert starts(srv) == [0, 100, 200]
    assert [i.tvdb_id for i in items] == list(range(1, 251))


def test_a_full_last_page_needs_no_further_request(srv):
    srv.watchlist = numbered("show", 200)
    fetch(srv, media_type="series")
    assert starts(srv) == [0, 100]


def test_paging_stops_after_ten_pages(srv):
    srv.watchlist = numbered("show", 1500)
    items = fetch(srv, media_type="series")
    assert starts(srv) == list(range(0, 1000, 100))
    assert len(items) == 1000


def test_each_type_has_its_own_ten_page_cap(srv):
    srv.watchlist = numbered("show", 1100) + numbered("movie", 5)
    items = fetch(srv, media_type="both")
    assert [r.query["type"][0] for r in srv.requests] == ["2"] * 10 + ["1"]
    assert sum(i.media_type == "movie" for i in items) == 5


def test_an_empty_watchlist_is_an_empty_list(srv):
    srv.watchlist = []
    assert fetch(srv, media_type="series") == []


def test_an_empty_page_ends_paging_whatever_the_total_says(srv):
    srv.script([page_reply(None, total=500)])
    fetch(srv, media_type="series")
    assert len(srv.requests) == 1


def test_a_total_of_the_wrong_type_ends_paging_after_the_page(srv):
    body = container(numbered("show", 100))
    body["MediaContainer"]["totalSize"] = "lots"
    srv.script([json_reply(body)])
    items = fetch(srv, media_type="series")
    assert (len(srv.requests), len(items)) == (1, 100)


# -- test() --------------------------------------------------------------------
def test_test_reports_the_watchlist_size_by_type(srv):
    with provider(srv) as plex:
        result = plex.test()
    assert (result.ok, result.message) == (True, "Plex Watchlist: 3 titles (2 series, 1 movie)")


def test_test_of_one_type_reports_its_total(srv):
    with provider(srv, media_type="series") as plex:
        result = plex.test()
    assert result.message == "Plex Watchlist: 2 titles"


def test_test_reads_one_title_per_type(srv):
    with provider(srv) as plex:
        plex.test()
    assert [r.query["X-Plex-Container-Size"] for r in srv.requests] == [["1"], ["1"]]


def test_test_without_a_total_says_the_watchlist_can_be_read(srv):
    body = container([THIRTY_ROCK])
    del body["MediaContainer"]["totalSize"]
    srv.script([json_reply(body)])
    with provider(srv, media_type="series") as plex:
        result = plex.test()
    assert (result.ok, result.message) == (True, "Plex Watchlist: the watchlist can be read")
