"""``fetch_bounded`` against a real loopback server: size limits while streaming, gzip
bombs, XML error bodies on error statuses, and the status mapping of other answers."""

from __future__ import annotations

import gzip
import tracemalloc

import pytest

from integrations.errors import (
    AuthenticationError,
    ConnectionFailed,
    ProtocolError,
    RateLimited,
    ServerError,
)
from integrations.http import HttpClient
from integrations.indexers.base import Protocol
from integrations.indexers.fetch import fetch_bounded
from integrations.indexers.newznab_xml import parse_feed
from tests.httpserver import Reply

from .feeds import fixture, torznab_feed

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
MB = 1024 * 1024


@pytest.fixture
def http():
    client = HttpClient("Indexer", read_timeout=5)
    yield client
    client.close()


def test_returns_body_and_response(recording_server, http):
    feed = torznab_feed(3)
    recording_server.script([Reply(200, feed, XML)])
    response, body = fetch_bounded(
        http, recording_server.url + "/api", params={"t": "search", "apikey": "K"}
    )
    assert body == feed
    assert response.status_code == 200
    assert response.content == feed
    assert recording_server.last_request.query["t"] == ["search"]


def test_sends_headers(recording_server, http):
    recording_server.script([Reply(200, b"<rss/>", XML)])
    fetch_bounded(http, recording_server.url + "/api", headers={"X-Api-Key": "K"})
    assert recording_server.last_request.headers["X-Api-Key"] == "K"


def test_body_over_limit_refused_while_streaming(recording_server, http):
    recording_server.script([Reply(200, b"<rss>" + b" " * (3 * MB), XML)])
    with pytest.raises(ProtocolError, match=r"answered more than 1 MB; refusing"):
        fetch_bounded(http, recording_server.url + "/api", max_bytes=MB)


def test_fifty_megabytes_refused_at_default_limit(recording_server, http):
    recording_server.script([Reply(200, b"<rss>" + b"x" * (50 * MB), XML)])
    with pytest.raises(ProtocolError, match="more than 10 MB"):
        fetch_bounded(http, recording_server.url + "/api")


def test_declared_length_over_limit_refused_before_reading(recording_server, http):
    headers = dict(XML, **{"Content-Length": str(200 * MB)})
    recording_server.script([Reply(200, b"<rss/>", headers)])
    with pytest.raises(ProtocolError, match="more than 1 MB"):
        fetch_bounded(http, recording_server.url + "/api", max_bytes=MB)


def test_limit_from_settings(recording_server, http, settings):
    settings.INDEXER_MAX_RESPONSE_BYTES = 2048
    recording_server.script([Reply(200, b"<rss>" + b" " * 4096, XML)])
    with pytest.raises(ProtocolError, match="answered more than"):
        fetch_bounded(http, recording_server.url + "/api")


