"""Plex: an item's metadata, the accounts, and the recently added and recently
watched lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.errors import NotFoundError, ProtocolError
from tests.mediaservers.fake_plex import (
    ADDED,
    TOKEN,
    fake_plex,  # noqa: F401 (fixture)
    plex,  # noqa: F401 (fixture)
)


# -- metadata --------------------------------------------------------------------
def test_metadata_maps_a_show(plex):
    show = plex.metadata("101")

    assert (show.id, show.title, show.type, show.year) == ("101", "Breaking Bad", "series", 2008)
    assert show.overview == "A chemistry teacher turns to crime."
    assert show.rating == 9.5
    assert show.genres == ["Drama", "Crime"]


def test_metadata_reads_external_ids_from_guids(plex):
    show = plex.metadata("101")

    assert (show.imdb_id, show.tmdb_id, show.tvdb_id) == ("tt0903747", 1396, 81189)


def test_metadata_images_are_server_urls_without_the_token(fake_plex, plex):
    show = plex.metadata("101")

    assert show.poster_url == fake_plex.url + "/library/metadata/101/thumb/1700000000"
    assert show.backdrop_url == fake_plex.url + "/library/metadata/101/art/1700000000"
    assert TOKEN not in show.poster_url + show.backdrop_url


def test_metadata_of_a_show_has_its_folder_as_path(plex):
    assert plex.metadata("101").path == "/data/tv/Breaking Bad"


def test_metadata_of_an_episode_has_its_file_as_path(plex):
    episode = plex.metadata("103")

    assert episode.type == "episode"
    assert episode.path == "/data/tv/Breaking Bad/Season 01/Breaking Bad - S01E01.mkv"


def test_metadata_uses_the_critic_rating_without_an_audience_rating(plex):
    film = plex.metadata("201")

    assert (film.type, film.rating, film.tvdb_id) == ("movie", 8.7, None)


def test_metadata_of_an_unknown_item_is_not_found(plex):
    with pytest.raises(NotFoundError, match="no item with id 999"):
        plex.metadata("999")


def test_metadata_with_bad_guid_values_keeps_the_rest(fake_plex, plex):
    item = {**fake_plex.items["101"], "Guid": [{"id": "tmdb://abc"}, "imdb://tt1", {"id": 5}]}
    fake_plex.replace("/library/metadata/101", {"MediaContainer": {"Metadata": [item]}})

    show = plex.metadata("101")

    assert (show.title, show.imdb_id, show.tmdb_id) == ("Breaking Bad", "", None)


def test_metadata_with_genres_not_a_list_is_a_protocol_error(fake_plex, plex):
    item = {**fake_plex.items["101"], "Genre": "Drama"}
    fake_plex.replace("/library/metadata/101", {"MediaContainer": {"Metadata": [item]}})

    with pytest.raises(ProtocolError, match="Genre"):
        plex.metadata("101")


# -- users -----------------------------------------------------------------------
def test_users_skip_the_system_account_and_mark_the_owner_admin(plex):
    users = [(u.id, u.name, u.is_admin) for u in plex.users()]

    assert users == [("1", "owner", True), ("5", "guest", False)]


# -- recently added ---------------------------------------------------------------
def test_recently_added_maps_an_episode(plex):
    episode = next(e for e in plex.recently_added() if e.type == "episode")

    assert (episode.id, episode.title, episode.series_title) == ("103", "Pilot", "Breaking Bad")
    assert (episode.season, episode.episode) == (1, 1)


def test_recently_added_time_is_aware_utc(plex):
    film = next(e for e in plex.recently_added() if e.type == "movie")

    assert film.added_at == datetime.fromtimestamp(ADDED + 120, tz=UTC)
    assert film.added_at.tzinfo is UTC


def test_recently_added_asks_for_one_page_of_limit_items(fake_plex, plex):
    entries = plex.recently_added(limit=1)

    query = fake_plex.last_request.query
    assert query["X-Plex-Container-Start"] == ["0"]
    assert query["X-Plex-Container-Size"] == ["1"]
    assert [e.title for e in entries] == ["Inception"]


def test_recently_added_is_empty_when_plex_leaves_the_list_out(fake_plex, plex):
    fake_plex.recently_added = []

    assert plex.recently_added() == []


# -- recently watched --------------------------------------------------------------
def test_recently_watched_is_newest_first(plex):
    titles = [e.title for e in plex.recently_watched()]

    assert titles == ["Inception", "Pilot"]


def test_recently_watched_sets_watch_time_and_user_name(plex):
    latest = plex.recently_watched()[0]

    assert latest.watched_at == datetime.fromtimestamp(ADDED + 7200, tz=UTC)
    assert latest.user == "guest"


def test_recently_watched_asks_plex_to_sort_by_view_time(fake_plex, plex):
    plex.recently_watched(limit=7)

    query = fake_plex.requests_to("/status/sessions/history/all")[0].query
    assert query["sort"] == ["viewedAt:desc"]
    assert query["X-Plex-Container-Size"] == ["7"]


def test_recently_watched_filters_by_account(fake_plex, plex):
    entries = plex.recently_watched(user_id="1")

    assert fake_plex.requests_to("/status/sessions/history/all")[0].query["accountID"] == ["1"]
    assert [(e.title, e.user) for e in entries] == [("Pilot", "owner")]


def test_recently_watched_keeps_the_account_id_of_an_unknown_account(fake_plex, plex):
    fake_plex.history[0]["accountID"] = 77

    entries = plex.recently_watched(user_id="77")

    assert [e.user for e in entries] == ["77"]
