"""Download Station over real loopback sockets (``RecordingServer`` playing the NAS):
the bytes on the wire, and the network failures a NAS produces (TLS on an HTTP port,
a connection dropped mid-poll, a hung NAS, nothing listening)."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import AddRequest
from integrations.errors import ConnectionFailed, RequestTimedOut
from tests.conftest import free_port
from tests.downloadclients.downloadstation_fixtures import PASSWORD, load, make_ds, sid_of
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import make_torrent

SESSION = [Reply(200, load("info_dsm6")), Reply(200, load("auth_ok"))]


@pytest.fixture
def nas():
    with RecordingServer() as srv:
        yield srv


def ds_at(srv: RecordingServer, **overrides):
    return make_ds(port=srv.port, **overrides)


def test_multipart_upload_sends_every_field_before_the_file_and_no_sid_in_the_url(nas, tmp_path):
    data, _ = make_torrent(tmp_path, name="Show.S01E01.mkv")
    task = load("task_list")["data"]["tasks"][1]
    task["additional"]["detail"]["uri"] = "Show.S01E01"
    listed = {"data": {"offset": 0, "tasks": [task], "total": 1}, "success": True}
    nas.script(
        [
            *SESSION,
            Reply(200, load("task_list_empty")),
            Reply(200, load("task_create_ok")),
            Reply(200, listed),
        ]
    )
    ds = ds_at(nas, destination="downloads")
    assert ds.add(AddRequest(torrent=data, name="Show.S01E01.torrent")) == "dbid_102"
    create = nas.requests[3]
    assert (create.method, create.path) == ("POST", "/webapi/DownloadStation/task.cgi")
    assert create.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert "_sid" not in create.raw_path
    order = [create.body.index(f'name="{n}"'.encode()) for n in ("api", "_sid", "destination")]
    assert max(order) < create.body.index(b'name="file"; filename="Show.S01E01.torrent"')
    assert data in create.body


def test_login_keeps_the_password_out_of_the_request_line(nas):
    nas.script([*SESSION, Reply(200, load("task_list_empty"))])
    ds_at(nas).get_downloads()
    login = nas.requests[1]
    assert (login.method, login.path) == ("POST", "/webapi/auth.cgi")
    assert PASSWORD not in login.raw_path and PASSWORD in login.text


def test_https_to_an_http_port_is_a_tls_error_naming_download_station(nas):
    with pytest.raises(ConnectionFailed) as err:
        ds_at(nas, use_ssl=True).get_downloads()
    assert str(err.value).startswith("TLS handshake with Download Station failed")
    assert "does not speak TLS on this port" in str(err.value)
    assert err.value.permanent is True


def test_connection_dropped_mid_poll_is_transient_and_hides_the_sid(nas):
    nas.script([*SESSION, Reply(close=True)])
    with pytest.raises(ConnectionFailed, match="Cannot reach Download Station") as err:
        ds_at(nas).get_downloads()
    assert err.value.permanent is False
    assert sid_of() not in str(err.value)


def test_hung_nas_times_out_after_the_configured_seconds(nas):
    nas.script([*SESSION, Reply(hang=True)])
    with pytest.raises(RequestTimedOut, match="Download Station did not answer within 0.3 s"):
        ds_at(nas, timeout_seconds=0.3).get_downloads()


def test_nothing_listening_is_connection_refused():
    result = make_ds(port=free_port()).run_test()
    assert not result.ok
    assert "connection refused" in result.message
    assert result.details["code"] == "connection_failed"
