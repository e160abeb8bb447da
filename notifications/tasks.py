from __future__ import annotations

from celery import shared_task

from . import events


@shared_task(name="notifications.deliver", ignore_result=True, acks_late=True)
def deliver(delivery_id: int) -> str:
    return events.deliver(delivery_id)


@shared_task(name="notifications.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    return events.sweep()


@shared_task(name="notifications.deliver_batch", ignore_result=True, acks_late=True)
def deliver_batch(delivery_ids: list[int]) -> dict[int, str]:
    return events.deliver_many(delivery_ids)
