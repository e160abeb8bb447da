"""Import lists beyond the generic family endpoints (``/api/v1/import-lists/``): sync
one now, what a list held at its last sync, the account's lists to choose from,
Trakt's device sign-in, and the exclusion list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from idkarr.auth import WRITE
from integrations.errors import ProtocolError, UnsupportedError
from integrations.schemas import ErrorOut

from . import signin, sync
from .models import ImportList, ImportListExclusion, ListedItem

router = Router()
exclusions_router = Router(tags=["Import lists"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 502: ErrorOut}


class SyncOut(Schema):
    list_id: int
    found: int
    added: int
    existing: int
    excluded: int
    not_found: int
    listed: int
    errors: list[dict]
    duration_ms: int


class ListedOut(Schema):
    media_type: str
    title: str
    year: int | None
    tvdb_id: int | None
    tmdb_id: int | None
    imdb_id: str
    outcome: str
    detail: str
    series_id: int | None
    movie_id: int | None
    synced_at: datetime


class ListInfoOut(Schema):
    id: str
    name: str
    description: str
    item_count: int | None
    public: bool
    url: str


class DeviceCodeOut(Schema):
    device_code: str
    user_code: str
    verification_url: str
    expires_in: int
    interval: int


class DevicePollIn(Schema):
    device_code: str = Field(..., min_length=1)


class DevicePollOut(Schema):
    signed_in: bool
    message: str


class ExclusionIn(Schema):
    media_type: Literal["series", "movie"]
    title: str = ""
    year: int | None = None
    tvdb_id: int | None = Field(None, ge=1)
    tmdb_id: int | None = Field(None, ge=1)
    imdb_id: str = Field("", pattern=r"^(tt\d+)?$")


class ExclusionOut(ExclusionIn):
    id: int
    created_at: datetime


def _config(config_id: int) -> ImportList:
    return get_object_or_404(ImportList, pk=config_id)


@router.post("/{int:config_id}/sync", response={200: SyncOut, **ERRORS}, auth=WRITE)
def sync_now(request, config_id: int):
    """Read the list and add what it holds now, whatever its schedule."""
    config = _config(config_id)
    config.require_enabled()
    result = sync.sync_list(config)
    return Status(200, result.to_dict())


@router.post(
    "/{int:config_id}/imdb-export",
    response={200: SyncOut, **ERRORS, 413: ErrorOut, 422: ErrorOut},
    auth=WRITE,
)
def import_imdb_export(request, config_id: int):
    """Process a CSV export downloaded from IMDb (the request body, ``text/csv``) as this
    IMDb list's entries: for lists IMDb will not export to idkarr (private lists, or
    while IMDb keeps answering "202 preparing")."""
    from .providers.imdb import parse_export

    config = _config(config_id)
    if config.kind != "imdb":
        raise UnsupportedError(f"{config.name} is not an IMDb list")
    config.require_enabled()
    text = request.body.decode("utf-8-sig", errors="replace")
    try:
        items = parse_export(text, config.validated_settings().media_type)
    except ProtocolError as exc:  # the upload, not a remote, is at fault
        return Status(422, {"code": "invalid_payload", "message": exc.message, "details": {}})
    return Status(200, sync.process_items(config, items).to_dict())


@router.get("/{int:config_id}/items", response={200: list[ListedOut], **ERRORS})
def items(request, config_id: int, outcome: str | None = None):
    """What the list held at its last sync, and what became of each entry."""
    qs = ListedItem.objects.filter(import_list=_config(config_id))
    if outcome:
        qs = qs.filter(outcome=outcome)
    return Status(200, list(qs))


@router.get("/{int:config_id}/lists", response={200: list[ListInfoOut], **ERRORS})
def account_lists(request, config_id: int):
    """The lists the list's account can choose from (e.g. a Trakt user's own lists)."""
    with _config(config_id).build_provider() as provider:
        return Status(200, [info.to_dict() for info in provider.lists()])


@router.post("/{int:config_id}/device-auth", response={200: DeviceCodeOut, **ERRORS}, auth=WRITE)
def device_auth_start(request, config_id: int):
    """Start a device sign-in (Trakt): show ``user_code`` and ``verification_url`` to
    the user, then poll ``device-auth/poll`` every ``interval`` seconds."""
    return Status(200, signin.start(_config(config_id)))


@router.post(
    "/{int:config_id}/device-auth/poll", response={200: DevicePollOut, **ERRORS}, auth=WRITE
)
def device_auth_poll(request, config_id: int, body: DevicePollIn):
    """Whether the user approved the sign-in yet; once approved, the tokens are saved
    on the list (never shown)."""
    config = _config(config_id)
    if not signin.poll(config, body.device_code):
        return Status(200, {"signed_in": False, "message": "Waiting for the user to approve"})
    return Status(200, {"signed_in": True, "message": f"{config.name} is signed in"})


@exclusions_router.get("/", response=list[ExclusionOut], summary="Import list exclusions")
def list_exclusions(request, media_type: str | None = None):
    qs = ImportListExclusion.objects.all()
    if media_type:
        qs = qs.filter(media_type=media_type)
    return list(qs)


@exclusions_router.post("/", response={201: ExclusionOut, **ERRORS, 422: ErrorOut}, auth=WRITE)
def add_exclusion(request, body: ExclusionIn):
    """Keep a series (by TVDB id) or a movie (by TMDB id) from being added by any list."""
    key = body.tvdb_id if body.media_type == "series" else body.tmdb_id
    if not key:
        which = "tvdb_id" if body.media_type == "series" else "tmdb_id"
        return Status(
            422,
            {"code": "invalid_request", "message": f"A {body.media_type} exclusion needs {which}",
             "details": {}},
        )  # fmt: skip
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives
            row = ImportListExclusion.objects.create(**body.dict())
    except IntegrityError:
        return Status(409, {"code": "conflict", "message": "Already excluded", "details": {}})
    return Status(201, row)


@exclusions_router.delete("/{int:exclusion_id}", response={204: None, **ERRORS}, auth=WRITE)
def delete_exclusion(request, exclusion_id: int):
    get_object_or_404(ImportListExclusion, pk=exclusion_id).delete()
    return Status(204, None)
