"""Download Station: listing, adding (DSM 6 task API and DSM 7 DownloadStation2), bad
input, and the task verbs, against a scripted DSM (``FakeDsm``) replaying fixtures."""

from __future__ import annotations

import copy
import gzip

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.downloadclients import downloadstation_fixtures as fx
from tests.downloadclients.downloadstation_fixtures import (
    DS_INFO,
    FS_LIST,
    TASK,
    TASK2,
    error,
    load,
    make_ds,
    sid_of,
)
from tests.torrentdata import make_torrent, random_magnet

rsps, dsm, dsm7 = fx.rsps, fx.dsm, fx.dsm7  # fixtures used by this module


S = DownloadStatus
NZB = (
    b'<?xml version="1.0"?><nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"><file><segments>'
    b'<segment bytes="100" number="1">a@x.invalid</segment></segments></file></nzb>'
)
PROVIDER = "integrations.downloadclients.providers.downloadstation.provider"


def listing(*tasks: dict) -> dict:
    return {"data": {"offset": 0, "tasks": list(tasks), "total": len(tasks)}, "success": True}


def new_task(task_id: str, uri: str, *, title: str = "x", type_: str = "bt") -> dict:
    task = copy.deepcopy(load("task_list")["data"]["tasks"][0])
    task.update(id=task_id, title=title, type=type_)
    task["additional"]["detail"]["uri"] = uri
    return task


# -- listing -------------------------------------------------------------------------------------
def test_listing_maps_every_fixture_task_with_category_and_nas_path(dsm):
    dsm.on(TASK, "list", load("task_list"))
    items = {i.id: i for i in make_ds().get_downloads()}
    assert len(items) == 12
    finished = items["dbid_105"]
    assert (finished.status, finished.category) == (S.COMPLETED, "tv-idkarr")
    assert finished.output_path == "/volume1/downloads/tv-idkarr/Show.S01E04.1080p"
    assert items["dbid_103"].category == "movies-idkarr"
    assert items["dbid_108"].category == ""


def test_listing_asks_for_detail_and_transfer(dsm):
    make_ds().get_downloads()
    assert dsm.of(TASK, "list")[0].query["additional"] == "detail,transfer"


def test_listing_filters_by_category(dsm):
    dsm.on(TASK, "list", load("task_list"))
    assert [i.id for i in make_ds().get_downloads(category="movies-idkarr")] == ["dbid_103"]


def test_explicit_category_folder_maps_back_to_its_category(dsm):
    task = new_task("dbid_7", "u")
    task["additional"]["detail"]["destination"] = "video/series"
    dsm.on(TASK, "list", listing(task))
    dsm.on(FS_LIST, "getinfo", {"data": {"files": [{"isdir": True}]}, "success": True})
    item = make_ds(tv_destination="video/series").get_downloads()[0]
    assert (item.category, item.output_path) == ("tv-idkarr", "/video/series/x")


def test_output_path_falls_back_to_the_shared_folder_and_is_looked_up_once(dsm):
    dsm.on(TASK, "list", load("task_list"))
    dsm.on(FS_LIST, "getinfo", error(407))
    ds = make_ds()
    ds.get_downloads()
    item = {i.id: i for i in ds.get_downloads()}["dbid_105"]
    assert item.output_path == "/downloads/tv-idkarr/Show.S01E04.1080p"
    assert len(dsm.of(FS_LIST, "getinfo")) == 1


def test_listing_pages_until_the_total(dsm):
    tasks = load("task_list")["data"]["tasks"]
    dsm.on(
        TASK,
        "list",
        {"data": {"offset": 0, "tasks": tasks[:5], "total": 12}, "success": True},
        {"data": {"offset": 5, "tasks": tasks[5:], "total": 12}, "success": True},
    )
    assert len(make_ds().get_downloads()) == 12
    assert [c.query["offset"] for c in dsm.of(TASK, "list")] == ["0", "5"]


def test_empty_destination_uses_download_stations_default_folder(dsm):
    dsm.on(TASK, "list", load("task_list"))
    items = make_ds(destination="").get_downloads(category="tv-idkarr")
    assert len(items) == 9
    assert len(dsm.of(DS_INFO, "getconfig")) == 1


