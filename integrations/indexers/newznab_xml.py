"""Newznab/Torznab XML: result feeds, caps documents and ``<error>`` answers.

Shared by the Newznab, Torznab, Jackett and Prowlarr providers. Raw XML never leaves
this module: ``parse_feed`` gives ``SearchResult`` objects plus the items it skipped
(with a reason), ``parse_caps`` gives ``Capabilities``, and every failure is one of the
error tree's exceptions with a short message that names the indexer and never its key.

Hostile input: the parser loads no DTD, resolves no entity, touches no network and
refuses huge trees; any DOCTYPE is refused outright, so XXE and entity-expansion
payloads fail with a clear error instead of reading files or eating memory. Answers
over ``settings.INDEXER_MAX_RESPONSE_BYTES`` are refused before parsing.

``<error code description>`` mapping (``raise_for_error``), after Sonarr's parsers
(see the module's tests for each case):

* 100-199 (bad credentials, suspended account …) -> ``AuthenticationError`` (permanent).
* "Missing parameter" without an apikey in the request, or a description about the
  apikey -> ``AuthenticationError`` ("requires an API key").
* "Request limit reached" (any case, also NNTmux's "Request limit reached (N/M)"),
  code 429 (Prowlarr), code 500 or 501 with a description about a limit, and any
  description saying a limit was reached/exceeded -> ``RateLimited``; ``retry_after``
  comes from the text ("try again in 35 minutes", "retry after 120 seconds", "resets
  at <date>"), else from the caller's ``Retry-After``, else one hour (Sonarr's minimum
  back-off for request limits).
* 410 (Prowlarr: "Indexer is disabled") -> ``ConfigurationError``.
* 202/203 (no such function / function not available) -> ``UnsupportedError``.
* 300 (no such item) -> ``NotFoundError``.
* 500 without a limit in its text (Prowlarr's internal failures) -> ``ServerError``.
* anything else -> ``IntegrationError(permanent=False)``: Sonarr treats generic
  indexer errors as failures that escalate the back-off, not as permanent.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from django.conf import settings
from lxml import etree

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    ServerError,
    UnsupportedError,
)
from integrations.http import excerpt, redact

from .base import Capabilities, Category, Protocol, SearchMode, SearchResult

log = logging.getLogger(__name__)

NS_NEWZNAB = "http://www.newznab.com/DTD/2010/feeds/attributes/"
NS_TORZNAB = "http://torznab.com/schemas/2015/feed"

DEFAULT_RATE_LIMIT_SECONDS = 3600.0
MAX_SANE_SIZE = 1 << 50  # 1 PiB: anything larger is a broken feed, not a release

TORRENT_MIME = "application/x-bittorrent"
NZB_MIME = "application/x-nzb"

# Caps defaults where the document is silent (Sonarr's NewznabCapabilities defaults).
DEFAULT_PAGE_SIZE = 100
DEFAULT_SEARCH_PARAMS = ["q"]
DEFAULT_TV_SEARCH_PARAMS = ["q", "rid", "season", "ep"]


@dataclass
class Skipped:
    """An item the feed offered that idkarr could not use, and why."""

    title: str  # the item's title, else its guid/link, else "item N"
    reason: str


@dataclass
class Feed:
    results: list[SearchResult]
    skipped: list[Skipped]
    # Feed-level repairs worth telling the user (e.g. "titles were not valid UTF-8").
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- parsing
_local = threading.local()


def _parser(*, encoding: str | None = None) -> etree.XMLParser:
    """A hardened parser, one per thread (lxml parsers must not be shared across threads)."""
    key = "parser_" + (encoding or "auto")
    parser = getattr(_local, key, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            collect_ids=False,
            remove_blank_text=True,  # fewer nodes to build and walk
            encoding=encoding,
        )
        setattr(_local, key, parser)
    return parser


_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.I | re.S
)
# A DOCTYPE in the prolog (after the declaration, comments and PIs); one hidden later
# in the prolog is caught after parsing (docinfo), before any entity is used.
_DOCTYPE = re.compile(rb"\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*)*<!doctype", re.I | re.S)
_BOM = codecs.BOM_UTF8


def _limit() -> int:
    return int(getattr(settings, "INDEXER_MAX_RESPONSE_BYTES", 10 * 1024 * 1024))


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048]
    if head.startswith(_BOM):
        head = head[3:]
    if _HTML_START.match(head):
        return True
    lowered = head.lower()
    return b"<html" in lowered and b"<rss" not in lowered and b"<caps" not in lowered


def _html_error(data: bytes, service: str, url: str) -> ProtocolError:
    text = data[:4096].decode("utf-8", "replace")
    lowered = text.lower()
    hint = ""
    if "cloudflare" in lowered or "cf-browser-verification" in lowered or "cf_chl" in lowered:
        hint = " (a Cloudflare challenge; the indexer is behind a browser check)"
    elif "login" in lowered or "password" in lowered or "sign in" in lowered:
        hint = " (a login page: check the URL, the API path and the API key)"
    where = f" at {redact(url)}" if url else ""
    return ProtocolError(
        f"{service} returned an HTML page instead of a feed{where}{hint}: {excerpt(text, 120)}"
    )


def _repair_encoding(data: bytes) -> bytes | None:
    """Bytes that are not valid UTF-8 (a Latin-1 feed claiming UTF-8) or carry control
    characters XML forbids, decoded leniently and re-encoded as UTF-8; None when the
    data needs no repair."""
    try:
        text = data.decode("utf-8")
        repaired = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", "idkarr-legacy-fallback")
        repaired = True
    cleaned = _XML_INVALID_CHARS.sub("", text)
    if not repaired and cleaned == text:
        return None
    return cleaned.encode("utf-8")


def _legacy_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252 (Latin-1 where it has a hole)."""
    bad = exc.object[exc.start : exc.end]
    out = []
    for b in bad:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out), exc.end


