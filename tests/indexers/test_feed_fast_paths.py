"""The shortcuts the search fan-out takes on every answer (bench/search_fanout.py) give
the same results as the general code they skip: fixed-width RSS dates, plain IMDb ids,
plain sizes, secrets concealed per answer, one read of a body of declared length."""

from __future__ import annotations

import socket
import threading
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from integrations.errors import ConnectionFailed, RequestTimedOut
from integrations.http import HttpClient
from integrations.indexers.base import Protocol, SearchResult
from integrations.indexers.fetch import fetch_bounded
from integrations.indexers.links import conceal, conceal_results, concealer
from integrations.indexers.newznab_xml import item as item_module
from integrations.indexers.newznab_xml import normalize_imdb, parse_rfc822
from integrations.indexers.newznab_xml.item import SkipItem, parse_item
from tests.httpserver import Reply

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
KEY = "abcd1234/+=key"


def test_fixed_width_date_keeps_its_offset():
    assert parse_rfc822("Mon, 06 Jan 2025 11:43:00 -0130") == datetime(
        2025, 1, 6, 11, 43, tzinfo=timezone(-timedelta(hours=1, minutes=30))
    )


def test_fixed_width_date_with_lowercase_month():
    assert parse_rfc822("Mon, 06 jan 2025 11:43:00 +0000") == datetime(
        2025, 1, 6, 11, 43, tzinfo=UTC
    )


def test_fixed_width_date_out_of_range_is_none():
    assert parse_rfc822("Mon, 31 Feb 2025 11:43:00 +0000") is None


def test_fixed_width_date_with_an_impossible_offset_is_none():
    assert parse_rfc822("Mon, 06 Jan 2025 11:43:00 +2500") is None


def test_fixed_width_shape_with_a_broken_separator_is_not_read_as_a_date():
    assert parse_rfc822("Mon, 06 Jan 2025 11:43,00 +0000") is None


def test_plain_imdb_digits_are_padded():
    assert normalize_imdb("944947") == "tt0944947"


def test_plain_imdb_zero_is_no_id():
    assert normalize_imdb("0000") is None


def test_plain_imdb_over_ten_digits_is_no_id():
    assert normalize_imdb("12345678901") is None


def test_plain_imdb_with_leading_zeros_beyond_ten_digits_is_an_id():
    assert normalize_imdb("000000000012") == "tt0000012"


def _item(xml: str):
    return etree.fromstring(f"<item>{xml}</item>")


def test_a_zero_size_attr_falls_back_to_the_enclosure_length():
    node = _item(
        "<title>A</title><link>http://x/a.torrent</link><size>0</size>"
        '<enclosure url="http://x/a.torrent" length="123" type="application/x-bittorrent"/>'
    )
    result, _ = parse_item(node, Protocol.TORRENT, 1, "i", "")
    assert result.size == 123


def test_a_size_with_spaces_is_read():
    node = _item("<title>A</title><link>http://x/a.torrent</link><size> 77 </size>")
    result, _ = parse_item(node, Protocol.TORRENT, 1, "i", "")
    assert result.size == 77


def test_an_absurd_first_size_is_skipped_with_its_reason():
    node = _item("<title>A</title><link>http://x/a</link><size>9999999999999999999</size>")
    with pytest.raises(SkipItem, match="absurd size"):
        parse_item(node, Protocol.TORRENT, 1, "i", "")


def test_parse_item_passes_search_result_fields_in_their_order():
    names = tuple(f.name for f in fields(SearchResult))
    assert names[: len(item_module._RESULT_ORDER)] == item_module._RESULT_ORDER


