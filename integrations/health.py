"""Health checks: run them concurrently, record them, back off failing providers,
and emit ``health_issue`` / ``health_restored`` on transitions (not on every failure).

Backoff follows Sonarr's escalation steps (1 min … 24 h; download clients and
notification targets cap at 1 h, indexers at 24 h) with three changes:
* the first failure does not disable the provider (a single blip, such as a
  daemon restarting, should not take it out of service);
* a failing provider is re-checked when its backoff ends, so recovery is noticed
  on its own rather than on the next real use;
* next checks get ±10 % jitter so many providers failing together (a NAS reboot)
  do not retry in lock-step.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .base import DEGRADED, HEALTHY, UNHEALTHY, UNKNOWN, Health
from .errors import IntegrationError
from .families import FAMILIES, family_of

log = logging.getLogger(__name__)

BACKOFF_PERIODS = (0, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400)
MAX_LEVEL = {"download_client": 5, "notification": 5}
DEFAULT_MAX_LEVEL = len(BACKOFF_PERIODS) - 1
BAD = (DEGRADED, UNHEALTHY)


@dataclass
class Transition:
    config: object
    previous: str
    current: str
    health: Health


class ProviderCache:
    """Provider instances kept between health rounds in this process, so a check
    reuses the remote session (a qBittorrent SID, a Transmission session id)
    instead of logging in every minute. An entry is rebuilt when its config
    changes (``updated_at``) and dropped after a failed check."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int], tuple[object, object]] = {}
        self._in_use: dict[tuple[str, int], threading.RLock] = {}

    @contextmanager
    def using(self, config):
        """The cached provider, held exclusively: a health check and a queue poll
        of one integration never share its session or sync state at once."""
        key = (config._meta.label, config.pk)
        with self._lock:
            lock = self._in_use.setdefault(key, threading.RLock())
        with lock:
            yield self.get(config)

    def get(self, config):
        key = (config._meta.label, config.pk)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] == config.updated_at:
            return entry[1]
        provider = config.build_provider()
        with self._lock:
            old = self._entries.get(key)
            self._entries[key] = (config.updated_at, provider)
        if old is not None:
            old[1].close()
        return provider

    def discard(self, config) -> None:
        with self._lock:
            entry = self._entries.pop((config._meta.label, config.pk), None)
        if entry is not None:
            entry[1].close()

    def clear(self) -> None:
        with self._lock:
            entries, self._entries = list(self._entries.values()), {}
        for _, provider in entries:
            provider.close()


providers = ProviderCache()


def run_check(config) -> Health:
    """Check one integration now (network only, no DB writes). Never raises."""
    started = datetime.now(UTC)
    try:
        with providers.using(config) as provider:
            result = provider.health()
    except IntegrationError as exc:
        return Health(UNHEALTHY, None, started, exc.message, {"code": exc.code})
    except Exception as exc:  # invalid stored settings, or a provider bug: never stop the round
        log.exception("health check of %s failed: %s", config, type(exc).__name__)
        result = Health(UNHEALTHY, None, started, f"Check failed: {type(exc).__name__}", {})
    if result.status == UNHEALTHY:
        providers.discard(config)  # the next attempt starts from a clean session
    return result


def _jitter(seconds: float) -> timedelta:
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def record(config, health: Health, now: datetime | None = None) -> Transition | None:
    """Store a check result with a conditional ``update()`` and return the status
    transition when it crosses between good and bad."""
    now = now or timezone.now()
    model = type(config)
    row = (
        model.objects.filter(pk=config.pk)
        .values("health", "escalation_level", "consecutive_failures")
        .first()
    )
    if row is None:  # deleted meanwhile
        return None
    previous, level, failures = row["health"], row["escalation_level"], row["consecutive_failures"]
    interval = config.interval_seconds()
    message = (health.message or "")[:500]
    fields = {
        "health": health.status,
        "health_message": message,
        "latency_ms": health.latency_ms,
        "last_checked_at": now,
    }
    if health.status == UNHEALTHY:
        max_level = MAX_LEVEL.get(model.family, DEFAULT_MAX_LEVEL)
        retry_after = health.details.get("retry_after") if health.details else None
        level = min(max_level, level + 1)
        while retry_after and level < max_level and BACKOFF_PERIODS[level] < retry_after:
            level += 1
        period = BACKOFF_PERIODS[level]
        fields.update(
            last_error=message,
            consecutive_failures=failures + 1,
            escalation_level=level,
            disabled_until=now + timedelta(seconds=period)
            if failures + 1 >= 2 or retry_after
            else None,
            next_check_at=now + _jitter(max(interval, period)),
        )
    else:
        fields.update(
            last_ok_at=now,
            consecutive_failures=0,
            escalation_level=max(0, level - 1),
            disabled_until=None,
            next_check_at=now + _jitter(interval),
        )
    model.objects.filter(pk=config.pk).update(**fields)
    if previous not in BAD and health.status in BAD:
        return Transition(config, previous, health.status, health)
    if previous in BAD and health.status == HEALTHY:
        return Transition(config, previous, health.status, health)
    return None


