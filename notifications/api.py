"""Events (emit and list) and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from idkarr.auth import WRITE
from integrations.schemas import ErrorOut

from . import events
from .base import EVENT_TYPES
from .models import Delivery, Event


class EventIn(Schema):
    event_type: str = Field(description=f"One of: {', '.join(EVENT_TYPES)}")
    payload: dict[str, Any] = {}
    tags: list[str] = []


class DeliveryOut(Schema):
    id: int
    event_id: int
    event_type: str
    target_id: int
    target_name: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str
    response_code: int | None
    created_at: datetime


class EventOut(Schema):
    id: int
    event_type: str
    payload: dict[str, Any]
    tags: list[str]
    source: str
    created_at: datetime
    deliveries: list[DeliveryOut] = []


def delivery_out(d: Delivery) -> dict:
    return {
        "id": d.pk,
        "event_id": d.event_id,
        "event_type": d.event.event_type,
        "target_id": d.target_id,
        "target_name": d.target.name,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at if d.status in ("pending", "retrying") else None,
        "delivered_at": d.delivered_at,
        "last_error": d.last_error,
        "response_code": d.response_code,
        "created_at": d.created_at,
    }


def event_out(e: Event, with_deliveries: bool = True) -> dict:
    return {
        "id": e.pk,
        "event_type": e.event_type,
        "payload": e.payload,
        "tags": e.tags,
        "source": e.source,
        "created_at": e.created_at,
        "deliveries": [delivery_out(d) for d in e.deliveries.all()] if with_deliveries else [],
    }


events_router = Router(tags=["Events"])


@events_router.post(
    "/",
    response={201: EventOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=WRITE,
)
def emit_event(request, body: EventIn):
    """Emit an event: every enabled notification target subscribed to it (and allowed by
    its tags) gets a delivery."""
    from .payloads import validate_payload

    if body.event_type not in EVENT_TYPES:
        return Status(
            400,
            {
                "code": "unknown_event_type",
                "message": f"Unknown event type {body.event_type!r}",
                "details": {"known_event_types": list(EVENT_TYPES)},
            },
        )
    try:
        payload = validate_payload(body.event_type, body.payload)
    except ValueError as exc:
        return Status(422, {"code": "invalid_payload", "message": str(exc), "details": {}})
    event = events.emit(
        body.event_type, payload, tags=body.tags, source=f"api:{request.auth.get_username()}"[:100]
    )
    event = Event.objects.prefetch_related("deliveries__target", "deliveries__event").get(
        pk=event.pk
    )
    return Status(201, event_out(event))


@events_router.get("/", response=list[EventOut])
def list_events(request, event_type: str | None = None, limit: int = 50, offset: int = 0):
    qs = Event.objects.prefetch_related("deliveries__target", "deliveries__event")
    if event_type:
        qs = qs.filter(event_type=event_type)
    limit = max(1, min(limit, 500))
    return [event_out(e) for e in qs[offset : offset + limit]]


@events_router.get(
    "/{int:event_id}", response={200: EventOut, 404: ErrorOut, 401: ErrorOut, 403: ErrorOut}
)
def get_event(request, event_id: int):
    event = get_object_or_404(
        Event.objects.prefetch_related("deliveries__target", "deliveries__event"), pk=event_id
    )
    return Status(200, event_out(event))


extra_notification_router = Router()


@extra_notification_router.get(
    "/deliveries", response=list[DeliveryOut], summary="The delivery log"
)
def list_deliveries(
    request,
    status: str | None = None,
    target_id: int | None = None,
    event_type: str | None = None,
    limit: int = 100,
    offset: int = 0,
):
    qs = Delivery.objects.select_related("event", "target")
    if status:
        qs = qs.filter(status=status)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if event_type:
        qs = qs.filter(event__event_type=event_type)
    limit = max(1, min(limit, 500))
    return [delivery_out(d) for d in qs[offset : offset + limit]]


@extra_notification_router.post(
    "/deliveries/{int:delivery_id}/resend",
    response={202: DeliveryOut, 404: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=WRITE,
)
def resend_delivery(request, delivery_id: int):
    delivery = get_object_or_404(Delivery.objects.select_related("event", "target"), pk=delivery_id)
    events.resend(delivery)
    delivery.refresh_from_db()
    return Status(202, delivery_out(delivery))
