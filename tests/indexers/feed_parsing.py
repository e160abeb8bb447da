"""Helpers for the feed-parsing tests: parse a document as Jackett (Torznab) or as a
Newznab indexer, and build one-item feeds."""

from __future__ import annotations

from integrations.indexers.base import Protocol
from integrations.indexers.newznab_xml import parse_feed

URL = "http://127.0.0.1:9117/api/v2.0/indexers/all/results/torznab/api?t=search&apikey=SECRETKEY"


def torznab(data: bytes, **kw):
    kw.setdefault("url", URL)
    return parse_feed(
        data,
        protocol=Protocol.TORRENT,
        indexer_id=3,
        indexer_name="Jackett",
        service="Jackett",
        **kw,
    )


def newznab(data: bytes, **kw):
    return parse_feed(
        data, protocol=Protocol.USENET, indexer_id=5, indexer_name="NZB", service="NZB", **kw
    )


def item(body: str, ns: str = "torznab") -> bytes:
    uri = (
        "http://torznab.com/schemas/2015/feed"
        if ns == "torznab"
        else "http://www.newznab.com/DTD/2010/feeds/attributes/"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:{ns}="{uri}">'
        f"<channel><title>t</title><item>{body}</item></channel></rss>"
    ).encode()


BASE = (
    "<title>Show.S01E01.1080p.WEB.h264-GRP</title><guid>g-1</guid>"
    "<link>http://127.0.0.1/dl/1.torrent</link><size>1000</size>"
)


def attrs(**values) -> str:
    return "".join(f'<torznab:attr name="{k}" value="{v}"/>' for k, v in values.items())
