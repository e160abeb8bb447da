"""Celery application. JSON only; tasks acknowledge late so a killed worker loses nothing.

``celery -A idkarr worker --embedded-beat --embedded-web`` is the single-machine
default of ``make run``: beat and the web console run in threads of the worker,
one process in all (``--beat`` would fork a second full process). Production
runs gunicorn, any number of workers and one separate ``celery -A idkarr beat``.
"""

from __future__ import annotations

import gc
import os

from celery import Celery, bootsteps
from celery.signals import worker_ready
from click import Option

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idkarr.settings")

app = Celery("idkarr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "integrations",
        "integrations.downloadclients",
        "integrations.indexers",
        "integrations.mediaservers",
        "integrations.metadata",
        "notifications",
        "importlists",
    ]
)

app.user_options["worker"].add(
    Option(
        ("--embedded-beat",),
        is_flag=True,
        default=False,
        help="Run the beat scheduler in a thread of this worker (only one such worker per install).",
    )
)


class EmbeddedBeat(bootsteps.StartStopStep):
    """Beat in a thread of the worker process."""

    label = "EmbeddedBeat"
    conditional = True

    def __init__(self, w, embedded_beat=False, **kwargs):
        self.enabled = bool(embedded_beat)
        super().__init__(w, **kwargs)

    def create(self, w):
        from celery.beat import EmbeddedService

        return _BoundedStop(
            EmbeddedService(
                w.app,
                schedule_filename=getattr(w, "schedule_filename", None) or "celerybeat-schedule",
                scheduler_cls=getattr(w, "scheduler", None),
                thread=True,
            )
        )


class _BoundedStop:
    """Celery's threaded beat waits forever on stop if its thread already died
    (say, on a database error); stop it without waiting, then join briefly."""

    def __init__(self, thread):
        self.thread = thread

    def start(self):
        self.thread.start()

    def stop(self):
        self.thread.service.stop(wait=False)
        self.thread.join(10)


app.user_options["worker"].add(
    Option(
        ("--embedded-web",),
        is_flag=True,
        default=False,
        help="Serve the web console from this worker on IDKARR_BIND:IDKARR_PORT (the make run default).",
    )
)


class EmbeddedWeb(bootsteps.Step):
    """The web console in threads of the worker process, started once the worker
    is ready (starting it earlier, among the boot steps, silenced the worker's log)."""

    label = "EmbeddedWeb"
    conditional = True

    def __init__(self, w, embedded_web=False, **kwargs):
        self.enabled = bool(embedded_web)
        super().__init__(w, **kwargs)

    def create(self, w):
        from celery.signals import worker_shutdown

        from .embedded_web import from_environment

        server = from_environment()
        worker_ready.connect(lambda **_: server.start_in_background(), weak=False)
        worker_shutdown.connect(lambda **_: server.stop(), weak=False)


@worker_ready.connect(weak=False)
def freeze_startup_objects(**_) -> None:
    """What the worker loaded at start-up lives as long as the process: keep it out of
    later garbage collections (a full collection otherwise rescans ~100k objects, a few
    milliseconds taken from whichever poll or search triggers it)."""
    gc.collect()
    gc.freeze()


app.steps["worker"].add(EmbeddedBeat)
app.steps["worker"].add(EmbeddedWeb)
