"""The blocklist (Sonarr's): releases idkarr does not grab again unless told to.

A grabbed download that fails is blocklisted when the queue sees it fail; a user can
blocklist any queue item while removing it. A search result matches an entry by
infohash, else by the same indexer and guid, else by the same indexer and title
(case-insensitive): it is then marked with the reason, sorted last, and a grab of it
needs ``force``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import BlocklistedRelease, Download

_INFOHASH = re.compile(r"^[0-9a-f]{40}$")
FAILED, MANUAL = BlocklistedRelease.FAILED, BlocklistedRelease.MANUAL


def add(row: Download, *, source: str, message: str = "") -> BlocklistedRelease:
    """Blocklist the release behind a queue row (once per row: a second call returns the
    entry the first one made)."""
    client_name = row.client.name
    existing = BlocklistedRelease.objects.filter(
        client_name=client_name, download_id=row.download_id
    ).first()
    if existing is not None:
        return existing
    infohash = row.infohash or ""
    if not infohash and _INFOHASH.match(row.download_id.lower()):
        infohash = row.download_id.lower()  # torrent clients name items by infohash
    return BlocklistedRelease.objects.create(
        title=row.title[:500] or row.download_id,
        protocol=row.protocol,
        indexer_id=row.indexer_id,
        indexer_name=row.indexer_name,
        release_guid=row.release_guid,
        infohash=infohash,
        size=row.size or None,
        client_name=client_name[:100],
        download_id=row.download_id,
        source=source,
        message=(message or "")[:500],
        series_id=row.series_id,
        movie_id=row.movie_id,
    )


class Matcher:
    """Every entry's keys, read once per search (blocklists hold tens to hundreds of rows)."""

    def __init__(self) -> None:
        self.by_hash: dict[str, BlocklistedRelease] = {}
        self.by_guid: dict[tuple[int | None, str], BlocklistedRelease] = {}
        self.by_title: dict[tuple[int | None, str], BlocklistedRelease] = {}
        for entry in BlocklistedRelease.objects.order_by("created_at", "pk"):
            if entry.infohash:
                self.by_hash[entry.infohash.lower()] = entry
            if entry.release_guid:
                self.by_guid[(entry.indexer_id, entry.release_guid)] = entry
            if entry.indexer_id is not None:
                self.by_title[(entry.indexer_id, entry.title.casefold())] = entry

    def __bool__(self) -> bool:
        return bool(self.by_hash or self.by_guid or self.by_title)

    def entry_for(self, result) -> BlocklistedRelease | None:
        if result.infohash:
            entry = self.by_hash.get(result.infohash.lower())
            if entry is not None:
                return entry
        if result.guid:
            entry = self.by_guid.get((result.indexer_id, result.guid))
            if entry is not None:
                return entry
        return self.by_title.get((result.indexer_id, result.title.casefold()))


def mark(results: Iterable) -> None:
    """Set ``blocklisted`` (the reason) on every result that matches an entry."""
    matcher = Matcher()
    if not matcher:
        return
    for result in results:
        entry = matcher.entry_for(result)
        if entry is not None:
            result.blocklisted = entry.reason


def reason_for(result) -> str | None:
    """Why ``result`` is blocklisted, or None."""
    entry = Matcher().entry_for(result)
    return entry.reason if entry is not None else None
