"""Remote path mappings: translation (prefix, longest match, Windows, no match) and validation."""

from __future__ import annotations

from types import SimpleNamespace as M

import pytest
from django.core.exceptions import ValidationError

from integrations.downloadclients.models import RemotePathMapping, map_path


def m(host, remote, local):
    return M(host=host, remote_path=remote, local_path=local)


def test_prefix_is_replaced_by_the_local_path():
    maps = [m("nas", "/downloads/", "/mnt/nas/downloads/")]
    assert map_path(maps, "nas", "/downloads/tv/Show.S01E01") == "/mnt/nas/downloads/tv/Show.S01E01"


def test_longest_matching_remote_prefix_wins():
    maps = [m("nas", "/data/", "/a/"), m("nas", "/data/tv/", "/b/")]
    assert map_path(maps, "nas", "/data/tv/x.mkv") == "/b/x.mkv"
    assert map_path(maps, "nas", "/data/movies/y.mkv") == "/a/movies/y.mkv"


def test_prefix_matches_whole_directory_names_only():
    maps = [m("nas", "/data/tv", "/b")]
    assert map_path(maps, "nas", "/data/tvshows/x") == "/data/tvshows/x"


def test_path_equal_to_the_remote_directory_maps_to_the_local_directory():
    assert map_path([m("nas", "/data/", "/b/")], "nas", "/data") == "/b"


def test_windows_remote_path_maps_case_insensitively_with_forward_slashes():
    maps = [m("win", "D:\\Downloads\\", "/mnt/win/downloads/")]
    assert (
        map_path(maps, "win", "d:\\downloads\\TV\\Show\\ep.mkv")
        == "/mnt/win/downloads/TV/Show/ep.mkv"
    )


def test_windows_unc_remote_path_maps():
    maps = [m("win", "\\\\server\\share", "/mnt/share")]
    assert map_path(maps, "win", "\\\\server\\share\\tv\\a.mkv") == "/mnt/share/tv/a.mkv"


def test_path_without_a_matching_mapping_is_unchanged():
    maps = [m("nas", "/downloads/", "/mnt/")]
    assert map_path(maps, "nas", "/elsewhere/x") == "/elsewhere/x"


def test_mapping_of_another_host_does_not_apply():
    maps = [m("other", "/downloads/", "/mnt/")]
    assert map_path(maps, "nas", "/downloads/x") == "/downloads/x"


def test_host_matches_case_insensitively():
    assert map_path([m("NAS.local", "/d/", "/l/")], "nas.LOCAL", "/d/x") == "/l/x"


@pytest.mark.django_db
def test_translate_uses_stored_mappings():
    RemotePathMapping.objects.create(host="nas", remote_path="/dl/", local_path="/mnt/dl/")
    assert RemotePathMapping.translate("nas", "/dl/a") == "/mnt/dl/a"


@pytest.mark.django_db
def test_clean_normalises_trailing_separators():
    mapping = RemotePathMapping(host=" NAS ", remote_path="C:/Downloads//", local_path="/mnt//d")
    mapping.full_clean()
    assert (mapping.host, mapping.remote_path, mapping.local_path) == (
        "nas",
        "C:\\Downloads\\",
        "/mnt/d/",
    )


@pytest.mark.django_db
def test_relative_remote_path_is_rejected():
    with pytest.raises(ValidationError) as err:
        RemotePathMapping(host="nas", remote_path="downloads", local_path="/d").full_clean()
    assert "remote_path" in err.value.message_dict


@pytest.mark.django_db
def test_relative_local_path_is_rejected():
    with pytest.raises(ValidationError) as err:
        RemotePathMapping(host="nas", remote_path="/d", local_path="d").full_clean()
    assert "local_path" in err.value.message_dict


@pytest.mark.django_db
def test_same_host_and_remote_path_twice_is_rejected_after_normalising():
    RemotePathMapping(host="nas", remote_path="/d/", local_path="/x/").save()
    with pytest.raises(ValidationError) as err:
        RemotePathMapping(host="NAS", remote_path="/d", local_path="/y").full_clean()
    assert "remote_path" in err.value.message_dict
