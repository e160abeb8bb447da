"""What a media server holds and does, beyond the generic family endpoints
(``/api/v1/media-servers/``): its libraries, a scan of a library or a folder, an
item's metadata and refresh, its users, recently added and watched items, and the
library updates idkarr sent it (``/updates``) with a retry of one that failed."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from idkarr.auth import WRITE
from integrations.errors import ConfigurationError
from integrations.schemas import ErrorOut

from . import updates
from .base import LibraryChange, LibraryType
from .models import LibraryUpdate, MediaServer

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 502: ErrorOut}


class LibraryOut(Schema):
    id: str
    name: str
    type: LibraryType
    paths: list[str]
    item_count: int | None


class MetadataOut(Schema):
    id: str
    title: str
    type: str
    year: int | None
    overview: str
    poster_url: str
    backdrop_url: str
    rating: float | None
    genres: list[str]
    imdb_id: str
    tmdb_id: int | None
    tvdb_id: int | None
    path: str


class UserOut(Schema):
    id: str
    name: str
    is_admin: bool


class EntryOut(Schema):
    id: str
    title: str
    type: str
    series_title: str
    season: int | None
    episode: int | None
    year: int | None
    added_at: datetime | None
    watched_at: datetime | None
    user: str


class ScanIn(Schema):
    path: str = Field(..., min_length=1, description="A folder as idkarr sees it")
    media_type: str = Field("series", pattern="^(series|movie)$")


class DoneOut(Schema):
    message: str


class UpdateOut(Schema):
    id: int
    server_id: int
    server_name: str
    event_id: int | None
    event_type: str
    folder: str
    update_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    finished_at: datetime | None
    result: str
    last_error: str
    created_at: datetime


def _provider(config_id: int):
    server = get_object_or_404(MediaServer, pk=config_id)
    server.require_enabled()
    return server.build_provider()


def update_out(row: LibraryUpdate) -> dict:
    return {
        "id": row.pk,
        "server_id": row.server_id,
        "server_name": row.server.name,
        "event_id": row.event_id,
        "event_type": row.event.event_type if row.event_id else "",
        "folder": row.change.get("path", ""),
        "update_type": row.change.get("update_type", ""),
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at if row.status in LibraryUpdate.WAITING else None,
        "finished_at": row.finished_at,
        "result": row.result,
        "last_error": row.last_error,
        "created_at": row.created_at,
    }


@router.get("/updates", response=list[UpdateOut], summary="Library updates sent to media servers")
def list_updates(
    request,
    server_id: int | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
):
    qs = LibraryUpdate.objects.select_related("server", "event")
    if server_id is not None:
        qs = qs.filter(server_id=server_id)
    if status:
        qs = qs.filter(status=status)
    return [update_out(row) for row in qs[:limit]]


@router.post("/updates/{int:update_id}/retry", response={202: UpdateOut, **ERRORS}, auth=WRITE)
def retry_update(request, update_id: int):
    """Send a failed or waiting update again now (a fresh count of attempts)."""
    row = get_object_or_404(LibraryUpdate, pk=update_id)
    if row.status == LibraryUpdate.Status.SENDING:
        raise ConfigurationError("That update is being sent right now")
    updates.retry_now(row)
    row.refresh_from_db()
    return Status(202, update_out(row))


@router.get("/{int:config_id}/libraries", response={200: list[LibraryOut], **ERRORS})
def libraries(request, config_id: int):
    with _provider(config_id) as provider:
        return Status(200, [lib.to_dict() for lib in provider.libraries()])


@router.post(
    "/{int:config_id}/libraries/{library_id}/refresh",
    response={200: DoneOut, **ERRORS},
    auth=WRITE,
)
def refresh_library(request, config_id: int, library_id: str):
    with _provider(config_id) as provider:
        provider.refresh_library(library_id)
    return Status(200, {"message": f"Asked {provider.name} to scan library {library_id}"})


@router.post("/{int:config_id}/scan", response={200: DoneOut, **ERRORS}, auth=WRITE)
def scan(request, config_id: int, body: ScanIn):
    """Have the server pick up a folder now, as after an import (the path is mapped
    through the server's settings)."""
    change = LibraryChange(media_type=body.media_type, path=body.path, update_type="modified")
    with _provider(config_id) as provider:
        return Status(200, {"message": provider.update_library(change)})


@router.get("/{int:config_id}/items/{item_id}", response={200: MetadataOut, **ERRORS})
def item(request, config_id: int, item_id: str):
    with _provider(config_id) as provider:
        return Status(200, provider.metadata(item_id).to_dict())


@router.post(
    "/{int:config_id}/items/{item_id}/refresh", response={200: DoneOut, **ERRORS}, auth=WRITE
)
def refresh_item(request, config_id: int, item_id: str):
    with _provider(config_id) as provider:
        provider.refresh_item(item_id)
    return Status(200, {"message": f"Asked {provider.name} to refresh item {item_id}"})


@router.get("/{int:config_id}/users", response={200: list[UserOut], **ERRORS})
def users(request, config_id: int):
    with _provider(config_id) as provider:
        return Status(200, [u.to_dict() for u in provider.users()])


@router.get("/{int:config_id}/recently-added", response={200: list[EntryOut], **ERRORS})
def recently_added(request, config_id: int, limit: int = Query(20, ge=1, le=200)):
    with _provider(config_id) as provider:
        return Status(200, [e.to_dict() for e in provider.recently_added(limit)])


@router.get("/{int:config_id}/recently-watched", response={200: list[EntryOut], **ERRORS})
def recently_watched(
    request, config_id: int, limit: int = Query(20, ge=1, le=200), user_id: str | None = None
):
    with _provider(config_id) as provider:
        return Status(200, [e.to_dict() for e in provider.recently_watched(limit, user_id)])
