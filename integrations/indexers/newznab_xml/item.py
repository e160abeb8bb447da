"""One Newznab/Torznab ``<item>`` as a ``SearchResult``: every attr idkarr uses.

The hot loop of feed parsing (see bench/feed_parse.py): one pass over the item's
children with tag dispatch, then the conversions. An item idkarr cannot use raises
``SkipItem`` with a label (its title, else its guid or redacted link) and a reason.
"""

from __future__ import annotations

import re
from dataclasses import fields
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
# Attrs an item may repeat, gathered into lists instead of the name -> value dict.
_LIST_ATTRS = frozenset(("category", "tag"))


# parse_item builds SearchResult positionally (keywords cost a microsecond per item);
# this is the order it passes, checked against the dataclass when the module loads.
_RESULT_ORDER = (
    "indexer_id",
    "indexer_name",
    "guid",
    "title",
    "size",
    "publish_date",
    "download_url",
    "protocol",
    "info_url",
    "seeders",
    "leechers",
    "grabs",
    "categories",
    "imdb_id",
    "tvdb_id",
    "tvmaze_id",
    "tmdb_id",
    "infohash",
    "magnet_url",
    "freeleech",
    "internal",
    "scene",
    "download_volume_factor",
    "upload_volume_factor",
    "minimum_ratio",
    "minimum_seed_time",
    "indexer_flags",
)
if tuple(f.name for f in fields(SearchResult))[: len(_RESULT_ORDER)] != _RESULT_ORDER:
    raise RuntimeError("SearchResult's fields moved: update parse_item's positional call")


class SkipItem(Exception):
    """An item to leave out of the feed; ``args`` are ``(label, reason)``."""


def parse_item(item, protocol, indexer_id, indexer_name, feed_url):  # noqa: C901 - one pass
    """One ``<item>`` as ``(SearchResult, wrong_protocol_or_None)``; raises SkipItem.

    A single pass over the children with tag dispatch (the hot loop of the parser:
    see bench/feed_parse.py), then the conversions. Attrs absent from the item cost
    nothing: each conversion first looks whether its attr came at all."""
    title = guid = link = comments = ""
    pub_date = size_text = enclosure_url = enclosure_type = enclosure_length = None
    categories: list[int] = []
    attrs: dict[str, str] = {}
    tags: list[str] | None = None

    for child in item:
        tag = child.tag
        # Namespaced attrs are most of an item's children: two string compares find them
        # (cheaper than hashing each new tag string for a set lookup).
        if tag == _T_ATTR or tag == _N_ATTR:
            name = child.get("name")
            value = child.get("value")
        elif tag == "title":
            title = child.text or ""
            continue
        elif tag == "guid":
            guid = child.text or ""
            continue
        elif tag == "link":
            link = child.text or ""
            continue
        elif tag == "pubDate":
            pub_date = child.text
            continue
        elif tag == "category":
            text = child.text
            try:
                number = int(text)
            except (TypeError, ValueError):
                number = to_int(text)
            if number is not None and number >= 0 and number not in categories:
                categories.append(number)
            continue
        elif tag == "comments":
            comments = child.text or ""
            continue
        elif tag == "size":
            size_text = child.text
            continue
        elif tag == "enclosure":
            if enclosure_url is None:
                enclosure_url = (child.get("url") or "").strip()
                enclosure_type = child.get("type")
                enclosure_length = child.get("length")
            continue
        elif tag == "grabs":  # Jackett sends grabs as an element
            attrs.setdefault("grabs", child.text or "")
            continue
        elif tag in _ATTR_TAGS:  # prefixed without a namespace declaration
            name = child.get("name")
            value = child.get("value")
        else:
            continue
        if not name or value is None:
            continue
        if name in _LIST_ATTRS:
            if name == "category":
                try:
                    number = int(value)
                except ValueError:
                    number = to_int(value)
                if number is not None and number >= 0 and number not in categories:
                    categories.append(number)
            elif tags is None:
                tags = [value]
            else:
                tags.append(value)
        else:
            attrs[name if name.islower() else name.lower()] = value

    title = " ".join(title.split())
    guid = guid.strip()
    link = link.strip()
    label = title or guid or link  # names a skipped item in Feed.skipped and the log
    if not title and "://" in label:
        label = redact(label)  # a download link may carry the API key
    if not title:
        raise SkipItem(label, "no title")

    get = attrs.get
    magnet = get("magneturl") or None
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

    size = _size(label, get("size"), size_text, enclosure_length)

    publish = parse_rfc822(pub_date)
    if protocol is Protocol.USENET and "usenetdate" in attrs:
        publish = parse_rfc822(attrs["usenetdate"]) or publish

    info_url = comments.strip()
    if info_url.endswith("#comments"):
        info_url = info_url[:-9]

    seeders = leechers = grabs = imdb = tvdb = tvmaze = tmdb = None
    infohash = minimum_ratio = seed_time = None
    dvf = uvf = 1.0
    scene_attr = nuked = False
    if attrs:
        seeders = to_int(get("seeders"))
        peers = to_int(get("peers"))
        leechers = to_int(get("leechers"))
        if peers is not None:
            leechers = peers - seeders if seeders is not None else peers
        if seeders is not None and seeders < 0:
            seeders = 0
        if leechers is not None and leechers < 0:
            leechers = 0
        grabs = to_int(get("grabs"))
        infohash = get("infohash") or None
        factor = to_float(get("downloadvolumefactor"))
        if factor is not None and factor >= 0:
            dvf = factor
        factor = to_float(get("uploadvolumefactor"))
        if factor is not None and factor >= 0:
            uvf = factor
        minimum_ratio = to_float(get("minimumratio"))
        seed_time = to_int(get("minimumseedtime"))
        if seed_time is not None and seed_time < 0:
            seed_time = None
        imdb = get("imdbid") or get("imdb")
        if imdb:
            imdb = normalize_imdb(imdb)
        tvdb = positive_id(get("tvdbid"))
        tvmaze = positive_id(get("tvmazeid"))
        tmdb = positive_id(get("tmdbid"))
        scene_attr = get("prematch") == "1" or get("haspretime") == "1"
        nuked = get("nuked") == "1"

    if infohash is None and magnet:
        match = _BTIH.search(magnet)
        if match:
            infohash = match.group(1)
    if infohash:
        infohash = infohash.strip().lower()

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
    if scene_attr:
        scene = True
        if "scene" not in flags:
            flags.append("scene")
    if nuked and "nuked" not in flags:
        flags.append("nuked")

    result = SearchResult(  # positional, in _RESULT_ORDER
        indexer_id,
        indexer_name,
        guid,
        title,
        size,
        publish,
        download_url,
        protocol,
        info_url,
        seeders,
        leechers,
        grabs,
        categories,
        imdb,
        tvdb,
        tvmaze,
        tmdb,
        infohash,
        magnet,
        dvf == 0 or "freeleech" in flags,
        internal,
        scene,
        dvf,
        uvf,
        minimum_ratio,
        seed_time,
        flags,
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
    for raw in candidates:  # the usual case: the first size given is a plain number
        if raw:
            try:
                size = int(raw)
            except ValueError:
                break
            if 0 < size <= MAX_SANE_SIZE:
                return size
            break
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
