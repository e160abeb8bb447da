from __future__ import annotations

from celery import shared_task

from . import updates


@shared_task(name="mediaservers.run_update", ignore_result=True, acks_late=True)
def run_update(update_id: int) -> str:
    return updates.run(update_id)


@shared_task(name="mediaservers.sweep_updates", ignore_result=True)
def sweep_updates() -> int:
    return updates.sweep()
