"""Queue tracking: poll every enabled download client, keep a ``Download`` row per
item, act on transitions.

* ``poll_client`` does the network work only (safe in a thread): the provider
  comes from ``health.providers`` so polls share the health check's session and
  qBittorrent's incremental sync state.
* ``record_poll`` writes in the calling thread: upsert rows, translate output
  paths through remote path mappings, emit ``download`` when an item grabbed
  through idkarr and linked to a series/movie completes, remove failed/completed
  items from the client per its settings, and blocklist a grabbed item that fails
  (``blocklist``). A client error marks its rows
  ``unknown_since`` and keeps their last good values; an item the client no
  longer reports is marked the same way. Rows are never deleted here.
* An unchanged item costs no write: a live, known row was seen by the client's
  last successful poll (``ClientPollState.last_ok_at``; ``seen_at`` reads it that
  way), so ``last_seen_at`` is stored only when a row changes or stops being seen.
  Rewriting every row each poll kept NAS disks awake and bloated PostgreSQL.
* ``dispatch_due`` is the beat entry point: it claims due clients with a
  conditional UPDATE on ``ClientPollState.next_poll_at`` and polls them concurrently.

Automatic removal only touches items idkarr owns (grabbed through idkarr or in
one of the client's idkarr categories), and torrents only once the client
reports them ``completed`` (finished and stopped: seeding goals met), never
while ``seeding``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from integrations import health
from integrations.errors import IntegrationError

from . import blocklist
from .base import DownloadItem, DownloadStatus
from .models import ClientPollState, Download, DownloadClient, RemotePathMapping, map_path

log = logging.getLogger(__name__)

S = DownloadStatus
DONE = {S.COMPLETED.value, S.SEEDING.value}
DEFAULT_POLL_INTERVAL = 30


@dataclass
class PollResult:
    client_id: int
    ok: bool
    items: list[DownloadItem] = field(default_factory=list)
    error: str = ""
    code: str = ""
    elapsed_ms: int = 0


@dataclass
class RecordOutcome:
    seen: int = 0
    created: int = 0
    marked_unknown: int = 0
    events: list[int] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def poll_interval(config, state: ClientPollState | None = None) -> int:
    default = getattr(settings, "DOWNLOAD_QUEUE_POLL_SECONDS", DEFAULT_POLL_INTERVAL)
    return (state.poll_interval if state is not None else None) or default


# -- network -------------------------------------------------------------------
def poll_client(config) -> PollResult:
    """Ask one client for its queue. No DB access; never raises."""
    started = time.monotonic()

    def done(**kwargs) -> PollResult:
        return PollResult(config.pk, elapsed_ms=int((time.monotonic() - started) * 1000), **kwargs)

    try:
        with health.providers.using(config) as provider:
            items = provider.get_downloads()
    except IntegrationError as exc:
        health.providers.discard(config)
        return done(ok=False, error=f"{config.name}: {exc.message}", code=exc.code)
    except Exception as exc:  # a provider bug or unreadable settings must not stop the round
        log.exception("queue poll of %s crashed", config)
        health.providers.discard(config)
        return done(ok=False, error=f"{config.name}: internal error ({type(exc).__name__})")
    return done(ok=True, items=list(items))


# -- recording -------------------------------------------------------------------
def _host(client_settings) -> str:
    return str(getattr(client_settings, "host", "") or "")


_INT64_MAX = (1 << 63) - 1


def _count(value) -> int:
    """A byte count or speed as the database can store it: a client's negative or
    overflowed number (e.g. 2**64 - n from an unsigned wrap) must not fail the recording
    of its whole queue."""
    number = int(value or 0)
    return number if 0 <= number <= _INT64_MAX else 0


def _fields(item: DownloadItem, mappings, host: str) -> dict:
    status = item.status.value if isinstance(item.status, S) else str(item.status or "unknown")
    if status not in S._value2member_map_:
        status = S.UNKNOWN.value
    save_path, output = item.save_path or "", item.output_path or ""
    return {
        "title": (item.title or "")[:500],
        "category": (item.category or "")[:200],
        "status": status,
        "raw_state": (item.raw_state or "")[:100],
        "progress": float(item.progress or 0.0),
        "size": _count(item.size),
        "size_left": _count(item.size_left),
        "download_speed": _count(item.download_speed),
        "upload_speed": _count(item.upload_speed),
        "eta": item.eta,
        "ratio": item.ratio,
        "seeding_time": item.seeding_time,
        "seeds": item.seeds,
        "peers": item.peers,
        "tags": list(item.tags or []),
        "save_path": (map_path(mappings, host, save_path) if mappings else save_path)[:1000],
        "output_path": (map_path(mappings, host, output) if mappings else output)[:1000],
        "raw_output_path": (item.output_path or "")[:1000],
        "message": (item.message or "")[:500],
        "added_on": item.added_on,
    }


def _owned(row: Download, settings_obj) -> bool:
    """Items idkarr may remove: grabbed through it or in one of its categories."""
    if row.grabbed:
        return True
    ours = {
        getattr(settings_obj, name, "")
        for name in ("tv_category", "movie_category", "anime_category")
    }
    return bool(row.category) and row.category in ours - {""}


def download_payload(row: Download, config) -> dict:
    """The ``download`` event payload for a completed, linked item."""
    from notifications.payloads import (
        episode_file_info,
        episode_info,
        movie_file_info,
        movie_info,
        series_info,
        validate_payload,
    )

    name = (row.output_path or row.title).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    synthetic = {
        "relativePath": name or row.title,
        "path": row.output_path or row.title,
        "sceneName": row.title,
        "size": row.size,
    }
    payload: dict = {
        "downloadClient": config.name,
        "downloadClientType": config.kind,
        "downloadId": row.download_id,
    }
    if row.series_id is not None:
        episodes = list(row.episodes.order_by("season_number", "episode_number"))
        files = [e.episode_file for e in episodes if e.episode_file_id]
        payload["series"] = series_info(row.series)
        payload["episodes"] = [episode_info(e) for e in episodes]
        payload["episodeFile"] = episode_file_info(files[0]) if files else synthetic
    else:
        file = row.movie.files.order_by("-date_added").first()
        payload["movie"] = movie_info(row.movie)
        payload["movieFile"] = movie_file_info(file) if file else synthetic
    return validate_payload("download", payload)


def _tags_of(row: Download) -> list[str]:
    media = row.series or row.movie
    return [t.label for t in media.tags.all()] if media is not None else []


def _emit_download(row: Download, config) -> int | None:
    from notifications.events import emit

    try:
        payload = download_payload(row, config)
    except ValueError as exc:  # a payload we cannot make valid: say so, don't crash the poll
        log.warning("download event for %s not sent: %s", row, exc)
        return None
    return emit("download", payload, tags=_tags_of(row), source="queue").pk


def _remove(provider, row: Download, *, delete_data: bool, why: str, out: RecordOutcome) -> None:
    try:
        provider.remove(row.download_id, delete_data=delete_data)
    except IntegrationError as exc:
        text = f"Could not remove {why} download: {exc.message}"[:500]
        Download.objects.filter(pk=row.pk).update(message=text)
        out.errors.append(text)
        return
    Download.objects.filter(pk=row.pk).update(removed_at=timezone.now())
    out.removed.append(row.download_id)


# What a poll compares and writes per item: the keys of ``_fields``.
FIELDS = (
    "title",
    "category",
    "status",
    "raw_state",
    "progress",
    "size",
    "size_left",
    "download_speed",
    "upload_speed",
    "eta",
    "ratio",
    "seeding_time",
    "seeds",
    "peers",
    "tags",
    "save_path",
    "output_path",
    "raw_output_path",
    "message",
    "added_on",
)
# What recording reads of an existing row: every column but first/last seen.
_READ = tuple(
    f.attname
    for f in Download._meta.concrete_fields
    if f.attname not in ("first_seen_at", "last_seen_at")
)
_AT = {name: i for i, name in enumerate(_READ)}
_STORED_FIELDS = itemgetter(*(_AT[name] for name in FIELDS))
_PK, _DOWNLOAD_ID = _AT["id"], _AT["download_id"]
_REMOVED_AT, _UNKNOWN_SINCE = _AT["removed_at"], _AT["unknown_since"]
_TAGS, _ADDED_ON = FIELDS.index("tags"), FIELDS.index("added_on")


def _stored_rows(config) -> dict[str, tuple]:
    """The client's rows as the database driver returns them (``_READ`` columns, no
    Django conversion: datetimes may be text, JSON is text), by download id."""
    query = Download.objects.filter(client=config).order_by().values_list(*_READ).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[_DOWNLOAD_ID]: row for row in cursor.fetchall()}


def _naive_zone():
    """The zone the database driver returns naive datetimes in (SQLite: UTC), or None
    when it returns aware ones (PostgreSQL)."""
    return None if connection.features.supports_timezones else connection.timezone


def _as_stored(values: dict, naive_zone) -> tuple:
    """``values`` (from ``_fields``) as the driver returns them once stored. Equal to
    the stored tuple means unchanged; a representation that differs only makes the
    item take the exact, model-based comparison."""
    stored = list(map(values.__getitem__, FIELDS))
    stored[_TAGS] = json.dumps(stored[_TAGS]) if stored[_TAGS] else "[]"  # JSON comes as text
    added = stored[_ADDED_ON]
    if naive_zone is not None and added is not None and added.tzinfo is not None:
        stored[_ADDED_ON] = added.astimezone(naive_zone).replace(tzinfo=None)
    return tuple(stored)


def _unchanged(stored: tuple | None, values: dict, naive_zone) -> bool:
    """The stored row is live, known and equal to the item: nothing to write."""
    return (
        stored is not None
        and stored[_REMOVED_AT] is None
        and stored[_UNKNOWN_SINCE] is None
        and _STORED_FIELDS(stored) == _as_stored(values, naive_zone)
    )


def _lost(now: datetime, last_ok_at: datetime | None) -> dict:
    """The UPDATE for rows no longer seen: unknown from now, and last seen by the
    previous good poll (a row no poll has seen yet, e.g. just grabbed, keeps NULL)."""
    if last_ok_at is None:
        return {"unknown_since": now}
    return {
        "unknown_since": now,
        "last_seen_at": Case(When(last_seen_at__isnull=False, then=Value(last_ok_at))),
    }


def seen_at(row: Download, last_ok_at: datetime | None) -> datetime | None:
    """When the client last reported ``row``: a live, known row that a poll has seen
    was seen by the client's last good poll (unchanged rows are not rewritten)."""
    last = row.last_seen_at
    if (
        last is not None
        and last_ok_at is not None
        and last_ok_at > last
        and row.unknown_since is None
        and row.removed_at is None
    ):
        return last_ok_at
    return last


