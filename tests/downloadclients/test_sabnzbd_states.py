"""SABnzbd state mapping: every queue and history status, one case each, on slots
shaped like SABnzbd 4.5.1's ``mode=queue`` / ``mode=history`` answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.downloadclients.base import DownloadStatus
from integrations.downloadclients.providers.sabnzbd.mapping import (
    HISTORY_STATES,
    history_item,
    output_path,
    parse_timeleft,
    queue_item,
)
from integrations.errors import ProtocolError

from .sabnzbd_fixtures import load

S = DownloadStatus
MIB = 1024 * 1024


def qslot(**fields) -> dict:
    """The first slot of queue.json (a downloading job), with ``fields`` replaced."""
    return load("queue")["queue"]["slots"][0] | fields


def hslot(**fields) -> dict:
    """The completed slot of history.json, with ``fields`` replaced."""
    return load("history")["history"]["slots"][1] | fields


# -- queue states: one case per status SABnzbd puts in a queue slot -----------------------------
QUEUE_CASES = [
    ("Downloading", S.DOWNLOADING, ""),
    ("Queued", S.QUEUED, "queued"),
    ("Paused", S.PAUSED, ""),
    ("Propagating", S.QUEUED, "waiting for the post to propagate"),
    ("Grabbing", S.QUEUED, "fetching the NZB"),
    ("Fetching", S.DOWNLOADING, "fetching extra par2 files"),
    ("Checking", S.CHECKING, "checking article availability (pre-check)"),
    ("Repairing", S.UNKNOWN, "unknown SABnzbd queue state Repairing"),
    ("SomethingNew", S.UNKNOWN, "unknown SABnzbd queue state SomethingNew"),
]


@pytest.mark.parametrize(
    ("state", "status", "message"), QUEUE_CASES, ids=[c[0] for c in QUEUE_CASES]
)
def test_queue_state_maps_to_status_and_message(state, status, message):
    item = queue_item(qslot(status=state), queue_paused=False)
    assert (item.status, item.message, item.raw_state) == (status, message, state)


def test_it_leaves_out_a_queue_job_being_deleted():
    assert queue_item(qslot(status="Deleted"), queue_paused=False) is None


# -- history states: one case per status of a history slot -------------------------------------
HISTORY_CASES = [
    ("Completed", S.COMPLETED, ""),
    ("Queued", S.DOWNLOADING, "waiting for post-processing"),
    ("QuickCheck", S.CHECKING, "quick-checking the files"),
    ("Verifying", S.CHECKING, "verifying the files (par2)"),
    ("Repairing", S.DOWNLOADING, "repairing (par2)"),
    ("Fetching", S.DOWNLOADING, "fetching extra par2 files"),
    ("Extracting", S.DOWNLOADING, "extracting"),
    ("Moving", S.DOWNLOADING, "moving files"),
    ("Running", S.DOWNLOADING, "running the post-processing script"),
    ("Paused", S.UNKNOWN, "unknown SABnzbd history state Paused"),
]


@pytest.mark.parametrize(
    ("state", "status", "message"), HISTORY_CASES, ids=[c[0] for c in HISTORY_CASES]
)
def test_history_state_maps_to_status_and_message(state, status, message):
    item = history_item(hslot(status=state))
    assert (item.status, item.message, item.raw_state) == (status, message, state)


def test_it_maps_a_failed_job_to_failed_with_sabnzbds_reason():
    item = history_item(
        hslot(status="Failed", fail_message="Download failed - Not on your server(s)")
    )
    assert (item.status, item.message) == (S.FAILED, "Download failed - Not on your server(s)")


def test_it_maps_a_failed_job_without_reason_to_failed():
    item = history_item(hslot(status="Failed", fail_message=""))
    assert (item.status, item.message) == (S.FAILED, "download failed")


def test_it_maps_the_disk_full_unpack_failure_to_warning():
    slot = hslot(status="Failed", fail_message="Unpacking failed, write error or disk is full?")
    assert history_item(slot).status == S.WARNING


def test_it_maps_the_disk_full_unpack_failure_with_details_to_warning():
    slot = hslot(
        status="Failed", fail_message="Unpacking failed, write error or disk is full? show.mkv"
    )
    assert history_item(slot).status == S.WARNING


def test_it_leaves_out_a_deleted_history_job():
    assert history_item(hslot(status="Deleted")) is None


def test_only_failed_history_jobs_map_to_failed():
    assert [s for s, (status, _) in HISTORY_STATES.items() if status == S.FAILED] == ["Failed"]


def test_post_processing_message_includes_sabnzbds_action_line():
    item = history_item(hslot(status="Extracting", action_line="Unpacking: 02/05", storage=""))
    assert item.message == "extracting (Unpacking: 02/05)"


# -- queue special cases -----------------------------------------------------------------------
def test_it_maps_a_job_labelled_encrypted_to_failed():
    item = queue_item(qslot(status="Paused", labels=["ENCRYPTED"]), queue_paused=False)
    assert item.status == S.FAILED
    assert "needs a password" in item.message


def test_it_strips_the_legacy_encrypted_title_prefix_and_fails_the_job():
    item = queue_item(qslot(filename="ENCRYPTED / Movie.2020"), queue_paused=False)
    assert (item.status, item.title) == (S.FAILED, "Movie.2020")


def test_it_maps_jobs_of_a_paused_queue_to_paused():
    item = queue_item(qslot(status="Queued"), queue_paused=True)
    assert (item.status, item.message) == (S.PAUSED, "SABnzbd's whole queue is paused")


def test_a_force_priority_job_keeps_downloading_while_the_queue_is_paused():
    item = queue_item(qslot(status="Downloading", priority="Force"), queue_paused=True)
    assert (item.status, item.message) == (S.DOWNLOADING, "forced")


def test_labels_are_part_of_the_message():
    item = queue_item(qslot(status="Paused", labels=["DUPLICATE", "TOO LARGE"]), queue_paused=False)
    assert item.message == "DUPLICATE; TOO LARGE"


def test_propagation_delay_label_is_part_of_the_message():
    item = queue_item(qslot(status="Propagating", labels=["PROPAGATING 12 min"]), False)
    assert item.message == "waiting for the post to propagate; PROPAGATING 12 min"


def test_queue_sizes_come_from_the_mb_strings():
    item = queue_item(qslot(mb="1000.00", mbleft="250.00", percentage="75"), queue_paused=False)
    assert (item.size, item.size_left, item.progress) == (1000 * MIB, 250 * MIB, 0.75)


def test_a_grabbing_job_without_size_has_no_progress():
    item = queue_item(qslot(status="Grabbing", mb="0.00", mbleft="0.00", percentage="0"), False)
    assert (item.size, item.progress) == (0, 0.0)


def test_the_default_category_none_becomes_star():
    assert queue_item(qslot(cat="None"), queue_paused=False).category == "*"


def test_queue_item_fields_come_from_the_slot():
    item = queue_item(qslot(), queue_paused=False)
    assert (item.id, item.title, item.category) == (
        "SABnzbd_nzo_p86tgx",
        "TV.Show.S04E11.720p.HDTV.x264",
        "tv",
    )
    assert item.added_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert item.eta == 16 * 60 + 44


def test_a_queued_job_has_no_eta():
    assert queue_item(qslot(status="Queued", timeleft="0:10:00"), queue_paused=False).eta is None


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        queue_item(qslot(mb="lots"), queue_paused=False)


def test_history_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        history_item(hslot(bytes="2 GB"))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0:16:44", 1004), ("1:02:03:04", 93784), ("0:00:00", None), ("", None), ("soon", None)],
)
def test_timeleft_parses_to_seconds(text, seconds):
    assert parse_timeleft(text) == seconds


# -- history fields ----------------------------------------------------------------------------
def test_completed_job_reports_its_storage_as_output_path():
    item = history_item(hslot())
    assert item.output_path == "/data/complete/tv/TV.Show.S04E02.720p.BluRay.x264-xHD"


def test_storage_pointing_inside_the_job_folder_gives_the_job_folder():
    assert output_path("/c/movies/Movie.2018/movie.mkv", "Movie.2018") == "/c/movies/Movie.2018"


def test_windows_storage_path_is_walked_too():
    assert output_path("C:\\Complete\\Show.S01\\a.mkv", "Show.S01") == "C:\\Complete\\Show.S01"


def test_job_still_post_processing_has_no_output_path():
    assert history_item(hslot(status="Extracting", storage="")).output_path == ""


def test_history_item_fields_come_from_the_slot():
    item = history_item(hslot())
    assert (item.id, item.size, item.size_left, item.progress) == (
        "SABnzbd_nzo_sdkoun",
        2436906376,
        0,
        1.0,
    )
    assert item.completed_on == datetime(2023, 11, 14, 23, 13, 20, tzinfo=UTC)


def test_a_job_in_post_processing_has_no_completion_time():
    assert history_item(hslot(status="Moving")).completed_on is None


# -- the recorded-shape fixtures as a whole ----------------------------------------------------
def test_every_queue_fixture_slot_maps_as_expected():
    slots = load("queue")["queue"]["slots"]
    got = {s["nzo_id"]: (i.status if (i := queue_item(s, False)) else None) for s in slots}
    assert got == {
        "SABnzbd_nzo_p86tgx": S.DOWNLOADING,
        "SABnzbd_nzo_q1w2e3": S.QUEUED,
        "SABnzbd_nzo_paus01": S.PAUSED,
        "SABnzbd_nzo_prop01": S.QUEUED,
        "SABnzbd_nzo_grab01": S.QUEUED,
        "SABnzbd_nzo_fetc01": S.DOWNLOADING,
        "SABnzbd_nzo_chek01": S.CHECKING,
        "SABnzbd_nzo_dele01": None,
        "SABnzbd_nzo_encr01": S.FAILED,
        "SABnzbd_nzo_dupe01": S.PAUSED,
        "SABnzbd_nzo_none01": S.QUEUED,
    }


def test_every_history_fixture_slot_maps_as_expected():
    slots = load("history")["history"]["slots"]
    got = {s["nzo_id"]: (i.status if (i := history_item(s)) else None) for s in slots}
    assert got == {
        "SABnzbd_nzo_ex0001": S.DOWNLOADING,
        "SABnzbd_nzo_sdkoun": S.COMPLETED,
        "SABnzbd_nzo_filein": S.COMPLETED,
        "SABnzbd_nzo_fail01": S.FAILED,
        "SABnzbd_nzo_full01": S.WARNING,
        "SABnzbd_nzo_dele02": None,
    }