codecs.register_error("idkarr-legacy-fallback", _legacy_fallback)

_XML_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_document(data: bytes, *, service: str, url: str = "", what: str = "feed"):
    """Parse ``data`` with the hardened parser and return ``(root, repaired)``.

    Refuses oversized answers, HTML pages, DOCTYPEs and malformed XML with a
    ProtocolError. ``repaired`` says the bytes were not valid UTF-8 (or held control
    characters) and were decoded leniently."""
    if data is None:
        data = b""
    limit = _limit()
    if len(data) > limit:
        raise ProtocolError(f"{service} answered more than {_mb(limit)}; refusing to parse it")
    stripped = data.lstrip()
    if not stripped:
        raise ProtocolError(f"{service} returned an empty answer instead of a {what}")
    if _looks_like_html(stripped):
        raise _html_error(stripped, service, url)
    if stripped.startswith(_BOM):
        stripped = stripped[3:].lstrip()
    if not stripped.startswith(b"<"):
        raise ProtocolError(
            f"{service} did not return XML (expected a {what}): "
            f"{excerpt(stripped[:300].decode('utf-8', 'replace'), 120)}"
        )
    if _DOCTYPE.match(stripped, 0, 65536):
        raise _doctype_error(service)
    # Parse from the first "<": PHP indexers often send a stray newline before the
    # XML declaration, which XML forbids but which changes nothing.
    data = stripped
    repaired = False
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        fixed = _repair_encoding(data)
        if fixed is None:
            raise _syntax_error(exc, data, service, what) from None
        try:
            root = etree.fromstring(fixed, _parser(encoding="utf-8"))
        except etree.XMLSyntaxError as exc2:
            raise _syntax_error(exc2, fixed, service, what) from None
        repaired = True
    if root is None:
        raise ProtocolError(f"{service} returned an empty document instead of a {what}")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _doctype_error(service)
    return root, repaired


def _doctype_error(service: str) -> ProtocolError:
    return ProtocolError(
        f"{service} sent a document with a DOCTYPE, which idkarr refuses "
        "(feeds never need one; it is how entity-expansion and file-reading attacks start)"
    )


def _syntax_error(exc: etree.XMLSyntaxError, data: bytes, service: str, what: str):
    msg = str(exc.msg if getattr(exc, "msg", None) else exc)
    lowered = msg.lower()
    if "premature end" in lowered or "end of data" in lowered or "not closed" in lowered:
        kind = "truncated"
    else:
        kind = "malformed"
    if "entity" in lowered and ("loop" in lowered or "amplification" in lowered):
        return _doctype_error(service)
    tail = excerpt(data[-200:].decode("utf-8", "replace"), 80)
    return ProtocolError(
        f"{service} returned {kind} XML instead of a {what} ({excerpt(msg, 100)}); "
        f"the answer ends with: {tail}"
    )


