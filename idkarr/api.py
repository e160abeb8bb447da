"""The JSON API at ``/api/v1/`` (OpenAPI docs at ``/api/v1/docs``).

Errors are ``{"code", "message", "details"}`` with honest status codes.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError as NinjaAuthError
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError

from integrations.errors import IntegrationError, RequestTimedOut
from integrations.registry import UnknownKind

from . import __version__
from .auth import READ, Forbidden

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="idkarr API",
    version=__version__,
    urls_namespace="api",
    auth=READ,
    docs_url="/docs",
    description="Configure, test and health-check integrations; emit events; read delivery logs.",
)


def error(request, status: int, code: str, message: str, details=None):
    return api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


def pydantic_details(exc: ValidationError) -> list[dict]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        # Never echo the submitted input: it may be a secret.
        out.append(
            {"field": loc, "message": err.get("msg", "invalid"), "type": err.get("type", "")}
        )
    return out


@api.exception_handler(ValidationError)
def on_settings_invalid(request, exc: ValidationError):
    details = pydantic_details(exc)
    first = details[0] if details else {"field": "", "message": "invalid"}
    return error(
        request,
        422,
        "invalid_settings",
        f"{first['field']}: {first['message']}",
        {"errors": details},
    )


@api.exception_handler(NinjaValidationError)
def on_request_invalid(request, exc: NinjaValidationError):
    errors = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ())),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return error(
        request,
        422,
        "invalid_request",
        "The request body or parameters are invalid",
        {"errors": errors},
    )


@api.exception_handler(UnknownKind)
def on_unknown_kind(request, exc: UnknownKind):
    return error(request, 400, "unknown_kind", str(exc), {"known_kinds": exc.known})


@api.exception_handler(NinjaAuthError)
def on_unauthenticated(request, exc):
    return error(
        request,
        401,
        "unauthenticated",
        "Authenticate with an API key (X-Api-Key) or a console session",
    )


@api.exception_handler(Forbidden)
def on_forbidden(request, exc: Forbidden):
    return error(request, 403, "forbidden", str(exc), {"needed_role": exc.needed})


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or "Not found")


@api.exception_handler(IntegrityError)
def on_conflict(request, exc):
    return error(
        request,
        409,
        "conflict",
        "That conflicts with an existing record (is the name already used?)",
    )


@api.exception_handler(IntegrationError)
def on_remote_error(request, exc: IntegrationError):
    status = getattr(exc, "http_status", None) or (504 if isinstance(exc, RequestTimedOut) else 502)
    return error(request, status, exc.code, exc.message, exc.details)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.status_code, "error", str(exc))


def _mount() -> None:
    from importlists.api import exclusions_router
    from importlists.api import router as import_list_router
    from integrations.api import family_router, health_router, system_router
    from integrations.downloadclients.api import blocklist_router, mappings_router
    from integrations.downloadclients.api import router as queue_router
    from integrations.families import FAMILIES
    from integrations.indexers.api import releases_router
    from integrations.indexers.api import router as indexer_router
    from integrations.mediaservers.api import router as media_server_router
    from integrations.metadata.api import router as metadata_router
    from notifications.api import events_router, extra_notification_router

    from .accounts.api import router as accounts_router

    api.add_router("/system", system_router)
    api.add_router("/health", health_router)
    api.add_router("/events", events_router)
    api.add_router("/auth", accounts_router)
    for fam in FAMILIES:
        extra = {
            "notification": extra_notification_router,
            "download_client": queue_router,
            "indexer": indexer_router,
            "media_server": media_server_router,
            "import_list": import_list_router,
            "metadata": metadata_router,
        }
        api.add_router(f"/{fam.path}", family_router(fam, extra=extra.get(fam.name)))
    api.add_router("/remote-path-mappings", mappings_router)
    api.add_router("/blocklist", blocklist_router)
    api.add_router("/releases", releases_router)
    api.add_router("/import-list-exclusions", exclusions_router)


_mount()
