"""The import-list sync (seed: Import List Sync Process; Sonarr's semantics).

A list is synced when due (its interval, never below the service's minimum) or on
request. Each item is mapped to the id the library keys on (TVDB for series, TMDB
for movies) through the metadata sources when the list did not give it, then
skipped when excluded, already in the library, or met earlier in the same list,
and otherwise added (when the list adds automatically). What the list held and
what became of each entry is kept (``ListedItem``). A lookup that failed is an
``error`` entry, tried again next time; an id nobody knows is ``not_found``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idkarr.library.models import Movie, RootFolder, Series
from integrations.errors import ConfigurationError, IntegrationError
from integrations.metadata import lookup

from . import adding, clean
from .base import ListItem, ListProvider
from .models import ImportList, ImportListExclusion, ListedItem

log = logging.getLogger(__name__)
Outcome = ListedItem.Outcome


@dataclass
class SyncResult:
    list_id: int
    found: int = 0
    added: int = 0
    existing: int = 0
    excluded: int = 0
    not_found: int = 0
    listed: int = 0
    errors: list[dict] = field(default_factory=list)  # {"title", "error"}
    duration_ms: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    def count(self, outcome: str, title: str, detail: str) -> None:
        if outcome == Outcome.ADDED:
            self.added += 1
        elif outcome == Outcome.EXISTS:
            self.existing += 1
        elif outcome == Outcome.EXCLUDED:
            self.excluded += 1
        elif outcome == Outcome.NOT_FOUND:
            self.not_found += 1
        elif outcome == Outcome.LISTED:
            self.listed += 1
        else:
            self.errors.append({"title": title, "error": detail})


def interval(config: ImportList) -> timedelta:
    """Time between syncs: the list's setting, never below its service's minimum."""
    minimum = config.provider_class().min_refresh_minutes
    chosen = (config.settings or {}).get("sync_interval_minutes") or minimum
    return timedelta(minutes=max(int(chosen), minimum))


def claim(config_id: int) -> ImportList | None:
    """Take a due list for this sync (nobody else syncs it until its next time)."""
    now = timezone.now()
    config = ImportList.objects.filter(pk=config_id, enabled=True).first()
    if config is None or config.kind not in ImportList.registry:
        return None
    won = ImportList.objects.filter(
        Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now), pk=config_id
    ).update(next_sync_at=now + interval(config))
    return config if won else None


def due_ids() -> list[int]:
    now = timezone.now()
    return list(
        ImportList.objects.filter(enabled=True)
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .values_list("pk", flat=True)
    )


def sync_list(config: ImportList) -> SyncResult:
    """Read the list and process its items. Raises the provider's IntegrationError
    when the list cannot be read (recorded on the list first)."""
    started = time.monotonic()
    provider: ListProvider = config.build_provider()
    try:
        items = provider.fetch()
    except IntegrationError as exc:
        _record(config, error=exc.message)
        raise
    finally:
        _save_rotated(config, provider)
        provider.close()
    wanted = [item for item in items if item.media_type in provider.media_types]
    result = process_items(config, wanted, started=started)
    clean.clean_library()  # titles that left every list (when the clean level says so)
    return result


def process_items(
    config: ImportList, items: list[ListItem], *, started: float | None = None
) -> SyncResult:
    """Map, check and add ``items`` as the list's entries (what a sync does after
    reading the list; also for entries uploaded by hand, such as an IMDb export)."""
    started = started if started is not None else time.monotonic()
    result = SyncResult(list_id=config.pk)
    settings = config.validated_settings()
    root = None
    if settings.enable_automatic_add:
        root = RootFolder.objects.filter(pk=settings.root_folder_id).first()
        if root is None:
            message = f"{config.name} adds automatically but has no root folder: choose one"
            _record(config, error=message)
            raise ConfigurationError(message)
    now = timezone.now()
    seen: set[tuple] = set()
    listed = []
    for item in items:
        result.found += 1
        row = _process(config, item, root, seen)
        row.synced_at = now
        listed.append(row)
        result.count(row.outcome, row.title, row.detail)
    with transaction.atomic():
        ListedItem.objects.filter(import_list=config).delete()
        ListedItem.objects.bulk_create(listed)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    _record(config, result=result)
    return result


def _process(config: ImportList, item: ListItem, root, seen: set) -> ListedItem:
    row = ListedItem(import_list=config, media_type=item.media_type, title=item.title[:300])
    row.year = item.year
    found = None
    try:
        if not _key_id(item):  # look the id up only when the list lacks it
            found = _map_ids(item)
            if not _key_id(item):
                return _outcome(_ids(row, item, found), Outcome.NOT_FOUND, _not_found(item))
        key = (item.media_type, _key_id(item))
        if key in seen:
            return _outcome(_ids(row, item, found), Outcome.EXISTS, "Listed twice")
        seen.add(key)
        if _excluded(item):
            return _outcome(_ids(row, item, found), Outcome.EXCLUDED, "On the exclusion list")
        existing = _existing(item)
        if existing is not None:
            setattr(row, item.media_type, existing)
            return _outcome(_ids(row, item, found), Outcome.EXISTS, "Already in the library")
        if root is None:
            return _outcome(_ids(row, item, found), Outcome.LISTED, "Automatic add is off")
        found = found or _map_ids(item)  # what to add: title, year, episodes
        _ids(row, item, found)
        if item.media_type == "series":
            row.series = adding.add_series(config, item, found, root)
        else:
            row.movie = adding.add_movie(config, item, found, root)
    except IntegrationError as exc:  # a source down, the episode list unreadable
        return _outcome(_ids(row, item, found), Outcome.ERROR, exc.message)
    return _outcome(row, Outcome.ADDED, "")


def _key_id(item: ListItem) -> int | None:
    return item.tvdb_id if item.media_type == "series" else item.tmdb_id


def _ids(row: ListedItem, item: ListItem, found: lookup.Found | None) -> ListedItem:
    row.tvdb_id, row.tmdb_id, row.imdb_id = item.tvdb_id, item.tmdb_id, item.imdb_id[:16]
    if found is not None and not row.title:
        row.title = found.metadata.title[:300]
    return row


def _not_found(item: ListItem) -> str:
    which = "TVDB" if item.media_type == "series" else "TMDB"
    message = f"No {which} id found for {_label(item)}"
    if not lookup.sources(
        lookup.Capability.SERIES if item.media_type == "series" else lookup.Capability.MOVIES
    ):
        message += ": add a metadata source (TheTVDB or TMDB) to look it up"
    return message


def _outcome(row: ListedItem, outcome: str, detail: str) -> ListedItem:
    row.outcome, row.detail = outcome, detail[:500]
    return row


def _label(item: ListItem) -> str:
    name = f"{item.title} ({item.year})" if item.year else item.title
    return name or item.imdb_id or "an untitled entry"


def _map_ids(item: ListItem) -> lookup.Found | None:
    """Fill the id the library keys on from the metadata sources; returns what they
    answered (for the add), or None when no source knows the item or none is asked."""
    if item.media_type == "series":
        found = lookup.series(tvdb_id=item.tvdb_id, tmdb_id=item.tmdb_id, imdb_id=item.imdb_id)
        if found is not None:
            item.tvdb_id = item.tvdb_id or found.metadata.tvdb_id
    else:
        found = lookup.movie(tmdb_id=item.tmdb_id, imdb_id=item.imdb_id)
        if found is not None:
            item.tmdb_id = item.tmdb_id or found.metadata.tmdb_id
    if found is not None:
        item.imdb_id = item.imdb_id or found.metadata.imdb_id
    return found


def _excluded(item: ListItem) -> bool:
    qs = ImportListExclusion.objects.filter(media_type=item.media_type)
    if item.media_type == "series":
        return qs.filter(tvdb_id=item.tvdb_id).exists()
    return qs.filter(tmdb_id=item.tmdb_id).exists()


def _existing(item: ListItem):
    if item.media_type == "series":
        return Series.objects.filter(tvdb_id=item.tvdb_id).first()
    return Movie.objects.filter(tmdb_id=item.tmdb_id).first()


def _save_rotated(config: ImportList, provider: ListProvider) -> None:
    """Keep credentials the provider renewed while reading (Trakt's refresh token)."""
    if not provider.updated_settings:
        return
    current = config.validated_settings()
    data = {**current.model_dump(), **provider.updated_settings}
    config.apply_settings(type(current).model_validate(data))
    ImportList.objects.filter(pk=config.pk).update(settings=config.settings, secrets=config.secrets)


def _record(config: ImportList, *, result: SyncResult | None = None, error: str = "") -> None:
    now = timezone.now()
    changes = {"last_sync_at": now, "last_sync_error": error[:500]}
    if result is not None:
        changes["last_result"] = result.to_dict()
    ImportList.objects.filter(pk=config.pk).update(**changes)
