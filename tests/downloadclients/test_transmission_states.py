"""Transmission without a daemon: every status mapped, the item fields, categories as
directories, and the settings the console builds its form from. Torrent dicts are in
the shape transmission-daemon 3.00 (RPC 16) sends for ``torrent-get``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.downloadclients.base import Capability, DownloadStatus
from integrations.downloadclients.providers.transmission import Transmission, TransmissionSettings
from integrations.downloadclients.providers.transmission.mapping import (
    category_dir,
    category_of,
    check_category,
    to_item,
)
from integrations.errors import ConfigurationError, ProtocolError

S = DownloadStatus
HASH = "8f9f71f9706ebf21e50d688503749c707982778c"
BASE = "/downloads"


def torrent(**fields) -> dict:
    """A torrent-get entry as 3.00 sends it for a torrent half downloaded into <base>/tv."""
    base = {
        "hashString": HASH,
        "name": "Show.S01E01.1080p",
        "status": 4,
        "error": 0,
        "errorString": "",
        "percentDone": 0.5,
        "totalSize": 2000,
        "sizeWhenDone": 1000,
        "leftUntilDone": 500,
        "rateDownload": 10,
        "rateUpload": 2,
        "eta": 50,
        "downloadDir": "/downloads/tv",
        "addedDate": 1700000000,
        "doneDate": 0,
        "uploadRatio": 0.25,
        "secondsSeeding": 0,
        "peersSendingToUs": 3,
        "peersGettingFromUs": 4,
        "isFinished": False,
        "isStalled": False,
        "metadataPercentComplete": 1,
        "labels": [],
    }
    return base | fields


COMPLETE = {"percentDone": 1.0, "leftUntilDone": 0}
MAGNET = {"totalSize": 0, "sizeWhenDone": 0, "leftUntilDone": 0, "metadataPercentComplete": 0}


def item(**fields):
    return to_item(torrent(**fields), BASE)


# -- status mapping: one test per Transmission status and condition -------------------------
def test_it_maps_stopped_unfinished_torrent_to_paused():
    got = item(status=0)
    assert (got.status, got.message, got.raw_state) == (S.PAUSED, "", "stopped")


def test_it_maps_stopped_finished_torrent_to_completed():
    got = item(status=0, **COMPLETE)
    assert (got.status, got.message) == (S.COMPLETED, "")


def test_it_maps_torrent_stopped_by_its_seeding_limit_to_completed_with_a_message():
    got = item(status=0, isFinished=True, **COMPLETE)
    assert (got.status, got.message) == (S.COMPLETED, "seeding limit reached")


def test_it_maps_stopped_magnet_without_metadata_to_paused_not_completed():
    got = item(status=0, **MAGNET)
    assert (got.status, got.message) == (S.PAUSED, "paused before its metadata arrived")


def test_it_maps_check_wait_to_checking():
    got = item(status=1)
    assert (got.status, got.message, got.raw_state) == (
        S.CHECKING,
        "queued for verification",
        "check-wait",
    )


def test_it_maps_check_to_checking():
    got = item(status=2)
    assert (got.status, got.message, got.raw_state) == (S.CHECKING, "verifying local data", "check")


def test_it_maps_download_wait_to_queued():
    got = item(status=3)
    assert (got.status, got.message, got.raw_state) == (
        S.QUEUED,
        "queued for download",
        "download-wait",
    )


def test_it_maps_download_to_downloading():
    got = item(status=4)
    assert (got.status, got.message, got.raw_state) == (S.DOWNLOADING, "", "download")


def test_it_maps_downloading_magnet_without_metadata_to_downloading_metadata():
    got = item(status=4, **MAGNET)
    assert (got.status, got.message) == (S.DOWNLOADING, "downloading metadata")


def test_it_maps_stalled_download_to_warning():
    got = item(status=4, isStalled=True)
    assert (got.status, got.message) == (
        S.WARNING,
        "stalled: no data received for a while (downloading)",
    )


def test_it_maps_stalled_magnet_to_warning_naming_the_metadata():
    got = item(status=4, isStalled=True, **MAGNET)
    assert got.status == S.WARNING
    assert got.message.endswith("(fetching metadata)")


def test_it_maps_seed_wait_to_seeding_queued():
    got = item(status=5, **COMPLETE)
    assert (got.status, got.message, got.raw_state) == (
        S.SEEDING,
        "queued for seeding",
        "seed-wait",
    )


def test_it_maps_seed_to_seeding():
    got = item(status=6, **COMPLETE)
    assert (got.status, got.message, got.raw_state) == (S.SEEDING, "", "seed")


def test_it_maps_an_unknown_status_to_unknown_naming_it():
    got = item(status=16)  # a pre-RPC-14 "stopped"
    assert (got.status, got.message, got.raw_state) == (
        S.UNKNOWN,
        "unknown Transmission status 16",
        "16",
    )


def test_it_maps_a_local_error_to_warning_with_its_text():
    got = item(status=0, error=3, errorString="Permission denied (/downloads/tv)")
    assert (got.status, got.message) == (
        S.WARNING,
        "Transmission error: Permission denied (/downloads/tv)",
    )


def test_it_maps_missing_data_to_a_missing_files_warning():
    text = 'No data found! Ensure your drives are connected or use "Set Location".'
    got = item(status=0, error=3, errorString=text, **COMPLETE)
    assert (got.status, got.message) == (S.WARNING, f"missing files: {text}")


def test_it_maps_a_tracker_error_to_warning():
    got = item(status=6, error=2, errorString="unregistered torrent", **COMPLETE)
    assert (got.status, got.message) == (S.WARNING, "tracker error: unregistered torrent")


def test_a_tracker_warning_keeps_the_status_and_adds_a_message():
    got = item(status=6, error=1, errorString="slow down", **COMPLETE)
    assert (got.status, got.message) == (S.SEEDING, "tracker warning: slow down")


def test_a_tracker_warning_is_appended_to_an_existing_message():
    got = item(status=3, error=1, errorString="slow down")
    assert got.message == "queued for download; tracker warning: slow down"


def test_no_status_maps_to_failed_or_error():
    statuses = {
        to_item(torrent(status=code, error=error, errorString="x", **extra), BASE).status
        for code in range(8)
        for error in range(4)
        for extra in ({}, COMPLETE, MAGNET)
    }
    assert not statuses & {S.FAILED, S.ERROR}


# -- item fields -----------------------------------------------------------------------------
def test_item_fields_come_from_the_torrent():
    got = item(doneDate=1700000100, labels=["tv", "hd"])
    assert (got.id, got.title, got.category, got.save_path) == (
        HASH,
        "Show.S01E01.1080p",
        "tv",
        "/downloads/tv",
    )
    assert (got.size, got.size_left, got.progress) == (1000, 500, 0.5)
    assert (got.download_speed, got.upload_speed, got.seeds, got.peers) == (10, 2, 3, 4)
    assert got.added_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert got.completed_on == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)
    assert (got.ratio, got.seeding_time) == (0.25, 0)
    assert got.tags == ["hd"]  # the category label is not repeated as a tag


def test_uppercase_hash_becomes_lowercase_id():
    assert item(hashString=HASH.upper()).id == HASH


@pytest.mark.parametrize("eta", [-1, -2])
def test_unknown_eta_becomes_none(eta):
    assert item(eta=eta).eta is None


def test_finite_eta_is_kept():
    assert item(eta=120).eta == 120


@pytest.mark.parametrize("ratio", [-1, -2])
def test_unavailable_or_infinite_ratio_becomes_none(ratio):
    assert item(uploadRatio=ratio).ratio is None


def test_unfinished_torrent_has_no_completion_time():
    assert item(doneDate=0).completed_on is None


def test_size_falls_back_to_total_size_when_nothing_is_wanted_yet():
    assert item(sizeWhenDone=0, totalSize=2000).size == 2000


def test_output_path_is_the_download_dir_joined_with_the_name():
    assert item(**COMPLETE).output_path == "/downloads/tv/Show.S01E01.1080p"


def test_magnet_without_metadata_has_no_output_path():
    assert item(**MAGNET).output_path == ""


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        item(percentDone="half")


def test_labels_that_are_not_a_list_are_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        item(labels="tv")


# -- categories are directories --------------------------------------------------------------
@pytest.mark.parametrize(
    ("download_dir", "category"),
    [
        ("/downloads/tv", "tv"),
        ("/downloads/tv/", "tv"),
        ("/downloads/tv/Season 1", "tv"),
        ("/downloads", ""),
        ("/downloads/", ""),
        ("/elsewhere/tv", ""),
        ("/downloads-old/tv", ""),
    ],
)
def test_category_is_the_first_directory_below_the_base(download_dir, category):
    assert category_of(download_dir, "/downloads") == category


def test_windows_paths_are_understood():
    assert category_of("D:\\Torrents\\tv", "D:\\Torrents\\") == "tv"
    assert category_dir("D:\\Torrents", "tv") == "D:\\Torrents\\tv"


def test_category_dir_of_no_category_is_the_base():
    assert category_dir("/downloads/", "") == "/downloads"


@pytest.mark.parametrize("name", ["a/b", "a\\b", "..", ".", " tv", "tv\n", "x" * 256])
def test_names_that_are_not_one_directory_are_not_categories(name):
    with pytest.raises(ConfigurationError, match="not a valid Transmission category"):
        check_category(name)


@pytest.mark.parametrize("name", ["tv-idkarr", "Movies 4K", "séries.fr", "anime_2"])
def test_directory_names_are_valid_categories(name):
    check_category(name)


# -- settings and capabilities ---------------------------------------------------------------
def test_defaults_point_at_transmissions_own_rpc_url():
    settings = TransmissionSettings()
    assert (settings.port, settings.url_base) == (9091, "/transmission/")
    assert settings.base_url() == "http://127.0.0.1:9091/transmission"


def test_every_setting_has_a_description():
    schema = TransmissionSettings.model_json_schema()["properties"]
    assert [name for name, prop in schema.items() if not prop.get("description")] == []


def test_the_password_is_the_only_secret():
    assert TransmissionSettings.secret_fields() == ["password"]


def test_it_claims_no_usenet_or_libtorrent_only_capabilities():
    claimed = Transmission.capabilities
    missing = {Capability.USENET, Capability.NZB, Capability.SEQUENTIAL}
    missing |= {Capability.FIRST_LAST_PIECE, Capability.INCREMENTAL_SYNC}
    assert not claimed & missing
    assert {Capability.MAGNET, Capability.TORRENT_FILE, Capability.CATEGORIES} <= claimed