def test_parse_item_fills_every_field_by_name():
    node = _item(
        "<title>Show.S01E01</title><guid>g1</guid><link>http://x/dl</link>"
        "<comments>http://x/details#comments</comments><size>10</size>"
        '<t:attr xmlns:t="http://torznab.com/schemas/2015/feed" name="seeders" value="3"/>'
        '<t:attr xmlns:t="http://torznab.com/schemas/2015/feed" name="tvdbid" value="42"/>'
        '<t:attr xmlns:t="http://torznab.com/schemas/2015/feed" name="minimumseedtime" '
        'value="60"/>'
    )
    result, _ = parse_item(node, Protocol.TORRENT, 7, "idx", "")
    assert (result.indexer_id, result.indexer_name, result.guid, result.info_url) == (
        7,
        "idx",
        "g1",
        "http://x/details",
    )
    assert (result.seeders, result.tvdb_id, result.minimum_seed_time) == (3, 42, 60)


def _result(url: str, magnet: str | None = None) -> SearchResult:
    return SearchResult(
        indexer_id=1,
        indexer_name="i",
        guid="g",
        title="t",
        size=1,
        publish_date=None,
        download_url=url,
        protocol=Protocol.TORRENT,
        info_url=url + "&info",
        magnet_url=magnet,
    )


def test_conceal_results_hides_raw_and_quoted_keys_in_every_link():
    results = [
        _result(f"http://x/dl?apikey={KEY}", magnet="magnet:?tr=http://t/abcd1234%2F%2B%3Dkey"),
        _result("http://x/dl?r=abcd1234%2F%2B%3Dkey"),
    ]
    conceal_results(results, {"api_key": KEY})
    texts = [t for r in results for t in (r.download_url, r.info_url, r.magnet_url or "")]
    assert all("abcd1234" not in t for t in texts)
    assert results[0].download_url == "http://x/dl?apikey={secret:api_key}"


def test_conceal_results_matches_conceal_of_each_link():
    url = f"http://x/dl?apikey={KEY}&other=abcd1234+%2F%2B%3Dkey"
    (result,) = conceal_results([_result(url)], {"api_key": KEY})
    assert result.download_url == conceal(url, {"api_key": KEY})


def test_concealer_ignores_secrets_shorter_than_four_characters():
    assert concealer({"api_key": "abc"})("http://x/?apikey=abc") == "http://x/?apikey=abc"


def test_conceal_results_without_secrets_leaves_links_alone():
    (result,) = conceal_results([_result("http://x/dl?apikey=zz")], {})
    assert result.download_url == "http://x/dl?apikey=zz"


@pytest.fixture
def http():
    client = HttpClient("Indexer", read_timeout=0.5)
    yield client
    client.close()


def test_declared_length_body_is_read_whole(recording_server, http):
    body = b"<rss><channel>" + b"x" * 200_000 + b"</channel></rss>"
    recording_server.script([Reply(200, body, dict(XML, **{"Content-Length": str(len(body))}))])
    _, data = fetch_bounded(http, recording_server.url + "/api")
    assert data == body


class _StallingServer:
    """Sends headers promising ``length`` bytes and a few of them, then stalls."""

    def __init__(self, length: int):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/api"
        self.done = threading.Event()
        self.length = length
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.sock.accept()
        conn.recv(65536)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
            + f"Content-Length: {self.length}\r\n\r\n".encode()
            + b"<rss>"
        )
        self.done.wait(5)
        conn.close()

    def close(self):
        self.done.set()
        self.sock.close()


def test_declared_length_body_that_stalls_is_a_read_timeout(http):
    server = _StallingServer(1000)
    try:
        with pytest.raises(RequestTimedOut, match="stopped sending its answer"):
            fetch_bounded(http, server.url + "?apikey=SECRET")
    finally:
        server.close()


def test_declared_length_body_cut_short_names_no_key(recording_server, http):
    headers = dict(XML, **{"Content-Length": "5000"})
    recording_server.script([Reply(200, b"<rss>", headers)])
    with pytest.raises(ConnectionFailed, match="in the middle") as err:
        fetch_bounded(http, recording_server.url + "/api?apikey=SECRET")
    assert "SECRET" not in str(err.value)
