"""Adding a list's series or movie to the library: the row, its folder under the
list's root folder, its seasons and episodes (from the metadata source that knew
it) monitored as the list says, and the ``series_add``/``movie_add`` event that
tells notification targets and media servers."""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction

from idkarr.library.models import Episode, Movie, RootFolder, Season, Series
from integrations.metadata import lookup
from integrations.metadata.base import EpisodeMetadata
from notifications import events
from notifications.payloads import movie_info, series_info

from .base import ListItem, Monitor
from .models import ImportList

_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def folder_name(title: str, year: int | None) -> str:
    """``Title (Year)`` without characters a file system refuses."""
    name = _ILLEGAL.sub("", title).strip(" .") or "Untitled"
    return f"{name} ({year})" if year else name


def monitored_episodes(episodes: list[EpisodeMetadata], monitor: Monitor, today: date) -> set:
    """(season, number) of the episodes to monitor. Specials (season 0) never are;
    a new series has no files, so "missing" is every episode and "existing" none."""
    regular = [e for e in episodes if e.season_number > 0]
    key = {(e.season_number, e.episode_number) for e in regular}
    if monitor in (Monitor.ALL, Monitor.MISSING):
        return key
    if monitor == Monitor.FUTURE:
        return {
            (e.season_number, e.episode_number)
            for e in regular
            if e.air_date is None or e.air_date > today
        }
    if monitor == Monitor.PILOT:
        return {(1, 1)} & key
    if monitor == Monitor.FIRST_SEASON:
        return {k for k in key if k[0] == 1}
    if monitor == Monitor.LATEST_SEASON:
        latest = max((k[0] for k in key), default=None)
        return {k for k in key if k[0] == latest}
    return set()  # existing, none


def _common(config: ImportList, item: ListItem, meta, root: RootFolder, fallback: str) -> dict:
    """The fields a new series and a new movie share: from the metadata source when it
    knew the title, else from the list."""
    settings = config.validated_settings()
    title = (meta.title if meta else "") or item.title or fallback
    year = (meta.year if meta else None) or item.year
    return {
        "title": title,
        "year": year,
        "imdb_id": item.imdb_id or (meta.imdb_id if meta else ""),
        "overview": meta.overview if meta else "",
        "genres": meta.genres if meta else [],
        "poster_url": (meta.images.poster if meta else "")[:500],
        "original_language": (meta.original_language if meta else "")[:3],
        "root_folder": root,
        "path": _join(root.path, folder_name(title, year)),
        "quality_profile_id": settings.quality_profile_id,
        "monitored": settings.monitor != Monitor.NONE,
    }


def _announce(config: ImportList, row, event_type: str, key: str, describe) -> None:
    """Give the new row the list's tags, then tell targets and media servers of it
    (``describe(row)`` is its webhook object, tags included)."""
    row.tags.set(config.tags.all())
    events.emit(
        event_type,
        {key: describe(row)},
        tags=[t.label for t in row.tags.all()],
        source=f"importlist:{config.name}"[:100],
    )


def add_series(
    config: ImportList, item: ListItem, found: lookup.Found | None, root: RootFolder
) -> Series:
    meta = found.metadata if found is not None else None
    settings = config.validated_settings()
    episodes = lookup.episodes(found) if found is not None else []
    wanted = monitored_episodes(episodes, settings.monitor, date.today())
    with transaction.atomic():
        series = Series.objects.create(
            **_common(config, item, meta, root, f"TVDB {item.tvdb_id}"),
            tvdb_id=item.tvdb_id,
            tmdb_id=item.tmdb_id or (meta.tmdb_id if meta else None),
            tvmaze_id=meta.tvmaze_id if meta else None,
            network=meta.network if meta else "",
            status=meta.status if meta else "",
            series_type=settings.series_type,
        )
        _add_episodes(series, episodes, wanted)
        _announce(config, series, "series_add", "series", series_info)
    return series


def _add_episodes(series: Series, episodes: list[EpisodeMetadata], wanted: set) -> None:
    unique = {(e.season_number, e.episode_number): e for e in episodes}
    seasons = sorted({s for s, _ in unique})
    Season.objects.bulk_create(
        Season(series=series, number=n, monitored=any(k[0] == n for k in wanted)) for n in seasons
    )
    Episode.objects.bulk_create(
        Episode(
            series=series,
            season_number=s,
            episode_number=n,
            absolute_number=e.absolute_number,
            title=e.title[:300],
            overview=e.overview,
            air_date=e.air_date,
            tvdb_id=e.tvdb_id,
            monitored=(s, n) in wanted,
        )
        for (s, n), e in sorted(unique.items())
    )


def add_movie(
    config: ImportList, item: ListItem, found: lookup.Found | None, root: RootFolder
) -> Movie:
    meta = found.metadata if found is not None else None
    with transaction.atomic():
        movie = Movie.objects.create(
            **_common(config, item, meta, root, f"TMDB {item.tmdb_id}"),
            tmdb_id=item.tmdb_id,
            studio=meta.studio if meta else "",
            runtime=meta.runtime if meta else None,
            release_date=meta.release_date if meta else None,
        )
        _announce(config, movie, "movie_add", "movie", movie_info)
    return movie


def _join(root: str, name: str) -> str:
    sep = "\\" if "\\" in root else "/"
    return root.rstrip("/\\") + sep + name
