"""The download queue (``/api/v1/download-clients/queue``), sending releases
(``/{id}/add``), item actions, and ``/api/v1/remote-path-mappings/`` CRUD.

Queue items carry the seed's DownloadItem fields in snake_case; ``id`` is
idkarr's row id (used by the item actions) and ``download_id`` the client's id.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from idkarr.auth import WRITE
from integrations import health
from integrations.errors import UnsupportedError
from integrations.schemas import ErrorOut

from . import queue
from .base import AddRequest, Priority
from .models import (
    BlocklistedRelease,
    ClientPollState,
    Download,
    DownloadClient,
    RemotePathMapping,
)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PAYLOAD_KEYS = ("magnet", "url", "torrent_base64", "nzb_base64")


class QueueItemOut(Schema):
    id: int
    download_id: str
    client_id: int
    client_name: str
    client_kind: str
    title: str
    category: str
    status: str
    raw_state: str
    progress: float
    size: int
    size_left: int
    download_speed: int
    upload_speed: int
    eta: int | None
    ratio: float | None
    seeding_time: int | None
    seeds: int | None
    peers: int | None
    tags: list[str]
    save_path: str
    output_path: str
    raw_output_path: str
    message: str
    added_on: datetime | None
    completed_on: datetime | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    unknown: bool
    unknown_since: datetime | None
    client_error: str
    grabbed: bool
    indexer_id: int | None = Field(None, description="The indexer it was grabbed from")
    indexer_name: str = ""
    series_id: int | None
    movie_id: int | None
    episode_ids: list[int]


class AddIn(Schema):
    magnet: str | None = None
    url: str | None = None
    torrent_base64: str | None = None
    nzb_base64: str | None = None
    name: str | None = Field(None, description="File name for torrent/NZB bytes (needed for NZB)")
    category: str | None = None
    priority: Priority | None = None
    paused: bool | None = None
    save_path: str | None = None
    seed_ratio: float | None = Field(
        None, ge=0, description="Torrents: stop seeding at this ratio (default: the client's)"
    )
    seed_time_minutes: int | None = Field(
        None, ge=0, description="Torrents: stop seeding after this long (default: the client's)"
    )
    series_id: int | None = Field(None, description="Link the item to a series (grabbed)")
    episode_ids: list[int] = []
    movie_id: int | None = Field(None, description="Link the item to a movie (grabbed)")
    media_type: Literal["tv", "movie", "anime"] | None = Field(
        None,
        description="Picks the client's category when none is given (default: from the linked series/movie)",
    )
    recent: bool | None = Field(
        None,
        description="Aired in the last 14 days: recent vs older priority (default: from the linked episodes)",
    )


class AddOut(Schema):
    id: str
    item_id: int


class CategoryIn(Schema):
    category: str = Field(..., max_length=200, description="The client's category/label")


class PriorityIn(Schema):
    priority: Priority


class MappingIn(Schema):
    host: str
    remote_path: str
    local_path: str


class MappingOut(MappingIn):
    id: int


def _error(status: int, code: str, message: str, details=None):
    return Status(status, {"code": code, "message": message, "details": details or {}})


def item_out(
    row: Download,
    errors: dict[int, str] | None = None,
    last_ok: dict[int, datetime | None] | None = None,
) -> dict:
    errors = errors or {}
    if last_ok is None:
        last_ok = dict(
            ClientPollState.objects.filter(client_id=row.client_id).values_list(
                "client_id", "last_ok_at"
            )
        )
    return {
        "id": row.pk,
        "download_id": row.download_id,
        "client_id": row.client_id,
        "client_name": row.client.name,
        "client_kind": row.client.kind,
        "title": row.title,
        "category": row.category,
        "status": row.status,
        "raw_state": row.raw_state,
        "progress": row.progress,
        "size": row.size,
        "size_left": row.size_left,
        "download_speed": row.download_speed,
        "upload_speed": row.upload_speed,
        "eta": row.eta,
        "ratio": row.ratio,
        "seeding_time": row.seeding_time,
        "seeds": row.seeds,
        "peers": row.peers,
        "tags": list(row.tags or []),
        "save_path": row.save_path,
        "output_path": row.output_path,
        "raw_output_path": row.raw_output_path,
        "message": row.message,
        "added_on": row.added_on,
        "completed_on": row.completed_at,
        "first_seen_at": row.first_seen_at,
        "last_seen_at": queue.seen_at(row, last_ok.get(row.client_id)),
        "unknown": row.unknown_since is not None,
        "unknown_since": row.unknown_since,
        "client_error": errors.get(row.client_id, ""),
        "grabbed": row.grabbed,
        "indexer_id": row.indexer_id,
        "indexer_name": row.indexer_name,
        "series_id": row.series_id,
        "movie_id": row.movie_id,
        "episode_ids": [e.pk for e in row.episodes.all()],
    }


def queue_rows(client_id=None, status=None, category=None):
    qs = (
        Download.objects.filter(removed_at__isnull=True)
        .select_related("client")
        .prefetch_related("episodes")
        .order_by("client__name", "first_seen_at", "pk")
    )
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    if status:
        qs = qs.filter(status=status)
    if category is not None:
        qs = qs.filter(category=category)
    return qs


def queue_list(client_id=None, status=None, category=None) -> list[dict]:
    states = ClientPollState.objects.values_list("client_id", "last_error", "last_ok_at")
    errors = {client: error for client, error, _ in states if error}
    last_ok = {client: ok_at for client, _, ok_at in states}
    return [item_out(r, errors, last_ok) for r in queue_rows(client_id, status, category)]


router = Router(tags=["Download clients"])


@router.get("/queue", response=list[QueueItemOut], summary="The download queue of every client")
def get_queue(
    request, client_id: int | None = None, status: str | None = None, category: str | None = None
):
    return queue_list(client_id, status, category)


@router.post(
    "/queue/refresh",
    response=list[QueueItemOut],
    summary="Poll every enabled client now and return the queue",
    auth=WRITE,
)
def refresh_queue(request):
    queue.refresh_all()
    return queue_list()


def _decode(value: str, field: str):
    try:
        return base64.b64decode(value.strip(), validate=True), None
    except (binascii.Error, ValueError):
        return None, _error(422, "invalid_base64", f"{field} is not valid base64", {"field": field})


def _media_type(series, movie) -> str | None:
    if movie is not None:
        return "movie"
    if series is not None:
        return "anime" if series.series_type == "anime" else "tv"
    return None


@router.post("/{int:config_id}/add", response={201: AddOut, **ERRORS}, auth=WRITE)
def add(request, config_id: int, body: AddIn):
    """Send a magnet, URL, .torrent or .nzb (base64) to the client. Returns the
    client's id for it (infohash, nzo id, gid…) and idkarr's queue item id."""
    config = get_object_or_404(DownloadClient, pk=config_id)
    given = [k for k in PAYLOAD_KEYS if getattr(body, k)]
    if len(given) != 1:
        return _error(
            422, "invalid_request", "Give exactly one of magnet, url, torrent_base64, nzb_base64"
        )
    req = AddRequest(
        category=body.category,
        priority=body.priority,
        paused=body.paused,
        save_path=body.save_path,
        name=body.name,
        seed_ratio=body.seed_ratio,
        seed_time_minutes=body.seed_time_minutes,
    )
    kind = given[0]
    if kind in ("magnet", "url"):
        setattr(req, kind, getattr(body, kind).strip())
    else:
        data, problem = _decode(getattr(body, kind), kind)
        if problem:
            return problem
        if kind == "nzb_base64" and not body.name:
            return _error(422, "invalid_request", "An NZB needs a name", {"field": "name"})
        setattr(req, kind.removesuffix("_base64"), data)
    from idkarr.library.models import Episode, Movie, Series, aired_recently

    series = get_object_or_404(Series, pk=body.series_id) if body.series_id else None
    movie = get_object_or_404(Movie, pk=body.movie_id) if body.movie_id else None
    episodes = list(Episode.objects.filter(pk__in=body.episode_ids)) if body.episode_ids else []
    req.media_type = body.media_type or _media_type(series, movie)
    req.recent = body.recent if body.recent is not None else aired_recently(episodes)
    with health.providers.using(config) as provider:
        download_id = provider.add(provider.with_defaults(req))
    row = Download.record_grab(
        config,
        download_id,
        title=body.name or "",
        category=body.category or "",
        series=series,
        movie=movie,
        episodes=episodes,
    )
    return Status(201, {"id": download_id, "item_id": row.pk})


def _item(item_id: int) -> Download:
    return get_object_or_404(
        Download.objects.select_related("client"), pk=item_id, removed_at__isnull=True
    )


def _act(item_id: int, verb: str, *args):
    """Run ``verb`` on the item's client, re-poll it, return the item. A verb the client
    lacks is 422 ``unsupported``; other client errors are 502 (the global handler)."""
    row = _item(item_id)
    try:
        queue.act(row, verb, *args)
    except UnsupportedError as exc:
        return _error(422, exc.code, exc.message, exc.details)
    row = Download.objects.select_related("client").get(pk=row.pk)
    return Status(200, item_out(row))


@router.post("/queue/{int:item_id}/pause", response={200: QueueItemOut, **ERRORS}, auth=WRITE)
def pause(request, item_id: int):
    return _act(item_id, "pause")


@router.post("/queue/{int:item_id}/resume", response={200: QueueItemOut, **ERRORS}, auth=WRITE)
def resume(request, item_id: int):
    return _act(item_id, "resume")


@router.post("/queue/{int:item_id}/category", response={200: QueueItemOut, **ERRORS}, auth=WRITE)
def set_category(request, item_id: int, body: CategoryIn):
    """Move the item to another category (label) on its client."""
    return _act(item_id, "set_category", body.category)


@router.post("/queue/{int:item_id}/priority", response={200: QueueItemOut, **ERRORS}, auth=WRITE)
def set_priority(request, item_id: int, body: PriorityIn):
    """top/bottom move the item to either end of the client's queue; high/normal/low set
    its priority where the client has one."""
    return _act(item_id, "set_priority", Priority(body.priority))


@router.delete("/queue/{int:item_id}", response={204: None, **ERRORS}, auth=WRITE)
def remove(request, item_id: int, delete_data: bool = False, blocklist: bool = False):
    """Remove the item from its client (and its data with ``delete_data=true``); with
    ``blocklist=true`` its release goes on the blocklist, so it is not grabbed again."""
    queue.remove_item(_item(item_id), delete_data=delete_data, blocklist_it=blocklist)
    return Status(204, None)


# -- blocklist ----------------------------------------------------------------------
blocklist_router = Router(tags=["Blocklist"])


class BlocklistedOut(Schema):
    id: int
    title: str
    protocol: str
    indexer_id: int | None
    indexer_name: str
    release_guid: str
    infohash: str
    size: int | None
    client_name: str
    download_id: str
    source: Literal["failed", "manual"]
    reason: str
    message: str
    series_id: int | None
    movie_id: int | None
    created_at: datetime


def _blocklisted_out(entry: BlocklistedRelease) -> dict:
    """Every BlocklistedOut field is the entry's attribute of that name (``reason`` too)."""
    return {name: getattr(entry, name) for name in BlocklistedOut.model_fields}


