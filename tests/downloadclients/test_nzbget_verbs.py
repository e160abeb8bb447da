"""NZBGet add, list and queue verbs, replayed with ``responses`` in nzbget 21.0's shapes."""

from __future__ import annotations

import base64
import gzip

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.downloadclients import nzbget_fixtures as fx
from tests.downloadclients.nzbget_fixtures import (
    NZB,
    FakeRpc,
    config,
    entry,
    group,
    provider,
)

# The fixture this module uses.
rsps = fx.rsps

S = DownloadStatus


# -- add --------------------------------------------------------------------------------------
def test_add_sends_the_nzb_its_category_priority_and_dupe_mode(rsps):
    rpc = FakeRpc(rsps, append=12)
    assert provider().add(AddRequest(nzb=NZB, name="Show.S01E01", category="anime")) == "12"
    assert rpc.called("append") == [
        [
            "Show.S01E01.nzb",
            base64.b64encode(NZB).decode(),
            "anime",
            0,
            False,
            False,
            "",
            0,
            "ALL",
            [],
        ]
    ]


def test_add_without_category_uses_the_tv_category(rsps):
    rpc = FakeRpc(rsps, append=12)
    provider().add(AddRequest(nzb=NZB))
    assert rpc.called("append")[0][2] == "tv-idkarr"


def test_add_names_the_job_after_the_nzb_title_without_a_name(rsps):
    rpc = FakeRpc(rsps, append=12)
    provider().add(AddRequest(nzb=NZB))
    assert rpc.called("append")[0][0] == "Show.S01E01.nzb"


@pytest.mark.parametrize(
    ("priority", "number", "top"),
    [
        (Priority.TOP, 100, True),
        (Priority.HIGH, 50, False),
        (Priority.NORMAL, 0, False),
        (Priority.LOW, -50, False),
        (Priority.BOTTOM, -100, False),
    ],
)
def test_add_priority_is_nzbgets_number(rsps, priority, number, top):
    rpc = FakeRpc(rsps, append=12)
    provider().add(AddRequest(nzb=NZB, priority=priority))
    assert rpc.called("append")[0][3:5] == [number, top]


def test_add_paused_setting_adds_paused_unless_the_request_says_otherwise(rsps):
    rpc = FakeRpc(rsps, append=12)
    nzbget = provider(add_paused=True)
    nzbget.add(AddRequest(nzb=NZB))
    nzbget.add(AddRequest(nzb=NZB, paused=False))
    assert [p[5] for p in rpc.called("append")] == [True, False]


def test_add_url_lets_nzbget_fetch_it(rsps):
    rpc = FakeRpc(rsps, append=13)
    url = "https://indexer.invalid/getnzb/abc.nzb?apikey=k"
    assert provider().add(AddRequest(url=url)) == "13"
    assert rpc.called("append")[0][:2] == ["", url]
    assert rpc.called("history") == []  # a URL is fetched later; nothing to check yet


def test_add_url_that_is_not_http_is_a_configuration_error(rsps):
    FakeRpc(rsps)
    with pytest.raises(ConfigurationError, match=r"only fetch NZB URLs starting with http\(s\)://"):
        provider().add(AddRequest(url="ftp://indexer.invalid/a.nzb"))


def test_bytes_that_are_no_nzb_are_not_sent_to_nzbget(rsps):
    rpc = FakeRpc(rsps, append=14)
    with pytest.raises(ProtocolError, match="Not sent to NZBGet: bad.nzb is not a valid NZB"):
        provider().add(AddRequest(nzb=b"<html>429 Too Many Requests</html>", name="bad.nzb"))
    assert rpc.called("append") == []


def test_gzip_packed_nzb_is_sent_to_nzbget_unpacked(rsps):
    rpc = FakeRpc(rsps, append=15)
    provider().add(AddRequest(nzb=gzip.compress(NZB), name="Show.nzb.gz"))
    assert rpc.called("append")[0][:2] == ["Show.nzb", base64.b64encode(NZB).decode()]


