"""aria2 entry → DownloadItem mapping, gid grouping and paths (no daemon, no network)."""

from __future__ import annotations

import os

import pytest

from integrations.downloadclients.base import DownloadStatus
from integrations.downloadclients.providers.aria2.client import rpc_path
from integrations.downloadclients.providers.aria2.mapping import (
    ERROR_CODES,
    group_entries,
    map_status,
    to_item,
    visible_entry,
)
from integrations.downloadclients.providers.aria2.paths import (
    category_dir,
    category_of,
    delete_inside,
)
from integrations.errors import ConfigurationError, ProtocolError

S = DownloadStatus
HASH = "8f9f71f9706ebf21e50d688503749c707982778c"
BASE = "/downloads"


def entry(**fields) -> dict:
    """A single-file torrent as aria2's tellStatus reports it (numbers are strings)."""
    data = {
        "gid": "86e1529903467b4b",
        "status": "active",
        "totalLength": "65536",
        "completedLength": "16384",
        "uploadLength": "0",
        "downloadSpeed": "0",
        "uploadSpeed": "0",
        "connections": "2",
        "numSeeders": "1",
        "seeder": "false",
        "infoHash": HASH,
        "dir": f"{BASE}/tv-idkarr",
        "bittorrent": {"info": {"name": "Show.S01E01.mkv"}, "mode": "single"},
        "files": [{"path": f"{BASE}/tv-idkarr/Show.S01E01.mkv", "completedLength": "16384"}],
    }
    data.update(fields)
    return data


def magnet_parent(**fields) -> dict:
    defaults = {
        "totalLength": "0",
        "completedLength": "0",
        "connections": "0",
        "bittorrent": {"announceList": [["http://127.0.0.1:1/announce"]]},
        "files": [{"path": "[METADATA]Show.S01E01", "completedLength": "0"}],
    }
    return entry(**(defaults | fields))


def http_file(**fields) -> dict:
    data = {
        "gid": "4ce70d97500f73c7",
        "status": "active",
        "totalLength": "1000",
        "completedLength": "500",
        "downloadSpeed": "100",
        "connections": "1",
        "dir": f"{BASE}/movies-idkarr",
        "files": [{"path": f"{BASE}/movies-idkarr/Movie.2020.mkv", "uris": []}],
    }
    data.update(fields)
    return data


# -- one test per aria2 status ------------------------------------------------------------
def test_it_maps_an_active_seeder_to_seeding():
    assert map_status(entry(seeder="true", completedLength="65536")) == (S.SEEDING, "")


def test_it_maps_an_active_unfinished_torrent_to_downloading():
    assert map_status(entry()) == (S.DOWNLOADING, "")


def test_it_maps_an_active_torrent_without_peers_to_downloading_with_a_message():
    assert map_status(entry(connections="0")) == (S.DOWNLOADING, "no connections to peers yet")


def test_it_maps_an_active_magnet_without_metadata_to_downloading_metadata():
    assert map_status(magnet_parent()) == (S.DOWNLOADING, "downloading metadata")


def test_it_maps_an_active_hash_check_to_checking():
    assert map_status(entry(verifiedLength="32768")) == (S.CHECKING, "checking files")


def test_it_maps_an_active_http_download_to_downloading():
    assert map_status(http_file()) == (S.DOWNLOADING, "")


def test_it_maps_waiting_to_queued():
    assert map_status(entry(status="waiting")) == (S.QUEUED, "queued")


def test_it_maps_waiting_for_a_hash_check_to_checking():
    waiting = entry(status="waiting", verifyIntegrityPending="true")
    assert map_status(waiting) == (S.CHECKING, "waiting to check files")


def test_it_maps_a_waiting_finished_torrent_to_seeding_queued():
    waiting = entry(status="waiting", completedLength="65536")
    assert map_status(waiting) == (S.SEEDING, "queued for seeding")


def test_it_maps_a_paused_unfinished_download_to_paused():
    assert map_status(entry(status="paused")) == (S.PAUSED, "")


def test_it_maps_a_paused_finished_torrent_to_completed():
    assert map_status(entry(status="paused", completedLength="65536")) == (S.COMPLETED, "")


