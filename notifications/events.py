"""The event outbox: ``emit`` writes an Event and its Deliveries in the caller's
transaction and enqueues them on commit; ``deliver`` claims one delivery with a
conditional UPDATE, sends it, and records the outcome; ``sweep`` re-enqueues
deliveries whose message was lost (broker restart, killed worker).

Delivery is at-least-once: a worker killed after the remote accepted a message
but before the row was marked sent causes one resend. Every request carries the
delivery id (``X-Idkarr-Delivery`` for webhooks) so receivers can drop repeats.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.errors import IntegrationError, RateLimited

from .base import EVENT_TYPES, EventMessage, flag_name
from .models import Delivery, Event, NotificationTarget

log = logging.getLogger(__name__)

# Events about the whole install reach every subscribed target, whatever its tags.
GLOBAL_EVENTS = {"health_issue", "health_restored", "app_update", "manual_test"}
RETRY_DELAYS = (10, 30, 60, 300, 900, 1800, 3600)


def is_health_warning(event_type: str, payload: dict | None) -> bool:
    """A health event about a warning (degraded), not an error: only targets with
    ``include_health_warnings`` get it. That is a ``health_issue`` of level
    ``warning``, and the ``health_restored`` that ends one (as Sonarr does: a target
    never told about the warning is not told it is over)."""
    payload = payload or {}
    if event_type == "health_issue":
        return payload.get("level") == "warning"
    if event_type == "health_restored":
        integration = payload.get("integration")
        return isinstance(integration, dict) and integration.get("previousStatus") == "degraded"
    return False


def matching_targets(event_type: str, tags: list[str], payload: dict | None = None):
    """Enabled targets subscribed to ``event_type`` whose tags allow this event.
    A target without tags takes everything; a tagged target takes tagged events
    sharing a tag (and the install-wide events). Health warnings reach only targets
    with ``include_health_warnings`` on."""
    targets = NotificationTarget.objects.filter(
        enabled=True, **{flag_name(event_type): True}
    ).prefetch_related("tags")
    wanted = {t.lower() for t in tags}
    warning = is_health_warning(event_type, payload)
    for target in targets:
        if warning and not (target.settings or {}).get("include_health_warnings", False):
            continue
        target_tags = {t.label for t in target.tags.all()}
        if not target_tags or event_type in GLOBAL_EVENTS or target_tags & wanted:
            yield target


def emit(
    event_type: str, payload: dict, *, tags: list[str] | None = None, source: str = ""
) -> Event:
    """Record an event and one delivery per matching target, atomically with the caller.
    Deliveries are enqueued after the transaction commits."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
    tags = sorted({t.strip().lower() for t in (tags or []) if t and t.strip()})
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            event_type=event_type, payload=payload, tags=tags, source=source[:100]
        )
        deliveries = [
            Delivery(event=event, target=target, next_attempt_at=now)
            for target in matching_targets(event_type, tags, payload)
        ]
        Delivery.objects.bulk_create(deliveries)
        ids = list(Delivery.objects.filter(event=event).values_list("pk", flat=True))
        if ids:
            transaction.on_commit(lambda: enqueue(ids))
    return event


def enqueue(ids: list[int], countdown: float | None = None) -> None:
    """Hand deliveries to the workers. A broker failure is logged, not raised: the
    sweeper finds the pending rows later."""
    from .tasks import deliver

    for pk in ids:
        try:
            if countdown:
                deliver.apply_async((pk,), countdown=countdown)
            else:
                deliver.delay(pk)
        except Exception as exc:  # broker down: the row stays pending for the sweeper
            log.warning(
                "could not enqueue delivery %s (%s); the sweeper will retry", pk, type(exc).__name__
            )


def message_for(delivery: Delivery) -> EventMessage:
    event = delivery.event
    return EventMessage(
        event_type=event.event_type,
        payload=event.payload,
        event_id=event.pk,
        delivery_id=delivery.pk,
        created_at=event.created_at,
        tags=list(event.tags),
        instance_name=getattr(settings, "INSTANCE_NAME", "idkarr"),
        application_url=getattr(settings, "APPLICATION_URL", ""),
    )


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is due and not claimed by someone else. Returns the
    resulting status (or ``"skipped"``)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("event", "target").get(pk=delivery_id)
    target = delivery.target
    if not target.enabled:
        return _finish(
            delivery, Delivery.Status.FAILED, error="The target was disabled before delivery"
        )
    wait_until = _rate_limited_until(delivery, now)
    if wait_until is not None:
        return _defer(delivery, wait_until)
    try:
        provider = target.build_provider()
        try:
            details = provider.send(message_for(delivery)) or {}
        finally:
            provider.close()
    except IntegrationError as exc:
        return _failed_attempt(delivery, exc)
    except (
        Exception
    ) as exc:  # a provider bug: retry (a fix may be deployed), never crash the worker
        log.exception("delivery %s crashed", delivery_id)
        return _failed_attempt(
            delivery, IntegrationError(f"Internal error: {type(exc).__name__}", permanent=False)
        )
    return _finish(delivery, Delivery.Status.SENT, details=details)