def test_gzip_bomb_stopped_with_bounded_memory(recording_server, http):
    bomb = gzip.compress(b"\0" * (80 * MB), compresslevel=9)
    assert len(bomb) < MB
    recording_server.script([Reply(200, bomb, dict(XML, **{"Content-Encoding": "gzip"}))])
    tracemalloc.start()
    try:
        with pytest.raises(ProtocolError, match="more than 5 MB"):
            fetch_bounded(http, recording_server.url + "/api", max_bytes=5 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB


def test_gzip_answer_is_decoded(recording_server, http):
    feed = torznab_feed(2)
    recording_server.script(
        [Reply(200, gzip.compress(feed), dict(XML, **{"Content-Encoding": "gzip"}))]
    )
    _, body = fetch_bounded(http, recording_server.url + "/api")
    assert body == feed


def test_corrupt_gzip_is_protocol_error(recording_server, http):
    recording_server.script(
        [Reply(200, b"not gzip at all" * 10, dict(XML, **{"Content-Encoding": "gzip"}))]
    )
    with pytest.raises(ProtocolError, match="could not be decoded"):
        fetch_bounded(http, recording_server.url + "/api")


def test_xml_error_body_on_429_returned_for_mapping(recording_server, http):
    body = fixture("error_prowlarr_query_limit.xml")
    recording_server.script([Reply(429, body, dict(XML, **{"Retry-After": "600"}))])
    response, data = fetch_bounded(http, recording_server.url + "/1/api")
    assert response.status_code == 429
    with pytest.raises(RateLimited) as err:
        parse_feed(
            data,
            protocol=Protocol.TORRENT,
            indexer_id=1,
            indexer_name="P",
            service="P",
            retry_after=float(response.headers["Retry-After"]),
        )
    assert err.value.retry_after == 600


def test_xml_error_body_on_400_returned(recording_server, http):
    body = b'<?xml version="1.0"?><error code="200" description="Missing parameter (t)"/>'
    recording_server.script([Reply(400, body, {"Content-Type": "application/rss+xml"})])
    response, data = fetch_bounded(http, recording_server.url + "/1/api")
    assert (response.status_code, data) == (400, body)


def test_non_xml_server_error_raised(recording_server, http):
    recording_server.script([Reply(502, "Bad Gateway")])
    with pytest.raises(ServerError, match="HTTP 502"):
        fetch_bounded(http, recording_server.url + "/api")


def test_non_xml_401_is_authentication(recording_server, http):
    recording_server.script([Reply(401, "Unauthorized")])
    with pytest.raises(AuthenticationError):
        fetch_bounded(http, recording_server.url + "/api")


def test_html_200_returned_for_the_parser(recording_server, http):
    page = fixture("login.html")
    recording_server.script([Reply(200, page, {"Content-Type": "text/html"})])
    _, data = fetch_bounded(http, recording_server.url + "/api")
    with pytest.raises(ProtocolError, match="HTML page"):
        parse_feed(data, protocol=Protocol.TORRENT, indexer_id=1, indexer_name="J", service="J")


def test_connection_cut_mid_body(recording_server, http):
    headers = dict(XML, **{"Content-Length": "100000"})
    recording_server.script([Reply(200, b"<rss><channel>", headers)])
    with pytest.raises(ConnectionFailed, match="closed the connection in the middle"):
        fetch_bounded(http, recording_server.url + "/api?apikey=SECRET")


def test_cut_message_has_no_key(recording_server, http):
    headers = dict(XML, **{"Content-Length": "100000"})
    recording_server.script([Reply(200, b"<rss>", headers)])
    with pytest.raises(ConnectionFailed) as err:
        fetch_bounded(http, recording_server.url + "/api?apikey=SECRET")
    assert "SECRET" not in str(err.value)


def test_no_answer_is_connection_failed(recording_server, http):
    recording_server.script([Reply(close=True)])
    with pytest.raises(ConnectionFailed):
        fetch_bounded(http, recording_server.url + "/api")


def test_raise_status_false_returns_a_json_error_unmapped(recording_server, http):
    body = b'{"message": "Search failed due to all selected indexers being unavailable"}'
    recording_server.script([Reply(400, body, {"Content-Type": "application/json"})])
    response, data = fetch_bounded(http, recording_server.url + "/api", raise_status=False)
    assert (response.status_code, data, response.content) == (400, body, body)


def test_raise_status_false_still_refuses_a_huge_answer(recording_server, http):
    recording_server.script([Reply(500, b"x" * (2 * MB), {"Content-Type": "text/plain"})])
    with pytest.raises(ProtocolError, match="answered more than 1 MB"):
        fetch_bounded(http, recording_server.url + "/api", max_bytes=MB, raise_status=False)


def test_too_big_hint_ends_the_message(recording_server, http):
    recording_server.script([Reply(200, b"[" + b" " * (2 * MB), {"Content-Type": "text/plain"})])
    with pytest.raises(ProtocolError) as err:
        fetch_bounded(http, recording_server.url + "/api", max_bytes=MB, too_big_hint="narrow it")
    assert err.value.message == "Indexer answered more than 1 MB; refusing: narrow it"
