"""RTorrent's SCGI transport without a daemon: the request framing, and peers that are not
rTorrent or break off (an HTTP server, silence, a cut-short or headerless answer)."""

from __future__ import annotations

import socket
import threading

import pytest

from integrations.downloadclients.providers.rtorrent import RTorrent, RTorrentSettings
from integrations.downloadclients.providers.rtorrent.transport import ScgiTransport
from integrations.errors import (
    ConfigurationError,
    ConnectionFailed,
    ProtocolError,
    RequestTimedOut,
    ServerError,
)
from tests.httpserver import RecordingServer

VERSION_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n'
    b"<param><value><string>0.9.8</string></value></param>\r\n</params>\r\n"
    b"</methodResponse>\r\n"
)


# -- SCGI framing and broken SCGI peers ----------------------------------------------------------
class FakeScgi:
    """A loopback TCP server: records one SCGI request per connection, sends ``reply``."""

    def __init__(self, reply: bytes | None, *, hang: bool = False):
        self.reply, self.hang = reply, hang
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()

    def __enter__(self) -> FakeScgi:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.requests.append(self._read_request(conn))
                if self.hang:
                    self.stop.wait(5)
                elif self.reply is not None:
                    conn.sendall(self.reply)

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        data = b""
        while b":" not in data:
            data += conn.recv(1)
        size = int(data[:-1])
        while len(data) < len(str(size)) + 1 + size + 1:
            data += conn.recv(65536)
        headers = data[len(str(size)) + 1 : len(str(size)) + 1 + size].split(b"\0")
        length = int(headers[1])
        while len(data) < len(str(size)) + 2 + size + length:
            data += conn.recv(65536)
        return data


def scgi_answer(xml: bytes, *, status: bytes = b"200 OK", length: int | None = None) -> bytes:
    length = len(xml) if length is None else length
    return (
        b"Status: "
        + status
        + b"\r\nContent-Type: text/xml\r\nContent-Length: "
        + str(length).encode()
        + b"\r\n\r\n"
        + xml
    )


def scgi_provider(port: int, **overrides) -> RTorrent:
    return RTorrent(RTorrentSettings(**({"port": port} | overrides)))


def test_scgi_request_is_a_netstring_with_content_length_first():
    with FakeScgi(scgi_answer(VERSION_XML)) as fake:
        transport = ScgiTransport("127.0.0.1", fake.port)
        assert b"0.9.8" in transport.post(b"<methodCall/>")
    block = (
        b"CONTENT_LENGTH\x0013\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00REQUEST_URI\x00/RPC2\x00"
    )
    assert fake.requests == [str(len(block)).encode() + b":" + block + b"," + b"<methodCall/>"]


def test_http_server_on_the_scgi_port_is_a_configuration_error():
    with RecordingServer() as srv, scgi_provider(srv.port) as rt:
        with pytest.raises(ConfigurationError) as err:
            rt.get_downloads()
    assert "answered with HTTP, not SCGI" in str(err.value)
    assert "choose the HTTP transport" in str(err.value)


def test_scgi_peer_closing_without_an_answer_is_a_transient_failure():
    with FakeScgi(None) as fake, scgi_provider(fake.port) as rt:
        with pytest.raises(
            ConnectionFailed, match="closed the connection without an answer"
        ) as err:
            rt.get_downloads()
    assert err.value.permanent is False


def test_scgi_answer_cut_short_is_a_transient_failure():
    xml = VERSION_XML
    with FakeScgi(scgi_answer(xml[:50], length=len(xml))) as fake, scgi_provider(fake.port) as rt:
        with pytest.raises(ConnectionFailed, match=f"after 50 of {len(xml)} bytes") as err:
            rt.get_downloads()
    assert err.value.permanent is False


def test_scgi_error_status_is_a_server_error():
    with FakeScgi(scgi_answer(b"", status=b"500 Internal Server Error")) as fake:
        with scgi_provider(fake.port) as rt, pytest.raises(ServerError, match="answered 500"):
            rt.get_downloads()


def test_scgi_answer_without_headers_is_a_protocol_error():
    with FakeScgi(b"garbage without a header block") as fake, scgi_provider(fake.port) as rt:
        with pytest.raises(ProtocolError, match="does not answer like rTorrent's SCGI"):
            rt.get_downloads()


def test_scgi_silence_is_a_timeout_within_the_configured_seconds():
    with FakeScgi(None, hang=True) as fake, scgi_provider(fake.port, timeout_seconds=0.3) as rt:
        with pytest.raises(RequestTimedOut, match="did not answer within 0.3 s"):
            rt.get_downloads()