# --------------------------------------------------------------------------- errors
_RETRY_IN = re.compile(
    r"(?:in|after|wait)\s+(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.I,
)
_RETRY_AT = re.compile(
    r"(?:until|till|at|resets?\s+(?:at|on)?|next\s+\w+\s+(?:at|on)?)\s*[:=]?\s*"
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\w{3},\s+\d{1,2}\s+\w{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|GMT|UTC)?)",
    re.I,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def retry_after_from_text(text: str, *, now: datetime | None = None) -> float | None:
    """Seconds until a limit resets, read from an indexer's error text; None if absent."""
    if not text:
        return None
    match = _RETRY_IN.search(text)
    if match:
        unit = match.group(2).lower()
        return float(match.group(1)) * _UNIT_SECONDS[unit[0]]
    match = _RETRY_AT.search(text)
    if match:
        when = _parse_any_date(match.group(1))
        if when is not None:
            now = now or datetime.now(UTC)
            return max(0.0, (when - now).total_seconds())
    return None


def _parse_any_date(text: str) -> datetime | None:
    text = text.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = parse_rfc822(text)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def raise_for_error(root, *, service: str, url: str = "", retry_after: float | None = None) -> None:
    """Raise the mapped error if ``root`` is, or holds, a Newznab ``<error>`` element.

    ``retry_after`` is the HTTP ``Retry-After`` of the answer, if any: used for a rate
    limit whose text names no reset time. See the module docstring for the mapping."""
    if root is None:
        return
    if root.tag == "error":
        error = root
    else:
        error = next(root.iter("error"), None)
        if error is None:
            return
    raw_code = (error.get("code") or "").strip()
    description = " ".join((error.get("description") or error.text or "").split())
    try:
        code = int(raw_code)
    except ValueError:
        code = None
    _raise_mapped(code, description, service=service, url=url, retry_after=retry_after)


def _raise_mapped(code, description, *, service, url, retry_after):
    said = f": {excerpt(description, 160)}" if description else ""
    coded = f"error {code}" if code is not None else "an error"
    details = {"code": code, "description": description}
    lowered = description.lower()

    if code is not None and 100 <= code <= 199:
        raise AuthenticationError(
            f"{service} refused the API key or the account ({coded}{said}); "
            "check the API key and the account on the indexer's site",
            details=details,
        )
    asks_for_key = "apikey" in lowered.replace(" ", "") or "api key" in lowered
    missing_param = lowered.startswith("missing parameter")
    if asks_for_key or (missing_param and url and "apikey=" not in url.lower()):
        raise AuthenticationError(
            f"{service} requires an API key ({coded}{said}); enter the indexer's API key",
            details=details,
        )
    if _is_rate_limit(code, lowered):
        wait = retry_after_from_text(description)
        if wait is None:
            wait = retry_after if retry_after is not None else DEFAULT_RATE_LIMIT_SECONDS
        which = "download" if (code == 501 or "download" in lowered or "grab" in lowered) else "API"
        raise RateLimited(
            f"{service} reached its {which} request limit ({coded}{said}); "
            f"idkarr pauses it for {_human(wait)}",
            retry_after=wait,
            details=details,
        )
    if code == 410:
        raise ConfigurationError(
            f"{service} says the indexer is disabled ({coded}{said}); enable it there",
            details=details,
        )
    if code in (202, 203):
        raise UnsupportedError(
            f"{service} does not offer this function ({coded}{said})", details=details
        )
    if code == 300:
        raise NotFoundError(f"{service} has no such item ({coded}{said})", details=details)
    if code == 500:
        raise ServerError(f"{service} failed to answer ({coded}{said})", details=details)
    where = f" for {redact(url)}" if url else ""
    raise IntegrationError(
        f"{service} answered with {coded}{where}{said}", permanent=False, details=details
    )


def _is_rate_limit(code: int | None, lowered: str) -> bool:
    if "request limit reached" in lowered or code == 429:
        return True
    mentions_limit = "limit" in lowered
    if code in (500, 501) and (mentions_limit or not lowered):
        return True
    return mentions_limit and ("reached" in lowered or "exceeded" in lowered)


