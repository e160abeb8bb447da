from __future__ import annotations

from celery import shared_task


@shared_task(name="downloadclients.poll_queues", ignore_result=True)
def poll_queues() -> int:
    """Beat entry point: poll every enabled download client whose queue is due."""
    from integrations.models import Heartbeat

    from . import queue

    polled = queue.dispatch_due()
    Heartbeat.beat("queue-dispatcher", polled=polled)
    return polled
