"""API schemas shared by every integration family."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class HealthOut(Schema):
    status: str
    latency_ms: int | None = None
    checked_at: str | None = None
    message: str = ""
    consecutive_failures: int = 0
    disabled_until: str | None = None


class ConfigOut(Schema):
    id: int
    name: str
    kind: str
    enabled: bool
    tags: list[str]
    settings: dict[str, Any]
    secrets_set: list[str]
    health: HealthOut


class ConfigIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(min_length=1, max_length=50)
    enabled: bool = True
    tags: list[str] = []
    settings: dict[str, Any] = {}


class ConfigPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: str | None = None
    enabled: bool | None = None
    tags: list[str] | None = None
    settings: dict[str, Any] | None = None


class TestIn(Schema):
    kind: str
    settings: dict[str, Any] = {}
    id: int | None = Field(
        None, description="Existing integration whose stored secrets fill omitted ones"
    )


class TestOut(Schema):
    ok: bool
    message: str
    latency_ms: int | None = None
    details: dict[str, Any] = {}


class KindOut(Schema):
    kind: str
    label: str
    family: str
    version: str
    capabilities: list[str]
    settings_schema: dict[str, Any]
    secret_fields: list[str]
    admin_only: bool = False


class HealthRow(Schema):
    id: int
    family: str
    name: str
    kind: str
    enabled: bool
    health: HealthOut


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


def config_out(config) -> dict[str, Any]:
    return {
        "id": config.pk,
        "name": config.name,
        "kind": config.kind,
        "enabled": config.enabled,
        "tags": [t.label for t in config.tags.all()],
        "settings": config.stored_settings(),
        "secrets_set": config.secrets_set,
        "health": config.health_dict(),
    }
