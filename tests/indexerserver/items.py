"""Generated indexer items: realistic titles, sizes, ids and real tiny torrents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

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