# -- add on DSM 6 (task API v1: no task id in the answer) -------------------------------------
def test_magnet_is_posted_with_its_destination_and_the_new_task_is_found(dsm):
    magnet, _ = random_magnet()
    dsm.on(
        TASK,
        "list",
        load("task_list"),
        listing(*load("task_list")["data"]["tasks"], new_task("dbid_200", magnet)),
    )
    dsm.on(TASK, "create", load("task_create_ok"))
    assert make_ds().add(AddRequest(magnet=magnet)) == "dbid_200"
    create = dsm.of(TASK, "create")[0]
    assert create.method == "POST" and not create.query
    assert create.form == {
        "api": TASK,
        "version": "3",
        "method": "create",
        "_sid": sid_of(),
        "uri": magnet,
        "destination": "downloads/tv-idkarr",
    }


def test_magnet_task_is_recognised_by_its_infohash_when_dsm_rewrites_the_uri(dsm):
    magnet, infohash = random_magnet()
    rewritten = f"magnet:?xt=urn:btih:{infohash.upper()}"
    dsm.on(TASK, "list", listing(), listing(new_task("dbid_201", rewritten)))
    dsm.on(TASK, "create", load("task_create_ok"))
    assert make_ds().add(AddRequest(magnet=magnet)) == "dbid_201"


def test_torrent_upload_is_multipart_with_the_fields_before_the_file(dsm, tmp_path):
    data, _ = make_torrent(tmp_path, name="Show.S01E01.mkv")
    dsm.on(TASK, "list", listing(), listing(new_task("dbid_202", "Show.S01E01")))
    dsm.on(TASK, "create", load("task_create_ok"))
    assert (
        make_ds().add(
            AddRequest(torrent=data, name="Show.S01E01.torrent", category="movies-idkarr")
        )
        == "dbid_202"
    )
    create = dsm.of(TASK, "create")[0]
    assert create.form == {
        "api": TASK,
        "version": "2",
        "method": "create",
        "_sid": sid_of(),
        "destination": "downloads/movies-idkarr",
    }
    assert create.files == {"file": ("Show.S01E01.torrent", data)}
    assert create.body.index(b'name="destination"') < create.body.index(b'name="file"')


def test_torrent_task_is_recognised_by_the_torrent_name(dsm, tmp_path):
    data, _ = make_torrent(tmp_path, name="Payload.Name.mkv")
    dsm.on(
        TASK, "list", listing(), listing(new_task("dbid_203", "other", title="Payload.Name.mkv"))
    )
    dsm.on(TASK, "create", load("task_create_ok"))
    assert make_ds().add(AddRequest(torrent=data)) == "dbid_203"


def test_a_task_already_there_for_the_same_magnet_is_returned(dsm):
    magnet, _ = random_magnet()
    dsm.on(TASK, "list", listing(new_task("dbid_50", magnet)))
    dsm.on(TASK, "create", load("task_create_ok"))
    assert make_ds().add(AddRequest(url=magnet)) == "dbid_50"


def test_add_that_never_appears_is_a_transient_error(dsm, monkeypatch):
    monkeypatch.setattr(f"{PROVIDER}.ADD_SETTLE_TIMEOUT", 0.3)
    dsm.on(TASK, "create", load("task_create_ok"))
    with pytest.raises(IntegrationError, match="did not list it within 0.3 s") as err:
        make_ds().add(AddRequest(url="http://127.0.0.1:9/x.torrent"))
    assert err.value.permanent is False


def test_paused_add_pauses_the_new_task(dsm):
    magnet, _ = random_magnet()
    dsm.on(TASK, "list", listing(), listing(new_task("dbid_204", magnet)))
    dsm.on(TASK, "create", load("task_create_ok"))
    dsm.on(TASK, "pause", load("task_action_ok"))
    make_ds().add(AddRequest(magnet=magnet, paused=True))
    assert dsm.of(TASK, "pause")[0].query["id"] == "dbid_204"


def test_save_path_overrides_the_category_folder(dsm):
    magnet, _ = random_magnet()
    dsm.on(TASK, "list", listing(), listing(new_task("dbid_205", magnet)))
    dsm.on(TASK, "create", load("task_create_ok"))
    make_ds().add(AddRequest(magnet=magnet, save_path="/video/special/"))
    assert dsm.of(TASK, "create")[0].form["destination"] == "video/special"


CREATE_ERRORS = [
    (401, IntegrationError, "maximum number of tasks"),
    (402, ConfigurationError, "may not write to the destination folder"),
    (403, ConfigurationError, "destination folder does not exist"),
    (406, ConfigurationError, "no default destination"),
    (407, ConfigurationError, "setting the destination failed"),
]


