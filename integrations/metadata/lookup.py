"""Asking the configured metadata sources, best first, what a series or a movie is.

Each enabled source that can answer (its kind has the capability) is asked in
``priority`` order by each id the caller knows; the first answer wins. A source
that fails is skipped for the next one; when every source that could answer
failed, ``LookupFailed`` says why (the caller retries later), which is not the
same as nobody knowing the title (None).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from integrations.errors import IntegrationError, NotFoundError

from .base import Capability, EpisodeMetadata, MetadataSource, MovieMetadata, SeriesMetadata
from .models import MetadataSource as SourceConfig

log = logging.getLogger(__name__)


class LookupFailed(IntegrationError):
    """Every source that could answer failed (down, refused the key)."""

    def __init__(self, message: str):
        super().__init__(message, permanent=False)


@dataclass
class Found:
    """What a source answered, and the source (its own id is ``metadata.id``)."""

    metadata: SeriesMetadata | MovieMetadata
    source: SourceConfig


def sources(capability: Capability) -> list[SourceConfig]:
    rows = SourceConfig.objects.filter(enabled=True).order_by("priority", "name")
    return [
        row
        for row in rows
        if row.kind in SourceConfig.registry and capability in row.provider_class().capabilities
    ]


def _ask(capability: Capability, ask) -> Found | None:
    """``ask(provider)`` on each source in turn; the first non-None answer."""
    errors = []
    for row in sources(capability):
        try:
            with row.build_provider() as provider:
                found = ask(provider)
        except NotFoundError:
            continue
        except IntegrationError as exc:
            log.info("metadata source %s failed: %s", row.name, exc.message)
            errors.append(f"{row.name}: {exc.message}")
            continue
        if found is not None:
            return Found(found, row)
    if errors:
        raise LookupFailed("No metadata source could answer (" + "; ".join(errors) + ")")
    return None


def _ids(tvdb_id: int | None, tmdb_id: int | None, imdb_id: str) -> list[tuple[str, str]]:
    known = [("tvdb", tvdb_id), ("imdb", imdb_id), ("tmdb", tmdb_id)]
    return [(source, str(value)) for source, value in known if value]


def _first_match(finder):
    def ask(provider: MetadataSource, ids):
        for source, value in ids:
            try:
                found = finder(provider, source, value)
            except NotFoundError:
                found = None
            if found is not None:
                return found
        return None

    return ask


def series(
    *, tvdb_id: int | None = None, tmdb_id: int | None = None, imdb_id: str = ""
) -> Found | None:
    """The series with any of these ids, from the first source that knows it."""
    ids = _ids(tvdb_id, tmdb_id, imdb_id)
    if not ids:
        return None
    ask = _first_match(lambda p, source, value: p.find_series(source, value))
    return _ask(Capability.SERIES, lambda provider: ask(provider, ids))


def movie(*, tmdb_id: int | None = None, imdb_id: str = "") -> Found | None:
    """The movie with any of these ids, from the first source that knows it."""
    ids = _ids(None, tmdb_id, imdb_id)
    if not ids:
        return None
    ask = _first_match(lambda p, source, value: p.find_movie(source, value))
    return _ask(Capability.MOVIES, lambda provider: ask(provider, ids))


def episodes(found: Found) -> list[EpisodeMetadata]:
    """Every episode of a series ``found`` answered, from the same source; [] when
    that source has no episode lists."""
    provider_class = found.source.provider_class()
    if Capability.EPISODES not in provider_class.capabilities:
        return []
    with found.source.build_provider() as provider:
        return provider.episodes(found.metadata.id)
