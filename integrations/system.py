"""System status: is the database, the broker and a worker with beat alive?"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from idkarr import __version__

from .models import Heartbeat


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # report, never raise, from a status page
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}


def _broker() -> dict:
    from idkarr.celery import app

    url = settings.CELERY_BROKER_URL
    transport = url.split(":", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": type(exc).__name__}


def _worker() -> dict:
    beat = Heartbeat.objects.filter(name="health-dispatcher").first()
    if beat is None:
        return {"ok": False, "last_seen": None, "message": "no worker with beat has run yet"}
    window = max(
        60, 3 * settings.CELERY_BEAT_SCHEDULE["integrations.dispatch_health_checks"]["schedule"]
    )
    fresh = timezone.now() - beat.at < timedelta(seconds=window)
    return {
        "ok": fresh,
        "last_seen": beat.at.isoformat(),
        "message": ""
        if fresh
        else f"no health dispatch for over {window} s: is the worker (with beat) running?",
    }


def system_status() -> dict:
    return {
        "version": __version__,
        "instance_name": settings.INSTANCE_NAME,
        "database": _database(),
        "broker": _broker(),
        "worker": _worker(),
    }