def _human(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds >= 3600 and seconds % 3600 == 0:
        n = seconds // 3600
        return f"{n} hour" + ("s" if n != 1 else "")
    if seconds >= 60:
        n = round(seconds / 60)
        return f"{n} minute" + ("s" if n != 1 else "")
    return f"{seconds} s"


# --------------------------------------------------------------------------- feed
_T_ATTR = f"{{{NS_TORZNAB}}}attr"
_N_ATTR = f"{{{NS_NEWZNAB}}}attr"
_ATTR_TAGS = frozenset((_T_ATTR, _N_ATTR, "torznab:attr", "newznab:attr", "attr"))
_IMDB_DIGITS = re.compile(r"^(?:tt)?0*(\d{1,10})$", re.I)
_BTIH = re.compile(r"xt=urn:btih:([0-9a-z]+)", re.I)


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_UTC_NAMES = frozenset(("", "gmt", "utc", "ut", "z", "+0000", "-0000", "+00:00"))
_ZONES: dict[str, timezone] = {}


def _zone(text: str) -> timezone | None:
    """A numeric offset ("+0100", "-06:00") or UTC name as a tzinfo; None if unknown."""
    if text.lower() in _UTC_NAMES:
        return UTC
    zone = _ZONES.get(text)
    if zone is None:
        digits = text[1:].replace(":", "")
        if text[:1] not in "+-" or len(digits) != 4 or not digits.isdigit():
            return None
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if minutes >= 24 * 60:
            return None
        zone = timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))
        if len(_ZONES) < 256:
            _ZONES[text] = zone
    return zone