def record_poll(config, result: PollResult, now: datetime | None = None) -> RecordOutcome:
    """Store a poll result (see the module docstring). Returns what happened.

    The client's rows are read raw; an item equal to its row costs a tuple comparison
    and no write. New items are inserted in bulk; the others (changed, re-appearing,
    finished) are loaded as models."""
    now = now or timezone.now()
    out = RecordOutcome()
    state, _ = ClientPollState.objects.get_or_create(client=config)
    interval = poll_interval(config, state)
    live = Download.objects.filter(client=config, removed_at__isnull=True)
    lost = _lost(now, state.last_ok_at)
    if not result.ok:
        out.marked_unknown = live.filter(unknown_since__isnull=True).update(**lost)
        ClientPollState.objects.filter(pk=state.pk).update(
            last_polled_at=now,
            last_error=result.error[:500],
            next_poll_at=now + timedelta(seconds=interval),
        )
        return out

    try:
        client_settings = config.validated_settings()
    except Exception:
        client_settings = None
    host = _host(client_settings)
    mappings = list(RemotePathMapping.objects.filter(host__iexact=host.strip()))
    # Finished items _auto_remove may act on: loaded as models even when unchanged.
    finishing = {
        status
        for status, setting in (
            (S.FAILED.value, "remove_failed_downloads"),
            (S.COMPLETED.value, "remove_completed_downloads"),
        )
        if getattr(client_settings, setting, False)
    }
    existing = _stored_rows(config)
    naive_zone = _naive_zone()
    seen: set[str] = set()
    created: list[Download] = []
    completed_now: list[Download] = []
    failed_now: list[Download] = []
    to_load: dict[int, tuple] = {}  # pk → (item, values) of rows that need a model
    for item in result.items:
        if not item.id or item.id in seen:
            continue
        seen.add(item.id)
        values = _fields(item, mappings, host)
        stored = existing.get(item.id)
        if stored is not None:
            if not _unchanged(stored, values, naive_zone) or values["status"] in finishing:
                to_load[stored[_PK]] = (item, values)
            continue
        row = Download(
            client=config,
            download_id=item.id[:200],
            first_seen_at=now,
            last_seen_at=now,
            **values,
        )
        if values["status"] in DONE:
            row.completed_at = item.completed_on or now
        if values["status"] == S.FAILED.value:
            failed_now.append(row)
        if values["status"] == S.COMPLETED.value:
            completed_now.append(row)
        created.append(row)
    with transaction.atomic():
        pks = list(to_load)
        rows = {
            row.pk: row
            for start in range(0, len(pks), 500)
            for row in Download.objects.filter(pk__in=pks[start : start + 500])
            .order_by()
            .select_related("series", "movie")
        }
        for pk in pks:
            item, values = to_load[pk]
            row = rows.get(pk)
            if row is None:  # deleted meanwhile (its client was removed)
                continue
            previous = row.status
            changed = [key for key, value in values.items() if getattr(row, key) != value]
            if row.removed_at is not None:  # re-added on the client
                values["removed_at"] = None
                changed.append("removed_at")
            for key in changed:
                setattr(row, key, values[key])
            if values["status"] in DONE and previous not in DONE:
                row.completed_at = row.completed_at or item.completed_on or now
                changed.append("completed_at")
                if row.linked and row.grabbed:
                    event_id = _emit_download(row, config)
                    if event_id:
                        out.events.append(event_id)
            if values["status"] == S.FAILED.value:
                failed_now.append(row)
                if previous != S.FAILED.value and row.grabbed:
                    blocklist.add(row, source=blocklist.FAILED, message=row.message)
            if values["status"] == S.COMPLETED.value:
                completed_now.append(row)
            if changed or row.unknown_since is not None:
                row.last_seen_at, row.unknown_since = now, None
                row.save(update_fields=[*dict.fromkeys(changed), "last_seen_at", "unknown_since"])
        if created:
            Download.objects.bulk_create(created, batch_size=500)
            out.created = len(created)
        out.seen = len(seen)
        gone = [
            stored[_PK]
            for download_id, stored in existing.items()
            if download_id not in seen
            and stored[_REMOVED_AT] is None
            and stored[_UNKNOWN_SINCE] is None
        ]
        for start in range(0, len(gone), 500):
            out.marked_unknown += Download.objects.filter(
                pk__in=gone[start : start + 500], unknown_since__isnull=True
            ).update(**lost)
        ClientPollState.objects.filter(pk=state.pk).update(
            last_polled_at=now,
            last_ok_at=now,
            last_error="",
            item_count=len(seen),
            next_poll_at=now + timedelta(seconds=interval),
        )
    if client_settings is not None:
        _auto_remove(config, client_settings, completed_now, failed_now, out)
    return out


