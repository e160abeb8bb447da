"""The caller's own API keys (``/api/v1/auth/api-keys``) and identity (``/auth/me``)."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from idkarr.auth import ANY
from integrations.schemas import ErrorOut

from .models import ApiKey
from .roles import role_of

router = Router(tags=["Auth"], auth=ANY)


class MeOut(Schema):
    username: str
    role: str | None


class KeyOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyIn(Schema):
    name: str = Field("default", min_length=1, max_length=100)


class NewKeyOut(KeyOut):
    key: str = Field(description="The key itself; shown only in this response")


def key_out(k: ApiKey) -> dict:
    return {
        "id": k.pk,
        "name": k.name,
        "prefix": k.prefix,
        "created_at": k.created_at,
        "last_used_at": k.last_used_at,
        "revoked_at": k.revoked_at,
    }


@router.get("/me", response=MeOut)
def me(request):
    return {"username": request.auth.get_username(), "role": role_of(request.auth)}


@router.get("/api-keys", response=list[KeyOut])
def list_keys(request):
    return [key_out(k) for k in ApiKey.objects.filter(user=request.auth)]


@router.post("/api-keys", response={201: NewKeyOut})
def create_key(request, body: KeyIn):
    key, raw = ApiKey.issue(request.auth, body.name)
    return Status(201, {**key_out(key), "key": raw})


@router.delete("/api-keys/{int:key_id}", response={204: None, 404: ErrorOut})
def revoke_key(request, key_id: int):
    key = get_object_or_404(ApiKey, pk=key_id, user=request.auth)
    key.revoke()
    return Status(204, None)
