"""Download Station without a NAS: every task status and error detail mapped, and the
item fields, from task dicts in the shape of ``SYNO.DownloadStation.Task list``
(``additional=detail,transfer``) as stored in tests/fixtures/downloadstation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from integrations.downloadclients.base import DownloadStatus
from integrations.downloadclients.providers.downloadstation.mapping import (
    FAILED_ERRORS,
    STATUSES,
    WARNING_ERRORS,
    to_item,
)
from integrations.errors import ProtocolError

S = DownloadStatus
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "downloadstation"
LISTED = json.loads((FIXTURES / "task_list.json").read_text())["data"]["tasks"]


def listed(task_id: str) -> dict:
    return copy.deepcopy(next(t for t in LISTED if t["id"] == task_id))


def task(status: str = "downloading", *, done: int = 500, size: int = 2000, **fields) -> dict:
    """The fixture's downloading BT task with another status and transfer amounts."""
    t = listed("dbid_102")
    t["additional"]["transfer"]["size_downloaded"] = done
    t.update(status=status, size=size, **fields)
    return t


# -- one case per status -----------------------------------------------------------------------
STATUS_CASES = [
    ("waiting", S.QUEUED, "waiting"),
    ("downloading", S.DOWNLOADING, ""),
    ("paused", S.PAUSED, ""),
    ("finishing", S.DOWNLOADING, "finishing: moving files to the destination"),
    ("finished", S.COMPLETED, ""),
    ("hash_checking", S.CHECKING, "checking files"),
    ("seeding", S.SEEDING, ""),
    ("filehosting_waiting", S.QUEUED, "waiting for the file hosting service"),
    ("extracting", S.DOWNLOADING, "extracting"),
    (
        "captcha_needed",
        S.WARNING,
        "the file hosting service wants a captcha; solve it in Download Station",
    ),
    ("error", S.FAILED, "Download Station reports an error"),
    ("preprocessing", S.UNKNOWN, "unknown status preprocessing"),
]


@pytest.mark.parametrize(
    ("status", "expected", "message"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES]
)
def test_status_maps_to_status_and_message(status, expected, message):
    item = to_item(task(status))
    assert (item.status, item.message, item.raw_state) == (expected, message, status)


def test_every_known_status_has_a_case():
    assert set(STATUSES) == {c[0] for c in STATUS_CASES} - {"preprocessing"}


def test_waiting_task_whose_data_is_complete_is_completed():
    item = to_item(task("waiting", done=2000))
    assert (item.status, item.size_left, item.progress) == (S.COMPLETED, 0, 1.0)


def test_waiting_magnet_without_metadata_is_queued_with_unknown_size():
    item = to_item(listed("dbid_101"))
    assert (item.status, item.size, item.progress, item.eta) == (S.QUEUED, 0, 0.0, None)


def test_paused_finished_task_is_completed():
    item = to_item(task("paused", done=2000))
    assert (item.status, item.message) == (S.COMPLETED, "paused after finishing")


def test_paused_unfinished_task_is_paused():
    assert to_item(listed("dbid_103")).status == S.PAUSED


def test_extracting_reports_the_unzip_progress():
    item = to_item(listed("dbid_109"))
    assert (item.status, item.message) == (S.DOWNLOADING, "extracting 42%")


# -- error details -----------------------------------------------------------------------------
@pytest.mark.parametrize(("detail", "message"), sorted(WARNING_ERRORS.items()))
def test_nas_side_error_is_a_warning(detail, message):
    item = to_item(task("error", status_extra={"error_detail": detail}))
    assert (item.status, item.message) == (S.WARNING, message)


@pytest.mark.parametrize(("detail", "message"), sorted(FAILED_ERRORS.items()))
def test_release_error_is_failed(detail, message):
    item = to_item(task("error", status_extra={"error_detail": detail}))
    assert (item.status, item.message) == (S.FAILED, message)


def test_unknown_error_detail_is_failed_and_named():
    item = to_item(task("error", status_extra={"error_detail": "something_new"}))
    assert (item.status, item.message) == (S.FAILED, "error: something_new")


def test_broken_link_from_the_fixture_is_failed():
    item = to_item(listed("dbid_110"))
    assert (item.status, item.message) == (S.FAILED, "broken link")


def test_disk_full_from_the_fixture_is_a_warning():
    item = to_item(listed("dbid_111"))
    assert (item.status, item.message) == (S.WARNING, "the disk is full")


# -- item fields -------------------------------------------------------------------------------
def test_item_fields_come_from_detail_and_transfer():
    item = to_item(listed("dbid_102"))
    assert (item.id, item.title, item.save_path) == (
        "dbid_102",
        "Show.S01E02.1080p",
        "downloads/tv-idkarr",
    )
    assert (item.size, item.size_left, item.progress) == (2000000000, 1500000000, 0.25)
    assert (item.download_speed, item.upload_speed, item.eta) == (1000000, 20000, 1500)
    assert (item.seeds, item.peers, item.ratio) == (4, 7, 0.2)
    assert item.added_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert item.completed_on is None


def test_seeding_task_reports_completion_time_and_seeding_time():
    item = to_item(listed("dbid_107"))
    assert item.completed_on == datetime(2023, 11, 14, 23, 13, 20, tzinfo=UTC)
    assert (item.seeding_time, item.ratio, item.size_left) == (3600, 0.5, 0)


def test_output_path_joins_the_destination_and_the_title():
    item = to_item(listed("dbid_105"), output_dir="/volume1/downloads/tv-idkarr/")
    assert item.output_path == "/volume1/downloads/tv-idkarr/Show.S01E04.1080p"


def test_no_speed_means_no_eta():
    t = task()
    t["additional"]["transfer"]["speed_download"] = 0
    assert to_item(t).eta is None


def test_numbers_sent_as_strings_are_accepted():
    t = task()
    t["size"] = "2000"
    t["additional"]["transfer"]["size_downloaded"] = "1000"
    assert to_item(t).progress == 0.5


def test_task_without_additional_fields_still_maps():
    item = to_item({"id": "dbid_1", "title": "x", "size": 10, "status": "finished"})
    assert (item.status, item.size_left, item.save_path) == (S.COMPLETED, 0, "")


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="dbid_102.*unexpected type"):
        to_item(task(size="big"))


def test_additional_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        to_item(task(additional=["detail"]))
