"""What the console's index page shows: health of every integration per family,
counts by status, the last deliveries and whether a worker with beat is alive.

Also the small presentation helpers (status → colour tone, "3 minutes ago") the
admin lists share with the dashboard, so both speak the same visual language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from .base import DEGRADED, HEALTHY, UNHEALTHY, UNKNOWN
from .families import FAMILIES

HEALTH_TONES = {HEALTHY: "ok", DEGRADED: "warn", UNHEALTHY: "bad", UNKNOWN: "muted"}
DELIVERY_TONES = {
    "sent": "ok",
    "retrying": "warn",
    "failed": "bad",
    "pending": "muted",
    "sending": "info",
}
STATUSES = (HEALTHY, DEGRADED, UNHEALTHY, UNKNOWN)
RECENT_DELIVERIES = 10


def ago(when: datetime | None) -> str:
    """``"4 minutes ago"``, ``"just now"`` or ``"never"``."""
    if when is None:
        return "never"
    if (timezone.now() - when).total_seconds() < 60:
        return "just now"
    return f"{timesince(when, depth=1)} ago"


def _admin_url(name: str, *args) -> str:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:  # model not registered in the console
        return ""


def _kind_label(model, kind: str) -> str:
    return model.registry.get(kind).label if kind in model.registry else kind


def _row(model, config) -> dict[str, Any]:
    opts = model._meta
    status = config.health or UNKNOWN
    return {
        "name": config.name,
        "kind": config.kind,
        "kind_label": _kind_label(model, config.kind),
        "enabled": config.enabled,
        "status": status,
        "tone": HEALTH_TONES.get(status, "muted"),
        "latency_ms": config.latency_ms,
        "last_error": config.last_error if status != HEALTHY else "",
        "message": config.health_message,
        "last_checked_at": config.last_checked_at,
        "last_checked": ago(config.last_checked_at),
        "url": _admin_url(f"{opts.app_label}_{opts.model_name}_change", config.pk),
    }


def _family(fam) -> dict[str, Any]:
    model = fam.model
    opts = model._meta
    rows = [_row(model, c) for c in model.objects.order_by("name")]
    counts = {s: sum(1 for r in rows if r["enabled"] and r["status"] == s) for s in STATUSES}
    return {
        "name": fam.name,
        "label": fam.label,
        "rows": rows,
        "counts": counts,
        "disabled": sum(1 for r in rows if not r["enabled"]),
        "changelist_url": _admin_url(f"{opts.app_label}_{opts.model_name}_changelist"),
        "add_url": _admin_url(f"{opts.app_label}_{opts.model_name}_add"),
        "view_perm": f"{opts.app_label}.view_{opts.model_name}",
        "add_perm": f"{opts.app_label}.add_{opts.model_name}",
    }


def _deliveries() -> list[dict[str, Any]]:
    from notifications.models import Delivery

    out = []
    for d in Delivery.objects.select_related("event", "target").order_by("-created_at", "-id")[
        :RECENT_DELIVERIES
    ]:
        out.append(
            {
                "event_type": d.event.event_type,
                "target": d.target.name,
                "status": d.status,
                "tone": DELIVERY_TONES.get(d.status, "muted"),
                "attempts": d.attempts,
                "last_error": d.last_error,
                "created_at": d.created_at,
                "when": ago(d.created_at),
                "url": _admin_url("notifications_delivery_change", d.pk),
            }
        )
    return out


def _worker() -> dict[str, Any]:
    from .system import _worker as worker_status

    try:
        status = worker_status()
    except Exception as exc:  # a status page reports, never raises
        return {"ok": False, "last_seen": None, "message": f"unknown ({type(exc).__name__})"}
    last_seen = status.get("last_seen")
    status["last_seen_ago"] = ago(datetime.fromisoformat(last_seen)) if last_seen else "never"
    return status


def dashboard_context() -> dict[str, Any]:
    """``{"dashboard": {...}}`` for ``templates/admin/idkarr_index.html``."""
    families = [_family(fam) for fam in FAMILIES]
    totals = {s: sum(f["counts"][s] for f in families) for s in STATUSES}
    first = FAMILIES[0].model._meta
    return {
        "dashboard": {
            "families": families,
            "counts": [
                {"status": s, "tone": HEALTH_TONES[s], "count": totals[s]} for s in STATUSES
            ],
            "total": sum(len(f["rows"]) for f in families),
            "deliveries": _deliveries(),
            "deliveries_url": _admin_url("notifications_delivery_changelist"),
            "worker": _worker(),
            # Checking runs the family admins' "check all" view, which checks every family.
            "check_all_url": _admin_url(f"{first.app_label}_{first.model_name}_check_all"),
            "check_all_perm": f"{first.app_label}.change_{first.model_name}",
        }
    }
