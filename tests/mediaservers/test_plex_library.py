"""Plex: listing libraries, refreshing and scanning them, and update_library, the
partial scan Sonarr's "Plex Media Server" connection sends after an import."""

from __future__ import annotations

import pytest

from integrations.errors import NotFoundError
from integrations.mediaservers.base import LibraryChange
from tests.mediaservers.fake_plex import (
    fake_plex,  # noqa: F401 (fixture)
    make_plex,
    plex,  # noqa: F401 (fixture)
    section,
)

SHOW = "/data/tv/Breaking Bad"


def series(path: str = SHOW) -> LibraryChange:
    return LibraryChange(media_type="series", path=path, title="Breaking Bad")


def movie(path: str) -> LibraryChange:
    return LibraryChange(media_type="movie", path=path, title="Inception")


# -- libraries -------------------------------------------------------------------
def test_libraries_map_plex_types(fake_plex, plex):
    fake_plex.sections += [
        section("4", "artist", "Music", "/data/music"),
        section("5", "photo", "Photos", "/data/photos"),
    ]

    types = {lib.name: lib.type.value for lib in plex.libraries()}

    assert types == {"TV Shows": "tv", "Movies": "movie", "Music": "music", "Photos": "other"}


def test_libraries_list_every_location_path(fake_plex, plex):
    fake_plex.sections = [section("2", "show", "TV Shows", "/data/tv", "/mnt/more-tv")]

    assert plex.libraries()[0].paths == ["/data/tv", "/mnt/more-tv"]


def test_libraries_leave_item_count_unknown(plex):
    assert {lib.item_count for lib in plex.libraries()} == {None}


def test_libraries_keep_section_key_as_id(plex):
    assert [lib.id for lib in plex.libraries()] == ["2", "1"]


# -- refresh and scan ------------------------------------------------------------
def test_refresh_library_refreshes_the_whole_section(fake_plex, plex):
    plex.refresh_library("2")

    assert fake_plex.scans == [("2", None)]


def test_refresh_of_an_unknown_library_names_its_id(plex):
    with pytest.raises(NotFoundError, match="no library with id 42"):
        plex.refresh_library("42")


def test_scan_path_scans_that_folder_in_the_section_holding_it(fake_plex, plex):
    plex.scan_path("/data/movies/Inception (2010)")

    assert fake_plex.scans == [("1", "/data/movies/Inception (2010)")]


def test_scan_path_outside_every_library_suggests_the_path_mapping(fake_plex, plex):
    with pytest.raises(NotFoundError, match="/srv/elsewhere/Show.*path mapping"):
        plex.scan_path("/srv/elsewhere/Show")
    assert fake_plex.scans == []


def test_refresh_item_sends_a_put(fake_plex, plex):
    plex.refresh_item("103")

    assert fake_plex.last_request.method == "PUT"
    assert fake_plex.refreshed_items == ["103"]


def test_refresh_of_an_unknown_item_is_not_found(plex):
    with pytest.raises(NotFoundError, match="no item with id 999"):
        plex.refresh_item("999")


# -- update_library --------------------------------------------------------------
def test_update_library_scans_the_changed_folder_only(fake_plex, plex):
    plex.update_library(series())

    assert fake_plex.scans == [("2", SHOW)]


def test_update_library_says_what_it_scanned(plex):
    assert plex.update_library(series()) == f"Scanned {SHOW} in TV Shows"


def test_update_library_sends_the_folder_as_a_query_parameter(fake_plex, plex):
    plex.update_library(series())

    request = fake_plex.last_request
    assert request.path == "/library/sections/2/refresh"
    assert request.query == {"path": [SHOW]}


def test_update_library_of_a_movie_scans_the_movie_section(fake_plex, plex):
    plex.update_library(movie("/data/movies/Inception (2010)"))

    assert fake_plex.scans == [("1", "/data/movies/Inception (2010)")]


def test_update_library_maps_the_path_to_a_windows_server(fake_plex):
    fake_plex.sections = [section("2", "show", "TV Shows", "D:\\TV")]

    with make_plex(fake_plex, map_from="/data/tv", map_to="D:\\TV") as provider:
        provider.update_library(series())

    assert fake_plex.scans == [("2", "D:\\TV\\Breaking Bad")]


def test_update_library_refreshes_every_section_of_the_type_when_none_holds_the_path(
    fake_plex, plex
):
    fake_plex.sections.append(section("3", "show", "Anime", "/data/anime"))

    said = plex.update_library(series("/srv/elsewhere/Show"))

    assert fake_plex.scans == [("2", None), ("3", None)]
    assert said == "No TV library holds /srv/elsewhere/Show; refreshed TV Shows, Anime"


def test_update_library_fallback_leaves_other_types_alone(fake_plex, plex):
    plex.update_library(series("/srv/elsewhere/Show"))

    assert ("1", None) not in fake_plex.scans


def test_update_library_without_a_library_of_that_type_is_not_found(fake_plex, plex):
    fake_plex.sections = [section("2", "show", "TV Shows", "/data/tv")]

    with pytest.raises(NotFoundError, match="no movie library"):
        plex.update_library(movie("/data/movies/Inception (2010)"))
    assert fake_plex.scans == []
