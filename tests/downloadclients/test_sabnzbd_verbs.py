"""SABnzbd add / list / remove / pause / resume / category / priority, replayed with
``responses`` in the shapes SABnzbd 4.5.1 sends."""

from __future__ import annotations

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

from .sabnzbd_fixtures import NZB, fake_sabnzbd, load, make


@pytest.fixture
def sab():
    yield from fake_sabnzbd()


S = DownloadStatus
URL = "http://127.0.0.1:9/getnzb/abc.nzb?i=1&r=indexer-key"


# -- add: URL ----------------------------------------------------------------------------------
def test_add_url_sends_addurl_and_returns_the_nzo_id(sab):
    sab.on("addurl", "addurl_ok")
    assert make().add(AddRequest(url=URL, name="Show.S01E01")) == "SABnzbd_nzo_kyt1f0"
    params = sab.calls_to("addurl")[0].params
    assert (params["name"], params["cat"], params["nzbname"]) == (URL, "tv", "Show.S01E01")


def test_add_without_priority_uses_the_older_priority_setting(sab):
    sab.on("addurl", "addurl_ok")
    make(older_priority="high").add(AddRequest(url=URL))
    assert sab.calls_to("addurl")[0].params["priority"] == "1"


def test_add_with_the_default_priority_lets_the_category_decide(sab):
    sab.on("addurl", "addurl_ok")
    make().add(AddRequest(url=URL))
    assert sab.calls_to("addurl")[0].params["priority"] == "-100"


def test_add_with_a_low_priority_sends_minus_one(sab):
    sab.on("addurl", "addurl_ok")
    make().add(AddRequest(url=URL, priority=Priority.LOW))
    assert sab.calls_to("addurl")[0].params["priority"] == "-1"


def test_add_paused_sends_the_paused_priority(sab):
    sab.on("addurl", "addurl_ok")
    make().add(AddRequest(url=URL, paused=True))
    assert sab.calls_to("addurl")[0].params["priority"] == "-2"


def test_add_paused_with_a_priority_sets_it_afterwards(sab):
    sab.on("addurl", "addurl_ok")
    sab.on("queue", "queue_priority", sub="priority")
    make().add(AddRequest(url=URL, paused=True, priority=Priority.HIGH))
    assert sab.calls_to("queue", "priority")[0].params["value2"] == "1"


def test_add_at_the_top_moves_the_new_job_to_the_top(sab):
    queue = load("queue")
    queue["queue"]["slots"].append(queue["queue"]["slots"][0] | {"nzo_id": "SABnzbd_nzo_kyt1f0"})
    sab.on("addurl", "addurl_ok").on("queue", queue).on("switch", "switch_ok")
    make().add(AddRequest(url=URL, priority=Priority.TOP))
    assert sab.calls_to("addurl")[0].params["priority"] == "1"
    assert sab.calls_to("switch")[0].params == sab.calls_to("switch")[0].params | {
        "value": "SABnzbd_nzo_kyt1f0",
        "value2": "0",
    }


def test_a_failed_move_after_adding_still_returns_the_id(sab, caplog):
    sab.on("addurl", "addurl_ok")  # the empty queue doesn't list the job yet
    assert make().add(AddRequest(url=URL, priority=Priority.TOP)) == "SABnzbd_nzo_kyt1f0"
    assert "could not set its priority" in caplog.text


def test_add_with_an_explicit_category_uses_it_lowercased(sab):
    sab.on("addurl", "addurl_ok")
    make().add(AddRequest(url=URL, category="Movies"))
    assert sab.calls_to("addurl")[0].params["cat"] == "movies"


def test_unknown_category_is_refused_before_sending(sab):
    with pytest.raises(ConfigurationError, match="SABnzbd has no category 'anime'"):
        make().add(AddRequest(url=URL, category="anime"))
    assert sab.calls_to("addurl") == []


def test_category_created_in_sabnzbd_meanwhile_is_found_by_refreshing(sab):
    cats = load("get_config_categories")
    more = load("get_config_categories")
    more["config"]["categories"].append(dict(more["config"]["categories"][1], name="anime"))
    sab.on("get_config", cats, more, sub="categories").on("addurl", "addurl_ok")
    client = make()
    client.test()
    assert client.add(AddRequest(url=URL, category="anime")) == "SABnzbd_nzo_kyt1f0"
    assert len(sab.calls_to("get_config", "categories")) == 2