@pytest.mark.parametrize(
    ("code", "cls", "text"), CREATE_ERRORS, ids=[str(c[0]) for c in CREATE_ERRORS]
)
def test_refused_destination_or_task_is_explained(dsm, code, cls, text):
    dsm.on(TASK, "create", error(code))
    with pytest.raises(cls, match=text) as err:
        make_ds().add(AddRequest(magnet=random_magnet()[0]))
    assert str(err.value).startswith("Download Station could not add the download: ")


def test_max_tasks_reached_is_transient(dsm):
    dsm.on(TASK, "create", error(401))
    with pytest.raises(IntegrationError) as err:
        make_ds().add(AddRequest(magnet=random_magnet()[0]))
    assert err.value.permanent is False


# -- add on DSM 7 (DownloadStation2) ---------------------------------------------------------------
def test_nzb_upload_on_dsm7_uses_downloadstation2_with_json_quoted_fields(dsm7):
    dsm7.on(TASK2, "create", load("ds2_create_ok"))
    assert make_ds().add(AddRequest(nzb=NZB, name="Show.S01E01")) == "dbid_130"
    create = dsm7.of(TASK2, "create")[0]
    assert create.path == "entry.cgi"
    assert create.form == {
        "api": TASK2,
        "version": "2",
        "method": "create",
        "_sid": sid_of("auth_ok_dsm7"),
        "type": '"file"',
        "file": '["fileData"]',
        "create_list": "false",
        "destination": '"downloads/tv-idkarr"',
    }
    assert create.files == {"fileData": ("Show.S01E01.nzb", NZB)}
    assert not dsm7.of(TASK, "create")


def test_gzip_packed_nzb_is_uploaded_unpacked_as_plain_nzb(dsm7):
    dsm7.on(TASK2, "create", load("ds2_create_ok"))
    make_ds().add(AddRequest(nzb=gzip.compress(NZB), name="Show.S01E01.nzb.gz"))
    assert dsm7.of(TASK2, "create")[0].files == {"fileData": ("Show.S01E01.nzb", NZB)}


def test_url_add_on_dsm7_uses_downloadstation2(dsm7):
    dsm7.on(TASK2, "create", load("ds2_create_ok"))
    make_ds().add(AddRequest(url="https://127.0.0.1:9/get/Show.torrent"))
    create = dsm7.of(TASK2, "create")[0]
    assert (create.query["type"], create.query["url"], create.query["destination"]) == (
        "url",
        "https://127.0.0.1:9/get/Show.torrent",
        "downloads/tv-idkarr",
    )


def test_downloadstation2_without_a_task_id_falls_back_to_matching(dsm7):
    magnet, _ = random_magnet()
    dsm7.on(TASK2, "create", {"success": True})
    dsm7.on(TASK, "list", listing(), listing(new_task("dbid_206", magnet)))
    assert make_ds().add(AddRequest(magnet=magnet)) == "dbid_206"


def test_dsm7_add_with_no_category_still_sends_the_default_destination(dsm7):
    dsm7.on(TASK2, "create", load("ds2_create_ok"))
    make_ds(destination="", tv_category="").add(AddRequest(nzb=NZB))
    assert dsm7.of(TASK2, "create")[0].form["destination"] == '"downloads"'


def test_no_destination_anywhere_is_refused_before_creating(dsm7):
    dsm7.on(DS_INFO, "getconfig", load("ds_getconfig_no_default"))
    with pytest.raises(ConfigurationError, match="no default destination"):
        make_ds(destination="").add(AddRequest(nzb=NZB))
    assert not dsm7.of(TASK2, "create")


# -- bad input, refused before anything is sent --------------------------------------------------
BAD_INPUT = [
    (
        AddRequest(torrent=b"<html>429 Too Many Requests</html>", name="x.torrent"),
        ProtocolError,
        r"Cannot send x.torrent to Download Station: not a valid \.torrent \(not bencoded\)",
    ),
    (
        AddRequest(magnet="magnet:?dn=nothing"),
        ConfigurationError,
        "Cannot send the magnet to Download Station: magnet link has no BitTorrent info hash",
    ),
    (
        AddRequest(nzb=b"\x00\x01 binary bytes", name="a.nzb"),
        ProtocolError,
        r"Cannot send a.nzb to Download Station: not a valid NZB \(it is not XML \(binary data\)\)",
    ),
    (
        AddRequest(nzb=b"\x1f\x8b gzip bytes", name="a.nzb"),
        ProtocolError,
        r"Cannot send a.nzb to Download Station: not a valid NZB \(it is a damaged gzip file\)",
    ),
    (
        AddRequest(nzb=b"<html><body>Login</body></html>", name="a.nzb"),
        ProtocolError,
        r"Cannot send a.nzb to Download Station: not a valid NZB \(it is an HTML page\)",
    ),
    (
        AddRequest(nzb=b"<nzb><file/></nzb>", name="a.nzb"),
        ProtocolError,
        r"not a valid NZB \(its files list no segments\)",
    ),
    (AddRequest(url="file:///etc/passwd"), ConfigurationError, "must be an http\\(s\\) or ftp URL"),
    (
        AddRequest(magnet="magnet:?xt=urn:btih:abc", nzb=NZB),
        ConfigurationError,
        "Cannot send to Download Station: give exactly one",
    ),
]


