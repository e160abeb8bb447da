"""Jellyfin provider: libraries, refreshes, folder scans and the library-change update
(Sonarr's "Emby / Jellyfin" connection), against the fake Jellyfin server."""

from __future__ import annotations

import pytest

from integrations.errors import AuthenticationError, ConfigurationError, NotFoundError
from integrations.mediaservers.base import Library, LibraryChange, LibraryType
from tests.mediaservers.fake_jellyfin import (
    FAILURES,
    fake_jellyfin,  # noqa: F401 (a fixture)
    item_id,
    make_jellyfin,
)

EXPANSE = LibraryChange(
    media_type="series", path="/data/tv/The Expanse (2015)", title="The Expanse",
    year=2015, tvdb_id=280619, update_type="created",
)  # fmt: skip


def change(**fields) -> LibraryChange:
    return LibraryChange.from_dict({**EXPANSE.to_dict(), **fields})


def reported_paths(srv) -> list[str]:
    [updates] = srv.reported_updates
    return [u["Path"] for u in updates]


# -- libraries ------------------------------------------------------------------------------
def test_libraries_map_collection_types_paths_and_item_ids(fake_jellyfin):
    libraries = make_jellyfin(fake_jellyfin).libraries()
    shows_id = item_id("jellyfin", "library Shows")
    assert libraries[0] == Library(shows_id, "Shows", LibraryType.TV, ["/tv"])
    assert [(lib.type, lib.paths) for lib in libraries[1:]] == [
        (LibraryType.MOVIE, ["/movies"]),
        (LibraryType.OTHER, ["/videos", "/phone"]),
    ]


def test_a_music_library_is_music(fake_jellyfin):
    fake_jellyfin.virtual_folders[0]["CollectionType"] = "music"
    assert make_jellyfin(fake_jellyfin).libraries()[0].type is LibraryType.MUSIC


def test_library_entries_of_the_wrong_shape_are_skipped_or_emptied(fake_jellyfin):
    fake_jellyfin.virtual_folders = [
        "Shows",
        {"Name": "No id", "Locations": ["/x"]},
        {"Name": "Odd", "ItemId": "abc", "Locations": "/odd", "CollectionType": None},
    ]
    libraries = make_jellyfin(fake_jellyfin).libraries()
    assert libraries == [Library("abc", "Odd", LibraryType.OTHER, [])]


# -- refreshes and scans -------------------------------------------------------------------
def test_refresh_library_posts_a_default_recursive_refresh(fake_jellyfin):
    library_id = item_id("jellyfin", "library Shows")
    make_jellyfin(fake_jellyfin).refresh_library(library_id)
    request = fake_jellyfin.last_request
    assert (request.method, request.path) == ("POST", f"/Items/{library_id}/Refresh")
    assert request.query == {
        "Recursive": ["true"], "MetadataRefreshMode": ["Default"], "ImageRefreshMode": ["Default"],
        "ReplaceAllMetadata": ["false"], "ReplaceAllImages": ["false"],
    }  # fmt: skip


def test_refresh_item_asks_for_a_full_refresh(fake_jellyfin):
    expanse = fake_jellyfin.item("The Expanse")["Id"]
    make_jellyfin(fake_jellyfin).refresh_item(expanse)
    request = fake_jellyfin.last_request
    assert request.path == f"/Items/{expanse}/Refresh"
    assert request.query["MetadataRefreshMode"] == ["FullRefresh"]
    assert request.query["ImageRefreshMode"] == ["FullRefresh"]
    assert request.query["ReplaceAllMetadata"] == ["false"]


def test_refreshing_an_unknown_item_is_not_found(fake_jellyfin):
    with pytest.raises(NotFoundError, match="Jellyfin has no item 'f00d'"):
        make_jellyfin(fake_jellyfin).refresh_item("f00d")


def test_an_item_id_cannot_escape_its_path(fake_jellyfin):
    with pytest.raises(NotFoundError):
        make_jellyfin(fake_jellyfin).refresh_item("../Library/Refresh")
    assert fake_jellyfin.last_request.raw_path.startswith("/Items/..%2FLibrary%2FRefresh/")


def test_scan_path_reports_the_folder_as_created(fake_jellyfin):
    make_jellyfin(fake_jellyfin).scan_path("/tv/Severance")
    request = fake_jellyfin.last_request
    assert (request.method, request.path) == ("POST", "/Library/Media/Updated")
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {"Updates": [{"Path": "/tv/Severance", "UpdateType": "Created"}]}


def test_scan_path_refuses_an_empty_folder(fake_jellyfin):
    with pytest.raises(ConfigurationError):
        make_jellyfin(fake_jellyfin).scan_path(" ")
    assert fake_jellyfin.requests == []


# -- update_library --------------------------------------------------------------------------
def test_update_library_finds_the_series_by_tvdb_id_where_the_server_keeps_it(fake_jellyfin):
    make_jellyfin(fake_jellyfin).update_library(change(title="Expanse, The"))  # no name match
    assert reported_paths(fake_jellyfin) == [
        "/tv/The Expanse (2015)",
        "/data/tv/The Expanse (2015)",
    ]


