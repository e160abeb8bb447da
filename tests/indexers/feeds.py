"""Generated Torznab/Newznab feeds shaped like Jackett's and NNTmux's answers.

``torznab_feed(n)`` and ``newznab_feed(n)`` build deterministic RSS documents of ``n``
items (bytes). ``rss_torznab_100.xml`` and ``rss_newznab_100.xml`` in the fixtures
folder are these functions' output for ``n=100`` (rewrite them with
``python -m tests.indexers.feeds``). ``fixture(name)`` reads a fixture file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "indexers"

_SHOWS = [
    ("The.Bear", 403181, "tt14452776"),
    ("Shogun", 392573, "tt2788316"),
    ("Slow.Horses", 359320, "tt5875444"),
    ("Severance", 371980, "tt11280740"),
    ("Andor", 393189, "tt9253284"),
]
_QUALITIES = [
    ("1080p.WEB.h264", 5040),
    ("2160p.WEB.h265", 5045),
    ("720p.HDTV.x264", 5040),
    ("1080p.AMZN.WEB-DL.DDP5.1.H.264", 5040),
    ("480p.WEB.x264", 5030),
]
_GROUPS = ["NTb", "FLUX", "SuccessfulCrab", "ETHEL", "SYNCOPY"]
_BASE_DATE = datetime(2025, 1, 6, 12, 0, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def release_title(i: int) -> str:
    show = _SHOWS[i % len(_SHOWS)][0]
    quality = _QUALITIES[i % len(_QUALITIES)][0]
    group = _GROUPS[(i // 5) % len(_GROUPS)]
    return f"{show}.S{1 + i // 40:02d}E{1 + i % 40:02d}.{quality}-{group}"


def _pub(i: int) -> str:
    return format_datetime(_BASE_DATE - timedelta(minutes=17 * i))


def torznab_item(i: int) -> str:
    title = release_title(i)
    _, tvdb, imdb = _SHOWS[i % len(_SHOWS)]
    cat = _QUALITIES[i % len(_QUALITIES)][1]
    size = 500_000_000 + i * 37_000_003
    infohash = f"{(i * 2654435761) % (1 << 160):040x}"
    link = (
        "http://127.0.0.1:9117/dl/trackerone/?jackett_apikey=feedkey0123456789"
        f"&path=cGF0aA{i:04d}&file={title}"
    )
    magnet = f"magnet:?xt=urn:btih:{infohash}&dn={title}"
    dvf = "0" if i % 10 == 0 else "1"
    return f"""    <item>
      <title>{escape(title)}</title>
      <guid>https://tracker-one.example/torrents/{700000 + i}</guid>
      <jackettindexer id="trackerone">TrackerOne</jackettindexer>
      <type>private</type>
      <comments>https://tracker-one.example/torrents/{700000 + i}</comments>
      <pubDate>{_pub(i)}</pubDate>
      <size>{size}</size>
      <files>1</files>
      <grabs>{i * 7}</grabs>
      <description />
      <link>{escape(link)}</link>
      <category>{cat}</category>
      <category>100002</category>
      <enclosure url={quoteattr(link)} length="{size}" type="application/x-bittorrent" />
      <torznab:attr name="category" value="{cat}" />
      <torznab:attr name="category" value="100002" />
      <torznab:attr name="genre" value="" />
      <torznab:attr name="imdb" value="{imdb[2:]}" />
      <torznab:attr name="tvdbid" value="{tvdb}" />
      <torznab:attr name="seeders" value="{10 + i}" />
      <torznab:attr name="peers" value="{15 + 2 * i}" />
      <torznab:attr name="infohash" value="{infohash}" />
      <torznab:attr name="magneturl" value={quoteattr(magnet)} />
      <torznab:attr name="minimumratio" value="1" />
      <torznab:attr name="minimumseedtime" value="259200" />
      <torznab:attr name="downloadvolumefactor" value="{dvf}" />
      <torznab:attr name="uploadvolumefactor" value="1" />
    </item>
"""


def torznab_feed(n: int = 100) -> bytes:
    items = "".join(torznab_item(i) for i in range(n))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:torznab="http://torznab.com/schemas/2015/feed">
  <channel>
    <atom:link href="http://127.0.0.1:9117/" rel="self" type="application/rss+xml" />
    <title>TrackerOne</title>
    <description>TrackerOne is a private tracker</description>
    <link>https://tracker-one.example/</link>
    <language>en-US</language>
    <category>search</category>
{items}  </channel>
</rss>
""".encode()


def newznab_item(i: int) -> str:
    title = release_title(i)
    _, tvdb, imdb = _SHOWS[i % len(_SHOWS)]
    cat = _QUALITIES[i % len(_QUALITIES)][1]
    size = 700_000_000 + i * 41_000_007
    guid = f"{i:08x}-83c2-4c9e-9a54-2f7f0a1c3d11"
    link = f"https://nzb-indexer.example/getnzb?id={guid}.nzb&r=feedkey0123456789"
    return f"""    <item>
      <title>{escape(title)}</title>
      <guid isPermaLink="true">https://nzb-indexer.example/details/{guid}</guid>
      <link>{escape(link)}</link>
      <comments>https://nzb-indexer.example/details/{guid}#comments</comments>
      <pubDate>{_pub(i)}</pubDate>
      <category>TV &gt; HD</category>
      <description>{escape(title)}</description>
      <enclosure url={quoteattr(link)} length="{size}" type="application/x-nzb"/>
      <newznab:attr name="category" value="5000"/>
      <newznab:attr name="category" value="{cat}"/>
      <newznab:attr name="size" value="{size}"/>
      <newznab:attr name="guid" value="{guid}"/>
      <newznab:attr name="files" value="{20 + i % 30}"/>
      <newznab:attr name="poster" value="Poster &lt;poster@example.invalid&gt;"/>
      <newznab:attr name="group" value="alt.binaries.teevee"/>
      <newznab:attr name="grabs" value="{i * 3}"/>
      <newznab:attr name="comments" value="0"/>
      <newznab:attr name="password" value="0"/>
      <newznab:attr name="usenetdate" value="{_pub(i + 1)}"/>
      <newznab:attr name="tvdbid" value="{tvdb}"/>
      <newznab:attr name="imdb" value="{imdb[2:]}"/>
    </item>
"""


def newznab_feed(n: int = 100) -> bytes:
    items = "".join(newznab_item(i) for i in range(n))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:newznab="http://www.newznab.com/DTD/2010/feeds/attributes/">
  <channel>
    <atom:link href="https://nzb-indexer.example/api/v1/api" rel="self" type="application/rss+xml"/>
    <title>NZB Indexer</title>
    <description>NZB Indexer API Results</description>
    <link>https://nzb-indexer.example/</link>
    <language>en-gb</language>
    <newznab:response offset="0" total="{n}"/>
    <newznab:apilimits apicurrent="12" apimax="100" grabcurrent="3" grabmax="50"/>
{items}  </channel>
</rss>
""".encode()


def main() -> None:
    (FIXTURES / "rss_torznab_100.xml").write_bytes(torznab_feed(100))
    (FIXTURES / "rss_newznab_100.xml").write_bytes(newznab_feed(100))


if __name__ == "__main__":
    main()