@pytest.mark.parametrize(
    ("request_", "cls", "text"),
    BAD_INPUT,
    ids=[
        "torrent",
        "magnet",
        "nzb-binary",
        "nzb-gzip",
        "nzb-html",
        "nzb-no-segments",
        "url",
        "two",
    ],
)
def test_bad_input_is_refused_before_sending(dsm, request_, cls, text):
    with pytest.raises(cls, match=text):
        make_ds().add(request_)
    assert not dsm.of(TASK, "create")


def test_upload_file_name_gets_the_extension_download_station_needs(dsm, tmp_path):
    data, _ = make_torrent(tmp_path)
    dsm.on(TASK, "create", load("task_create_ok"))
    dsm.on(TASK, "list", listing(), listing(new_task("dbid_207", "evil")))
    make_ds().add(AddRequest(torrent=data, name="../../evil"))
    assert dsm.of(TASK, "create")[0].files["file"][0] == "evil.torrent"


# -- verbs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("verb", ["pause", "resume"])
def test_pause_and_resume_send_the_task_id(dsm, verb):
    dsm.on(TASK, verb, load("task_action_ok"))
    getattr(make_ds(), verb)("dbid_102")
    assert dsm.of(TASK, verb)[0].query["id"] == "dbid_102"


def test_remove_deletes_without_forcing_completion(dsm):
    dsm.on(TASK, "delete", load("task_action_ok"))
    make_ds().remove("dbid_102")
    call = dsm.of(TASK, "delete")[0]
    assert (call.query["id"], call.query["force_complete"]) == ("dbid_102", "false")


def test_remove_with_data_of_an_unfinished_task_deletes_it(dsm):
    dsm.on(TASK, "list", load("task_list"))
    dsm.on(TASK, "delete", load("task_action_ok"))
    make_ds().remove("dbid_110", delete_data=True)
    assert dsm.of(TASK, "delete")[0].query["id"] == "dbid_110"


def test_remove_with_data_of_a_finished_task_is_unsupported_and_deletes_nothing(dsm):
    dsm.on(TASK, "list", load("task_list"))
    with pytest.raises(
        UnsupportedError,
        match="cannot delete the files of a finished download.*/volume1/downloads/tv-idkarr/Show.S01E04.1080p",
    ):
        make_ds().remove("dbid_105", delete_data=True)
    assert not dsm.of(TASK, "delete")


def test_remove_with_data_of_an_unknown_task_is_not_found(dsm):
    with pytest.raises(NotFoundError, match="has no task dbid_999"):
        make_ds().remove("dbid_999", delete_data=True)


def test_per_task_error_in_an_answer_is_raised(dsm):
    dsm.on(TASK, "resume", load("task_action_per_id_error"))
    with pytest.raises(
        IntegrationError, match="could not resume task dbid_105: the task cannot do that"
    ):
        make_ds().resume("dbid_105")


def test_unknown_task_id_is_not_found(dsm):
    dsm.on(TASK, "pause", error(404))
    with pytest.raises(NotFoundError, match="could not pause task dbid_9: no such task"):
        make_ds().pause("dbid_9")


def test_task_id_list_is_refused(dsm):
    with pytest.raises(NotFoundError, match="not a Download Station task id"):
        make_ds().remove("dbid_1,dbid_2")
    assert not dsm.of(TASK, "delete")


def test_get_completed_path_is_the_nas_path(dsm):
    dsm.on(TASK, "list", load("task_list"))
    assert (
        make_ds().get_completed_path("dbid_107") == "/volume1/downloads/tv-idkarr/Show.S01E06.1080p"
    )
