from __future__ import annotations

from celery import shared_task

from . import health


@shared_task(name="integrations.dispatch_health_checks", ignore_result=True)
def dispatch_health_checks() -> int:
    from .models import Heartbeat

    checked = health.dispatch_due()
    Heartbeat.beat("health-dispatcher", checked=checked)
    return checked


@shared_task(name="integrations.check_health", ignore_result=True)
def check_health(family: str, pk: int) -> None:
    from .families import BY_NAME

    config = BY_NAME[family].model.objects.filter(pk=pk).first()
    if config is not None:
        health.check_many([config])
