"""The event outbox: ``emit`` writes an Event and its Deliveries in the caller's
transaction and enqueues them on commit, an event's deliveries as one batch task;
``deliver_many`` claims the due ones with one conditional UPDATE, sends them
concurrently in the worker's pool of sender threads and records each outcome as its
send finishes (``deliver`` is the same for one delivery: retries, resends); ``sweep``
re-enqueues deliveries whose message was lost (broker restart, killed worker).

Delivery is at-least-once: a worker killed after the remote accepted a message
but before the row was marked sent causes one resend. Every request carries the
delivery id (``X-Idkarr-Delivery`` for webhooks) so receivers can drop repeats.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db import connections as db_connections
from django.db.models import F, Q
from django.utils import timezone

from integrations.errors import IntegrationError, RateLimited

from .base import EVENT_TYPES, EventMessage, flag_name
from .models import Delivery, Event, NotificationTarget

log = logging.getLogger(__name__)

# Events about the whole install reach every subscribed target, whatever its tags.
GLOBAL_EVENTS = {"health_issue", "health_restored", "app_update", "manual_test"}
RETRY_DELAYS = (10, 30, 60, 300, 900, 1800, 3600)
# Deliveries enqueued together (an event's targets, a sweep) travel as tasks of up to
# BATCH_SIZE ids; their sends share the worker process's pool of DELIVERY_CONCURRENCY
# sender threads, whatever the worker's own concurrency.
BATCH_SIZE = 50
DELIVERY_CONCURRENCY = 64


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
        ids = [d.pk for d in deliveries]
        if None in ids:  # a database that does not return the new keys
            ids = list(Delivery.objects.filter(event=event).values_list("pk", flat=True))
        if ids:
            transaction.on_commit(lambda: enqueue(ids))
    return event


def enqueue(ids: list[int], countdown: float | None = None) -> None:
    """Hand deliveries to the workers: a delayed one (a retry) as its own task, the
    others in tasks of up to BATCH_SIZE whose sends run concurrently. A broker failure
    is logged, not raised: the sweeper finds the pending rows later."""
    from .tasks import deliver, deliver_batch

    if countdown or len(ids) == 1:
        calls = [(deliver, [pk]) for pk in ids]
    else:
        calls = [(deliver_batch, [ids[i : i + BATCH_SIZE]]) for i in range(0, len(ids), BATCH_SIZE)]
    for task, args in calls:
        try:
            if countdown:
                task.apply_async(args, countdown=countdown)
            else:
                task.delay(*args)
        except Exception as exc:  # broker down: the rows stay pending for the sweeper
            log.warning(
                "could not enqueue deliveries %s (%s); the sweeper will retry",
                args[0],
                type(exc).__name__,
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
    return deliver_many([delivery_id]).get(delivery_id, "skipped")


def deliver_many(ids: list[int]) -> dict[int, str]:
    """Claim the due, unclaimed deliveries among ``ids`` and send them, concurrently
    when there are several (one slow target never holds up the others). Outcomes are
    recorded as the sends finish, in one transaction for those finishing together.
    Returns delivery id → resulting status for the deliveries this call claimed."""
    now = timezone.now()
    claimed = _claim(ids, now)
    if not claimed:
        return {}
    outcomes: dict[int, str] = {}
    ready: list[Delivery] = []
    paced: set[int] = set()  # rate-limited targets already given a delivery in this call
    for delivery in Delivery.objects.select_related("event", "target").filter(pk__in=claimed):
        held = _hold(delivery, now, paced)
        if held is None:
            ready.append(delivery)
        else:
            outcomes[delivery.pk] = held
    if len(ready) == 1:
        outcomes[ready[0].pk] = _record([(ready[0], _send(ready[0]))])[0]
    elif ready:
        outcomes.update(_send_concurrently(ready))
    return outcomes


def _claim(ids: list[int], now) -> list[int]:
    """Mark the due deliveries among ``ids`` that nobody holds as ``sending`` (one
    attempt more) with a conditional UPDATE; returns the ids this call claimed."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > 1 and connection.features.can_return_columns_from_insert:
        return _claim_returning(ids, now)
    claimable = [Delivery.Status.PENDING, Delivery.Status.RETRYING]
    return [
        pk
        for pk in ids
        if Delivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=pk,
            status__in=claimable,
        ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    ]


