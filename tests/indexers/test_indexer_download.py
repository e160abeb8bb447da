"""download(): .torrent/.nzb through the indexer, magnets, redirects, and what is refused."""

from __future__ import annotations

import hashlib

import pytest
import responses

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
)
from integrations.http import HttpClient
from integrations.indexers.base import Protocol, SearchQuery, SearchResult
from integrations.indexers.download import fetch_release, filename_for
from integrations.indexers.providers.newznab import Newznab, NewznabSettings
from integrations.indexers.providers.torznab import Torznab, TorznabSettings
from tests.indexerserver import indexer_server  # noqa: F401 (fixture)
from tests.torrentdata import bdecode, bencode

KEY = "secret-indexer-key-42"


def result(url: str, *, protocol=Protocol.TORRENT, magnet=None, title="Some.Show.S01E01-GRP"):
    return SearchResult(
        indexer_id=1,
        indexer_name="T",
        guid="g",
        title=title,
        size=1,
        publish_date=None,
        download_url=url,
        protocol=protocol,
        magnet_url=magnet,
    )


def torznab(srv) -> Torznab:
    return Torznab(TorznabSettings(base_url=srv.url, api_key=srv.api_key), name="TZ")


def newznab(srv) -> Newznab:
    return Newznab(NewznabSettings(base_url=srv.url, api_key=srv.api_key), name="NZ")


# -- against the local server -----------------------------------------------------------
def test_torrent_is_fetched_with_the_indexers_name_for_it(indexer_server):
    srv = indexer_server(items=3)
    fetched = torznab(srv).download(result(srv.download_url(2)))
    info = bdecode(fetched.torrent)[b"info"]
    assert hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest() == srv.item(2).infohash
    assert fetched.magnet is None
    assert fetched.filename == srv.item(2).title + ".torrent"


def test_feed_result_downloads_end_to_end(indexer_server):
    srv = indexer_server(items=3)
    provider = torznab(srv)
    found = provider.search(SearchQuery(search_term="x"))
    fetched = provider.download(found[0])
    assert fetched.torrent == srv.item(1).torrent


def test_nzb_is_fetched(indexer_server):
    srv = indexer_server(protocol="usenet", items=2)
    fetched = newznab(srv).download(result(srv.download_url(1), protocol=Protocol.USENET))
    assert fetched.nzb.startswith(b"<?xml") and b"<nzb" in fetched.nzb
    assert fetched.filename.endswith(".nzb")


def test_magnet_url_needs_no_request(indexer_server):
    srv = indexer_server()
    magnet = "magnet:?xt=urn:btih:" + "a" * 40
    fetched = torznab(srv).download(result(srv.download_url(1), magnet=magnet))
    assert fetched.magnet == magnet
    assert srv.requests == []


def test_magnet_download_link_needs_no_request(indexer_server):
    srv = indexer_server()
    magnet = "magnet:?xt=urn:btih:" + "b" * 40
    assert torznab(srv).download(result(magnet)).magnet == magnet
    assert srv.requests == []


def test_redirect_to_a_magnet_becomes_a_magnet(indexer_server):
    srv = indexer_server(items=2)
    link = f"{srv.url}/download/2/magnet?apikey={srv.api_key}"
    fetched = torznab(srv).download(result(link))
    assert fetched.magnet == srv.item(2).magnet
    assert fetched.torrent is None


def test_redirects_are_followed_to_the_file(indexer_server):
    srv = indexer_server(items=2)
    link = f"{srv.url}/download/1/redirect?apikey={srv.api_key}"
    fetched = torznab(srv).download(result(link))
    assert fetched.torrent == srv.item(1).torrent
    assert [r.path for r in srv.requests] == ["/download/1/redirect", "/download/1.torrent"]


def test_wrong_key_in_the_link_is_an_authentication_error(indexer_server):
    srv = indexer_server()
    with pytest.raises(AuthenticationError):
        torznab(srv).download(result(f"{srv.url}/download/1.torrent?apikey=nope"))


def test_html_instead_of_a_torrent_is_a_protocol_error(indexer_server):
    srv = indexer_server()
    srv.fault("html", on="download")
    with pytest.raises(ProtocolError, match="HTML page instead of a .torrent file"):
        torznab(srv).download(result(srv.download_url(1)))


def test_unknown_item_is_not_found(indexer_server):
    srv = indexer_server(items=1)
    with pytest.raises(NotFoundError):
        torznab(srv).download(result(srv.download_url(9)))


def test_download_limit_document_is_rate_limited(indexer_server):
    srv = indexer_server(protocol="usenet")
    srv.fault("error", on="download", code=501, description="Download limit reached")
    with pytest.raises(RateLimited):
        newznab(srv).download(result(srv.download_url(1), protocol=Protocol.USENET))