def test_append_answering_zero_is_an_error(rsps):
    FakeRpc(rsps, append=0)
    with pytest.raises(IntegrationError, match=r"NZBGet refused Show.nzb \(append answered 0\)"):
        provider().add(AddRequest(nzb=NZB, name="Show"))


def test_nzb_nzbget_cannot_read_is_a_protocol_error(rsps):
    FakeRpc(rsps, append=15, history=[entry(NZBID=15, Status="FAILURE/SCAN", DeleteStatus="SCAN")])
    with pytest.raises(
        ProtocolError, match=r"NZBGet could not read Show.nzb as an NZB \(FAILURE/SCAN\)"
    ):
        provider().add(AddRequest(nzb=NZB, name="Show"))


def test_exact_copy_of_a_download_is_reported_as_a_duplicate(rsps):
    FakeRpc(rsps, append=16, history=[entry(NZBID=16, Status="DELETED/COPY", DeleteStatus="COPY")])
    with pytest.raises(IntegrationError, match=r"dropped Show.nzb as a duplicate \(DELETED/COPY\)"):
        provider().add(AddRequest(nzb=NZB, name="Show"))


@pytest.mark.parametrize(
    "request_",
    [
        AddRequest(torrent=b"d4:infod4:name1:xee"),
        AddRequest(magnet="magnet:?xt=urn:btih:" + "a" * 40),
        AddRequest(url="MAGNET:?xt=urn:btih:" + "a" * 40),
    ],
    ids=["torrent", "magnet", "magnet-url"],
)
def test_torrents_and_magnets_are_unsupported(request_):
    with pytest.raises(UnsupportedError, match="NZBGet is a Usenet client"):
        provider().add(request_)


def test_save_path_is_unsupported():
    with pytest.raises(UnsupportedError, match="cannot choose a folder per download"):
        provider().add(AddRequest(nzb=NZB, save_path="/downloads/x"))


def test_tags_are_unsupported():
    with pytest.raises(UnsupportedError, match="NZBGet has no tags"):
        provider().add(AddRequest(nzb=NZB, tags=["idkarr"]))


# -- the list ---------------------------------------------------------------------------------
def test_get_downloads_lists_queue_then_history_without_user_deletions(rsps):
    FakeRpc(
        rsps,
        listgroups=[group(NZBID=1)],
        history=[entry(NZBID=2), entry(NZBID=3, Status="DELETED/MANUAL")],
    )
    assert [(i.id, i.status) for i in provider().get_downloads()] == [
        ("1", S.DOWNLOADING),
        ("2", S.COMPLETED),
    ]


def test_item_finishing_between_the_two_calls_is_listed_once_as_finished(rsps):
    FakeRpc(rsps, listgroups=[group(NZBID=4, Status="PP_FINISHED")], history=[entry(NZBID=4)])
    assert [(i.id, i.status) for i in provider().get_downloads()] == [("4", S.COMPLETED)]


def test_eta_adds_up_the_queue_at_the_download_rate(rsps):
    FakeRpc(
        rsps,
        status={"DownloadRate": 100, "DownloadPaused": False},
        listgroups=[
            group(NZBID=1, RemainingSizeLo=300, ActiveDownloads=2),
            group(NZBID=2, Status="QUEUED", RemainingSizeLo=500),
            group(NZBID=3, Status="PAUSED", RemainingSizeLo=700, PausedSizeLo=700),
        ],
    )
    items = provider().get_downloads()
    assert [(i.eta, i.download_speed) for i in items] == [(3, 100), (8, 0), (None, 0)]


def test_download_rate_is_not_given_to_one_of_several_active_downloads(rsps):
    FakeRpc(
        rsps,
        status={"DownloadRate": 100},
        listgroups=[group(NZBID=1, ActiveDownloads=1), group(NZBID=2, ActiveDownloads=1)],
    )
    assert [i.download_speed for i in provider().get_downloads()] == [0, 0]


def test_get_downloads_filters_the_category_case_insensitively(rsps):
    FakeRpc(rsps, listgroups=[group(NZBID=1, Category="TV"), group(NZBID=2, Category="movies")])
    assert [i.id for i in provider().get_downloads(category="tv")] == ["1"]


