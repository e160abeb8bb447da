"""A local Torznab/Newznab indexer on 127.0.0.1 for tests and benches.

    from tests.indexerserver import IndexerServer, indexer_server, indexer_servers

    with IndexerServer(items=100, delay=0.2) as srv:     # torrent (Torznab) by default
        srv.url          # "http://127.0.0.1:<port>" (no trailing slash)
        srv.api_url      # srv.url + srv.api_path ("/api" unless api_path= is given)
        srv.api_key      # "test-indexer-key" unless api_key= is given
        srv.items        # the generated Item rows the feeds are made of (id 1..N, newest first)
        srv.requests     # every request, recorded before it is answered
        srv.api_requests("tvsearch")   # only /api requests, optionally of one ``t``

Constructor options (keyword only; all are plain attributes afterwards and may be
changed while the server runs):

* ``protocol`` "torrent" (Torznab namespace, .torrent enclosures, seeders/peers/infohash)
  or "usenet" (Newznab namespace, .nzb enclosures, grabs).
* ``items`` how many items to generate (realistic scene/P2P/anime/daily titles, sizes,
  seeders, infohashes matching the served .torrent, pubDates going back from now);
  ``magnets=True`` adds a ``magneturl`` attr to torrent items.
* ``filter_queries`` (False): when true, ``q``/``tvdbid``/``imdbid``/``tmdbid``/``season``/
  ``ep``/``cat`` narrow the items like a real indexer; when false every search answers
  with all items (what benches want). ``limit``/``offset`` always apply (``limit`` capped
  by ``limit_max``; ``limit_default`` when absent).
* caps: ``title``, ``search_params`` ("q"), ``tv_params`` ("q,season,ep,tvdbid,imdbid,
  tvmazeid,rid"), ``movie_params`` ("q,imdbid,tmdbid"), ``categories`` (id → name, parents
  and their subcategories), ``limit_max`` (100), ``limit_default`` (100). A params value of
  ``None`` marks the mode unavailable (``t=`` for it answers error 203).
  ``caps_xml=bytes`` serves that document instead; ``feed_xml=bytes`` answers every
  search with that document instead of generated items.
* ``api_key`` (None: no key checked); a wrong key answers ``<error code="100"
  description="Incorrect user credentials"/>``, a missing one ``code="200"
  "Missing parameter"``. ``caps_needs_key`` (True): false answers ``t=caps`` to anyone
  (as many Newznab servers do), so only searches reveal a bad key.
* ``delay`` seconds before every answer (``/api`` and downloads).

Misbehaviour, for the next ``times`` matching requests (None: until ``clear_fault()``),
on ``/api`` requests (``on="api"``, optionally only ``t=only_t``), downloads
(``on="download"``) or both (``on="all"``)::

    srv.fault("error", code=500, description="Request limit reached", status=200)
    srv.fault("http", status=429, retry_after=60, body=b"")   # any status, optional body
    srv.fault("html")                      # HTTP 200 text/html login page
    srv.fault("close")                     # drop the connection without answering
    srv.fault("hang")                      # answer only after srv.release() / stop()
    srv.fault("huge", size=50 * 2**20)     # stream ``size`` bytes of a never-ending RSS item
    srv.fault("body", data=b"...", content_type="application/xml", gzip=False, status=200)
    srv.clear_fault()

Downloads: ``/download/<id>.torrent`` (a real bencoded single-file torrent whose
infohash is the item's ``infohash``), ``/download/<id>.nzb`` (a small NZB),
``/download/<id>/magnet`` (302 to the item's magnet URI) and ``/download/<id>/redirect``
(302 to its .torrent or .nzb). Download links in feeds carry ``?apikey=`` like real
indexers' do; a wrong key gets the error document.

``indexer_server`` (pytest fixture) is a factory: ``indexer_server(**options)`` starts a
server and stops it after the test; call it several times for several indexers.
``indexer_servers(n, **options)`` is a plain context manager yielding ``n`` started
servers (for bench/); ``indexer_servers(n, process=True, **options)`` runs them in a child
process and yields their addresses (``url``, ``api_url``, ``api_key``), so a fan-out bench
does not share its GIL with the servers. ``delay`` applies to ``t=caps`` too: hand the
providers their caps (``known_caps``) to time searches alone.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest

from tests.torrentdata import bencode

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
NEWZNAB_NS = "http://www.newznab.com/DTD/2010/feeds/attributes/"
DEFAULT_KEY = "test-indexer-key"
PIECE_LENGTH = 16384

DEFAULT_CATEGORIES: dict[int, str] = {
    2000: "Movies",
    2030: "Movies/SD",
    2040: "Movies/HD",
    2045: "Movies/UHD",
    2050: "Movies/BluRay",
    2080: "Movies/WEB-DL",
    5000: "TV",
    5010: "TV/WEB-DL",
    5030: "TV/SD",
    5040: "TV/HD",
    5045: "TV/UHD",
    5070: "TV/Anime",
    5080: "TV/Documentary",
    100001: "Site TV Packs",
}

# (title, tvdbid, imdb, tvmazeid, kind) — real ids so fixtures look like the real thing.
_SHOWS = [
    ("The Expanse", 280619, "tt3230854", 1825, "series"),
    ("Severance", 371980, "tt11280740", 44933, "series"),
    ("Slow Horses", 385582, "tt5875444", 40367, "series"),
    ("The Daily Show", 71256, "tt0115147", 249, "daily"),
    ("One Piece", 81797, "tt0388629", 1505, "anime"),
]
_MOVIES = [
    ("Dune Part Two", 2024, "tt15239678", 693134),
    ("Oppenheimer", 2023, "tt15398776", 872585),
    ("Past Lives", 2023, "tt13238346", 666277),
]
_QUALITIES = [
    ("1080p.WEB.h264", 5040, 2040, 1_600_000_000),
    ("2160p.WEB-DL.DDP5.1.DV.HDR.H.265", 5045, 2045, 7_800_000_000),
    ("720p.HDTV.x264", 5040, 2040, 900_000_000),
    ("1080p.BluRay.x264", 5040, 2050, 9_400_000_000),
    ("480p.WEB.x264", 5030, 2030, 350_000_000),
    ("1080p.AMZN.WEB-DL.DDP5.1.H.264", 5010, 2080, 2_300_000_000),
]
_GROUPS = ["NTb", "FLUX", "SuccessfulCrab", "EDITH", "KOGi", "GalaxyTV", "CAKES", "playWEB"]


@dataclass
class Item:
    """One release the server offers."""

    id: int
    title: str
    size: int
    published: datetime
    categories: list[int]
    seeders: int
    peers: int
    grabs: int
    infohash: str  # of the served .torrent
    tvdbid: int | None = None
    imdb: str | None = None  # "tt…"
    tmdbid: int | None = None
    tvmazeid: int | None = None
    season: int | None = None
    episode: int | None = None
    torrent: bytes = b""

    @property
    def guid(self) -> str:
        return f"idkarr-test-{self.id}-{self.infohash[:12]}"

    @property
    def magnet(self) -> str:
        return f"magnet:?xt=urn:btih:{self.infohash}&dn={quote(self.title)}"


def _torrent_for(title: str, number: int) -> tuple[bytes, str]:
    """A tiny real torrent (a 32 KiB payload whatever the item's size) and its infohash;
    ``number`` makes items with equal titles distinct torrents."""
    block = hashlib.sha256(f"{number}:{title}".encode()).digest()
    payload = (block * (32768 // len(block)))[:32768]
    pieces = b"".join(
        hashlib.sha1(payload[i : i + PIECE_LENGTH], usedforsecurity=False).digest()
        for i in range(0, len(payload), PIECE_LENGTH)
    )
    info = {"name": title, "length": len(payload), "piece length": PIECE_LENGTH, "pieces": pieces}
    data = bencode(
        {"announce": "http://127.0.0.1:1/announce", "created by": "idkarr tests", "info": info}
    )
    return data, hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()


def make_items(count: int, *, now: datetime | None = None, first_id: int = 1) -> list[Item]:
    """``count`` deterministic items numbered from ``first_id``, newest first (item 1 is
    17 minutes old). Servers given different ``first_id`` ranges share no release."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    items = []
    for n in range(first_id, first_id + count):
        quality, tv_cat, movie_cat, base_size = _QUALITIES[n % len(_QUALITIES)]
        group = _GROUPS[n % len(_GROUPS)]
        extra: dict = {}
        if n % 4 == 0:
            name, year, imdb, tmdb = _MOVIES[(n // 4) % len(_MOVIES)]
            title = f"{name.replace(' ', '.')}.{year}.{quality}-{group}"
            cats = [movie_cat, 2000]
            extra = {"imdb": imdb, "tmdbid": tmdb}
        else:
            name, tvdb, imdb, maze, kind = _SHOWS[n % len(_SHOWS)]
            season, episode = 1 + n % 3, 1 + n % 10
            dotted = name.replace(" ", ".")
            if kind == "daily":
                day = (now - timedelta(days=n)).date()
                title = f"{dotted}.{day:%Y.%m.%d}.{quality}-{group}"
            elif kind == "anime":
                title = f"[{group}] {name} - {1100 + n} (1080p) [{n:08X}]"
                tv_cat = 5070
            else:
                title = f"{dotted}.S{season:02d}E{episode:02d}.{quality}-{group}"
                extra = {"season": season, "episode": episode}
            cats = [tv_cat, 5000]
            extra.update(tvdbid=tvdb, imdb=imdb, tvmazeid=maze)
        torrent, infohash = _torrent_for(title, n)
        seeders = (n * 37) % 400
        items.append(
            Item(
                id=n,
                title=title,
                size=base_size + n * 1_048_576,
                published=now - timedelta(minutes=17 * n),
                categories=cats,
                seeders=seeders,
                peers=seeders + (n * 11) % 50,
                grabs=(n * 53) % 2000,
                infohash=infohash,
                torrent=torrent,
                **extra,
            )
        )
    return items


@dataclass
class ServedRequest:
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter
    raw_path: str
    headers: dict[str, str]

    @property
    def t(self) -> str:
        return self.query.get("t", "")


@dataclass
class _Fault:
    kind: str
    times: int | None
    on: str
    only_t: str | None
    options: dict = field(default_factory=dict)


LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Login</title></head><body>"
    b"<form method='post' action='/login'><input name='username'><input name='password' "
    b"type='password'><button>Sign in</button></form></body></html>"
)


class IndexerServer:
    """A threaded HTTP server that answers like a Torznab/Newznab indexer."""

    def __init__(
        self,
        *,
        protocol: str = "torrent",
        items: int = 25,
        api_key: str | None = DEFAULT_KEY,
        api_path: str = "/api",
        delay: float = 0.0,
        title: str = "idkarr test indexer",
        search_params: str | None = "q",
        tv_params: str | None = "q,season,ep,tvdbid,imdbid,tvmazeid,rid",
        movie_params: str | None = "q,imdbid,tmdbid",
        categories: dict[int, str] | None = None,
        limit_max: int = 100,
        limit_default: int = 100,
        caps_xml: bytes | None = None,
        feed_xml: bytes | None = None,
        caps_needs_key: bool = True,
        filter_queries: bool = False,
        magnets: bool = False,
        first_id: int = 1,
    ):
        if protocol not in ("torrent", "usenet"):
            raise ValueError("protocol is 'torrent' or 'usenet'")
        self.protocol = protocol
        self.items = make_items(items, first_id=first_id)
        self.api_key = api_key
        self.api_path = "/" + api_path.strip("/")
        self.delay = delay
        self.title = title
        self.search_params = search_params
        self.tv_params = tv_params
        self.movie_params = movie_params
        self.categories = dict(categories or DEFAULT_CATEGORIES)
        self.limit_max = limit_max
        self.limit_default = limit_default
        self.caps_xml = caps_xml
        self.feed_xml = feed_xml
        self.caps_needs_key = caps_needs_key
        self.filter_queries = filter_queries
        self.magnets = magnets
        self.requests: list[ServedRequest] = []
        self._feeds: dict[tuple, bytes] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> IndexerServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        self.feed_document(self.select({}))  # render the default page before anyone waits
        return self

    def stop(self) -> None:
        """Stop at once: hanging and delayed answers are cut short."""
        self._stopping.set()
        self._released.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> IndexerServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + self.api_path

    def download_url(self, item_id: int, suffix: str | None = None) -> str:
        """The link the feed gives for item ``item_id`` (with ``?apikey=`` when keyed)."""
        suffix = suffix or (".torrent" if self.protocol == "torrent" else ".nzb")
        url = f"{self.url}/download/{item_id}{suffix}"
        return url + (f"?apikey={quote(self.api_key)}" if self.api_key else "")

    def item(self, item_id: int) -> Item:
        return self.items[item_id - 1]

    # -- scripting -------------------------------------------------------
    def fault(
        self,
        kind: str,
        *,
        times: int | None = None,
        on: str = "api",
        only_t: str | None = None,
        **options,
    ) -> None:
        """Misbehave on the next ``times`` matching requests (see the module docstring)."""
        if kind not in ("error", "http", "html", "close", "hang", "huge", "body"):
            raise ValueError(f"unknown fault {kind!r}")
        if on not in ("api", "download", "all"):
            raise ValueError("on is 'api', 'download' or 'all'")
        with self._lock:
            self._faults.append(_Fault(kind, times, on, only_t, options))

    def clear_fault(self) -> None:
        with self._lock:
            self._faults.clear()

    def release(self) -> None:
        """Let every hanging answer go (now and from now on)."""
        self._released.set()

    def api_requests(self, t: str | None = None) -> list[ServedRequest]:
        return [r for r in self.requests if r.path == self.api_path and (t is None or r.t == t)]

    # -- used by the handler ---------------------------------------------
    def _record(self, request: ServedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _take_fault(self, area: str, t: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.on not in (area, "all"):
                    continue
                if fault.only_t is not None and (area != "api" or fault.only_t != t):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def _key_error(self, query: dict[str, str]) -> bytes | None:
        if self.api_key is None:
            return None
        given = query.get("apikey")
        if given is None:
            return error_document(200, "Missing parameter")
        if given != self.api_key:
            return error_document(100, "Incorrect user credentials")
        return None

    # -- documents -------------------------------------------------------
    def caps_document(self) -> bytes:
        if self.caps_xml is not None:
            return self.caps_xml
        return caps_document(
            title=self.title,
            search_params=self.search_params,
            tv_params=self.tv_params,
            movie_params=self.movie_params,
            categories=self.categories,
            limit_max=self.limit_max,
            limit_default=self.limit_default,
        )

    def select(self, query: dict[str, str]) -> list[Item]:
        items = self.items
        if self.filter_queries:
            items = [i for i in items if _matches(i, query)]
        limit = _int(query.get("limit"), self.limit_default)
        limit = max(0, min(limit, self.limit_max))
        offset = max(0, _int(query.get("offset"), 0))
        return items[offset : offset + limit]

    def feed_document(self, items: list[Item]) -> bytes:
        """The feed for ``items``, cached: a bench's in-process servers must not spend
        the GIL re-rendering the same page (items never change once generated)."""
        if self.feed_xml is not None:
            return self.feed_xml
        key = (self.protocol, self.magnets, self.title, self.api_key, tuple(i.id for i in items))
        body = self._feeds.get(key)
        if body is None:
            body = self._feeds[key] = feed_document(self, items)
        return body


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _words(text: str) -> list[str]:
    return [w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if w]


def _matches(item: Item, query: dict[str, str]) -> bool:
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
    if season and item.season != _int(season, -1):
        return False
    if ep and item.episode != _int(ep, -1):
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass

    def do_GET(self) -> None:  # noqa: N802 (name fixed by the base class)
        owner = self.server.owner
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        owner._record(
            ServedRequest(self.command, parts.path, query, self.path, dict(self.headers.items()))
        )
        self.close_connection = True
        area = "api" if parts.path.rstrip("/") == owner.api_path else "download"
        if owner.delay:
            owner._stopping.wait(owner.delay)
        fault = owner._take_fault(area, query.get("t", ""))
        if owner._stopping.is_set():
            return
        if fault is not None and fault.kind == "hang":
            owner._released.wait()
            fault = None
        if owner._stopping.is_set():
            return
        try:
            if fault is not None:
                self._misbehave(fault)
            elif area == "api":
                self._api(query)
            else:
                self._download(parts.path, query)
        except OSError:
            pass  # the client went away

    do_HEAD = do_GET

    # -- answers ---------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _xml(self, body: bytes, status: int = 200) -> None:
        self._send(status, body, "application/xml; charset=utf-8")

    def _api(self, query: dict[str, str]) -> None:
        owner = self.server.owner
        t = query.get("t")
        if not t:
            return self._xml(error_document(200, "Missing parameter (t)"))
        if t != "caps" or owner.caps_needs_key:
            key_error = owner._key_error(query)
            if key_error is not None:
                return self._xml(key_error)
        if t == "caps":
            return self._xml(owner.caps_document())
        modes = {
            "search": owner.search_params,
            "tvsearch": owner.tv_params,
            "movie": owner.movie_params,
        }
        if t not in modes:
            return self._xml(error_document(202, "No such function"))
        if modes[t] is None:
            return self._xml(error_document(203, "Function not available"))
        self._send(200, owner.feed_document(owner.select(query)))

    def _download(self, path: str, query: dict[str, str]) -> None:
        owner = self.server.owner
        name = path.removeprefix("/download/")
        stem, _, suffix = name.partition(".")
        stem, _, action = stem.partition("/")
        if not path.startswith("/download/") or not stem.isdigit():
            return self._send(404, b"not found", "text/plain")
        number = int(stem)
        if not 1 <= number <= len(owner.items):
            return self._xml(error_document(300, "No such item"), 404)
        key_error = owner._key_error(query)
        if key_error is not None:
            return self._xml(key_error)
        item = owner.item(number)
        if action == "magnet":
            return self._send(302, b"", "text/plain", {"Location": item.magnet})
        if action == "redirect":
            return self._send(302, b"", "text/plain", {"Location": owner.download_url(number)})
        disposition = {"Content-Disposition": f'attachment; filename="{item.title}.{suffix}"'}
        if suffix == "torrent":
            return self._send(200, item.torrent, "application/x-bittorrent", disposition)
        if suffix == "nzb":
            return self._send(200, nzb_document(item), "application/x-nzb", disposition)
        self._send(404, b"not found", "text/plain")

    def _misbehave(self, fault: _Fault) -> None:
        opts = fault.options
        if fault.kind == "close":
            return
        if fault.kind == "error":
            body = error_document(opts.get("code", 100), opts.get("description", "Error"))
            return self._xml(body, opts.get("status", 200))
        if fault.kind == "http":
            headers = {}
            if opts.get("retry_after") is not None:
                headers["Retry-After"] = str(opts["retry_after"])
            body = opts.get("body", b"")
            body = body.encode() if isinstance(body, str) else body
            content_type = opts.get("content_type", "text/plain; charset=utf-8")
            return self._send(opts.get("status", 500), body, content_type, headers)
        if fault.kind == "html":
            return self._send(opts.get("status", 200), LOGIN_PAGE, "text/html; charset=utf-8")
        if fault.kind == "body":
            data = opts.get("data", b"")
            data = data.encode() if isinstance(data, str) else data
            headers = {}
            if opts.get("gzip"):
                data = gzip_module.compress(data)
                headers["Content-Encoding"] = "gzip"
            content_type = opts.get("content_type", "application/xml; charset=utf-8")
            return self._send(opts.get("status", 200), data, content_type, headers)
        if fault.kind == "huge":
            return self._huge(int(opts.get("size", 50 * 2**20)))

    def _huge(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.send_header("Connection", "close")
        self.end_headers()
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>'
        self.wfile.write(head)
        sent, chunk = len(head), b"A" * 65536
        while sent < size and not self.server.owner._stopping.is_set():
            piece = chunk[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: IndexerServer

    def handle_error(self, request, client_address):
        pass  # clients that time out or stop reading are expected


@dataclass
class RemoteServer:
    """Address of a server running in a child process (``indexer_servers(process=True)``)."""

    url: str
    api_path: str
    api_key: str | None

    @property
    def api_url(self) -> str:
        return self.url + self.api_path


def _serve_in_child(count: int, options: dict, conn) -> None:
    with indexer_servers(count, **options) as servers:
        conn.send([(s.url, s.api_path, s.api_key) for s in servers])
        conn.recv()  # anything (or EOF) means stop


@contextlib.contextmanager
def indexer_servers(count: int, *, process: bool = False, **options):
    """``count`` started :class:`IndexerServer` instances, stopped on exit.

    ``process=True`` runs them in one child process and yields :class:`RemoteServer`
    addresses instead (no request log, no faults): a bench then measures its client
    without the servers competing for the same GIL."""
    if process:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        worker = context.Process(target=_serve_in_child, args=(count, options, child), daemon=True)
        worker.start()
        try:
            if not parent.poll(30):
                raise RuntimeError("the indexer server process did not start")
            yield [RemoteServer(*address) for address in parent.recv()]
        finally:
            with contextlib.suppress(OSError):
                parent.send("stop")
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
        return
    servers: list[IndexerServer] = []
    try:
        for _ in range(count):
            servers.append(IndexerServer(**options).start())
        yield servers
    finally:
        for srv in servers:
            srv.stop()


@pytest.fixture
def indexer_server():
    """Factory: ``indexer_server(**options)`` → a started server, stopped after the test."""
    started: list[IndexerServer] = []

    def start(**options) -> IndexerServer:
        srv = IndexerServer(**options).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes (for hang tests)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