def _rate_limited_until(delivery: Delivery, now):
    """When the target's ``min_interval_seconds`` has not passed since its last sent
    message, the time this delivery may go out; else None."""
    try:
        interval = int((delivery.target.settings or {}).get("min_interval_seconds") or 0)
    except (TypeError, ValueError):
        return None
    if interval <= 0:
        return None
    last = (
        Delivery.objects.filter(
            target_id=delivery.target_id, status=Delivery.Status.SENT, delivered_at__isnull=False
        )
        .exclude(pk=delivery.pk)
        .order_by("-delivered_at")
        .values_list("delivered_at", flat=True)
        .first()
    )
    if last is None:
        return None
    due = last + timedelta(seconds=interval)
    return due if due > now else None


def _defer(delivery: Delivery, until) -> str:
    """Hand a claimed delivery back for later without counting the attempt: the
    target's minimum interval, not a failure, held it."""
    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.RETRYING,
        attempts=F("attempts") - 1,
        claimed_at=None,
        next_attempt_at=until,
        last_error="Waiting for the target's minimum interval between messages",
    )
    if updated:
        enqueue([delivery.pk], countdown=max((until - timezone.now()).total_seconds(), 0.1))
    return Delivery.Status.RETRYING


def _finish(
    delivery: Delivery, status: str, *, error: str = "", details: dict | None = None
) -> str:
    details = details or {}
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status,
        delivered_at=timezone.now() if status == Delivery.Status.SENT else None,
        last_error=error[:500],
        response_code=details.get("status_code"),
        details=details,
        next_attempt_at=None,
    )
    return status


def retry_delay(attempts: int, retry_after: float | None = None) -> float:
    base = RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]
    return max(base, retry_after or 0)


def _failed_attempt(delivery: Delivery, exc: IntegrationError) -> str:
    attempts = delivery.attempts
    max_attempts = getattr(settings, "DELIVERY_MAX_ATTEMPTS", 8)
    if exc.permanent or attempts >= max_attempts:
        message = (
            exc.message if exc.permanent else f"Gave up after {attempts} attempts: {exc.message}"
        )
        if exc.permanent:  # the target itself is broken (bad token, gone URL): show it
            NotificationTarget.objects.filter(pk=delivery.target_id).update(
                health="unhealthy", last_error=exc.message[:500], last_checked_at=timezone.now()
            )
        return _finish(delivery, Delivery.Status.FAILED, error=message)
    delay = retry_delay(attempts, exc.retry_after if isinstance(exc, RateLimited) else None)
    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.RETRYING,
        last_error=exc.message[:500],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    if updated:
        enqueue([delivery.pk], countdown=delay)
    return Delivery.Status.RETRYING


def sweep(now=None) -> int:
    """Re-enqueue deliveries that are due but were never picked up, and reclaim
    ones stuck in ``sending`` longer than DELIVERY_STALE_SECONDS (a killed worker)."""
    now = now or timezone.now()
    stale = getattr(settings, "DELIVERY_STALE_SECONDS", 300)
    grace = getattr(settings, "DELIVERY_SWEEP_GRACE_SECONDS", 60)
    overdue = now - timedelta(seconds=grace)
    reclaimed = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - timedelta(seconds=stale)
    ).update(
        status=Delivery.Status.RETRYING,
        next_attempt_at=overdue,  # due at once, and picked up by this sweep
        last_error="The worker stopped during delivery; retrying",
    )
    due = list(
        Delivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=overdue),
            status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
        ).values_list("pk", flat=True)[:1000]
    )
    if due:
        enqueue(due)
    if reclaimed:
        log.warning("reclaimed %d deliveries from a stopped worker", reclaimed)
    return len(due)


def resend(delivery: Delivery) -> None:
    """Send a delivery again (console/API action), whatever its previous outcome."""
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue([delivery.pk]))
