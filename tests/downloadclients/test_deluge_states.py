"""Deluge without a daemon: every state mapped, item fields, and Deluge's error texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.downloadclients.base import DownloadStatus
from integrations.downloadclients.providers.deluge.client import parse_remote, sanitize
from integrations.downloadclients.providers.deluge.mapping import to_item
from integrations.errors import ProtocolError
from tests.downloadclients.deluge_fixtures import HASH, failure_text, torrent

S = DownloadStatus


# -- state mapping: one case per Deluge state (and completeness) ------------------------------
STATE_CASES = [
    ("Queued", False, {}, S.QUEUED, "queued"),
    ("Queued", True, {}, S.SEEDING, "queued for seeding"),
    ("Checking", False, {}, S.CHECKING, "checking files"),
    ("Checking", True, {}, S.CHECKING, "checking files"),
    ("Downloading", False, {}, S.DOWNLOADING, ""),
    ("Downloading", False, {"total_size": 0, "total_wanted": 0}, S.DOWNLOADING, "downloading metadata"),
    ("Seeding", True, {}, S.SEEDING, ""),
    ("Paused", False, {}, S.PAUSED, ""),
    ("Paused", True, {}, S.COMPLETED, ""),
    ("Error", False, {"message": "Missing or invalid torrent data!"}, S.WARNING,
     "Deluge reports an error: Missing or invalid torrent data!"),
    ("Moving", True, {}, S.DOWNLOADING, "moving files"),
    ("Allocating", False, {}, S.DOWNLOADING, "allocating disk space"),
    ("checking_fastresume", False, {}, S.UNKNOWN, "unknown state checking_fastresume"),
    ("", False, {}, S.UNKNOWN, "unknown state (none)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "finished", "extra", "status", "message"),
    STATE_CASES,
    ids=[
        f"{c[0] or 'empty'}-{'finished' if c[1] else 'incomplete'}-{c[4] or 'plain'}"
        for c in STATE_CASES
    ],
)
def test_state_maps_to_status_and_message(state, finished, extra, status, message):
    fields = {"state": state, "is_finished": finished, "progress": 100.0 if finished else 50.0}
    item = to_item(HASH, torrent(**fields, **extra))
    assert (item.status, item.message, item.raw_state) == (status, message, state)


def test_no_state_maps_to_failed():
    assert all(status != S.FAILED for *_, status, _ in STATE_CASES)


def test_paused_torrent_at_full_progress_not_yet_marked_finished_is_completed():
    item = to_item(HASH, torrent(state="Paused", is_finished=False, progress=100.0))
    assert item.status == S.COMPLETED


# -- item fields -------------------------------------------------------------------------------
def test_item_fields_come_from_the_torrent():
    item = to_item(HASH.upper(), torrent())
    assert (item.id, item.title, item.category) == (HASH, "Show.S01E01.1080p", "tv")
    assert (item.progress, item.size, item.size_left) == (0.5, 1000, 500)
    assert (item.download_speed, item.upload_speed, item.seeds, item.peers) == (10, 2, 3, 4)
    assert (item.eta, item.ratio, item.save_path) == (50, 0.25, "/downloads")
    assert item.added_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_output_path_is_the_save_path_joined_with_the_name():
    assert to_item(HASH, torrent()).output_path == "/downloads/Show.S01E01.1080p"


def test_finished_torrent_has_its_completion_time_and_no_eta():
    item = to_item(
        HASH, torrent(state="Seeding", is_finished=True, progress=100.0, completed_time=1700000100)
    )
    assert item.completed_on == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)
    assert item.eta == 0


def test_unfinished_torrent_has_no_completion_time():
    assert to_item(HASH, torrent(completed_time=1700000100)).completed_on is None


def test_zero_eta_of_a_download_is_unknown():
    assert to_item(HASH, torrent(eta=0)).eta is None


def test_negative_ratio_of_a_magnet_without_data_is_unknown():
    assert to_item(HASH, torrent(ratio=-1.0)).ratio is None


def test_size_falls_back_to_total_size_when_nothing_is_wanted_yet():
    assert to_item(HASH, torrent(total_wanted=0, total_size=2000)).size == 2000


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        to_item(HASH, torrent(progress="half"))


# -- remote error texts ------------------------------------------------------------------------
def test_remote_failure_is_parsed_to_type_and_first_line():
    text = failure_text("AddTorrentError", "Torrent already in session (abc).")
    assert parse_remote(text) == ("AddTorrentError", "Torrent already in session (abc).")


def test_sanitize_hides_magnet_parameters_and_url_secrets():
    text = "bad magnet:?xt=urn:btih:x&tr=http://t/announce?passkey=p1 and http://h/x?apikey=k2"
    cleaned = sanitize(text)
    assert "p1" not in cleaned and "k2" not in cleaned
    assert "[magnet link]" in cleaned and "apikey=***" in cleaned
