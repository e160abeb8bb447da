"""Celery application. JSON only; tasks acknowledge late so a killed worker loses nothing."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idkarr.settings")

app = Celery("idkarr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["integrations", "integrations.downloadclients", "notifications", "importlists"]
)
