"""Jellyfin provider: item metadata, users, recently added and recently watched, against
the fake Jellyfin server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.errors import ConfigurationError, NotFoundError
from integrations.mediaservers.base import MediaServerUser
from integrations.mediaservers.providers.jellyfin import parse_when
from tests.httpserver import Reply
from tests.mediaservers.fake_jellyfin import (
    API_KEY,
    fake_jellyfin,  # noqa: F401 (a fixture)
    make_jellyfin,
)


# -- metadata -------------------------------------------------------------------------------
def test_metadata_maps_the_item_and_its_provider_ids(fake_jellyfin):
    expanse = fake_jellyfin.item("The Expanse")["Id"]
    meta = make_jellyfin(fake_jellyfin).metadata(expanse)
    assert (meta.id, meta.title, meta.type, meta.year) == (expanse, "The Expanse", "series", 2015)
    assert (meta.tvdb_id, meta.tmdb_id, meta.imdb_id) == (280619, 63639, "tt3230854")


def test_metadata_carries_overview_genres_rating_and_path(fake_jellyfin):
    meta = make_jellyfin(fake_jellyfin).metadata(fake_jellyfin.item("The Expanse")["Id"])
    assert meta.overview == "Humanity has colonised the solar system."
    assert meta.genres == ["Drama", "Science Fiction"]
    assert (meta.rating, meta.path) == (8.5, "/tv/The Expanse (2015)")


def test_metadata_asks_for_one_item_with_the_fields_it_maps(fake_jellyfin):
    expanse = fake_jellyfin.item("The Expanse")["Id"]
    make_jellyfin(fake_jellyfin).metadata(expanse)
    query = fake_jellyfin.last_request.query
    assert (query["Ids"], query["Recursive"]) == ([expanse], ["true"])
    assert query["Fields"] == ["Overview,Genres,ProviderIds,Path,ProductionYear,CommunityRating"]


def test_the_poster_url_is_the_servers_image_path_without_the_key(fake_jellyfin):
    expanse = fake_jellyfin.item("The Expanse")["Id"]
    meta = make_jellyfin(fake_jellyfin).metadata(expanse)
    assert meta.poster_url == f"{fake_jellyfin.url}/Items/{expanse}/Images/Primary"
    assert API_KEY not in meta.poster_url and "key" not in meta.poster_url.lower()


def test_an_episode_and_a_movie_get_their_types(fake_jellyfin):
    provider = make_jellyfin(fake_jellyfin)
    episode = provider.metadata(fake_jellyfin.item("Dulcinea")["Id"])
    movie = provider.metadata(fake_jellyfin.item("Arrival")["Id"])
    assert (episode.type, movie.type, movie.tvdb_id) == ("episode", "movie", None)


def test_the_metadata_of_an_unknown_id_is_not_found(fake_jellyfin):
    with pytest.raises(NotFoundError, match="Jellyfin has no item"):
        make_jellyfin(fake_jellyfin).metadata("0123456789abcdef0123456789abcdef")


def test_an_answer_listing_other_items_is_not_taken_for_the_item(fake_jellyfin):
    """Jellyfin drops an id it cannot parse as a GUID and then lists every item."""
    everything = {"Items": [fake_jellyfin.item("Severance")], "TotalRecordCount": 1}
    fake_jellyfin.override("/Items", Reply(200, everything))
    with pytest.raises(NotFoundError):
        make_jellyfin(fake_jellyfin).metadata("not-a-guid")


def test_a_dashed_guid_finds_the_dashless_item(fake_jellyfin):
    plain = fake_jellyfin.item("Arrival")["Id"]
    dashed = f"{plain[:8]}-{plain[8:12]}-{plain[12:16]}-{plain[16:20]}-{plain[20:]}"
    fake_jellyfin.override("/Items", Reply(200, {"Items": [fake_jellyfin.item("Arrival")]}))
    assert make_jellyfin(fake_jellyfin).metadata(dashed).title == "Arrival"


def test_provider_ids_of_the_wrong_type_are_ignored(fake_jellyfin):
    item = fake_jellyfin.item("The Expanse")
    item["ProviderIds"] = {"Tvdb": None, "Tmdb": "not a number", "Imdb": ["tt1"]}
    meta = make_jellyfin(fake_jellyfin).metadata(item["Id"])
    assert (meta.tvdb_id, meta.tmdb_id, meta.imdb_id) == (None, None, "")


# -- users --------------------------------------------------------------------------------------
def test_users_lists_ids_names_and_who_administers(fake_jellyfin):
    users = make_jellyfin(fake_jellyfin).users()
    assert users == [
        MediaServerUser(fake_jellyfin.user_id("alice"), "alice", is_admin=False),
        MediaServerUser(fake_jellyfin.user_id("admin"), "admin", is_admin=True),
    ]


def test_users_without_an_id_or_policy_do_not_break_the_list(fake_jellyfin):
    fake_jellyfin.users = [{"Name": "ghost"}, {"Name": "bob", "Id": "b0b", "Policy": "yes"}, 7]
    assert make_jellyfin(fake_jellyfin).users() == [MediaServerUser("b0b", "bob", False)]


# -- recently added -----------------------------------------------------------------------------
def test_recently_added_lists_the_newest_episodes_and_movies_first(fake_jellyfin):
    entries = make_jellyfin(fake_jellyfin).recently_added(limit=5)
    assert [(e.title, e.type) for e in entries] == [("Arrival", "movie"), ("Dulcinea", "episode")]


def test_recently_added_reads_seven_digit_fractions_as_aware_datetimes(fake_jellyfin):
    entries = make_jellyfin(fake_jellyfin).recently_added()
    assert entries[1].added_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_a_recently_added_episode_names_its_series_season_and_number(fake_jellyfin):
    episode = make_jellyfin(fake_jellyfin).recently_added()[1]
    assert (episode.series_title, episode.season, episode.episode) == ("The Expanse", 1, 1)


def test_recently_added_asks_for_the_newest_items_with_their_dates(fake_jellyfin):
    make_jellyfin(fake_jellyfin).recently_added(limit=7)
    assert fake_jellyfin.last_request.query == {
        "SortBy": ["DateCreated"], "SortOrder": ["Descending"], "Recursive": ["true"],
        "IncludeItemTypes": ["Episode,Movie"], "Limit": ["7"], "Fields": ["DateCreated"],
    }  # fmt: skip


def test_recently_added_skips_items_without_an_id(fake_jellyfin):
    fake_jellyfin.override("/Items", Reply(200, {"Items": [{"Name": "x"}, "junk", {"Id": "1"}]}))
    assert [e.id for e in make_jellyfin(fake_jellyfin).recently_added()] == ["1"]


# -- recently watched ---------------------------------------------------------------------------
def test_recently_watched_reads_the_first_administrators_history(fake_jellyfin):
    entries = make_jellyfin(fake_jellyfin).recently_watched()
    assert [(e.title, e.user) for e in entries] == [("Arrival", "admin"), ("Dulcinea", "admin")]
    assert fake_jellyfin.last_request.query["userId"] == [fake_jellyfin.user_id("admin")]


def test_recently_watched_has_the_time_it_was_played(fake_jellyfin):
    dulcinea = make_jellyfin(fake_jellyfin).recently_watched()[1]
    assert dulcinea.watched_at == datetime(2024, 5, 3, 21, 15, 30, 123456, tzinfo=UTC)


def test_recently_watched_asks_for_played_items_newest_first(fake_jellyfin):
    make_jellyfin(fake_jellyfin, user_id="u1").recently_watched(limit=3)
    request = fake_jellyfin.last_request
    assert (request.method, request.path) == ("GET", "/Items")
    assert request.query == {
        "userId": ["u1"], "SortOrder": ["Descending"], "Recursive": ["true"],
        "IncludeItemTypes": ["Episode,Movie"], "SortBy": ["DatePlayed"],
        "Filters": ["IsPlayed"], "Limit": ["3"],
    }  # fmt: skip


def test_recently_watched_uses_the_configured_user_without_listing_users(fake_jellyfin):
    alice = fake_jellyfin.user_id("alice")
    entries = make_jellyfin(fake_jellyfin, user_id=alice).recently_watched()
    assert [e.title for e in entries] == ["Arrival"]
    assert fake_jellyfin.requests_to("/Users") == []


def test_a_user_given_to_recently_watched_is_the_one_read(fake_jellyfin):
    alice = fake_jellyfin.user_id("alice")
    make_jellyfin(fake_jellyfin).recently_watched(user_id=alice)
    assert fake_jellyfin.last_request.query["userId"] == [alice]


def test_recently_watched_without_any_administrator_asks_for_a_user(fake_jellyfin):
    fake_jellyfin.users = fake_jellyfin.users[:1]
    with pytest.raises(ConfigurationError, match="set the user ID"):
        make_jellyfin(fake_jellyfin).recently_watched()


# -- dates -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00.0000000Z", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
        ("2024-05-01T10:00:00.1234567+00:00", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_parse_when_reads_dotnet_dates(text, expected):
    assert parse_when(text) == expected
