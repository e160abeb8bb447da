"""Waiting on a real worker: poll the database until something holds, and show the
worker's log when it never does."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what: str, worker=None, *, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(
        f"timed out waiting for {what}" + (f"\nworker log:\n{worker.tail()}" if worker else "")
    )


def sent_count() -> int:
    from notifications.models import Delivery

    return Delivery.objects.filter(status="sent").count()
