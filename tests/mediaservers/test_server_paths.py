"""A folder as the media server sees it (the settings' path mapping), and whether a
library location holds a folder."""

from __future__ import annotations

from integrations.mediaservers.base import contains, server_path


def test_a_path_without_a_mapping_is_unchanged():
    assert server_path("/data/tv/Show", "", "") == "/data/tv/Show"


def test_a_path_under_the_mapped_folder_moves_to_the_servers_folder():
    assert server_path("/data/tv/Show", "/data/tv", "/tv") == "/tv/Show"


def test_a_path_outside_the_mapped_folder_is_unchanged():
    assert server_path("/data/tvshows/Show", "/data/tv", "/tv") == "/data/tvshows/Show"


def test_the_mapped_folder_itself_becomes_the_servers_folder():
    assert server_path("/data/tv/", "/data/tv/", "/tv/") == "/tv"


def test_a_windows_server_gets_backslashes():
    assert server_path("/data/tv/Show/Season 1", "/data/tv", "D:\\TV") == "D:\\TV\\Show\\Season 1"


def test_a_unc_share_gets_backslashes():
    assert server_path("/data/tv/Show", "/data/tv", "\\\\nas\\tv") == "\\\\nas\\tv\\Show"


def test_a_location_holds_a_folder_inside_it():
    assert contains("/tv", "/tv/Show") is True


def test_a_location_holds_itself():
    assert contains("/tv/", "/tv") is True


def test_a_location_does_not_hold_a_sibling_with_the_same_prefix():
    assert contains("/tv", "/tvshows/Show") is False


def test_windows_locations_compare_without_case():
    assert contains("D:\\TV", "d:\\tv\\Show") is True
