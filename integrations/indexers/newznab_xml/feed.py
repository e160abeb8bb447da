"""Newznab/Torznab RSS answers as ``Feed``: the results plus what was skipped and why."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from integrations.errors import ConfigurationError, ProtocolError

from ..base import Protocol, SearchResult
from .document import parse_document
from .errors import raise_for_error
from .item import NS_NEWZNAB, SkipItem, parse_item
from .values import tag_name, to_int

# The package's name, as before the split, so log configuration and filters still match.
log = logging.getLogger(__package__)

_KIND = {Protocol.TORRENT: "Torznab", Protocol.USENET: "Newznab"}


def positive_or_zero(text: str | None) -> int | None:
    number = to_int(text)
    return number if number is not None and number >= 0 else None


@dataclass
class Skipped:
    """An item the feed offered that idkarr could not use, and why."""

    title: str  # the item's title, else its guid/link, else "item N"
    reason: str


@dataclass
class ApiLimits:
    """What a Newznab indexer says of its daily limits (``<newznab:apilimits>``, sent by
    nZEDb/NNTmux and Newznab sites); None where it leaves one out."""

    api_current: int | None = None
    api_max: int | None = None
    grab_current: int | None = None
    grab_max: int | None = None

    @classmethod
    def from_element(cls, element) -> ApiLimits | None:
        if element is None:
            return None
        values = [
            positive_or_zero(element.get(name))
            for name in ("apicurrent", "apimax", "grabcurrent", "grabmax")
        ]
        return cls(*values) if any(v is not None for v in values) else None


@dataclass
class Feed:
    results: list[SearchResult]
    skipped: list[Skipped]
    # Feed-level repairs worth telling the user (e.g. "titles were not valid UTF-8").
    warnings: list[str] = field(default_factory=list)
    api_limits: ApiLimits | None = None


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
            f"{service} returned XML that is not an RSS feed (root element <{tag_name(root)}>)"
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
            result, wrong = parse_item(item, protocol, indexer_id, indexer_name, url)
        except SkipItem as skip:
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
    limits = ApiLimits.from_element(channel.find(f"{{{NS_NEWZNAB}}}apilimits"))
    return Feed(results, skipped, warnings, limits)