def test_known_categories_are_not_fetched_for_every_add(sab):
    sab.on("addurl", "addurl_ok")
    client = make()
    client.add(AddRequest(url=URL))
    client.add(AddRequest(url=URL))
    assert len(sab.calls_to("get_config", "categories")) == 1


def test_rejected_nzb_is_an_error(sab):
    sab.on("addurl", "add_rejected")
    with pytest.raises(IntegrationError, match="SABnzbd rejected the NZB"):
        make().add(AddRequest(url=URL))


def test_add_answer_without_nzo_ids_is_a_protocol_error(sab):
    sab.on("addurl", {"status": True})
    with pytest.raises(ProtocolError, match="without nzo_ids"):
        make().add(AddRequest(url=URL))


def test_url_that_is_not_http_is_refused(sab):
    with pytest.raises(ConfigurationError, match="http:// or https://"):
        make().add(AddRequest(url="ftp://127.0.0.1/x.nzb"))


# -- add: NZB bytes ----------------------------------------------------------------------------
def test_add_file_uploads_the_nzb_as_multipart_field_name(sab):
    sab.on("addfile", "addfile_ok")
    assert make().add(AddRequest(nzb=NZB, name="Show.S01E01.nzb")) == "SABnzbd_nzo_p86tgx"
    call = sab.calls_to("addfile")[0]
    assert call.method == "POST"
    assert b'name="name"; filename="Show.S01E01.nzb"' in call.body
    assert b"Content-Type: application/x-nzb" in call.body
    assert (call.params["cat"], call.params["nzbname"]) == ("tv", "Show.S01E01")


def test_gzipped_nzb_is_checked_and_sent_as_nzb_gz(sab):
    sab.on("addfile", "addfile_ok")
    make().add(AddRequest(nzb=gzip.compress(NZB), name="Show"))
    assert b'filename="Show.nzb.gz"' in sab.calls_to("addfile")[0].body


def test_nzb_that_is_not_xml_is_refused_before_sending(sab):
    with pytest.raises(
        ProtocolError,
        match=r"^Not sent to SABnzbd: not a valid NZB \(it is not XML \(binary data\)\)$",
    ):
        make().add(AddRequest(nzb=b"\x00\x01 definitely not xml"))
    assert sab.calls == []


def test_html_error_page_instead_of_an_nzb_is_refused(sab):
    with pytest.raises(ProtocolError, match=r"not a valid NZB \(it is an HTML page\)"):
        make().add(AddRequest(nzb=b"<html><body>Too many requests</body></html>"))


