"""The shared HTTP layer: error mapping, redaction, timeouts, TLS, headers."""

from __future__ import annotations

import socket
import threading

import pytest
import responses

from idkarr import __version__
from integrations import http
from integrations.errors import (
    AuthenticationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from tests.conftest import free_port
from tests.httpserver import Reply


class SilentServer:
    """Accepts connections and then either stays silent or answers fixed bytes."""

    def __init__(self, reply: bytes | None = None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.conns = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.reply is not None:
                conn.recv(65536)
                conn.sendall(self.reply)
                conn.close()

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


@pytest.fixture
def client():
    c = http.HttpClient("Thing", read_timeout=0.5, connect_timeout=0.5)
    yield c
    c.close()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (400, IntegrationError),
    ],
)
@responses.activate
def test_status_codes_map_to_the_error_tree(client, status, error):
    responses.get("http://127.0.0.1:1/x", status=status, body="nope")
    with pytest.raises(error):
        client.get("http://127.0.0.1:1/x")


@pytest.mark.parametrize(
    ("status", "permanent"), [(401, True), (404, True), (400, True), (429, False), (502, False)]
)
@responses.activate
def test_status_codes_are_permanent_or_transient(client, status, permanent):
    responses.get("http://127.0.0.1:1/x", status=status)
    with pytest.raises(IntegrationError) as info:
        client.get("http://127.0.0.1:1/x")
    assert info.value.permanent is permanent


@responses.activate
def test_429_carries_retry_after_seconds(client):
    responses.get("http://127.0.0.1:1/x", status=429, headers={"Retry-After": "42"})
    with pytest.raises(RateLimited) as info:
        client.get("http://127.0.0.1:1/x")
    assert info.value.retry_after == 42


def test_retry_after_http_date_is_parsed():
    assert http.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert http.parse_retry_after("garbage") is None


@responses.activate
def test_error_message_includes_a_short_body_excerpt(client):
    responses.get(
        "http://127.0.0.1:1/x",
        status=500,
        body="<html><body><h1>Database is down</h1></body></html>",
    )
    with pytest.raises(ServerError, match="Database is down"):
        client.get("http://127.0.0.1:1/x")


@responses.activate
def test_html_instead_of_json_is_a_protocol_error(client):
    responses.get("http://127.0.0.1:1/x", body="<html>login</html>", content_type="text/html")
    with pytest.raises(ProtocolError, match="HTML page"):
        client.json(client.get("http://127.0.0.1:1/x"))


@responses.activate
def test_truncated_json_is_a_protocol_error(client):
    responses.get("http://127.0.0.1:1/x", body='{"a": [1, 2', content_type="application/json")
    with pytest.raises(ProtocolError, match="invalid JSON"):
        client.json(client.get("http://127.0.0.1:1/x"))


@responses.activate
def test_user_agent_names_idkarr_and_version(client):
    responses.get("http://127.0.0.1:1/x", body="ok")
    client.get("http://127.0.0.1:1/x")
    assert responses.calls[0].request.headers["User-Agent"] == f"idkarr/{__version__}"


def test_connection_refused_is_transient_and_says_so(client):
    with pytest.raises(ConnectionFailed) as info:
        client.get(f"http://127.0.0.1:{free_port()}/x")
    assert "connection refused" in info.value.message
    assert info.value.permanent is False


def test_server_that_never_answers_times_out(client):
    server = SilentServer()
    try:
        with pytest.raises(RequestTimedOut) as info:
            client.get(f"http://127.0.0.1:{server.port}/x")
        assert info.value.permanent is False
    finally:
        server.close()


def test_connection_closed_without_answer_is_connection_failed(client):
    server = SilentServer(reply=b"")
    try:
        with pytest.raises(ConnectionFailed, match="closed before an answer"):
            client.get(f"http://127.0.0.1:{server.port}/x")
    finally:
        server.close()


def test_https_to_a_plain_http_port_is_a_permanent_tls_error(client):
    server = SilentServer(reply=b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    try:
        with pytest.raises(ConnectionFailed, match="TLS") as info:
            client.get(f"https://127.0.0.1:{server.port}/x")
        assert info.value.permanent is True
    finally:
        server.close()


def test_tls_verification_is_on_by_default():
    assert http.HttpClient("x").session.verify is True


def test_redact_hides_userinfo_and_secret_query_values():
    url = http.redact("https://bob:pw@host:1/api?apikey=abc&t=search&token=zz")
    assert "pw" not in url and "abc" not in url and "zz" not in url
    assert "t=search" in url
    assert "apikey=***" in url


@responses.activate
def test_408_is_a_transient_timeout(client):
    responses.get("http://127.0.0.1:1/x", status=408)
    with pytest.raises(RequestTimedOut):
        client.get("http://127.0.0.1:1/x")


@responses.activate
def test_post_does_not_follow_redirects(client):
    responses.post(
        "http://127.0.0.1:1/x", status=302, headers={"Location": "http://127.0.0.1:1/elsewhere"}
    )
    with pytest.raises(IntegrationError):
        client.post("http://127.0.0.1:1/x")
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://api.telegram.org/bot123456:AAbbCCdd/sendMessage", "AAbbCCdd"),
        ("https://discord.com/api/webhooks/1234/tokTOKtok", "tokTOKtok"),
        ("https://hooks.slack.com/services/T000/B000/XXYYZZ", "XXYYZZ"),
        ("http://ha.local/api/webhook/my-hook-id", "my-hook-id"),
    ],
)
def test_redact_hides_tokens_in_known_paths(url, secret):
    assert secret not in http.redact(url)


def test_a_daemon_on_this_machine_is_asked_for_uncompressed_answers():
    from integrations.http import HttpClient

    client = HttpClient("Daemon")
    client.uncompressed_on_loopback("http://127.0.0.1:9091/transmission/rpc")
    assert client.session.headers["Accept-Encoding"] == "identity"


def test_a_remote_daemon_keeps_compressed_answers():
    from integrations.http import HttpClient

    client = HttpClient("Daemon")
    client.uncompressed_on_loopback("http://nas.lan:9091/transmission/rpc")
    assert client.session.headers["Accept-Encoding"] != "identity"


SECRET_AT_EDGE = "Edge-Secret-4f9a2b7c1d3e"


def test_a_secret_echoed_across_the_excerpts_edge_leaves_no_fragment(recording_server):
    recording_server.default_response = Reply(500, "x" * 190 + SECRET_AT_EDGE)
    client = http.HttpClient("Echoer", secrets=(SECRET_AT_EDGE,))
    with pytest.raises(ServerError) as err:
        client.get(recording_server.url)
    assert "Edge-S" not in err.value.message and "***" in err.value.message


def test_a_secret_echoed_in_a_non_json_answer_is_masked(recording_server):
    recording_server.default_response = Reply(200, "<html>" + "y" * 100 + SECRET_AT_EDGE)
    client = http.HttpClient("Echoer", secrets=(SECRET_AT_EDGE,))
    with pytest.raises(ProtocolError) as err:
        client.json(client.get(recording_server.url))
    assert "Edge-S" not in err.value.message
