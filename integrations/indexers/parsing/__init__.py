"""Release title parsing: quality (Sonarr-style name, source, resolution, modifier, revision),
codec, season/episode numbering (multi-episode, season packs, daily, anime absolute), title,
year and release group.

``parse_release(title)`` never raises and is cached; ``parse_release_uncached`` is the same
parse without the cache (for measurements).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from .cleanup import clean
from .episodes import parse_episodes
from .group import parse_group
from .model import QUALITIES, ParsedRelease
from .quality import parse_quality, parse_revision
from .titles import languages, movie_title, series_title

__all__ = ["QUALITIES", "ParsedRelease", "parse_release", "parse_release_uncached"]

log = logging.getLogger(__name__)


def _parse(title: str) -> ParsedRelease:
    cleaned = clean(title)
    text = cleaned.text
    if not text:
        return ParsedRelease()
    group = parse_group(text)
    body = group.body
    numbering = parse_episodes(body, fansub=group.leading)
    if numbering.start >= 0:
        name, year = series_title(body[: numbering.start])
        tail = body[numbering.end :]
    else:
        name, year, end = movie_title(body)
        tail = body[end:]
    quality = parse_quality(text, cleaned.extension)
    revision = parse_revision(text, tail)
    return ParsedRelease(
        name=quality.name,
        source=quality.source,
        resolution=quality.resolution,
        modifier=quality.modifier,
        proper=revision.proper,
        repack=revision.repack,
        revision=revision.revision,
        real=revision.real,
        codec=quality.codec,
        hdr=quality.hdr,
        bit_depth=quality.bit_depth,
        title=name,
        year=year,
        season=numbering.season,
        seasons=numbering.seasons,
        episodes=numbering.episodes,
        absolute_episodes=numbering.absolute,
        air_date=numbering.air_date,
        full_season=numbering.full_season,
        is_daily=numbering.air_date is not None,
        is_anime=_looks_like_anime(group, numbering),
        release_group=group.group,
        languages=languages(tail),
        internal=revision.internal,
    )


def _looks_like_anime(group, numbering) -> bool:
    """Fansub shapes: "Show - 05", "S2 - 05", or a "[Group]" prefix with numbering or a CRC."""
    if numbering.anime_style:
        return True
    return group.leading and (group.crc or bool(numbering.absolute or numbering.episodes))


def parse_release_uncached(title: object) -> ParsedRelease:
    """Parse one release title. Never raises: unparseable input gives an empty parse."""
    if isinstance(title, bytes):
        title = title.decode("utf-8", "replace")
    if not isinstance(title, str):
        title = "" if title is None else str(title)
    try:
        return _parse(title)
    except Exception:  # a parser bug must never break a search
        log.exception("could not parse release title %r", title[:200])
        return ParsedRelease()


@lru_cache(maxsize=8192)
def _cached(title: str) -> ParsedRelease:
    return parse_release_uncached(title)


def parse_release(title: object) -> ParsedRelease:
    """Parse one release title (cached; the result is immutable and shared)."""
    if isinstance(title, str):
        return _cached(title)
    return parse_release_uncached(title)


parse_release.cache_clear = _cached.cache_clear  # type: ignore[attr-defined]