def _claim_returning(ids: list[int], now) -> list[int]:
    """``_claim`` for many ids in one statement (UPDATE … RETURNING: SQLite ≥ 3.35,
    PostgreSQL): the database names the rows this statement won."""
    column = {f.name: connection.ops.quote_name(f.column) for f in Delivery._meta.concrete_fields}
    stamp = connection.ops.adapt_datetimefield_value(now)
    marks = ", ".join(["%s"] * len(ids))
    # Only quoted identifiers and placeholders are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {connection.ops.quote_name(Delivery._meta.db_table)} "  # noqa: S608
        f"SET {column['status']} = %s, {column['claimed_at']} = %s, "
        f"{column['attempts']} = {column['attempts']} + 1 "
        f"WHERE {column['id']} IN ({marks}) AND {column['status']} IN (%s, %s) "
        f"AND ({column['next_attempt_at']} IS NULL OR {column['next_attempt_at']} <= %s) "
        f"RETURNING {column['id']}"
    )
    params = [
        Delivery.Status.SENDING.value,
        stamp,
        *ids,
        Delivery.Status.PENDING.value,
        Delivery.Status.RETRYING.value,
        stamp,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _hold(delivery: Delivery, now, paced: set[int]) -> str | None:
    """The status of a claimed delivery that must not be sent now (target disabled,
    or its minimum interval not over), recorded; None when it may be sent. ``paced``
    collects the rate-limited targets given a delivery by this call: a second one
    waits for the interval too."""
    target = delivery.target
    if not target.enabled:
        return _finish(
            delivery, Delivery.Status.FAILED, error="The target was disabled before delivery"
        )
    interval = _min_interval(target)
    if interval <= 0:
        return None
    if target.pk in paced:
        return _defer(delivery, now + timedelta(seconds=interval))
    wait_until = _rate_limited_until(delivery, now)
    if wait_until is not None:
        return _defer(delivery, wait_until)
    paced.add(target.pk)
    return None


@dataclass
class _Sent:
    """What one send produced (no database work happens while sending)."""

    details: dict | None = None
    error: IntegrationError | None = None
    at: datetime | None = None  # when the target accepted it
    expired: bool = False  # waited so long for a free sender that its claim may be stale


def _send(delivery: Delivery, queued_at: float | None = None) -> _Sent:
    """Build the target's provider, send, close. Never raises."""
    stale = getattr(settings, "DELIVERY_STALE_SECONDS", 300)
    if queued_at is not None and time.monotonic() - queued_at > stale / 2:
        return _Sent(expired=True)  # the sweeper may reclaim it soon: hand it back
    try:
        provider = delivery.target.build_provider()
        try:
            details = provider.send(message_for(delivery)) or {}
        finally:
            provider.close()
    except IntegrationError as exc:
        return _Sent(error=exc)
    except Exception as exc:  # a provider bug: retry (a fix may be deployed), never crash
        log.exception("delivery %s crashed", delivery.pk)
        return _Sent(
            error=IntegrationError(f"Internal error: {type(exc).__name__}", permanent=False)
        )
    return _Sent(details=details, at=timezone.now())


def _send_in_pool(delivery: Delivery, queued_at: float) -> _Sent:
    try:
        return _send(delivery, queued_at)
    finally:
        db_connections.close_all()  # a provider that read the database must not leak a connection


def _send_concurrently(deliveries: list[Delivery]) -> dict[int, str]:
    """Send in the delivery pool; record each group of sends as soon as it finishes."""
    pool = delivery_pool()
    queued_at = time.monotonic()
    futures = {pool.submit(_send_in_pool, d, queued_at): d for d in deliveries}
    outcomes: dict[int, str] = {}
    waiting = set(futures)
    while waiting:
        done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
        finished = [(futures[f], f.result()) for f in done]
        statuses = _record(finished)
        outcomes.update((d.pk, s) for (d, _), s in zip(finished, statuses, strict=True))
    return outcomes


def _record(finished: list[tuple[Delivery, _Sent]]) -> list[str]:
    """Store the outcomes of finished sends: successes in one transaction."""
    statuses: list[str] = [""] * len(finished)
    sent = [i for i, (_, s) in enumerate(finished) if s.error is None and not s.expired]
    with transaction.atomic():
        for i in sent:
            delivery, outcome = finished[i]
            statuses[i] = _finish(
                delivery, Delivery.Status.SENT, details=outcome.details, delivered_at=outcome.at
            )
    for i, (delivery, outcome) in enumerate(finished):
        if outcome.expired:
            statuses[i] = _defer(
                delivery, timezone.now(), reason="Waited too long for a free sender; retrying"
            )
        elif outcome.error is not None:
            statuses[i] = _failed_attempt(delivery, outcome.error)
    return statuses


_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def delivery_pool() -> ThreadPoolExecutor:
    """This process's sender threads, shared by every batch (DELIVERY_CONCURRENCY)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():  # made after a fork, never inherited
            size = max(1, int(getattr(settings, "DELIVERY_CONCURRENCY", DELIVERY_CONCURRENCY)))
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="delivery")
            _pool_pid = os.getpid()
        return _pool


def _min_interval(target: NotificationTarget) -> int:
    try:
        return int((target.settings or {}).get("min_interval_seconds") or 0)
    except (TypeError, ValueError):
        return 0


def _rate_limited_until(delivery: Delivery, now):
    """When the target's ``min_interval_seconds`` has not passed since its last sent
    message, the time this delivery may go out; else None."""
    interval = _min_interval(delivery.target)
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


def _defer(
    delivery: Delivery,
    until,
    reason: str = "Waiting for the target's minimum interval between messages",
) -> str:
    """Hand a claimed delivery back for later without counting the attempt: the
    target's minimum interval (or a full sender pool), not a failure, held it."""
    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.RETRYING,
        attempts=F("attempts") - 1,
        claimed_at=None,
        next_attempt_at=until,
        last_error=reason,
    )
    if updated:
        enqueue([delivery.pk], countdown=max((until - timezone.now()).total_seconds(), 0.1))
    return Delivery.Status.RETRYING


def _finish(
    delivery: Delivery,
    status: str,
    *,
    error: str = "",
    details: dict | None = None,
    delivered_at: datetime | None = None,
) -> str:
    details = details or {}
    if status == Delivery.Status.SENT:
        delivered_at = delivered_at or timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status,
        delivered_at=delivered_at if status == Delivery.Status.SENT else None,
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
