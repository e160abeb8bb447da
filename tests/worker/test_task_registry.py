"""Every task beat schedules is one a worker knows (an unregistered name is dropped by the
worker with an error, so the schedule would silently do nothing)."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_each_scheduled_task_is_registered_with_the_worker_app(entry):
    from idkarr.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks
