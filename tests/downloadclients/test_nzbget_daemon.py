"""NZBGet against a real nzbget 21.0 (Debian 12) on loopback: test() and downloads that
really finish, from a fake NNTP server."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.errors import ConnectionFailed, NotFoundError, UnsupportedError
from tests.conftest import require_binary
from tests.daemons.nntp import make_nzb
from tests.daemons.nzbget import start_nzbget
from tests.downloadclients import nzbget_fixtures as fx
from tests.downloadclients.nzbget_fixtures import (
    add_release,
    finished,
    make_provider,
    new_password,
    wait_for,
)
from tests.httpserver import RecordingServer, Reply

# The fixtures this module uses (a session daemon per module: nzbget starts in ~30 ms).
fake_nntp, nzbget_daemon, nzbget, unique = fx.fake_nntp, fx.nzbget_daemon, fx.nzbget, fx.unique

daemon = pytest.mark.daemon
S = DownloadStatus


# -- test() ------------------------------------------------------------------------------------
@daemon
def test_test_reports_the_version_the_binary_reports(nzbget, nzbget_daemon):
    out = subprocess.run([nzbget_daemon.binary, "-v"], capture_output=True, text=True).stdout
    version = out.split()[-1]
    result = nzbget.run_test()
    assert result.ok, result.message
    assert result.message == f"Connected to NZBGet {version} (JSON-RPC)"
    assert result.details["version"] == version


@daemon
def test_test_is_healthy_with_the_categories_and_a_news_server(nzbget):
    health = nzbget.health()
    assert health.status == "healthy", health.message
    assert {"tv-idkarr", "movies-idkarr"} <= set(health.details["categories"])
    assert health.details["news_servers"] == 1
    assert health.details["free_disk_space"] > 0


@daemon
def test_wrong_password_fails_the_test_naming_the_credentials(nzbget_daemon):
    with make_provider(nzbget_daemon, password="not-the-password") as provider:
        result = provider.run_test()
    assert not result.ok
    assert "rejected the username or password" in result.message
    assert result.details["code"] == "authentication_failed"


@daemon
def test_missing_category_degrades_the_test_and_names_it(nzbget_daemon, unique):
    with make_provider(nzbget_daemon, movie_category=unique) as provider:
        health = provider.health()
    assert health.status == "degraded"
    assert health.details["missing_categories"] == [unique]
    assert f"category {unique} does not exist in NZBGet" in health.message


@daemon
def test_nzbget_without_news_server_is_degraded(tmp_path):
    binary = require_binary("nzbget")
    d = start_nzbget(tmp_path / "nzbget", password=new_password(), binary=binary)
    try:
        with make_provider(d) as provider:
            health = provider.health()
    finally:
        d.stop()
    assert health.status == "degraded"
    assert "no active news server" in health.message
    assert health.details["news_servers"] == 0


@daemon
def test_keep_history_zero_fails_the_test(tmp_path):
    binary = require_binary("nzbget")
    d = start_nzbget(tmp_path / "nzbget", password=new_password(), keep_history=0, binary=binary)
    try:
        with make_provider(d) as provider:
            result = provider.run_test()
    finally:
        d.stop()
    assert not result.ok
    assert "KeepHistory is '0'" in result.message


@daemon
def test_https_to_the_http_port_is_a_tls_error(nzbget_daemon):
    with make_provider(nzbget_daemon, use_ssl=True) as provider:
        with pytest.raises(ConnectionFailed, match="reset the HTTPS connection; NZBGet only"):
            provider.test()


@daemon
def test_nzbget_answers_under_any_url_base(nzbget_daemon):
    # NZBGet ignores the first path segment before /jsonrpc, so a URL base needed only by
    # a proxy in front of it does no harm when connecting directly.
    with make_provider(nzbget_daemon, url_base="/nzbget") as provider:
        assert provider.run_test().ok


# -- downloads against the fake news server ------------------------------------------------------
@daemon
def test_served_nzb_completes_with_its_file_in_the_output_path(
    nzbget, nzbget_daemon, fake_nntp, unique
):
    download_id, data, part = add_release(nzbget, fake_nntp, unique)
    item = wait_for(nzbget, download_id, finished)
    assert (item.status, item.raw_state) == (S.COMPLETED, "SUCCESS/HEALTH")
    assert item.output_path == str(nzbget_daemon.dest_dir / unique / f"Show.{unique}")
    assert (nzbget_daemon.dest_dir / unique / f"Show.{unique}" / part.name).read_bytes() == data
    assert nzbget.get_completed_path(download_id) == item.output_path
    assert (item.category, item.progress, item.size, item.size_left) == (unique, 1.0, len(data), 0)


@daemon
def test_nzb_with_a_missing_article_fails_with_the_reason(nzbget, fake_nntp, unique):
    download_id, *_ = add_release(nzbget, fake_nntp, unique, missing=True)
    item = wait_for(nzbget, download_id, finished)
    assert (item.status, item.raw_state) == (S.FAILED, "FAILURE/HEALTH")
    assert item.message == "too many articles are missing; health 0.0% (critical 100.0%)"


@daemon
def test_failing_post_processing_script_is_a_warning(nzbget, nzbget_daemon, fake_nntp, unique):
    category = nzbget_daemon.script_category
    download_id, *_ = add_release(nzbget, fake_nntp, unique, category=category)
    item = wait_for(nzbget, download_id, finished)
    assert (item.status, item.raw_state) == (S.WARNING, "WARNING/SCRIPT")
    assert item.message == "a post-processing script failed"


@daemon
def test_download_waiting_for_its_article_is_downloading(nzbget, fake_nntp, unique):
    download_id, _, part = add_release(nzbget, fake_nntp, unique, hold=True)
    try:
        item = wait_for(nzbget, download_id, lambda i: i.raw_state == "DOWNLOADING")
        assert (item.status, item.progress, item.output_path) == (S.DOWNLOADING, 0.0, "")
    finally:
        fake_nntp.release(part)
    wait_for(nzbget, download_id, lambda i: i.status == S.COMPLETED)


@daemon
def test_download_added_paused_completes_once_resumed(nzbget, fake_nntp, unique):
    download_id, *_ = add_release(nzbget, fake_nntp, unique, paused=True)
    item = wait_for(nzbget, download_id, lambda i: i.raw_state == "PAUSED")
    assert item.status == S.PAUSED
    nzbget.resume(download_id)
    wait_for(nzbget, download_id, lambda i: i.status == S.COMPLETED)


@daemon
def test_gzip_packed_nzb_is_sent_unpacked_and_completes(nzbget, fake_nntp, unique):
    part = fake_nntp.publish(f"{unique}.bin", b"g" * 2000)
    packed = gzip.compress(make_nzb([part]))
    request = AddRequest(nzb=packed, name=f"Gz.{unique}.nzb.gz", category=unique)
    item = wait_for(nzbget, nzbget.add(request), finished)
    assert (item.status, item.title) == (S.COMPLETED, f"Gz.{unique}")


@daemon
def test_nzb_url_is_fetched_and_downloaded_by_nzbget(nzbget, fake_nntp, unique):
    nzb = make_nzb([fake_nntp.publish(f"{unique}.bin", b"u" * 2000)])
    headers = {"Content-Disposition": f'attachment; filename="From.Url.{unique}.nzb"'}
    with RecordingServer(default_response=Reply(200, nzb, headers)) as indexer:
        download_id = nzbget.add(AddRequest(url=f"{indexer.url}/getnzb?id=1", category=unique))
        item = wait_for(nzbget, download_id, finished)
    assert (item.status, item.title) == (S.COMPLETED, f"From.Url.{unique}")


@daemon
def test_nzb_url_answering_404_fails_as_not_fetched(nzbget, unique):
    with RecordingServer(default_response=Reply(404, "no such nzb")) as indexer:
        download_id = nzbget.add(AddRequest(url=f"{indexer.url}/getnzb?id=2", category=unique))
        item = wait_for(nzbget, download_id, finished)
    assert (item.status, item.raw_state) == (S.FAILED, "FAILURE/FETCH")


@daemon
def test_file_nzbget_cannot_parse_is_listed_as_failed(nzbget, nzbget_daemon, unique):
    # add() refuses such bytes up front; this one goes around it, straight to NZBGet.
    nzb_id = nzbget_daemon.rpc(
        "append", f"{unique}.nzb", "bm90IGFuIG56Yg==", unique, 0, False, False, "", 0, "ALL", []
    )
    item = wait_for(nzbget, str(nzb_id), finished)
    assert (item.status, item.message) == (S.FAILED, "NZBGet could not read the NZB")


@daemon
def test_set_category_of_a_finished_download_changes_it(nzbget, fake_nntp, unique):
    download_id, *_ = add_release(nzbget, fake_nntp, unique)
    wait_for(nzbget, download_id, finished)
    nzbget.set_category(download_id, unique + "-imported")
    wait_for(nzbget, download_id, lambda i: i.category == unique + "-imported")


@daemon
def test_pausing_a_finished_download_says_it_left_the_queue(nzbget, fake_nntp, unique):
    download_id, *_ = add_release(nzbget, fake_nntp, unique)
    wait_for(nzbget, download_id, finished)
    with pytest.raises(NotFoundError, match="has left the queue"):
        nzbget.pause(download_id)


@daemon
def test_removing_a_finished_download_keeps_its_files(nzbget, fake_nntp, unique):
    download_id, *_ = add_release(nzbget, fake_nntp, unique)
    path = wait_for(nzbget, download_id, finished).output_path
    nzbget.remove(download_id)
    assert nzbget.get_download(download_id) is None
    assert [p.name for p in Path(path).iterdir()] == [f"{unique}.bin"]


@daemon
def test_removing_a_finished_download_with_data_is_unsupported_and_keeps_it(
    nzbget, fake_nntp, unique
):
    download_id, *_ = add_release(nzbget, fake_nntp, unique)
    path = wait_for(nzbget, download_id, finished).output_path
    with pytest.raises(UnsupportedError, match=f"delete {path} yourself"):
        nzbget.remove(download_id, delete_data=True)
    assert nzbget.get_download(download_id).status == S.COMPLETED


@daemon
def test_removing_a_download_missing_articles_with_data_is_unsupported(nzbget, fake_nntp, unique):
    # FAILURE/HEALTH without a health-check deletion: NZBGet's HistoryDelete keeps its folder.
    download_id, *_ = add_release(nzbget, fake_nntp, unique, missing=True)
    folder = wait_for(nzbget, download_id, finished).save_path
    with pytest.raises(UnsupportedError, match=f"FAILURE/HEALTH.*delete {folder} yourself"):
        nzbget.remove(download_id, delete_data=True)
    assert nzbget.get_download(download_id).status == S.FAILED


@daemon
def test_removing_an_unreadable_nzb_with_data_drops_it(nzbget, nzbget_daemon, unique):
    nzb_id = nzbget_daemon.rpc(
        "append", f"{unique}.nzb", "bm90IGFuIG56Yg==", unique, 0, False, False, "", 0, "ALL", []
    )
    wait_for(nzbget, str(nzb_id), finished)
    nzbget.remove(str(nzb_id), delete_data=True)  # DeleteStatus SCAN: NZBGet cleans up
    assert nzbget.get_download(str(nzb_id)) is None