def test_it_maps_complete_to_completed():
    assert map_status(entry(status="complete", completedLength="65536")) == (S.COMPLETED, "")


def test_it_maps_a_download_removed_before_it_finished_to_failed():
    assert map_status(entry(status="removed")) == (S.FAILED, "removed in aria2 before it finished")


def test_it_maps_a_download_removed_after_it_finished_to_completed():
    removed = entry(status="removed", completedLength="65536")
    assert map_status(removed)[0] == S.COMPLETED


def test_it_maps_an_unknown_status_to_unknown_naming_it():
    assert map_status(entry(status="hibernating")) == (
        S.UNKNOWN,
        "unknown aria2 status 'hibernating'",
    )


# -- one test per aria2 error code ---------------------------------------------------------
@pytest.mark.parametrize(("code", "expected"), sorted(ERROR_CODES.items()))
def test_error_code_maps_to_status_and_names_the_cause(code, expected):
    status, meaning = expected
    failed = entry(status="error", errorCode=str(code), errorMessage="remote text")
    assert map_status(failed) == (status, f"{meaning}: remote text")


@pytest.mark.parametrize("code", [9, 13, 15, 16, 17, 18])
def test_local_disk_and_file_errors_are_warnings_not_failures(code):
    assert ERROR_CODES[code][0] == S.WARNING


def test_unknown_error_code_is_failed_naming_the_code():
    failed = entry(status="error", errorCode="99", errorMessage="")
    assert map_status(failed) == (S.FAILED, "aria2 error 99")


def test_error_message_urls_have_their_api_key_redacted():
    failed = entry(
        status="error",
        errorCode="3",
        errorMessage="Not found: http://idx.example/get?apikey=s3cr3t",
    )
    _, message = map_status(failed)
    assert "s3cr3t" not in message
    assert "apikey=***" in message


# -- item fields ---------------------------------------------------------------------------
def test_item_fields_come_from_the_entry():
    item = to_item(entry(downloadSpeed="1024", uploadLength="32768"), BASE)
    assert item.id == HASH
    assert item.title == "Show.S01E01.mkv"
    assert (item.size, item.size_left, item.progress) == (65536, 49152, 0.25)
    assert item.eta == 48
    assert item.ratio == 0.5
    assert (item.seeds, item.peers) == (1, 2)
    assert (item.category, item.save_path) == ("tv-idkarr", f"{BASE}/tv-idkarr")
    assert item.output_path == f"{BASE}/tv-idkarr/Show.S01E01.mkv"
    assert item.raw_state == "active"


def test_eta_is_none_without_download_speed():
    assert to_item(entry(), BASE).eta is None


def test_magnet_metadata_download_reports_no_size_or_progress():
    item = to_item(magnet_parent(totalLength="5000", completedLength="5000"), BASE)
    assert (item.size, item.progress, item.title) == (0, 0.0, "Show.S01E01")


def test_seeding_torrent_has_nothing_left():
    item = to_item(entry(seeder="true", completedLength="65536"), BASE)
    assert (item.size_left, item.progress) == (0, 1.0)


def test_multi_file_torrent_output_path_is_its_top_folder():
    multi = entry(
        bittorrent={"info": {"name": "Show.S01"}, "mode": "multi"},
        files=[
            {"path": f"{BASE}/tv-idkarr/Show.S01/e1.mkv"},
            {"path": f"{BASE}/tv-idkarr/Show.S01/e2.mkv"},
        ],
    )
    assert to_item(multi, BASE).output_path == f"{BASE}/tv-idkarr/Show.S01"


def test_http_download_is_named_by_its_gid_and_file():
    item = to_item(http_file(), BASE)
    assert (item.id, item.title, item.category) == (
        "4ce70d97500f73c7",
        "Movie.2020.mkv",
        "movies-idkarr",
    )
    assert (item.ratio, item.seeds) == (None, None)


def test_http_download_without_a_path_yet_is_named_after_its_uri():
    starting = http_file(files=[{"path": "", "uris": [{"uri": "http://h/x/Movie.mkv?k=1"}]}])
    assert to_item(starting, BASE).title == "Movie.mkv"


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="field of an unexpected type"):
        to_item(entry(totalLength="lots"), BASE)