def _auto_remove(config, client_settings, completed, failed, out: RecordOutcome) -> None:
    remove_failed = getattr(client_settings, "remove_failed_downloads", False)
    remove_completed = getattr(client_settings, "remove_completed_downloads", False)
    todo = []
    if remove_failed:
        todo += [(row, True, "failed") for row in failed if _owned(row, client_settings)]
    if remove_completed:
        todo += [(row, False, "completed") for row in completed if _owned(row, client_settings)]
    if not todo:
        return
    try:
        with health.providers.using(config) as provider:
            for row, delete_data, why in todo:
                _remove(provider, row, delete_data=delete_data, why=why, out=out)
    except IntegrationError as exc:
        out.errors.append(exc.message)


# -- dispatching -------------------------------------------------------------------
def _backed_off(config, now: datetime) -> bool:
    return bool(config.disabled_until and config.disabled_until > now)


def claim_due(now: datetime | None = None) -> list:
    """Enabled clients due a poll (not in health backoff), claimed with a
    conditional UPDATE so a concurrent dispatcher skips them."""
    now = now or timezone.now()
    claimed = []
    for config in DownloadClient.objects.filter(enabled=True):
        if _backed_off(config, now):
            continue
        state, _ = ClientPollState.objects.get_or_create(client=config)
        if state.next_poll_at is not None and state.next_poll_at > now:
            continue
        lease = now + timedelta(seconds=max(poll_interval(config, state), 10))
        same = (
            Q(next_poll_at__isnull=True)
            if state.next_poll_at is None
            else Q(next_poll_at=state.next_poll_at)
        )
        if ClientPollState.objects.filter(same, pk=state.pk).update(next_poll_at=lease):
            claimed.append(config)
    return claimed


