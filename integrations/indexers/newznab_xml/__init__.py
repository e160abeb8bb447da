"""Newznab/Torznab XML: result feeds, caps documents and ``<error>`` answers.

Shared by the Newznab, Torznab, Jackett and Prowlarr providers. Raw XML never leaves
this package: ``parse_feed`` gives ``SearchResult`` objects plus the items it skipped
(with a reason), ``parse_caps`` gives ``Capabilities``, and every failure is one of the
error tree's exceptions with a short message that names the indexer and never its key.

Modules, by concern:

* ``document`` — the hardened parse every answer goes through (size limit, HTML pages,
  DOCTYPE refusal, lenient decoding of feeds that are not UTF-8).
* ``errors`` — ``<error code description>`` mapped onto the error tree, and reset
  times read from error texts.
* ``feed`` and ``item`` — RSS answers and each ``<item>``'s attrs.
* ``caps`` — ``t=caps`` answers with Sonarr's defaults.
* ``dates`` and ``values`` — RFC 822 dates, lenient numbers and IMDb ids.
"""

from __future__ import annotations

from .caps import parse_caps
from .dates import parse_rfc822
from .document import parse_document
from .errors import raise_for_error, retry_after_from_text
from .feed import Feed, Skipped, parse_feed
from .item import NS_NEWZNAB, NS_TORZNAB
from .values import normalize_imdb

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
