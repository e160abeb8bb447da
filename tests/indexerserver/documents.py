"""The XML and NZB documents the local indexer serves: caps, feeds, errors, NZBs."""

from __future__ import annotations

from email.utils import format_datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from .items import NEWZNAB_NS, TORZNAB_NS, Item

if TYPE_CHECKING:
    from .server import IndexerServer

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Login</title></head><body>"
    b"<form method='post' action='/login'><input name='username'><input name='password' "
    b"type='password'><button>Sign in</button></form></body></html>"
)


def int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _words(text: str) -> list[str]:
    return [w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if w]


def matches_query(item: Item, query: dict[str, str]) -> bool:
    cats = query.get("cat")
    if cats:
        wanted = {int(c) for c in cats.split(",") if c.strip().isdigit()}
        if wanted and not wanted & set(item.categories):
            return False
    q = query.get("q")
    if q and not set(_words(q)) <= set(_words(item.title)):
        return False
    for param, value in (("tvdbid", item.tvdbid), ("tmdbid", item.tmdbid)):
        if query.get(param) and str(value) != query[param]:
            return False
    if query.get("imdbid"):
        wanted_imdb = "tt" + query["imdbid"].removeprefix("tt").zfill(7)
        if item.imdb != wanted_imdb:
            return False
    season, ep = query.get("season"), query.get("ep", "")
    if season and "/" in ep:  # daily: season=YYYY&ep=MM/DD
        month, _, day = ep.partition("/")
        return f"{season}.{month}.{day}" in item.title
    if season and item.season != int_param(season, -1):
        return False
    if ep and item.episode != int_param(ep, -1):
        return False
    return True


def error_document(code: int, description: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<error code={quoteattr(str(code))} description={quoteattr(description)}/>\n"
    ).encode()


def caps_document(
    *,
    title: str,
    search_params: str | None,
    tv_params: str | None,
    movie_params: str | None,
    categories: dict[int, str],
    limit_max: int,
    limit_default: int,
) -> bytes:
    def mode(tag: str, params: str | None) -> str:
        if params is None:
            return f'    <{tag} available="no" supportedParams="q"/>'
        return f'    <{tag} available="yes" supportedParams={quoteattr(params)}/>'

    parents = {cid: name for cid, name in categories.items() if cid % 1000 == 0 or cid >= 100000}
    lines = []
    for pid, pname in sorted(parents.items()):
        subs = [
            (cid, name)
            for cid, name in sorted(categories.items())
            if cid not in parents and pid < 100000 and cid // 1000 * 1000 == pid
        ]
        if not subs:
            lines.append(f"    <category id={quoteattr(str(pid))} name={quoteattr(pname)}/>")
            continue
        lines.append(f"    <category id={quoteattr(str(pid))} name={quoteattr(pname)}>")
        for cid, name in subs:
            lines.append(f"      <subcat id={quoteattr(str(cid))} name={quoteattr(name)}/>")
        lines.append("    </category>")
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<caps>",
            f'  <server version="1.0" title={quoteattr(title)}/>',
            f'  <limits max="{limit_max}" default="{limit_default}"/>',
            "  <searching>",
            mode("search", search_params),
            mode("tv-search", tv_params),
            mode("movie-search", movie_params),
            '    <music-search available="no" supportedParams="q"/>',
            '    <audio-search available="no" supportedParams="q"/>',
            '    <book-search available="no" supportedParams="q"/>',
            "  </searching>",
            "  <categories>",
            *lines,
            "  </categories>",
            "</caps>",
            "",
        ]
    )
    return body.encode()


def feed_document(server: IndexerServer, items: list[Item]) -> bytes:
    """An RSS 2.0 feed shaped like Jackett's (Torznab) or nZEDb's (Newznab)."""
    torrent = server.protocol == "torrent"
    prefix = "torznab" if torrent else "newznab"
    ns = TORZNAB_NS if torrent else NEWZNAB_NS
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:{prefix}="{ns}">',
        "<channel>",
        f'<atom:link href="{escape(server.url)}/" rel="self" type="application/rss+xml"/>',
        f"<title>{escape(server.title)}</title>",
        f"<description>{escape(server.title)} feed</description>",
        f"<link>{escape(server.url)}/</link>",
        "<language>en-US</language>",
    ]
    if not torrent:
        out.append(f'<{prefix}:response offset="0" total="{len(server.items)}"/>')
    for item in items:
        link = server.download_url(item.id)
        attrs: list[tuple[str, object]] = [("category", c) for c in item.categories]
        attrs.append(("size", item.size))
        if torrent:
            attrs += [("seeders", item.seeders), ("peers", item.peers)]
            attrs += [("infohash", item.infohash)]
            if server.magnets:
                attrs.append(("magneturl", item.magnet))
            attrs += [
                ("downloadvolumefactor", 0 if item.id % 5 == 0 else 1),
                ("uploadvolumefactor", 1),
            ]
        else:
            attrs.append(("grabs", item.grabs))
        for name in ("tvdbid", "tvmazeid", "tmdbid", "season", "episode"):
            value = getattr(item, name)
            if value is not None:
                attrs.append((name, value))
        if item.imdb:
            attrs.append(("imdb", item.imdb.removeprefix("tt")))
        mime = "application/x-bittorrent" if torrent else "application/x-nzb"
        out += [
            "<item>",
            f"<title>{escape(item.title)}</title>",
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>',
            f"<comments>{escape(server.url)}/details/{item.id}</comments>",
            f"<pubDate>{format_datetime(item.published)}</pubDate>",
            f"<size>{item.size}</size>",
            f"<link>{escape(link)}</link>",
            *(f"<category>{c}</category>" for c in item.categories),
            f'<enclosure url={quoteattr(link)} length="{item.size}" type="{mime}"/>',
            *(f"<{prefix}:attr name={quoteattr(n)} value={quoteattr(str(v))}/>" for n, v in attrs),
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode()


def nzb_document(item: Item) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" '
        '"http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">\n'
        '<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">\n'
        f'  <head><meta type="name">{escape(item.title)}</meta></head>\n'
        f'  <file poster="tester@example.invalid" date="{int(item.published.timestamp())}" '
        f"subject={quoteattr(item.title + ' [1/1] - &quot;file.mkv&quot; yEnc (1/1)')}>\n"
        "    <groups><group>alt.binaries.test</group></groups>\n"
        f'    <segments><segment bytes="{item.size}" number="1">'
        f"part1of1.{item.infohash[:16]}@idkarr.test</segment></segments>\n"
        "  </file>\n</nzb>\n"
    ).encode()