_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def poll_pool() -> ThreadPoolExecutor:
    """This process's poller threads, kept between rounds: starting threads each round
    made the last polls of a round wait for the first ones to let go of the GIL."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():  # made after a fork, never inherited
            workers = max(1, getattr(settings, "HEALTH_CHECK_CONCURRENCY", 32))
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="queue")
            _pool_pid = os.getpid()
        return _pool


def poll_many(configs: list) -> dict[int, PollResult]:
    """Poll clients concurrently (network in threads) and record each result here, in
    this thread, as soon as its poll is done."""
    if not configs:
        return {}
    if len(configs) == 1:
        polls = {configs[0].pk: (configs[0], poll_client(configs[0]))}
        return {pk: _record_safely(config, result) for pk, (config, result) in polls.items()}
    pool = poll_pool()
    futures = {pool.submit(poll_client, config): config for config in configs}
    out = {}
    waiting = set(futures)
    while waiting:
        done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
        for future in done:
            config = futures[future]
            out[config.pk] = _record_safely(config, future.result())
    return {config.pk: out[config.pk] for config in configs}


def _record_safely(config, result: PollResult) -> PollResult:
    try:
        record_poll(config, result)
    except Exception:  # one client's bad data must not lose the others' results
        log.exception("recording the queue of %s failed", config)
    return result


def act(row: Download, verb: str, *args) -> None:
    """Run an item verb (pause, resume, set_category, set_priority) on the row's client,
    then re-poll that client so the row shows the result. Raises the client's error
    (``UnsupportedError`` where the client lacks the verb)."""
    with health.providers.using(row.client) as provider:
        getattr(provider, verb)(row.download_id, *args)
    poll_many([row.client])


def remove_item(row: Download, *, delete_data: bool = False, blocklist_it: bool = False) -> None:
    """Remove the item from its client (its files too with ``delete_data``); once the
    client has removed it, ``blocklist_it`` puts its release on the blocklist."""
    with health.providers.using(row.client) as provider:
        provider.remove(row.download_id, delete_data=delete_data)
    if blocklist_it:
        blocklist.add(row, source=blocklist.MANUAL)
    Download.objects.filter(pk=row.pk).update(removed_at=timezone.now())


def refresh_all() -> dict[int, PollResult]:
    """Poll every enabled client now, whatever its schedule."""
    return poll_many(list(DownloadClient.objects.filter(enabled=True)))


def dispatch_due() -> int:
    """Beat entry point: poll every enabled client that is due. Returns how many."""
    configs = claim_due()
    poll_many(configs)
    return len(configs)


__all__ = [
    "PollResult",
    "act",
    "claim_due",
    "dispatch_due",
    "poll_client",
    "poll_many",
    "record_poll",
    "refresh_all",
    "remove_item",
    "seen_at",
]