@blocklist_router.get("/", response=list[BlocklistedOut], summary="Releases idkarr will not grab")
def list_blocklist(request, series_id: int | None = None, movie_id: int | None = None):
    qs = BlocklistedRelease.objects.all()
    if series_id is not None:
        qs = qs.filter(series_id=series_id)
    if movie_id is not None:
        qs = qs.filter(movie_id=movie_id)
    return [_blocklisted_out(entry) for entry in qs]


@blocklist_router.delete("/{int:entry_id}", response={204: None, **ERRORS}, auth=WRITE)
def unblock(request, entry_id: int):
    """Take a release off the blocklist: searches stop marking it and grabs accept it."""
    get_object_or_404(BlocklistedRelease, pk=entry_id).delete()
    return Status(204, None)


# -- remote path mappings ---------------------------------------------------------
mappings_router = Router(tags=["Remote path mappings"])


def _mapping_out(m: RemotePathMapping) -> dict:
    return {"id": m.pk, "host": m.host, "remote_path": m.remote_path, "local_path": m.local_path}


def _save_mapping(mapping: RemotePathMapping, body: MappingIn, status: int):
    mapping.host, mapping.remote_path, mapping.local_path = (
        body.host,
        body.remote_path,
        body.local_path,
    )
    try:
        mapping.full_clean(validate_constraints=False)
    except DjangoValidationError as exc:
        errors = [
            {"field": f, "message": m, "type": "invalid"}
            for f, msgs in exc.message_dict.items()
            for m in msgs
        ]
        first = errors[0]
        return _error(
            422, "invalid_mapping", f"{first['field']}: {first['message']}", {"errors": errors}
        )
    mapping.save()
    return Status(status, _mapping_out(mapping))