def test_update_library_looks_up_series_with_paths_provider_ids_and_year(fake_jellyfin):
    make_jellyfin(fake_jellyfin).update_library(EXPANSE)
    [lookup] = fake_jellyfin.requests_to("/Items")
    assert lookup.query == {
        "Recursive": ["true"], "IncludeItemTypes": ["Series"],
        "Fields": ["Path,ProviderIds"], "Years": ["2015"],
    }  # fmt: skip


def test_update_library_sends_one_request_for_every_folder(fake_jellyfin):
    make_jellyfin(fake_jellyfin).update_library(EXPANSE)
    assert len(fake_jellyfin.requests_to("/Library/Media/Updated")) == 1


def test_a_provider_id_match_beats_a_name_match(fake_jellyfin):
    classic = change(path="/data/tv/Doctor Who", title="Doctor Who", year=None, tvdb_id=76107)
    make_jellyfin(fake_jellyfin).update_library(classic)
    assert reported_paths(fake_jellyfin) == ["/tv/Doctor Who (1963)", "/data/tv/Doctor Who"]


def test_update_library_matches_by_name_when_no_id_matches(fake_jellyfin):
    severance = change(path="/data/tv/Severance", title="Severance", year=2022, tvdb_id=371980)
    make_jellyfin(fake_jellyfin).update_library(severance)
    assert reported_paths(fake_jellyfin) == ["/tv/Severance", "/data/tv/Severance"]


def test_update_library_reports_only_the_mapped_folder_when_nothing_matches(fake_jellyfin):
    unknown = change(path="/data/tv/Unknown", title="Unknown", year=None, tvdb_id=1)
    make_jellyfin(fake_jellyfin).update_library(unknown)
    assert reported_paths(fake_jellyfin) == ["/data/tv/Unknown"]


def test_a_movie_is_looked_up_among_movies_by_tmdb_id(fake_jellyfin):
    arrival = LibraryChange(media_type="movie", path="/data/movies/Arrival (2016)", tmdb_id=329865)
    make_jellyfin(fake_jellyfin).update_library(arrival)
    assert fake_jellyfin.requests_to("/Items")[0].query["IncludeItemTypes"] == ["Movie"]
    assert reported_paths(fake_jellyfin)[0] == "/movies/Arrival (2016)/Arrival.mkv"


def test_a_movie_matches_by_imdb_id_without_case(fake_jellyfin):
    arrival = LibraryChange(media_type="movie", path="/data/movies/Arrival", imdb_id="TT2543164")
    make_jellyfin(fake_jellyfin).update_library(arrival)
    assert len(reported_paths(fake_jellyfin)) == 2


@pytest.mark.parametrize(
    ("update_type", "sent"),
    [("created", "Created"), ("modified", "Modified"), ("deleted", "Deleted")],
)
def test_update_library_sends_the_update_type_of_the_change(fake_jellyfin, update_type, sent):
    make_jellyfin(fake_jellyfin).update_library(change(update_type=update_type))
    [updates] = fake_jellyfin.reported_updates
    assert {u["UpdateType"] for u in updates} == {sent}


def test_the_folder_is_reported_as_the_server_sees_it(fake_jellyfin):
    provider = make_jellyfin(fake_jellyfin, map_from="/data/tv", map_to="/tv")
    provider.update_library(EXPANSE)
    assert reported_paths(fake_jellyfin) == ["/tv/The Expanse (2015)"]  # one folder, not two


def test_a_windows_server_gets_a_windows_folder(fake_jellyfin):
    provider = make_jellyfin(fake_jellyfin, map_from="/data/tv", map_to="D:\\TV")
    provider.update_library(change(title="Nothing", tvdb_id=None, year=None))
    assert reported_paths(fake_jellyfin) == ["D:\\TV\\The Expanse (2015)"]


def test_update_library_says_which_folders_it_reported(fake_jellyfin):
    sentence = make_jellyfin(fake_jellyfin).update_library(EXPANSE)
    assert sentence == (
        "Reported 2 folders to Jellyfin as Created: "
        "/tv/The Expanse (2015), /data/tv/The Expanse (2015)"
    )


def test_a_failed_lookup_still_reports_the_mapped_folder(fake_jellyfin):
    fake_jellyfin.override("/Items", FAILURES["500"])
    sentence = make_jellyfin(fake_jellyfin).update_library(EXPANSE)
    assert reported_paths(fake_jellyfin) == ["/data/tv/The Expanse (2015)"]
    assert "looking up its own folders failed" in sentence


def test_a_refused_key_during_the_lookup_propagates_and_reports_nothing(fake_jellyfin):
    provider = make_jellyfin(fake_jellyfin, api_key="0" * 32)
    with pytest.raises(AuthenticationError):
        provider.update_library(EXPANSE)
    assert fake_jellyfin.requests_to("/Library/Media/Updated") == []


def test_update_library_refuses_an_empty_folder(fake_jellyfin):
    with pytest.raises(ConfigurationError):
        make_jellyfin(fake_jellyfin).update_library(change(path=""))
    assert fake_jellyfin.requests == []
