"""Library updates: when idkarr's library changes (an import, an upgrade, a rename, a
delete, a series or movie added), every media server with ``update_library`` on is
told to scan the folder that changed.

An event recorded by ``notifications.events.emit`` creates, in the same transaction,
one ``LibraryUpdate`` per server and folder, due ``MEDIA_SERVER_UPDATE_DELAY_SECONDS``
later; a folder that already has an update waiting for that server joins it, so a
season pack's ten imports make one scan. A worker claims a due update with a
conditional UPDATE, asks the server, and records the outcome: a server that is down
is retried later (the notification back-off), a refused token fails at once. The
sweeper re-enqueues updates whose task was lost and reclaims ones a killed worker
held (the delivery settings ``DELIVERY_STALE_SECONDS``/``_SWEEP_GRACE_SECONDS``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from integrations.errors import IntegrationError, RateLimited
from notifications.events import retry_delay
from notifications.models import Event

from .base import EVENT_UPDATES, LibraryChange
from .models import LibraryUpdate, MediaServer

log = logging.getLogger(__name__)
UPDATE_DELAY_SECONDS = 5


def changes_for(event_type: str, payload: dict) -> list[LibraryChange]:
    """The folders an event changed: its series' or its movie's, when it has a path."""
    update_type = EVENT_UPDATES.get(event_type)
    if update_type is None or not isinstance(payload, dict):
        return []
    changes = []
    for media_type, key in (("series", "series"), ("movie", "movie")):
        item = payload.get(key)
        if not isinstance(item, dict):
            continue
        path = item.get("path") or item.get("folderPath")
        if not isinstance(path, str) or not path.strip():
            continue
        changes.append(
            LibraryChange(
                media_type=media_type,
                path=path.strip(),
                title=str(item.get("title") or ""),
                year=_int(item.get("year")),
                tvdb_id=_int(item.get("tvdbId")),
                tmdb_id=_int(item.get("tmdbId")),
                imdb_id=str(item.get("imdbId") or ""),
                update_type=update_type,
            )
        )
    return changes


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "", 0) else None
    except (TypeError, ValueError):
        return None


def servers_for(tags: list[str]):
    """Enabled servers that update their library and take events with these tags:
    a server without tags takes every event, a tagged one those sharing a tag."""
    wanted = {t.lower() for t in tags}
    for server in MediaServer.objects.filter(enabled=True, update_library=True).prefetch_related(
        "tags"
    ):
        own = {t.label for t in server.tags.all()}
        if not own or own & wanted:
            yield server


def schedule(event: Event) -> list[int]:
    """Record the library updates ``event`` calls for (joining waiting ones of the
    same folder); enqueue them once the caller's transaction commits."""
    changes = changes_for(event.event_type, event.payload)
    if not changes:
        return []
    delay = float(getattr(settings, "MEDIA_SERVER_UPDATE_DELAY_SECONDS", UPDATE_DELAY_SECONDS))
    due = timezone.now() + timedelta(seconds=delay)
    created = []
    for server in servers_for(event.tags or []):
        for change in changes:
            folder = f"{change.media_type}:{change.path}"
            waiting = server.updates.filter(folder=folder, status=LibraryUpdate.Status.PENDING)
            joined = waiting.first()
            if joined is not None:
                if joined.change.get("update_type") != change.update_type:  # mixed: let it decide
                    joined.change = {**joined.change, "update_type": "modified"}
                    joined.save(update_fields=["change", "updated_at"])
                continue
            update = LibraryUpdate.objects.create(
                server=server, event=event, change=change.to_dict(), folder=folder
            )
            LibraryUpdate.objects.filter(pk=update.pk).update(next_attempt_at=due)
            created.append(update.pk)
    if created:
        transaction.on_commit(lambda: enqueue(created, countdown=delay))
    return created


@receiver(post_save, sender=Event, dispatch_uid="mediaservers.schedule")
def _on_event(sender, instance: Event, created: bool, **kwargs) -> None:
    if created and instance.event_type in EVENT_UPDATES:
        schedule(instance)