def emit_transition(t: Transition) -> None:
    from notifications.events import emit

    fam = family_of(t.config)
    restored = t.current == HEALTHY
    payload = {
        "level": "ok" if restored else ("warning" if t.current == DEGRADED else "error"),
        "message": (
            f"{t.config.name} is healthy again"
            if restored
            else f"{t.config.name} is {t.current}: {t.health.message}"
        ),
        "type": f"{fam.name}_status",
        "wikiUrl": "",
        "integration": {
            "id": t.config.pk,
            "name": t.config.name,
            "kind": t.config.kind,
            "family": fam.name,
            "previousStatus": t.previous,
            "status": t.current,
        },
    }
    emit("health_restored" if restored else "health_issue", payload, source="health")


def claim_due(now: datetime | None = None) -> list:
    """Configs due for a check, claimed so a concurrent dispatcher skips them."""
    now = now or timezone.now()
    claimed = []
    for fam in FAMILIES:
        model = fam.model
        due = model.objects.filter(enabled=True).filter(
            Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
        )
        for config in due:
            lease = now + timedelta(seconds=max(config.interval_seconds(), 30))
            won = model.objects.filter(pk=config.pk, next_check_at=config.next_check_at).update(
                next_check_at=lease
            )
            if won:
                claimed.append(config)
    return claimed


def prepare(configs: list) -> None:
    """Load, in this thread, what building the configs' providers reads from the
    database (``ProviderConfig.prepare``), before they are built in worker threads."""
    by_model: dict[type, list] = {}
    for config in configs:
        by_model.setdefault(type(config), []).append(config)
    for model, group in by_model.items():
        model.prepare(group)


def check_many(configs: list, *, emit_events: bool = True) -> dict:
    """Check configs concurrently (network in threads, writes here) and record results.

    Checks that failed or were slow last time start first. Results are recorded as
    they come in, each batch of finished checks in one
    transaction, so the quick answers are stored while slow ones still wait for their
    timeout, and a round costs a commit per batch instead of one per integration."""
    if not configs:
        return {}
    prepare(configs)
    workers = max(1, min(getattr(settings, "HEALTH_CHECK_CONCURRENCY", 32), len(configs)))
    # The slow ones first: a check that failed or answered slowly last time is the one
    # likely to wait for its timeout, and started late it would make the round longer.
    configs = sorted(configs, key=lambda c: (c.health != UNHEALTHY, -(c.latency_ms or 0)))
    out = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="health") as pool:
        pending = {pool.submit(run_check, config): config for config in configs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            transitions = []
            with transaction.atomic():
                for future in done:
                    config, health = pending.pop(future), future.result()
                    out[(family_of(config).name, config.pk)] = health
                    transitions.append(record(config, health))
            for transition in transitions:
                if transition and emit_events:
                    emit_transition(transition)
    return out


def dispatch_due() -> int:
    """Beat entry point: check every enabled integration that is due. Returns how many."""
    configs = claim_due()
    check_many(configs)
    return len(configs)


__all__ = [
    "BACKOFF_PERIODS",
    "HEALTHY",
    "UNKNOWN",
    "check_many",
    "claim_due",
    "dispatch_due",
    "record",
    "run_check",
]
