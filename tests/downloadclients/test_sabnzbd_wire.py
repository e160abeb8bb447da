"""SABnzbd over a real loopback HTTP server (``tests/httpserver.py``) answering with the
recorded-shape replies: the multipart upload as sent on the wire, TLS to a plain
port, a server that dies mid-poll, one that is gone, and one that is too slow."""

from __future__ import annotations

import time

import pytest

from integrations.downloadclients.base import AddRequest
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    RequestTimedOut,
)
from tests.httpserver import Reply

from .sabnzbd_fixtures import API_KEY, NZB, load, make, text_reply


def on(srv, **overrides):
    return make(host="127.0.0.1", port=srv.port, **overrides)


def text(name: str) -> Reply:
    r = text_reply(name)
    return Reply(r["status"], r["body"], headers={"Content-Type": r["content_type"]})


def test_addfile_goes_out_as_multipart_with_the_parameters_in_the_query(recording_server):
    srv = recording_server
    srv.script([Reply(200, load("version")), Reply(200, load("get_config_categories"))])
    srv.script([Reply(200, load("addfile_ok"))])
    assert on(srv).add(AddRequest(nzb=NZB, name="Show.S01E01")) == "SABnzbd_nzo_p86tgx"
    req = srv.last_request
    assert (req.method, req.path) == ("POST", "/api")
    assert {k: v[0] for k, v in req.query.items()} == {
        "mode": "addfile",
        "cat": "tv",
        "priority": "-100",
        "nzbname": "Show.S01E01",
        "apikey": API_KEY,
        "output": "json",
    }
    assert req.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'Content-Disposition: form-data; name="name"; filename="Show.S01E01.nzb"' in req.body
    assert NZB in req.body


def test_every_request_puts_mode_first_and_output_last(recording_server):
    srv = recording_server
    srv.script([Reply(200, load("version")), Reply(200, load("queue_empty"))])
    srv.script([Reply(200, load("history_empty"))])
    on(srv).get_downloads()
    query = srv.last_request.raw_path.split("?", 1)[1]
    assert query.startswith("mode=history&") and query.endswith("&output=json")


def test_https_to_sabnzbds_plain_http_port_says_so(recording_server):
    with pytest.raises(ConnectionFailed) as err:
        on(recording_server, use_ssl=True).test()
    assert "TLS handshake with SABnzbd failed" in str(err.value)
    assert "does not speak TLS on this port" in str(err.value)


def test_connection_dropped_mid_poll_is_a_transient_connection_failure(recording_server):
    srv = recording_server
    srv.script([Reply(200, load("version")), Reply(200, load("queue")), Reply(close=True)])
    with pytest.raises(ConnectionFailed) as err:
        on(srv).get_downloads()
    assert err.value.permanent is False
    assert "closed before an answer" in str(err.value)
    assert API_KEY not in str(err.value)


def test_sabnzbd_gone_is_connection_refused_without_the_key(recording_server):
    client = on(recording_server)
    recording_server.stop()
    with pytest.raises(ConnectionFailed) as err:
        client.get_downloads()
    assert "connection refused" in str(err.value)
    assert "Cannot reach SABnzbd at http://127.0.0.1:" in str(err.value)
    assert API_KEY not in str(err.value)


def test_a_poll_after_sabnzbd_came_back_works_again(recording_server):
    srv = recording_server
    client = on(srv)
    srv.script([Reply(200, load("version")), Reply(close=True)])
    with pytest.raises(ConnectionFailed):
        client.get_downloads()
    srv.script([Reply(200, load("queue")), Reply(200, load("history"))])
    assert len(client.get_downloads()) == 15


def test_a_sabnzbd_slower_than_the_timeout_times_out(recording_server):
    srv = recording_server
    srv.script([Reply(200, load("version"), delay=5)])
    started = time.monotonic()
    with pytest.raises(RequestTimedOut, match="SABnzbd did not answer within 0.3 s"):
        on(srv, timeout_seconds=0.3).test()
    assert time.monotonic() - started < 3


def test_a_redirected_upload_names_the_target_without_secrets(recording_server):
    srv = recording_server
    srv.script([Reply(200, load("version")), Reply(200, load("get_config_categories"))])
    location = f"https://sab.example.invalid/api?mode=addfile&apikey={API_KEY}"
    srv.script([Reply(301, "", headers={"Location": location})])
    with pytest.raises(ConfigurationError) as err:
        on(srv).add(AddRequest(nzb=NZB))
    assert "redirected the request (HTTP 301)" in str(err.value)
    assert API_KEY not in str(err.value)


def test_health_with_a_wrong_key_is_unhealthy_and_says_why(recording_server):
    srv = recording_server
    srv.script(
        [Reply(200, load("version")), text("api_key_incorrect"), Reply(200, load("auth_badkey"))]
    )
    health = on(srv).health()
    assert health.status == "unhealthy"
    assert health.details["code"] == AuthenticationError.code
    assert "API Key Incorrect" in health.message
    assert srv.requests[2].query["mode"] == ["auth"]