def parse_rfc822(text: str | None) -> datetime | None:
    """An RSS date ("Sat, 11 Apr 2015 21:34:00 -0600") as an aware datetime; None if bad.

    The common shape is read directly (it is on every item); anything else goes
    through ``email.utils``. A date without a zone is taken as UTC."""
    if not text:
        return None
    parts = text.split()
    try:
        if parts and parts[0][-1:] == ",":
            parts = parts[1:]
        if 4 <= len(parts) <= 5 and len(parts[2]) == 4:
            month = _MONTHS.get(parts[1][:3].lower())
            zone = _zone(parts[4]) if len(parts) == 5 else UTC
            clock = parts[3].split(":")
            if month is not None and zone is not None and 2 <= len(clock) <= 3:
                return datetime(
                    int(parts[2]),
                    month,
                    int(parts[0]),
                    int(clock[0]),
                    int(clock[1]),
                    int(clock[2]) if len(clock) == 3 else 0,
                    tzinfo=zone,
                )
    except (ValueError, IndexError, OverflowError):
        pass
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def _int(value) -> int | None:
    """An integer from attribute text ("12", " 12 ", "12.0"); None when it is not one."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        number = _float(value)
        return int(number) if number is not None else None


def _float(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (_INF, -_INF):
        return None
    return number


_INF = float("inf")


def _positive_id(value) -> int | None:
    number = _int(value)
    return number if number is not None and number > 0 else None


def normalize_imdb(value: str | None) -> str | None:
    """``"944947"``, ``"0944947"`` or ``"tt0944947"`` -> ``"tt0944947"``; None if not an id."""
    if not value:
        return None
    match = _IMDB_DIGITS.match(value.strip())
    if not match:
        return None
    number = int(match.group(1))
    return f"tt{number:07d}" if number > 0 else None


def _enclosure_protocol(mime: str) -> Protocol | None:
    mime = mime.lower()
    if "bittorrent" in mime or "magnet" in mime:
        return Protocol.TORRENT
    if "nzb" in mime:
        return Protocol.USENET
    return None


_KIND = {Protocol.TORRENT: "Torznab", Protocol.USENET: "Newznab"}


class _SkipItem(Exception):
    pass


def parse_feed(
    data: bytes,
    *,
    protocol: Protocol,
    indexer_id: int | None,
    indexer_name: str,
    service: str,
    url: str = "",
    retry_after: float | None = None,
) -> Feed:
    """Parse a Newznab/Torznab RSS answer into results and skipped items.

    Raises the error tree for an ``<error>`` document, an HTML page, a DOCTYPE,
    oversized or malformed XML, and ``ConfigurationError`` when every item is of the
    other protocol (a Newznab feed added as Torznab or the reverse). Single bad items
    never fail the feed: they land in ``Feed.skipped`` with a reason (and a log line)."""
    root, repaired = parse_document(data, service=service, url=url, what="feed")
    raise_for_error(root, service=service, url=url, retry_after=retry_after)
    if root.tag == "caps":
        raise ProtocolError(f"{service} returned a capabilities document instead of a feed")
    channel = root if root.tag == "channel" else root.find("channel")
    if channel is None:
        raise ProtocolError(
            f"{service} returned XML that is not an RSS feed (root element <{_tag_name(root)}>)"
        )

    results: list[SearchResult] = []
    skipped: list[Skipped] = []
    warnings: list[str] = []
    wrong_protocol = 0
    items = 0
    if repaired:
        warnings.append(
            "The feed was not valid UTF-8; bytes that were not were read as Latin-1/Windows-1252"
        )
        log.info("%s: feed was not valid UTF-8; titles decoded leniently", indexer_name)

    for item in channel.iterchildren("item"):
        items += 1
        try:
            result, wrong = _parse_item(item, protocol, indexer_id, indexer_name, url)
        except _SkipItem as skip:
            label, reason = skip.args
            skipped.append(Skipped(label or f"item {items}", reason))
            log.info("%s: skipped %r: %s", indexer_name, label or f"item {items}", reason)
            continue
        if wrong:
            wrong_protocol += 1
            reason = (
                f"looks like a {_KIND[wrong]} release on a {_KIND[protocol]} indexer "
                f"(enclosure type is {'an .nzb' if wrong == Protocol.USENET else 'a torrent'})"
            )
            skipped.append(Skipped(result.title, reason))
            log.info("%s: skipped %r: %s", indexer_name, result.title, reason)
            continue
        results.append(result)

    if wrong_protocol and not results and wrong_protocol == items:
        other = _KIND[Protocol.USENET if protocol == Protocol.TORRENT else Protocol.TORRENT]
        raise ConfigurationError(
            f"{service} returned {other} results (.{'nzb' if other == 'Newznab' else 'torrent'} "
            f"enclosures); did you intend to add it as a {other} indexer instead of "
            f"{_KIND[protocol]}?"
        )
    return Feed(results, skipped, warnings)


def _tag_name(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else "?"
    return tag.rsplit("}", 1)[-1]


def _text(element) -> str:
    text = element.text
    return text.strip() if text else ""


_VOLUME_FLAGS = {0.0: "freeleech", 0.25: "freeleech75", 0.5: "halfleech", 0.75: "freeleech25"}
_SIZE_LIMIT_TEXT = "over 1 PB"


def _parse_item(item, protocol, indexer_id, indexer_name, feed_url):  # noqa: C901 - one pass
    """One ``<item>`` as ``(SearchResult, wrong_protocol_or_None)``; raises _SkipItem.

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
                number = _int(value)
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
            number = _int(child.text)
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
        raise _SkipItem(label, "no title")

    magnet = attrs.get("magneturl") or None
    download_url = enclosure_url or link
    if not download_url and magnet:
        download_url = magnet
    if not download_url:
        raise _SkipItem(label, "no download link (neither <enclosure url> nor <link>)")
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
        seeders = _int(attrs.get("seeders"))
        peers = _int(attrs.get("peers"))
        leechers = _int(attrs.get("leechers"))
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

    dvf = _float(attrs.get("downloadvolumefactor"))
    uvf = _float(attrs.get("uploadvolumefactor"))
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
    seed_time = _int(attrs.get("minimumseedtime"))
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
        grabs=_int(attrs.get("grabs")),
        categories=categories,
        imdb_id=normalize_imdb(imdb) if imdb else None,
        tvdb_id=_positive_id(attrs.get("tvdbid")),
        tvmaze_id=_positive_id(attrs.get("tvmazeid")),
        tmdb_id=_positive_id(attrs.get("tmdbid")),
        infohash=infohash,
        magnet_url=magnet,
        freeleech=dvf == 0 or "freeleech" in flags,
        internal=internal,
        scene=scene,
        download_volume_factor=dvf,
        upload_volume_factor=uvf,
        minimum_ratio=_float(attrs.get("minimumratio")),
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
    raises _SkipItem for a missing, non-numeric, zero, negative or absurd size."""
    size = None
    for raw in candidates:
        if raw is None or not raw.strip():
            continue
        size = _int(raw)
        if size is None:
            raise _SkipItem(label, f"size {excerpt(raw, 30)!r} is not a number")
        if size > 0:
            break
    if size is None:
        raise _SkipItem(label, "no size (no <size>, size attribute or enclosure length)")
    if size < 0:
        raise _SkipItem(label, f"negative size ({size})")
    if size == 0:
        raise _SkipItem(label, "size is 0")
    if size > MAX_SANE_SIZE:
        raise _SkipItem(label, f"absurd size ({size} bytes, {_SIZE_LIMIT_TEXT})")
    return size


# --------------------------------------------------------------------------- caps
_YES = frozenset(("yes", "true", "1"))
_MODE_DEFAULTS = {
    "search": DEFAULT_SEARCH_PARAMS,
    "tv-search": DEFAULT_TV_SEARCH_PARAMS,
}


def parse_caps(
    data: bytes, *, service: str, url: str = "", retry_after: float | None = None
) -> Capabilities:
    """Parse a ``t=caps`` answer.

    Where the document is silent idkarr uses Sonarr's defaults: page size 100 (limits
    ``max``/``default``; a default above the max is clamped to it); a search mode
    without ``supportedParams`` supports ``q`` (``tv-search``: ``q, rid, season, ep``);
    with no ``<searching>`` element at all, ``search`` and ``tv-search`` are assumed
    available with those parameters. ``audio-search`` is also listed as
    ``music-search`` (and the reverse) because servers use either name.
    Parameter names are lowercased, split on commas and stripped."""
    root, _ = parse_document(data, service=service, url=url, what="capabilities document")
    raise_for_error(root, service=service, url=url, retry_after=retry_after)
    if root.tag != "caps":
        raise ProtocolError(
            f"{service} did not return a capabilities document "
            f"(root element <{_tag_name(root)}>); check the URL and the API path"
        )
    caps = Capabilities()

    server = root.find("server")
    if server is not None:
        caps.server_title = (server.get("title") or "").strip()
        caps.server_version = (server.get("version") or server.get("appversion") or "").strip()

    limits = root.find("limits")
    limit_max = limit_default = None
    if limits is not None:
        limit_max = _positive_id(limits.get("max"))
        limit_default = _positive_id(limits.get("default"))
    caps.limit_max = limit_max or max(DEFAULT_PAGE_SIZE, limit_default or 0)
    caps.limit_default = min(
        limit_default or min(DEFAULT_PAGE_SIZE, caps.limit_max), caps.limit_max
    )

    searching = root.find("searching")
    if searching is None:
        caps.search_modes = {
            "search": SearchMode(True, list(DEFAULT_SEARCH_PARAMS)),
            "tv-search": SearchMode(True, list(DEFAULT_TV_SEARCH_PARAMS)),
        }
    else:
        for mode in searching:
            if not isinstance(mode.tag, str):
                continue
            name = mode.tag.lower()
            raw = mode.get("supportedParams")
            if raw is None:
                raw = mode.get("supportedparams")
            if raw is None:
                params = list(_MODE_DEFAULTS.get(name, DEFAULT_SEARCH_PARAMS))
            else:
                params = list(dict.fromkeys(p.strip().lower() for p in raw.split(",") if p.strip()))
            caps.search_modes[name] = SearchMode(
                available=(mode.get("available") or "").strip().lower() in _YES,
                supported_params=params,
                search_engine=(mode.get("searchEngine") or mode.get("searchengine") or "")
                .strip()
                .lower(),
            )
        for a, b in (("audio-search", "music-search"), ("music-search", "audio-search")):
            if a in caps.search_modes and b not in caps.search_modes:
                src = caps.search_modes[a]
                caps.search_modes[b] = SearchMode(
                    src.available, list(src.supported_params), src.search_engine
                )

    categories = root.find("categories")
    if categories is not None:
        for cat in categories.iterchildren("category"):
            number = _int(cat.get("id"))
            if number is None or number < 0:
                continue
            subs = []
            for sub in cat.iterchildren("subcat"):
                sub_id = _int(sub.get("id"))
                if sub_id is not None and sub_id >= 0:
                    subs.append(Category(sub_id, (sub.get("name") or "").strip()))
            caps.categories.append(Category(number, (cat.get("name") or "").strip(), subs))

    tags = root.find("tags")
    if tags is not None:
        caps.tags = [
            t.get("name").strip() for t in tags.iterchildren("tag") if (t.get("name") or "").strip()
        ]
    return caps


__all__ = [
    "NS_NEWZNAB",
    "NS_TORZNAB",
    "Feed",
    "Skipped",
    "normalize_imdb",
    "parse_caps",
    "parse_document",
    "parse_feed",
    "parse_rfc822",
    "raise_for_error",
    "retry_after_from_text",
]