def test_odd_download_rate_is_a_protocol_error(rsps):
    FakeRpc(rsps, status={"DownloadRate": "fast"})
    with pytest.raises(ProtocolError, match="download rate"):
        provider().get_downloads()


# -- verbs -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("priority", "calls"),
    [
        (Priority.TOP, [["GroupSetPriority", "100", [9]], ["GroupMoveTop", "", [9]]]),
        (Priority.HIGH, [["GroupSetPriority", "50", [9]]]),
        (Priority.NORMAL, [["GroupSetPriority", "0", [9]]]),
        (Priority.LOW, [["GroupSetPriority", "-50", [9]]]),
        (Priority.BOTTOM, [["GroupSetPriority", "-100", [9]], ["GroupMoveBottom", "", [9]]]),
    ],
)
def test_set_priority_sends_nzbgets_priority_and_moves(rsps, priority, calls):
    rpc = FakeRpc(rsps)
    provider().set_priority("9", priority)
    assert rpc.called("editqueue") == calls


def test_resume_pauses_the_extra_par_files_again(rsps):
    rpc = FakeRpc(rsps, config=config(ParCheck="auto"))
    provider().resume("9")
    assert [c[0] for c in rpc.called("editqueue")] == ["GroupResume", "GroupPauseExtraPars"]


def test_resume_leaves_par_files_alone_when_par_check_is_force(rsps):
    rpc = FakeRpc(rsps, config=config(ParCheck="force"))
    provider().resume("9")
    assert [c[0] for c in rpc.called("editqueue")] == ["GroupResume"]


def test_pause_of_a_finished_download_says_it_left_the_queue(rsps):
    FakeRpc(rsps, editqueue=False, history=[entry(NZBID=8)])
    with pytest.raises(NotFoundError, match="download 8 has left the queue"):
        provider().pause("8")


def test_remove_of_a_finished_download_with_data_changes_nothing(rsps):
    rpc = FakeRpc(rsps, history=[entry(NZBID=8)])
    rpc.results["editqueue"] = lambda cmd, param, ids: cmd != "GroupFinalDelete"
    with pytest.raises(UnsupportedError) as err:
        provider().remove("8", delete_data=True)
    assert str(err.value) == (
        "NZBGet keeps the files of download 8 (SUCCESS/HEALTH) when it leaves the history; "
        "remove it without deleting data and delete /nzbget/complete/tv/Show.S01E02 yourself"
    )
    assert [c[0] for c in rpc.called("editqueue")] == ["GroupFinalDelete"]


def test_remove_of_a_failed_download_with_data_deletes_it_from_the_history(rsps):
    rpc = FakeRpc(rsps, history=[entry(NZBID=8, Status="FAILURE/HEALTH", DeleteStatus="HEALTH")])
    rpc.results["editqueue"] = lambda cmd, param, ids: cmd == "HistoryDelete"
    provider().remove("8", delete_data=True)
    assert [c[0] for c in rpc.called("editqueue")] == ["GroupFinalDelete", "HistoryDelete"]


def test_remove_of_an_unknown_id_is_not_found(rsps):
    FakeRpc(rsps, editqueue=False)
    with pytest.raises(NotFoundError, match="NZBGet has no download 99"):
        provider().remove("99")


@pytest.mark.parametrize("download_id", ["abc", "0", "-3", "8f9f71f9706ebf21e50d"])
def test_id_that_is_no_nzbid_is_not_found_before_any_request(rsps, download_id):
    rpc = FakeRpc(rsps)
    with pytest.raises(NotFoundError, match="NZBGet ids are positive numbers"):
        provider().pause(download_id)
    assert rpc.calls == []


def test_set_category_of_a_finished_download_changes_its_history_entry(rsps):
    rpc = FakeRpc(rsps, history=[entry(NZBID=8)])
    rpc.results["editqueue"] = lambda cmd, param, ids: cmd == "HistorySetCategory"
    provider().set_category("8", "tv-imported")
    assert rpc.called("editqueue") == [
        ["GroupApplyCategory", "tv-imported", [8]],
        ["HistorySetCategory", "tv-imported", [8]],
    ]