def test_windows_paths_keep_their_separator():
    win = entry(dir="D:\\dl\\tv", files=[{"path": "D:\\dl\\tv\\a.mkv"}])
    assert to_item(win, "D:\\dl").category == "tv"


# -- grouping gids into releases -----------------------------------------------------------
def test_magnet_parent_is_hidden_behind_its_follow_up():
    parent = magnet_parent(status="complete", followedBy=["2d782746a39bc135"])
    child = entry(gid="2d782746a39bc135", following=parent["gid"], seeder="true")
    groups, ids = group_entries([parent, child])
    assert list(groups) == [HASH]
    assert visible_entry(groups[HASH]) is child
    assert ids[parent["gid"]] == HASH


def test_url_download_takes_the_infohash_of_the_torrent_it_became():
    fetch = http_file(gid="b93e548ff5123f5a", status="complete", followedBy=["a39a5c8893f83a4e"])
    torrent = entry(gid="a39a5c8893f83a4e", following="b93e548ff5123f5a")
    groups, ids = group_entries([fetch, torrent])
    assert list(groups) == [HASH]
    assert ids["b93e548ff5123f5a"] == HASH


def test_duplicate_add_error_is_hidden_behind_the_original():
    original = entry(seeder="true")
    duplicate = entry(gid="1631b17f6ea5e851", status="error", errorCode="12")
    groups, _ = group_entries([duplicate, original])
    assert visible_entry(groups[HASH]) is original


def test_parent_whose_follow_up_is_gone_shows_nothing():
    parent = magnet_parent(status="complete", followedBy=["2d782746a39bc135"])
    groups, _ = group_entries([parent])
    assert visible_entry(groups[HASH]) is None


# -- paths -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url_base", "path"),
    [
        ("", "/jsonrpc"),
        ("/jsonrpc", "/jsonrpc"),
        ("/aria2", "/aria2/jsonrpc"),
        ("aria2/jsonrpc/", "/aria2/jsonrpc"),
    ],
)
def test_url_base_becomes_the_json_rpc_path(url_base, path):
    assert rpc_path(url_base) == path


def test_xml_rpc_url_base_is_a_configuration_error_naming_the_json_rpc_path():
    with pytest.raises(
        ConfigurationError, match="XML-RPC endpoint.*set the URL base to /aria2/jsonrpc"
    ):
        rpc_path("/aria2/rpc")


def test_category_is_a_subdirectory_of_the_base_directory():
    assert category_dir("/downloads", "tv/hd") == "/downloads/tv/hd"
    assert category_dir("/downloads", "") == "/downloads"


@pytest.mark.parametrize("bad", ["../etc", "/abs", "tv/", "a//b", "a\\b", "C:", "tv/./x"])
def test_category_that_could_leave_the_directory_is_refused(bad):
    with pytest.raises(ConfigurationError, match="aria2 cannot use the category"):
        category_dir("/downloads", bad)


@pytest.mark.parametrize(
    ("directory", "category"),
    [
        ("/downloads/tv", "tv"),
        ("/downloads/tv/hd/", "tv/hd"),
        ("/downloads", ""),
        ("/other/tv", ""),
        ("/downloads/../x", ""),
    ],
)
def test_category_is_read_back_from_the_directory(directory, category):
    assert category_of(directory, "/downloads") == category


def test_delete_inside_deletes_the_file_its_control_file_and_emptied_folders(tmp_path):
    folder = tmp_path / "Show.S01"
    folder.mkdir()
    (folder / "e1.mkv").write_text("x")
    (folder / "e1.mkv.aria2").write_text("x")
    delete_inside(str(tmp_path), str(folder / "e1.mkv"))
    assert list(tmp_path.iterdir()) == []


def test_delete_inside_refuses_a_path_outside_the_directory(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (tmp_path / "dl").mkdir()
    os.symlink(outside, tmp_path / "dl" / "link.mkv")
    delete_inside(str(tmp_path / "dl"), str(tmp_path / "dl" / "../outside.txt"))
    delete_inside(str(tmp_path / "dl"), str(tmp_path / "dl" / "link.mkv"))
    assert outside.read_text() == "keep"
