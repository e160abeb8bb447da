"""RTorrent without a daemon: every flag combination rTorrent 0.9.8 reports mapped to a
status, the item fields, and the row type checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.downloadclients.base import DownloadStatus
from integrations.downloadclients.providers.rtorrent.mapping import (
    FIELD_NAMES,
    HASH_CHECK_FAILED,
    STATES,
    to_item,
    to_row,
)
from integrations.errors import ProtocolError

S = DownloadStatus
HASH = "8F9F71F9706EBF21E50D688503749C707982778C"
TRACKER = "Tracker: [Couldn't connect to server]"


def row(**fields) -> dict:
    """A d.multicall2 row as rTorrent 0.9.8 sends it for a seeding single-file torrent."""
    base = {
        "hash": HASH,
        "name": "Show.S01E01.1080p.mkv",
        "state": 1,
        "is_open": 1,
        "is_active": 1,
        "complete": 1,
        "is_hash_checking": 0,
        "hashing": 0,
        "is_meta": 0,
        "size_bytes": 2000,
        "completed_bytes": 2000,
        "left_bytes": 0,
        "down.rate": 0,
        "up.rate": 7,
        "ratio": 1500,
        "custom1": "tv",
        "directory": "/downloads/tv",
        "base_path": "/downloads/tv/Show.S01E01.1080p.mkv",
        "is_multi_file": 0,
        "message": "",
        "load_date": 1700000000,
        "timestamp.finished": 1700000100,
        "peers_connected": 5,
        "peers_complete": 2,
    }
    return base | fields


INCOMPLETE = {"complete": 0, "completed_bytes": 500, "left_bytes": 1500, "timestamp.finished": 0}

# (raw state, flags, status, message): one case per state the flags can produce.
STATE_CASES = [
    ("seeding", {}, S.SEEDING, ""),
    ("downloading", INCOMPLETE, S.DOWNLOADING, ""),
    (
        "metadata",
        INCOMPLETE | {"is_meta": 1, "size_bytes": 1, "left_bytes": 1},
        S.DOWNLOADING,
        "downloading metadata",
    ),
    (
        "checking",
        INCOMPLETE | {"is_active": 0, "is_hash_checking": 1, "hashing": 1},
        S.CHECKING,
        "checking files",
    ),
    (
        "check_queued",
        INCOMPLETE | {"is_active": 0, "hashing": 3},
        S.CHECKING,
        "waiting to check files",
    ),
    ("paused", INCOMPLETE | {"is_active": 0}, S.PAUSED, "paused"),
    ("paused_complete", {"is_active": 0}, S.COMPLETED, ""),
    ("stopped", INCOMPLETE | {"state": 0, "is_active": 0}, S.PAUSED, "stopped"),
    ("stopped_complete", {"state": 0, "is_active": 0}, S.COMPLETED, ""),
    (
        "stopped_complete",  # closed (after d.close or a restart): the same as stopped
        {"state": 0, "is_active": 0, "is_open": 0, "base_path": ""},
        S.COMPLETED,
        "",
    ),
    (
        "missing_files",
        INCOMPLETE | {"state": 0, "is_active": 0, "message": HASH_CHECK_FAILED},
        S.WARNING,
        "files missing or changed on disk: rTorrent's hash check failed",
    ),
    (
        "error",
        {
            "state": 0,
            "is_active": 0,
            "message": "Storage error: [File chunk write error: No space]",
        },
        S.WARNING,
        "rTorrent reports: Storage error: [File chunk write error: No space]",
    ),
    (
        "relative_path",
        {"directory": "./", "base_path": "./Show.S01E01.1080p.mkv"},
        S.WARNING,
        "rTorrent saves this download under a relative path (./); set an absolute directory "
        "in idkarr or directory.default in rtorrent.rc",
    ),
    (
        "unknown:state=2,is_open=1,is_active=1,complete=1,checking=0",
        {"state": 2},
        S.UNKNOWN,
        "unknown rTorrent state (state=2,is_open=1,is_active=1,complete=1,checking=0)",
    ),
    (
        "unknown:state=1,is_open=0,is_active=1,complete=1,checking=0",
        {"is_open": 0},
        S.UNKNOWN,
        "unknown rTorrent state (state=1,is_open=0,is_active=1,complete=1,checking=0)",
    ),
]


@pytest.mark.parametrize(
    ("raw", "flags", "status", "message"),
    STATE_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(STATE_CASES)],
)
def test_flags_map_to_state_status_and_message(raw, flags, status, message):
    item = to_item(row(**flags))
    assert (item.raw_state, item.status, item.message) == (raw, status, message)


def test_every_named_state_has_a_case():
    assert {c[0] for c in STATE_CASES if not c[0].startswith("unknown")} == set(STATES)


def test_no_state_maps_to_failed():
    assert all(status != S.FAILED for status, _ in STATES.values())


def test_tracker_message_does_not_make_a_stopped_torrent_a_warning():
    item = to_item(row(**INCOMPLETE, state=0, is_active=0, message=TRACKER))
    assert (item.status, item.message) == (S.PAUSED, "stopped")


def test_tracker_message_is_shown_while_downloading():
    item = to_item(row(**INCOMPLETE, message=TRACKER))
    assert (item.status, item.message) == (S.DOWNLOADING, TRACKER)


def test_tracker_message_is_not_shown_while_seeding():
    assert to_item(row(message=TRACKER)).message == ""


def test_error_message_on_an_active_download_is_only_information():
    item = to_item(row(**INCOMPLETE, message="Storage error: [disk hiccup]"))
    assert (item.status, item.message) == (S.DOWNLOADING, "Storage error: [disk hiccup]")


# -- item fields -------------------------------------------------------------------------------
def test_item_fields_come_from_the_row():
    item = to_item(row(), now=1700000400)
    assert (item.id, item.title, item.category) == (HASH.lower(), "Show.S01E01.1080p.mkv", "tv")
    assert (item.size, item.size_left, item.progress) == (2000, 0, 1.0)
    assert (item.upload_speed, item.ratio, item.seeds, item.peers) == (7, 1.5, 2, 3)
    assert item.added_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert item.completed_on == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)
    assert item.seeding_time == 300
    assert (item.save_path, item.output_path) == (
        "/downloads/tv",
        "/downloads/tv/Show.S01E01.1080p.mkv",
    )


def test_progress_and_eta_of_a_download():
    item = to_item(row(**INCOMPLETE, **{"down.rate": 100}))
    assert (item.progress, item.size_left, item.eta, item.download_speed) == (0.25, 1500, 15, 100)


def test_eta_is_none_without_download_rate():
    assert to_item(row(**INCOMPLETE)).eta is None


def test_unfinished_download_has_no_completion_or_seeding_time():
    item = to_item(row(**INCOMPLETE))
    assert (item.completed_on, item.seeding_time) == (None, None)


def test_metadata_pseudo_download_reports_no_size():
    meta = {"is_meta": 1, "size_bytes": 1, "left_bytes": 1, "completed_bytes": 0}
    item = to_item(row(**(INCOMPLETE | meta)))
    assert (item.size, item.size_left, item.progress) == (0, 0, 0.0)


def test_multi_file_save_path_is_the_parent_of_the_torrent_folder():
    item = to_item(
        row(is_multi_file=1, directory="/downloads/tv/Show.S01", base_path="/downloads/tv/Show.S01")
    )
    assert (item.save_path, item.output_path) == ("/downloads/tv", "/downloads/tv/Show.S01")


def test_closed_single_file_download_rebuilds_its_content_path():
    item = to_item(row(state=0, is_open=0, is_active=0, base_path=""))
    assert item.output_path == "/downloads/tv/Show.S01E01.1080p.mkv"


def test_closed_multi_file_download_uses_its_directory_as_content_path():
    item = to_item(row(state=0, is_open=0, is_active=0, base_path="", is_multi_file=1))
    assert item.output_path == "/downloads/tv"


def test_rutorrent_url_encoded_label_is_decoded():
    assert to_item(row(custom1="TV%20Shows")).category == "TV Shows"


def test_unset_load_date_gives_no_added_time():
    assert to_item(row(load_date=0)).added_on is None


# -- rows --------------------------------------------------------------------------------------
def test_row_is_named_in_field_order():
    values = list(row().values())
    assert list(FIELD_NAMES) == list(row().keys())
    assert to_row(values) == row()


def test_field_of_the_wrong_type_is_a_protocol_error():
    values = list(row(size_bytes="big").values())
    with pytest.raises(ProtocolError, match=r"d\.size_bytes of an unexpected type \(str\)"):
        to_row(values)


def test_row_of_the_wrong_length_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="23 fields instead of 24"):
        to_row(list(row().values())[:-1])