def enqueue(ids: list[int], countdown: float = 0) -> None:
    """Hand updates to the workers. A broker failure is logged: the sweeper finds them."""
    from .tasks import run_update

    for pk in ids:
        try:
            run_update.apply_async([pk], countdown=countdown or None)
        except Exception as exc:  # broker down: the rows stay waiting for the sweeper
            log.warning("could not enqueue library update %s (%s)", pk, type(exc).__name__)


def run(update_id: int) -> str:
    """Claim one due update and ask its server to scan; returns the resulting status
    (or ``"skipped"`` when it is not due or someone else holds it)."""
    now = timezone.now()
    claimed = LibraryUpdate.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=update_id,
        status__in=LibraryUpdate.WAITING,
    ).update(status=LibraryUpdate.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    update = LibraryUpdate.objects.select_related("server").get(pk=update_id)
    try:
        with update.server.build_provider() as provider:
            result = provider.update_library(update.library_change)
    except IntegrationError as exc:
        return _failed(update, exc)
    except Exception as exc:  # a provider bug: retry (a fix may be deployed), never crash
        log.exception("library update %s crashed", update.pk)
        return _failed(
            update, IntegrationError(f"Internal error: {type(exc).__name__}", permanent=False)
        )
    return _finish(update, LibraryUpdate.Status.DONE, result=result)


def _finish(update: LibraryUpdate, status: str, *, result: str = "", error: str = "") -> str:
    LibraryUpdate.objects.filter(pk=update.pk, status=LibraryUpdate.Status.SENDING).update(
        status=status,
        result=result[:500],
        last_error=error[:500],
        finished_at=timezone.now(),
        next_attempt_at=None,
    )
    return status


def _failed(update: LibraryUpdate, exc: IntegrationError) -> str:
    max_attempts = getattr(settings, "DELIVERY_MAX_ATTEMPTS", 8)
    if exc.permanent or update.attempts >= max_attempts:
        if exc.permanent:  # the server's settings are wrong (token, URL): show it
            MediaServer.objects.filter(pk=update.server_id).update(
                health="unhealthy", last_error=exc.message[:500], last_checked_at=timezone.now()
            )
            return _finish(update, LibraryUpdate.Status.FAILED, error=exc.message)
        message = f"Gave up after {update.attempts} attempts: {exc.message}"
        return _finish(update, LibraryUpdate.Status.FAILED, error=message)
    delay = retry_delay(update.attempts, exc.retry_after if isinstance(exc, RateLimited) else None)
    retried = LibraryUpdate.objects.filter(
        pk=update.pk, status=LibraryUpdate.Status.SENDING
    ).update(
        status=LibraryUpdate.Status.RETRYING,
        last_error=exc.message[:500],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    if retried:
        enqueue([update.pk], countdown=delay)
    return LibraryUpdate.Status.RETRYING


def retry_now(update: LibraryUpdate) -> None:
    """Send a failed (or waiting) update again now, with a fresh count of attempts."""
    LibraryUpdate.objects.filter(pk=update.pk).exclude(status=LibraryUpdate.Status.SENDING).update(
        status=LibraryUpdate.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
        finished_at=None,
    )
    transaction.on_commit(lambda: enqueue([update.pk]))


def sweep(now=None) -> int:
    """Reclaim updates a killed worker held and re-enqueue due ones whose task was
    lost. Returns how many were enqueued."""
    now = now or timezone.now()
    stale = getattr(settings, "DELIVERY_STALE_SECONDS", 300)
    grace = getattr(settings, "DELIVERY_SWEEP_GRACE_SECONDS", 60)
    overdue = now - timedelta(seconds=grace)
    LibraryUpdate.objects.filter(
        status=LibraryUpdate.Status.SENDING, claimed_at__lt=now - timedelta(seconds=stale)
    ).update(
        status=LibraryUpdate.Status.RETRYING,
        next_attempt_at=overdue,
        last_error="The worker stopped during the update; retrying",
    )
    due = list(
        LibraryUpdate.objects.filter(
            status__in=LibraryUpdate.WAITING, next_attempt_at__lte=overdue
        ).values_list("pk", flat=True)[:500]
    )
    enqueue(due)
    return len(due)
