"""Cleaning the library after list syncs (Sonarr's "Clean Library Level"): series and
movies that no adding list holds any more are logged, unmonitored, or tagged, as
``IDKARR_IMPORT_LIST_CLEAN_LEVEL`` says (``disabled`` by default: nothing happens).

It runs only when every enabled list that adds automatically has synced and its last
sync succeeded: a list that failed to read must not look like a list that emptied.
A title counts as still listed when any entry of those lists shares its TVDB id
(series), TMDB id (movies) or IMDb id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from idkarr.library.models import Movie, Series, Tag

from .models import ImportList, ListedItem

log = logging.getLogger(__name__)
LEVELS = ("disabled", "log_only", "keep_and_unmonitor", "keep_and_tag")


@dataclass
class CleanResult:
    level: str
    ran: bool = False
    why_not: str = ""
    series: list[str] = field(default_factory=list)  # titles no list holds
    movies: list[str] = field(default_factory=list)


def level() -> str:
    chosen = str(getattr(settings, "IMPORT_LIST_CLEAN_LEVEL", "disabled")).lower()
    return chosen if chosen in LEVELS else "disabled"


def clean_library() -> CleanResult:
    result = CleanResult(level=level())
    if result.level == "disabled":
        result.why_not = "the clean level is disabled"
        return result
    lists = ImportList.objects.filter(enabled=True, enable_automatic_add=True)
    if not lists.exists():
        result.why_not = "no enabled list adds automatically"
        return result
    if lists.filter(Q(last_sync_at__isnull=True) | ~Q(last_sync_error="")).exists():
        result.why_not = "a list has not synced successfully yet"
        return result
    held = ListedItem.objects.filter(import_list__in=lists)
    series = _unlisted(Series.objects.filter(monitored=True), held, "tvdb_id")
    movies = _unlisted(Movie.objects.filter(monitored=True), held, "tmdb_id")
    result.ran = True
    result.series = [s.title for s in series]
    result.movies = [m.title for m in movies]
    for row in (*series, *movies):
        log.info("import lists: %s is on no list any more (%s)", row.title, result.level)
    if result.level == "keep_and_unmonitor":
        _unmonitor(series, movies)
    elif result.level == "keep_and_tag":
        _tag(series, movies)
    return result


def _unlisted(queryset, held, key: str) -> list:
    ids = set(held.exclude(**{f"{key}__isnull": True}).values_list(key, flat=True))
    imdb = set(held.exclude(imdb_id="").values_list("imdb_id", flat=True))
    return [
        row
        for row in queryset
        if getattr(row, key) not in ids and not (row.imdb_id and row.imdb_id in imdb)
    ]


def _unmonitor(series: list[Series], movies: list[Movie]) -> None:
    with transaction.atomic():
        Series.objects.filter(pk__in=[s.pk for s in series]).update(monitored=False)
        for s in series:
            s.episodes.update(monitored=False)
            s.seasons.update(monitored=False)
        Movie.objects.filter(pk__in=[m.pk for m in movies]).update(monitored=False)


def _tag(series: list[Series], movies: list[Movie]) -> None:
    label = str(getattr(settings, "IMPORT_LIST_CLEAN_TAG", "unlisted")).strip().lower()
    tag = Tag.resolve([label or "unlisted"])[0]
    with transaction.atomic():
        for row in (*series, *movies):
            row.tags.add(tag)