def test_truncated_nzb_is_refused(sab):
    with pytest.raises(ProtocolError, match="it is cut off: the XML ends at line 5 before </nzb>"):
        make().add(AddRequest(nzb=NZB[: len(NZB) // 2]))


def test_nzb_without_files_is_refused(sab):
    empty = b'<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"><head/></nzb>'
    with pytest.raises(ProtocolError, match="it lists no files"):
        make().add(AddRequest(nzb=empty))


def test_broken_gzip_is_refused(sab):
    with pytest.raises(ProtocolError, match="it is a cut-off gzip file"):
        make().add(AddRequest(nzb=b"\x1f\x8b\x08\x00garbage"))
    assert sab.calls == []


def test_refusal_names_the_nzb_when_the_request_has_a_name(sab):
    with pytest.raises(
        ProtocolError, match=r"^Not sent to SABnzbd: Show.S01E01 is not a valid NZB"
    ):
        make().add(AddRequest(nzb=b"<nzb/>", name="Show.S01E01"))


# -- add: what SABnzbd can't do ----------------------------------------------------------------
@pytest.mark.parametrize(
    "request_",
    [
        AddRequest(torrent=b"d4:infod6:lengthi1eee"),
        AddRequest(magnet="magnet:?xt=urn:btih:" + "a" * 40),
        AddRequest(url="magnet:?xt=urn:btih:" + "a" * 40),
    ],
    ids=["torrent", "magnet", "magnet-url"],
)
def test_torrents_and_magnets_are_unsupported(sab, request_):
    with pytest.raises(UnsupportedError, match="SABnzbd is a Usenet client"):
        make().add(request_)


def test_a_save_path_is_unsupported(sab):
    with pytest.raises(UnsupportedError, match="SABnzbd cannot set a download folder"):
        make().add(AddRequest(url=URL, save_path="/data/x"))


def test_tags_are_unsupported(sab):
    with pytest.raises(UnsupportedError, match="SABnzbd has no tags"):
        make().add(AddRequest(url=URL, tags=["a"]))


def test_two_payloads_are_a_configuration_error(sab):
    with pytest.raises(ConfigurationError, match="exactly one"):
        make().add(AddRequest(url=URL, nzb=NZB))


# -- get_downloads -----------------------------------------------------------------------------
def test_downloads_merge_queue_and_history_without_deleted_jobs(sab):
    sab.on("queue", "queue").on("history", "history")
    ids = [i.id for i in make().get_downloads()]
    assert len(ids) == 10 + 5
    assert "SABnzbd_nzo_dele01" not in ids and "SABnzbd_nzo_dele02" not in ids
    assert ids[0] == "SABnzbd_nzo_p86tgx" and ids[-1] == "SABnzbd_nzo_full01"


def test_a_job_listed_in_queue_and_history_is_reported_once_from_the_queue(sab):
    history = load("history")
    history["history"]["slots"].append(
        history["history"]["slots"][1] | {"nzo_id": "SABnzbd_nzo_p86tgx"}
    )
    sab.on("queue", "queue").on("history", history)
    items = [i for i in make().get_downloads() if i.id == "SABnzbd_nzo_p86tgx"]
    assert [i.status for i in items] == [S.DOWNLOADING]


def test_downloads_can_be_filtered_by_category(sab):
    sab.on("queue", "queue").on("history", "history")
    ids = {i.id for i in make().get_downloads(category="movies")}
    assert ids == {"SABnzbd_nzo_paus01", "SABnzbd_nzo_encr01", "SABnzbd_nzo_filein"}


def test_history_is_read_up_to_the_configured_limit(sab):
    make(history_limit=25).get_downloads()
    assert sab.calls_to("history")[0].params["limit"] == "25"
    assert sab.calls_to("queue")[0].params["limit"] == "0"


def test_completed_path_is_the_history_storage(sab):
    sab.on("history", "history")
    path = make().get_completed_path("SABnzbd_nzo_filein")
    assert path == "/data/complete/movies/Movie.2018.1080p.BluRay"


# -- remove ------------------------------------------------------------------------------------
def test_removing_a_queued_job_deletes_it_with_its_files(sab):
    sab.on("queue", "queue_delete_ok", sub="delete")
    make().remove("SABnzbd_nzo_p86tgx")
    call = sab.calls_to("queue", "delete")[0]
    assert (call.params["value"], call.params["del_files"]) == ("SABnzbd_nzo_p86tgx", "1")
    assert sab.calls_to("history") == []


def test_removing_a_completed_job_archives_it_in_the_history(sab):
    sab.on("queue", "queue_delete_unknown", sub="delete").on("history", "history")
    sab.on("history", "history_delete", sub="delete")
    make().remove("SABnzbd_nzo_sdkoun")
    call = sab.calls_to("history", "delete")[0]
    assert (call.params["value"], call.params["archive"], call.params["del_files"]) == (
        "SABnzbd_nzo_sdkoun",
        "1",
        "0",
    )


def test_removing_a_failed_job_with_data_deletes_it_for_good(sab):
    sab.on("queue", "queue_delete_unknown", sub="delete").on("history", "history")
    sab.on("history", "history_delete", sub="delete")
    make().remove("SABnzbd_nzo_fail01", delete_data=True)
    call = sab.calls_to("history", "delete")[0]
    assert (call.params["archive"], call.params["del_files"]) == ("0", "1")


def test_removing_an_unknown_job_is_not_found(sab):
    sab.on("queue", "queue_delete_unknown", sub="delete").on("history", "history")
    with pytest.raises(NotFoundError, match="SABnzbd has no job SABnzbd_nzo_gone00"):
        make().remove("SABnzbd_nzo_gone00")
    assert sab.calls_to("history", "delete") == []


# -- pause / resume ----------------------------------------------------------------------------
@pytest.mark.parametrize("verb", ["pause", "resume"])
def test_pause_and_resume_address_the_job(sab, verb):
    sab.on("queue", "queue_pause_ok", sub=verb)
    getattr(make(), verb)("SABnzbd_nzo_p86tgx")
    assert sab.calls_to("queue", verb)[0].params["value"] == "SABnzbd_nzo_p86tgx"


@pytest.mark.parametrize("verb", ["pause", "resume"])
def test_pausing_or_resuming_an_unknown_job_is_not_found(sab, verb):
    sab.on("queue", "queue_pause_unknown", sub=verb)
    with pytest.raises(NotFoundError, match=f"SABnzbd has no queued job SABnzbd_nzo_x to {verb}"):
        getattr(make(), verb)("SABnzbd_nzo_x")


# -- category ----------------------------------------------------------------------------------
def test_set_category_sends_change_cat(sab):
    sab.on("change_cat", "change_cat_ok")
    make().set_category("SABnzbd_nzo_p86tgx", "Movies")
    assert sab.calls_to("change_cat")[0].params["value2"] == "movies"


def test_empty_category_resets_to_sabnzbds_default(sab):
    sab.on("change_cat", "change_cat_ok")
    make().set_category("SABnzbd_nzo_p86tgx", "")
    assert sab.calls_to("change_cat")[0].params["value2"] == "None"


def test_unknown_category_is_refused_without_changing_anything(sab):
    with pytest.raises(ConfigurationError, match="no category 'nope'"):
        make().set_category("SABnzbd_nzo_p86tgx", "nope")
    assert sab.calls_to("change_cat") == []


def test_category_of_a_finished_job_is_not_found(sab):
    sab.on("change_cat", "change_cat_unknown")
    with pytest.raises(NotFoundError, match="finished jobs can't change category"):
        make().set_category("SABnzbd_nzo_sdkoun", "tv")


# -- priority and queue order ------------------------------------------------------------------
@pytest.mark.parametrize(("priority", "value"), [("high", "1"), ("normal", "0"), ("low", "-1")])
def test_priority_is_set_with_sabnzbds_value(sab, priority, value):
    sab.on("queue", "queue_priority", sub="priority")
    make().set_priority("SABnzbd_nzo_p86tgx", Priority(priority))
    assert sab.calls_to("queue", "priority")[0].params["value2"] == value


def test_priority_of_an_unknown_job_is_not_found(sab):
    sab.on("queue", "queue_priority_unknown", sub="priority")
    with pytest.raises(NotFoundError, match="finished jobs have no priority"):
        make().set_priority("SABnzbd_nzo_x", Priority.HIGH)


def test_bottom_moves_the_job_to_the_last_queue_index(sab):
    sab.on("queue", "queue").on("switch", "switch_ok")
    make().set_priority("SABnzbd_nzo_p86tgx", Priority.BOTTOM)
    assert sab.calls_to("switch")[0].params["value2"] == "10"


def test_a_job_already_on_top_is_not_moved(sab):
    sab.on("queue", "queue")
    make().set_priority("SABnzbd_nzo_p86tgx", Priority.TOP)
    assert sab.calls_to("switch") == []


def test_moving_a_job_not_in_the_queue_is_not_found(sab):
    sab.on("queue", "queue")
    with pytest.raises(NotFoundError, match="no queued job SABnzbd_nzo_sdkoun to move"):
        make().set_priority("SABnzbd_nzo_sdkoun", Priority.TOP)


def test_a_switch_sabnzbd_refuses_is_an_error(sab):
    sab.on("queue", "queue").on("switch", "switch_unknown")
    with pytest.raises(IntegrationError, match="SABnzbd did not move job"):
        make().set_priority("SABnzbd_nzo_q1w2e3", Priority.TOP)
