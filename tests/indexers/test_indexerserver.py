"""The local Torznab/Newznab server itself answers like an indexer (tests/indexerserver.py)."""

from __future__ import annotations

import time

import requests

from integrations.indexers.base import Protocol
from integrations.indexers.newznab_xml import parse_caps, parse_feed
from tests.indexerserver import IndexerServer, indexer_server, indexer_servers  # noqa: F401


def get(srv, **params):
    params.setdefault("apikey", srv.api_key)
    return requests.get(srv.api_url, params=params, timeout=5)


def feed(srv, protocol=Protocol.TORRENT, **params):
    body = get(srv, **params).content
    return parse_feed(body, protocol=protocol, indexer_id=None, indexer_name="s", service="s")


def test_caps_document_parses_with_the_modes_given(indexer_server):
    srv = indexer_server(tv_params="q,season,ep", movie_params=None, limit_max=50)
    caps = parse_caps(get(srv, t="caps").content, service="s")
    assert caps.mode("tv-search").supported_params == ["q", "season", "ep"]
    assert caps.mode("movie-search").available is False
    assert caps.limit_max == 50
    assert 5040 in caps.category_ids() and 100001 in caps.category_ids()


def test_feed_items_match_the_generated_items(indexer_server):
    srv = indexer_server(items=4)
    results = feed(srv, t="search", q="x").results
    assert [r.title for r in results] == [i.title for i in srv.items]
    assert [r.infohash for r in results] == [i.infohash for i in srv.items]
    assert results[0].publish_date > results[3].publish_date


def test_usenet_feed_has_nzb_enclosures_and_grabs(indexer_server):
    srv = indexer_server(protocol="usenet", items=2)
    results = feed(srv, Protocol.USENET, t="search").results
    assert [r.grabs for r in results] == [i.grabs for i in srv.items]
    assert results[0].download_url.endswith(f"/download/1.nzb?apikey={srv.api_key}")


def test_limit_and_offset_are_honoured_and_capped(indexer_server):
    srv = indexer_server(items=30, limit_max=20)
    assert [r.title for r in feed(srv, t="search", limit=3, offset=2).results] == [
        i.title for i in srv.items[2:5]
    ]
    assert len(feed(srv, t="search", limit=500).results) == 20


def test_wrong_and_missing_keys_get_error_documents(indexer_server):
    srv = indexer_server()
    assert b'code="100"' in get(srv, t="search", apikey="bad").content
    assert b'code="200"' in requests.get(srv.api_url, params={"t": "caps"}, timeout=5).content


def test_caps_without_key_when_told(indexer_server):
    srv = indexer_server(caps_needs_key=False)
    body = requests.get(srv.api_url, params={"t": "caps"}, timeout=5).content
    assert body.lstrip().startswith(b"<?xml") and b"<caps>" in body


def test_unavailable_mode_and_unknown_function_are_errors(indexer_server):
    srv = indexer_server(movie_params=None)
    assert b'code="203"' in get(srv, t="movie").content
    assert b'code="202"' in get(srv, t="musik").content


def test_filter_queries_narrows_like_a_real_indexer(indexer_server):
    srv = indexer_server(items=40, filter_queries=True)
    titles = [r.title for r in feed(srv, t="tvsearch", tvdbid=280619, season=3, ep=6).results]
    assert titles and all("The.Expanse.S03E06" in t for t in titles)
    assert feed(srv, t="search", q="no such show").results == []


def test_fault_applies_the_given_number_of_times(indexer_server):
    srv = indexer_server()
    srv.fault("http", status=503, times=2)
    assert [get(srv, t="caps").status_code for _ in range(3)] == [503, 503, 200]


def test_fault_only_for_one_function(indexer_server):
    srv = indexer_server()
    srv.fault("error", code=500, description="Request limit reached", only_t="search")
    assert b"<caps>" in get(srv, t="caps").content
    assert b"Request limit reached" in get(srv, t="search").content


def test_gzip_body_is_sent_compressed(indexer_server):
    srv = indexer_server()
    srv.fault("body", data=b"<rss/>" * 1000, gzip=True)
    response = get(srv, t="search")
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.content == b"<rss/>" * 1000


def test_delay_is_applied_to_every_answer(indexer_server):
    srv = indexer_server(delay=0.2)
    started = time.monotonic()
    get(srv, t="caps")
    assert time.monotonic() - started >= 0.2


def test_requests_are_recorded_before_a_hang_and_stop_is_fast():
    srv = IndexerServer().start()
    srv.fault("hang")
    try:
        requests.get(srv.api_url, params={"t": "caps"}, timeout=0.2)
    except requests.exceptions.ReadTimeout:
        pass
    assert srv.api_requests("caps")
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 2


def test_indexer_servers_starts_several_on_distinct_ports():
    with indexer_servers(3, items=2) as servers:
        assert len({s.port for s in servers}) == 3
        assert all(get(s, t="caps").status_code == 200 for s in servers)


def test_indexer_servers_can_run_in_a_child_process():
    with indexer_servers(2, process=True, items=3) as servers:
        answers = [
            requests.get(s.api_url, params={"t": "search", "apikey": s.api_key}, timeout=5)
            for s in servers
        ]
    assert [a.status_code for a in answers] == [200, 200]
    assert all(a.content.count(b"<item>") == 3 for a in answers)
