"""CRUD, test, kinds and health endpoints, built once per integration family."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from idkarr.accounts.roles import ADMIN
from idkarr.auth import WRITE, require
from idkarr.library.models import Tag

from .base import TestResult
from .families import FAMILIES, Family
from .manager import manager
from .models import merge_settings
from .schemas import (
    ConfigIn,
    ConfigOut,
    ConfigPatch,
    ErrorOut,
    HealthRow,
    KindOut,
    TestIn,
    TestOut,
    config_out,
)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _test_out(result: TestResult) -> dict:
    return {
        "ok": result.ok,
        "message": result.message,
        "latency_ms": result.latency_ms,
        "details": result.details,
    }


def family_router(fam: Family, extra: Router | None = None) -> Router:
    router = Router(tags=[fam.label])
    model = fam.model

    def load(config_id: int):
        return get_object_or_404(model.objects.prefetch_related("tags"), pk=config_id)

    @router.get("/kinds", response=list[KindOut], summary=f"{fam.label}: available kinds")
    def kinds(request):
        return [cls.describe() for cls in fam.registry.classes()]

    @router.get("/", response=list[ConfigOut], summary=f"List {fam.label.lower()}")
    def list_configs(
        request,
        kind: str | None = None,
        enabled: bool | None = None,
        health: str | None = None,
        tag: str | None = None,
    ):
        qs = model.objects.prefetch_related("tags").order_by("name")
        if kind:
            qs = qs.filter(kind=kind)
        if enabled is not None:
            qs = qs.filter(enabled=enabled)
        if health:
            qs = qs.filter(health=health)
        if tag:
            qs = qs.filter(tags__label=tag.lower())
        return [config_out(c) for c in qs]

    @router.post(
        "/",
        response={201: ConfigOut, **ERRORS, 422: ErrorOut},
        summary=f"Add to {fam.label.lower()}",
        auth=WRITE,
    )
    def create(request, body: ConfigIn, force: bool = False):
        """Validates the settings and, when the integration is enabled, tests the
        connection first (``force=true`` saves even when the test fails)."""
        provider_cls = fam.registry.get(body.kind)
        if provider_cls.admin_only:
            require(request, ADMIN)
        validated = merge_settings(None, provider_cls.Settings, body.settings, partial=False)
        if body.enabled and not force:
            result = manager.test_settings(provider_cls, validated, name=body.name)
            if not result.ok:
                return Status(
                    422,
                    {
                        "code": "test_failed",
                        "message": f"Connection test failed: {result.message} (save with force=true to keep it anyway)",
                        "details": _test_out(result),
                    },
                )
        with transaction.atomic():
            config = model(name=body.name, kind=body.kind, enabled=body.enabled)
            config.apply_settings(validated)
            config.save()
            config.tags.set(Tag.resolve(body.tags))
        if body.enabled and not force:
            config.remember_test(result)
        return Status(201, config_out(config))

    @router.post(
        "/test",
        response={200: TestOut, **ERRORS},
        summary="Test settings without saving",
        auth=WRITE,
    )
    def test_unsaved(request, body: TestIn):
        provider_cls = fam.registry.get(body.kind)
        if provider_cls.admin_only:
            require(request, ADMIN)
        existing = load(body.id) if body.id else None
        if existing is not None and existing.kind != body.kind:
            existing = None
        validated = merge_settings(
            existing, provider_cls.Settings, body.settings, partial=existing is not None
        )
        return Status(200, _test_out(manager.test_settings(provider_cls, validated)))

    @router.get("/health", response=list[HealthRow], summary=f"Health of {fam.label.lower()}")
    def family_health(request):
        return [_health_row(fam, c) for c in model.objects.order_by("name")]

    @router.get("/{int:config_id}", response={200: ConfigOut, **ERRORS})
    def get_config(request, config_id: int):
        return Status(200, config_out(load(config_id)))

    def _update(request, config_id: int, body, partial: bool):
        config = load(config_id)
        if config.provider_class().admin_only:
            require(request, ADMIN)
        if body.kind is not None and body.kind != config.kind:
            return Status(
                422,
                {
                    "code": "kind_immutable",
                    "message": f"The kind of an integration cannot change ({config.kind} → {body.kind}); add a new one instead",
                    "details": {},
                },
            )
        incoming = body.settings if body.settings is not None else ({} if partial else None)
        if incoming is not None:
            validated = merge_settings(config, config.settings_model(), incoming, partial=partial)
            config.apply_settings(validated)
        if body.name is not None:
            config.name = body.name
        if body.enabled is not None:
            config.enabled = body.enabled
        with transaction.atomic():
            config.save(
                update_fields=[
                    "name",
                    "enabled",
                    "settings",
                    "secrets",
                    "updated_at",
                    *model.column_settings,
                ]
            )
            if body.tags is not None:
                config.tags.set(Tag.resolve(body.tags))
            # A changed configuration deserves a fresh check soon.
            model.objects.filter(pk=config.pk).update(next_check_at=None)
        return Status(200, config_out(load(config_id)))

    @router.put("/{int:config_id}", response={200: ConfigOut, **ERRORS}, auth=WRITE)
    def replace(request, config_id: int, body: ConfigIn):
        """Replace the configuration. Omitted secrets keep their stored value; ``""`` clears one."""
        return _update(request, config_id, body, partial=False)

    @router.patch("/{int:config_id}", response={200: ConfigOut, **ERRORS}, auth=WRITE)
    def patch(request, config_id: int, body: ConfigPatch):
        """Change only what is sent (settings are merged key by key)."""
        return _update(request, config_id, body, partial=True)

    @router.delete("/{int:config_id}", response={204: None, **ERRORS}, auth=WRITE)
    def delete(request, config_id: int):
        config = load(config_id)
        if config.provider_class().admin_only:
            require(request, ADMIN)
        manager.unregister(config)
        return Status(204, None)

    @router.post("/{int:config_id}/test", response={200: TestOut, **ERRORS}, auth=WRITE)
    def test_saved(request, config_id: int):
        config = load(config_id)
        if config.provider_class().admin_only:
            require(request, ADMIN)
        return Status(200, _test_out(manager.test(config)))

    if extra is not None:
        router.add_router("", extra)
    return router


def _health_row(fam: Family, config) -> dict:
    return {
        "id": config.pk,
        "family": fam.name,
        "name": config.name,
        "kind": config.kind,
        "enabled": config.enabled,
        "health": config.health_dict(),
    }


health_router = Router(tags=["Health"])


@health_router.get("/", response=list[HealthRow], summary="Health of every integration")
def all_health(request):
    return [_health_row(fam, c) for fam in FAMILIES for c in fam.model.objects.order_by("name")]


@health_router.post(
    "/check", response=list[HealthRow], summary="Check every enabled integration now", auth=WRITE
)
def check_now(request):
    manager.all_health()
    return [_health_row(fam, c) for fam in FAMILIES for c in fam.model.objects.order_by("name")]


system_router = Router(tags=["System"])


@system_router.get("/status", summary="Version and reachability of database, broker and worker")
def status(request):
    from .system import system_status

    return system_status()
