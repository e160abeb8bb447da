"""One Newznab/Torznab ``<item>`` as a ``SearchResult``: every attr idkarr uses.

The hot loop of feed parsing (see bench/feed_parse.py): one pass over the item's
children with tag dispatch, then the conversions. An item idkarr cannot use raises
``SkipItem`` with a label (its title, else its guid or redacted link) and a reason.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from integrations.http import excerpt, redact

from ..base import Protocol, SearchResult
from .dates import parse_rfc822
from .values import normalize_imdb, positive_id, to_float, to_int

NS_NEWZNAB = "http://www.newznab.com/DTD/2010/feeds/attributes/"
NS_TORZNAB = "http://torznab.com/schemas/2015/feed"

MAX_SANE_SIZE = 1 << 50  # 1 PiB: anything larger is a broken feed, not a release

_T_ATTR = f"{{{NS_TORZNAB}}}attr"
_N_ATTR = f"{{{NS_NEWZNAB}}}attr"
_ATTR_TAGS = frozenset((_T_ATTR, _N_ATTR, "torznab:attr", "newznab:attr", "attr"))
_BTIH = re.compile(r"xt=urn:btih:([0-9a-z]+)", re.I)
_VOLUME_FLAGS = {0.0: "freeleech", 0.25: "freeleech75", 0.5: "halfleech", 0.75: "freeleech25"}
_SIZE_LIMIT_TEXT = "over 1 PB"


class SkipItem(Exception):
    """An item to leave out of the feed; ``args`` are ``(label, reason)``."""


def parse_item(item, protocol, indexer_id, indexer_name, feed_url):  # noqa: C901 - one pass
    """One ``<item>`` as ``(SearchResult, wrong_protocol_or_None)``; raises SkipItem.

    A single pass over the children with tag dispatch (the hot loop of the parser:
    see bench/feed_parse.py), then the conversions."""
    title = guid = link = comments = ""
    pub_date = size_text = enclosure_url = enclosure_type = enclosure_length = None
    categories: list[int] = []
    attrs: dict[str, str] = {}
    tags: list[str] | None = None

    for child in item:
        tag = child.tag
        if tag in _ATTR_TAGS:
            name = child.get("name")
            value = child.get("value")
            if not name or value is None:
                continue
            if name == "category":
                number = to_int(value)
                if number is not None and number >= 0 and number not in categories:
                    categories.append(number)
            elif name == "tag":
                if tags is None:
                    tags = []
                tags.append(value)
            else:
                attrs[name if name.islower() else name.lower()] = value
        elif tag == "title":
            title = child.text or ""
        elif tag == "guid":
            guid = child.text or ""
        elif tag == "link":
            link = child.text or ""
        elif tag == "pubDate":
            pub_date = child.text
        elif tag == "category":
            number = to_int(child.text)
            if number is not None and number >= 0 and number not in categories:
                categories.append(number)
        elif tag == "comments":
            comments = child.text or ""
        elif tag == "size":
            size_text = child.text
        elif tag == "enclosure":
            if enclosure_url is None:
                enclosure_url = (child.get("url") or "").strip()
                enclosure_type = child.get("type")
                enclosure_length = child.get("length")
        elif tag == "grabs":  # Jackett sends grabs as an element
            attrs.setdefault("grabs", child.text or "")

    title = " ".join(title.split())
    guid = guid.strip()
    link = link.strip()
    label = title or guid or link  # names a skipped item in Feed.skipped and the log
    if not title and "://" in label:
        label = redact(label)  # a download link may carry the API key
    if not title:
        raise SkipItem(label, "no title")

    magnet = attrs.get("magneturl") or None
    download_url = enclosure_url or link
    if not download_url and magnet:
        download_url = magnet
    if not download_url:
        raise SkipItem(label, "no download link (neither <enclosure url> nor <link>)")
    if "://" not in download_url and not download_url.startswith("magnet:"):
        if feed_url:
            download_url = urljoin(feed_url, download_url)
    if magnet is None and download_url.startswith("magnet:"):
        magnet = download_url
    if not guid:
        guid = link or enclosure_url or magnet or ""

    size = _size(label, attrs.get("size"), size_text, enclosure_length)

    publish = parse_rfc822(pub_date)
    if protocol is Protocol.USENET and "usenetdate" in attrs:
        publish = parse_rfc822(attrs["usenetdate"]) or publish

    info_url = comments.strip()
    if info_url.endswith("#comments"):
        info_url = info_url[:-9]

    seeders = leechers = None
    if attrs:
        seeders = to_int(attrs.get("seeders"))
        peers = to_int(attrs.get("peers"))
        leechers = to_int(attrs.get("leechers"))
        if peers is not None:
            leechers = peers - seeders if seeders is not None else peers
        if seeders is not None and seeders < 0:
            seeders = 0
        if leechers is not None and leechers < 0:
            leechers = 0

    infohash = attrs.get("infohash") or None
    if infohash is None and magnet:
        match = _BTIH.search(magnet)
        if match:
            infohash = match.group(1)
    if infohash:
        infohash = infohash.strip().lower()

    dvf = to_float(attrs.get("downloadvolumefactor"))
    uvf = to_float(attrs.get("uploadvolumefactor"))
    if dvf is None or dvf < 0:
        dvf = 1.0
    if uvf is None or uvf < 0:
        uvf = 1.0

    flags: list[str] = []
    internal = scene = False
    if tags:
        for raw in tags:
            flag = raw.strip().lower()
            if flag and flag not in flags:
                flags.append(flag)
        internal = "internal" in flags
        scene = "scene" in flags
    if dvf != 1.0:
        volume_flag = _VOLUME_FLAGS.get(dvf)
        if volume_flag and volume_flag not in flags:
            flags.append(volume_flag)
    if uvf == 2.0 and "double_upload" not in flags:
        flags.append("double_upload")
    if attrs.get("prematch") == "1" or attrs.get("haspretime") == "1":
        scene = True
        if "scene" not in flags:
            flags.append("scene")
    if attrs.get("nuked") == "1" and "nuked" not in flags:
        flags.append("nuked")

    imdb = attrs.get("imdbid") or attrs.get("imdb")
    seed_time = to_int(attrs.get("minimumseedtime"))
    result = SearchResult(
        indexer_id=indexer_id,
        indexer_name=indexer_name,
        guid=guid,
        title=title,
        size=size,
        publish_date=publish,
        download_url=download_url,
        protocol=protocol,
        info_url=info_url,
        seeders=seeders,
        leechers=leechers,
        grabs=to_int(attrs.get("grabs")),
        categories=categories,
        imdb_id=normalize_imdb(imdb) if imdb else None,
        tvdb_id=positive_id(attrs.get("tvdbid")),
        tvmaze_id=positive_id(attrs.get("tvmazeid")),
        tmdb_id=positive_id(attrs.get("tmdbid")),
        infohash=infohash,
        magnet_url=magnet,
        freeleech=dvf == 0 or "freeleech" in flags,
        internal=internal,
        scene=scene,
        download_volume_factor=dvf,
        upload_volume_factor=uvf,
        minimum_ratio=to_float(attrs.get("minimumratio")),
        minimum_seed_time=seed_time if seed_time is not None and seed_time >= 0 else None,
        indexer_flags=flags,
    )
    wrong = None
    if enclosure_type:
        kind = _enclosure_protocol(enclosure_type)
        if kind is not None and kind is not protocol:
            wrong = kind
    return result, wrong


def _size(label: str, *candidates: str | None) -> int:
    """The first positive size among the size attr, ``<size>`` and the enclosure length;
    raises SkipItem for a missing, non-numeric, zero, negative or absurd size."""
    size = None
    for raw in candidates:
        if raw is None or not raw.strip():
            continue
        size = to_int(raw)
        if size is None:
            raise SkipItem(label, f"size {excerpt(raw, 30)!r} is not a number")
        if size > 0:
            break
    if size is None:
        raise SkipItem(label, "no size (no <size>, size attribute or enclosure length)")
    if size < 0:
        raise SkipItem(label, f"negative size ({size})")
    if size == 0:
        raise SkipItem(label, "size is 0")
    if size > MAX_SANE_SIZE:
        raise SkipItem(label, f"absurd size ({size} bytes, {_SIZE_LIMIT_TEXT})")
    return size


def _enclosure_protocol(mime: str) -> Protocol | None:
    mime = mime.lower()
    if "bittorrent" in mime or "magnet" in mime:
        return Protocol.TORRENT
    if "nzb" in mime:
        return Protocol.USENET
    return None