@mappings_router.get("/", response=list[MappingOut], summary="List remote path mappings")
def list_mappings(request, host: str | None = None):
    qs = RemotePathMapping.objects.all()
    if host:
        qs = qs.filter(host__iexact=host.strip())
    return [_mapping_out(m) for m in qs]


@mappings_router.post("/", response={201: MappingOut, **ERRORS}, auth=WRITE)
def create_mapping(request, body: MappingIn):
    return _save_mapping(RemotePathMapping(), body, 201)


@mappings_router.get("/{int:mapping_id}", response={200: MappingOut, **ERRORS})
def get_mapping(request, mapping_id: int):
    return Status(200, _mapping_out(get_object_or_404(RemotePathMapping, pk=mapping_id)))


@mappings_router.put("/{int:mapping_id}", response={200: MappingOut, **ERRORS}, auth=WRITE)
def replace_mapping(request, mapping_id: int, body: MappingIn):
    return _save_mapping(get_object_or_404(RemotePathMapping, pk=mapping_id), body, 200)


@mappings_router.delete("/{int:mapping_id}", response={204: None, **ERRORS}, auth=WRITE)
def delete_mapping(request, mapping_id: int):
    get_object_or_404(RemotePathMapping, pk=mapping_id).delete()
    return Status(204, None)
