"""NZBGet status mapping, item fields, the NZB check and the settings — no daemon, no HTTP."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from integrations.downloadclients.base import Capability, DownloadStatus
from integrations.downloadclients.providers.nzbget import NZBGet, NZBGetSettings
from integrations.downloadclients.providers.nzbget.mapping import (
    HISTORY_STATES,
    QUEUE_STATES,
    category_names,
    is_listed,
    nzbget_deletes_files,
    to_history_item,
    to_queue_item,
)
from integrations.downloadclients.providers.nzbget.nzb import check_nzb, nzb_filename
from integrations.errors import ProtocolError
from tests.downloadclients.nzbget_fixtures import NZB, entry, group

S = DownloadStatus


# -- status mapping: one case per NZBGet 21 status string ---------------------------------
QUEUE_CASES = [
    ("QUEUED", S.QUEUED, "queued"),
    ("PAUSED", S.PAUSED, ""),
    ("DOWNLOADING", S.DOWNLOADING, ""),
    ("FETCHING", S.DOWNLOADING, "fetching the NZB from its URL"),
    ("PP_QUEUED", S.DOWNLOADING, "downloaded, waiting for post-processing"),
    ("LOADING_PARS", S.CHECKING, "loading par2 files"),
    ("VERIFYING_SOURCES", S.CHECKING, "verifying files with par2"),
    ("REPAIRING", S.CHECKING, "repairing files with par2"),
    ("VERIFYING_REPAIRED", S.CHECKING, "verifying repaired files"),
    ("RENAMING", S.DOWNLOADING, "post-processing: renaming files"),
    ("UNPACKING", S.DOWNLOADING, "post-processing: unpacking"),
    ("MOVING", S.DOWNLOADING, "post-processing: moving files"),
    ("EXECUTING_SCRIPT", S.DOWNLOADING, "post-processing: running scripts"),
    ("PP_FINISHED", S.DOWNLOADING, "post-processing finished"),
    ("QS_QUEUED", S.DOWNLOADING, "waiting for a queue script"),
    ("QS_EXECUTING", S.DOWNLOADING, "running a queue script"),
    ("SOME_FUTURE_STAGE", S.UNKNOWN, "unknown state SOME_FUTURE_STAGE"),
]

HISTORY_CASES = [
    ("SUCCESS/ALL", S.COMPLETED, ""),
    ("SUCCESS/UNPACK", S.COMPLETED, ""),
    ("SUCCESS/PAR", S.COMPLETED, ""),
    ("SUCCESS/HEALTH", S.COMPLETED, ""),
    ("SUCCESS/GOOD", S.COMPLETED, "marked good in NZBGet"),
    ("SUCCESS/MARK", S.COMPLETED, "marked successful in NZBGet"),
    ("SUCCESS/HIDDEN", S.COMPLETED, ""),
    ("WARNING/DAMAGED", S.WARNING, "damaged: needs a par2 repair (NZBGet's ParCheck is manual)"),
    ("WARNING/REPAIRABLE", S.WARNING, "damaged but repairable: NZBGet did not repair it"),
    ("WARNING/HEALTH", S.WARNING, "some articles are missing and no par2 check was done"),
    ("WARNING/SPACE", S.WARNING, "unpacking failed: not enough disk space"),
    ("WARNING/PASSWORD", S.FAILED, "unpacking failed: the archive is password protected"),
    ("WARNING/SCRIPT", S.WARNING, "a post-processing script failed"),
    ("WARNING/SKIPPED", S.WARNING, "NZBGet skipped the NZB fetched from the URL"),
    ("FAILURE/BAD", S.FAILED, "marked bad in NZBGet"),
    ("FAILURE/HEALTH", S.FAILED, "too many articles are missing"),
    ("FAILURE/SCAN", S.FAILED, "NZBGet could not read the NZB"),
    ("FAILURE/PAR", S.FAILED, "par2 repair failed"),
    ("FAILURE/UNPACK", S.FAILED, "unpacking failed"),
    ("FAILURE/MOVE", S.WARNING, "moving the files failed; check disk space and permissions"),
    ("FAILURE/FETCH", S.FAILED, "NZBGet could not fetch the NZB from its URL"),
    ("FAILURE/INTERNAL_ERROR", S.FAILED, "NZBGet reports an internal error"),
    ("FAILURE/HIDDEN", S.FAILED, ""),
    ("DELETED/MANUAL", S.WARNING, "deleted in NZBGet"),
    ("DELETED/DUPE", S.FAILED, "deleted by NZBGet's duplicate check"),
    ("DELETED/COPY", S.FAILED, "deleted: an exact copy of another NZBGet download"),
    ("DELETED/GOOD", S.WARNING, "deleted: a duplicate of it was marked good"),
    ("SUCCESS/NEWREASON", S.COMPLETED, "NZBGet reports SUCCESS/NEWREASON"),
    ("WARNING/NEWREASON", S.WARNING, "NZBGet reports WARNING/NEWREASON"),
    ("FAILURE/NEWREASON", S.FAILED, "NZBGet reports FAILURE/NEWREASON"),
    ("DELETED/NEWREASON", S.WARNING, "NZBGet reports DELETED/NEWREASON"),
    ("EXPLODED", S.UNKNOWN, "unknown state EXPLODED"),
]


@pytest.mark.parametrize(
    ("state", "status", "message"), QUEUE_CASES, ids=[c[0] for c in QUEUE_CASES]
)
def test_queue_state_maps_to_status_and_message(state, status, message):
    item = to_queue_item(group(Status=state))
    assert (item.status, item.message, item.raw_state) == (status, message, state)


@pytest.mark.parametrize(
    ("state", "status", "message"), HISTORY_CASES, ids=[c[0] for c in HISTORY_CASES]
)
def test_history_state_maps_to_status_and_message(state, status, message):
    item = to_history_item(entry(Status=state))
    assert (item.status, item.message, item.raw_state) == (status, message, state)


def test_every_status_string_of_nzbget_21_has_its_own_case():
    # From XmlRpc.cpp (DetectStatus) and DownloadInfo.cpp (MakeTextStatus) of v21.0.
    assert set(QUEUE_STATES) == {c[0] for c in QUEUE_CASES[:-1]}
    assert set(HISTORY_STATES) == {c[0] for c in HISTORY_CASES if "NEWREASON" not in c[0]} - {
        "EXPLODED"
    }


def test_paused_nzbget_queue_shows_queued_and_downloading_items_as_paused():
    for state in ("QUEUED", "DOWNLOADING"):
        item = to_queue_item(group(Status=state), download_paused=True)
        assert (item.status, item.message) == (S.PAUSED, "all downloads are paused in NZBGet")


def test_paused_nzbget_queue_does_not_pause_post_processing():
    item = to_queue_item(group(Status="UNPACKING", RemainingSizeLo=0), download_paused=True)
    assert item.status == S.DOWNLOADING


# -- item fields ---------------------------------------------------------------------------
def test_sizes_join_nzbgets_high_and_low_words():
    item = to_queue_item(group(FileSizeHi=1, FileSizeLo=5, RemainingSizeHi=1, RemainingSizeLo=0))
    assert (item.size, item.size_left) == (2**32 + 5, 2**32)


def test_a_negative_remaining_size_counts_as_nothing_left():
    # nzbget 21 in post-processing of a job whose articles were smaller than the NZB said:
    # RemainingSize is negative, sent as Hi 0xFFFFFFFF (seen against a real nzbget).
    minus_788_886_016 = (1 << 64) - 788_886_016
    item = to_queue_item(
        group(
            Status="RENAMING",
            RemainingSizeHi=minus_788_886_016 >> 32,
            RemainingSizeLo=minus_788_886_016 & 0xFFFFFFFF,
        )
    )
    assert (item.size, item.size_left, item.progress) == (1000, 0, 1.0)


def test_paused_extra_par_files_do_not_count_as_left_to_download():
    item = to_queue_item(group(RemainingSizeLo=600, PausedSizeLo=200))
    assert item.size_left == 400
    assert item.progress == pytest.approx(0.5)  # 400 of the 800 wanted bytes are left


def test_paused_item_counts_every_remaining_byte():
    item = to_queue_item(group(Status="PAUSED", RemainingSizeLo=600, PausedSizeLo=600))
    assert (item.size_left, item.progress) == (600, pytest.approx(0.4))


def test_queue_item_fields_come_from_the_group():
    item = to_queue_item(group(), speed=10, eta=60)
    assert (item.id, item.title, item.category) == ("7", "Show.S01E01", "tv")
    assert item.save_path == "/nzbget/intermediate/Show.S01E01.#7"
    assert (item.output_path, item.download_speed, item.eta) == ("", 10, 60)


def test_health_below_100_percent_is_named_in_the_message():
    item = to_queue_item(group(Health=875, CriticalHealth=950))
    assert item.message == "health 87.5% (critical 95.0%)"


def test_failed_download_message_gives_reason_and_health():
    item = to_history_item(entry(Status="FAILURE/HEALTH", Health=0, SuccessArticles=1))
    assert item.message == "too many articles are missing; health 0.0% (critical 100.0%)"
    assert item.progress == pytest.approx(0.25)


def test_finished_download_output_path_prefers_final_dir():
    item = to_history_item(entry(FinalDir="/media/moved/Show.S01E02"))
    assert item.output_path == "/media/moved/Show.S01E02"


def test_finished_download_output_path_is_dest_dir_without_final_dir():
    item = to_history_item(entry())
    assert item.output_path == "/nzbget/complete/tv/Show.S01E02"
    assert (item.progress, item.size, item.size_left) == (1.0, 2000, 0)


def test_history_time_becomes_completed_on():
    item = to_history_item(entry(HistoryTime=1700000000))
    assert item.completed_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        to_queue_item(group(Health="good"))


def test_negative_size_word_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="FileSize in an unexpected shape"):
        to_history_item(entry(FileSizeLo=-1))


def test_entry_without_nzbid_is_a_protocol_error():
    bad = entry()
    del bad["NZBID"]
    with pytest.raises(ProtocolError, match="missing field"):
        to_history_item(bad)


def test_entries_the_user_deleted_in_nzbget_are_not_listed():
    assert not is_listed(entry(Status="DELETED/MANUAL"))
    assert is_listed(entry(Status="DELETED/DUPE"))


@pytest.mark.parametrize(
    ("fields", "deletes"),
    [
        ({}, False),
        ({"Status": "WARNING/SCRIPT"}, False),
        ({"DeleteStatus": "HEALTH"}, True),
        ({"ParStatus": "FAILURE"}, True),
        ({"UnpackStatus": "PASSWORD"}, True),
    ],
)
def test_nzbget_deletes_files_only_of_failed_or_deleted_downloads(fields, deletes):
    assert nzbget_deletes_files(entry(**fields)) is deletes


def test_category_names_are_the_numbered_config_entries():
    config = {"Category1.Name": "tv", "Category2.Name": "movies", "Category4.Name": "lost"}
    assert category_names(config) == ["tv", "movies"]


# -- the NZB check ---------------------------------------------------------------------------
def test_valid_nzb_is_summarised():
    summary = check_nzb(NZB)
    assert (summary.files, summary.segments, summary.title) == (1, 1, "Show.S01E01")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "it is empty"),
        (b"Too Many Requests", "it is not XML (it begins 'Too Many Requests')"),
        (b"<html><body>Rate limited</body></html>", "it is an HTML page"),
        (b"<rss><channel/></rss>", "its root element is <rss>, not <nzb>"),
        (NZB[: len(NZB) // 2], "it is cut off: the XML ends at line "),
        (b'<?xml version="1.0"?><nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"/>', "no files"),
        (b"<nzb><file><groups/></file></nzb>", "its files list no segments"),
        (
            b'<?xml version="1.0"?><!DOCTYPE nzb [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b"<nzb>&b;</nzb>",
            "it declares its own DTD or XML entities",
        ),
        (gzip.compress(b"<nzb/>"), "it lists no files"),
    ],
    ids=[
        "empty",
        "text",
        "html",
        "other-xml",
        "truncated",
        "no-files",
        "no-segments",
        "entities",
        "gzip-no-files",
    ],
)
def test_bytes_that_are_no_nzb_are_refused_with_the_reason(data, reason):
    with pytest.raises(ProtocolError) as err:
        check_nzb(data, "release.nzb")
    assert str(err.value).startswith("Not sent to NZBGet: release.nzb is not a valid NZB (")
    assert reason in str(err.value)


def test_refusal_without_a_name_says_not_a_valid_nzb():
    with pytest.raises(
        ProtocolError, match=r"^Not sent to NZBGet: not a valid NZB \(it is empty\)$"
    ):
        check_nzb(b"")


def test_gzip_packed_nzb_is_accepted_and_summarised_unpacked():
    summary = check_nzb(gzip.compress(NZB))
    assert (summary.gzipped, summary.xml, summary.files) == (True, NZB, 1)


def test_nzb_file_name_gets_the_nzb_extension_and_no_slashes():
    assert nzb_filename("Show/S01E01") == "Show_S01E01.nzb"
    assert nzb_filename("Show.S01E01.NZB") == "Show.S01E01.NZB"


def test_nzb_file_name_drops_gz_since_the_unpacked_xml_is_sent():
    assert nzb_filename("Show.S01E01.nzb.gz") == "Show.S01E01.nzb"


# -- settings and capabilities ---------------------------------------------------------------
def test_default_port_and_user_are_nzbgets():
    s = NZBGetSettings()
    assert (s.port, s.username, s.base_url()) == (6789, "nzbget", "http://127.0.0.1:6789")


def test_every_nzbget_setting_has_a_description():
    own = set(NZBGetSettings.model_fields) - {
        "remove_completed_downloads",
        "remove_failed_downloads",
    }  # the two the framework leaves undescribed
    assert [n for n in own if not NZBGetSettings.model_fields[n].description] == []


def test_password_is_a_secret_setting():
    assert NZBGetSettings.secret_fields() == ["password"]


def test_capabilities_are_usenet_without_torrents_tags_paths_or_category_creation():
    caps = NZBGet.capabilities
    assert {Capability.USENET, Capability.NZB, Capability.URL, Capability.PRIORITY} <= caps
    assert not caps & {
        Capability.TORRENT,
        Capability.MAGNET,
        Capability.TAGS,
        Capability.SAVE_PATH,
        Capability.CREATE_CATEGORIES,
    }
    assert NZBGet.protocol == "usenet"