def test_torrent_bytes_on_a_usenet_indexer_are_refused(indexer_server):
    srv = indexer_server(protocol="torrent")
    with pytest.raises(ProtocolError, match="not an NZB"):
        newznab(srv).download(result(srv.download_url(1), protocol=Protocol.USENET))


# -- fine-grained cases (responses) ---------------------------------------------------------
@pytest.fixture
def http():
    client = HttpClient("Geek")
    yield client
    client.close()


LINK = f"https://indexer.example/getnzb/1.nzb?r={KEY}&apikey={KEY}"


@responses.activate
def test_redirect_loop_stops_after_five_hops(http):
    responses.get("https://indexer.example/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(ProtocolError, match="more than 5 times"):
        fetch_release(http, result("https://indexer.example/loop"), protocol=Protocol.TORRENT)
    assert len(responses.calls) == 6


@responses.activate
def test_relative_redirect_is_resolved(http):
    torrent = bencode({"info": {"name": "x", "length": 1}})
    responses.get("https://indexer.example/a", status=301, headers={"Location": "/files/b"})
    responses.get("https://indexer.example/files/b", body=torrent)
    fetched = fetch_release(http, result("https://indexer.example/a"), protocol=Protocol.TORRENT)
    assert fetched.torrent == torrent


@responses.activate
def test_redirect_to_a_magnet_on_usenet_is_refused(http):
    responses.get(LINK, status=302, headers={"Location": "magnet:?xt=urn:btih:" + "c" * 40})
    with pytest.raises(ProtocolError, match="Usenet download to a magnet"):
        fetch_release(http, result(LINK, protocol=Protocol.USENET), protocol=Protocol.USENET)


@responses.activate
def test_redirect_to_another_scheme_is_refused(http):
    responses.get(LINK, status=302, headers={"Location": "ftp://indexer.example/x.nzb"})
    with pytest.raises(ConfigurationError, match="not http"):
        fetch_release(http, result(LINK, protocol=Protocol.USENET), protocol=Protocol.USENET)


@responses.activate
def test_json_instead_of_a_torrent_is_a_protocol_error(http):
    responses.get(LINK, json={"error": "nope"})
    with pytest.raises(ProtocolError, match="JSON instead of a .torrent file"):
        fetch_release(http, result(LINK), protocol=Protocol.TORRENT)


@responses.activate
def test_bytes_that_are_not_bencoded_are_refused(http):
    responses.get(LINK, body=b"PK\x03\x04 zip file", content_type="application/octet-stream")
    with pytest.raises(ProtocolError, match="not a .torrent file"):
        fetch_release(http, result(LINK), protocol=Protocol.TORRENT)


@responses.activate
def test_file_larger_than_the_limit_is_refused(http):
    responses.get(LINK, body=b"d4:info" + b"x" * 5000)
    with pytest.raises(ProtocolError, match="answered more than"):
        fetch_release(http, result(LINK), protocol=Protocol.TORRENT, max_bytes=1024)


@responses.activate
def test_error_document_with_http_status_is_mapped(http):
    body = b'<?xml version="1.0"?><error code="100" description="Incorrect user credentials"/>'
    responses.get(LINK, body=body, status=403, content_type="application/xml")
    with pytest.raises(AuthenticationError):
        fetch_release(http, result(LINK, protocol=Protocol.USENET), protocol=Protocol.USENET)


@responses.activate
def test_messages_never_contain_the_key(http):
    responses.get(LINK, status=302, headers={"Location": f"ftp://x.example/?apikey={KEY}"})
    messages = []
    with pytest.raises(ConfigurationError) as caught:
        fetch_release(http, result(LINK, protocol=Protocol.USENET), protocol=Protocol.USENET)
    messages.append(caught.value.message)
    responses.replace(responses.GET, LINK, body=b"<html>login</html>", content_type="text/html")
    with pytest.raises(ProtocolError) as caught:
        fetch_release(http, result(LINK, protocol=Protocol.USENET), protocol=Protocol.USENET)
    messages.append(caught.value.message)
    assert all(KEY not in m for m in messages)


@responses.activate
def test_filename_comes_from_content_disposition_and_is_made_safe(http):
    responses.get(
        LINK,
        body=b"<?xml version='1.0'?><nzb></nzb>",
        headers={"Content-Disposition": 'attachment; filename="../evil/Show.S01E01.nzb"'},
    )
    fetched = fetch_release(http, result(LINK, protocol=Protocol.USENET), protocol=Protocol.USENET)
    assert fetched.filename == "Show.S01E01.nzb"


def test_filename_falls_back_to_the_title():
    class Response:
        headers: dict = {}

    name = filename_for(Response(), result("x", title='Movie: "Cut" 2024/1080p'))
    assert name == "Movie Cut 2024 1080p.torrent"
