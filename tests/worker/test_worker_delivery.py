"""Deliveries through a real Celery worker process, including one killed mid-delivery."""

from __future__ import annotations

import time

import pytest

from integrations.manager import manager
from notifications import events
from notifications.models import Delivery
from tests.httpserver import RecordingServer, Reply
from tests.worker.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def webhook(name: str, url: str):
    config, _ = manager.register(
        "notification",
        name=name,
        kind="webhook",
        settings={"url": url, "timeout_seconds": 30},
        test=False,
    )
    return config


def test_worker_delivers_an_emitted_event(worker, sender):
    with RecordingServer() as sink:
        webhook("hook", sink.url + "/hook")
        w = worker()
        event = events.emit("grab", {"release": {"releaseTitle": "Show.S01E01.1080p.WEB-DL-GRP"}})
        for pk in event.deliveries.values_list("pk", flat=True):
            sender.send_task("notifications.deliver", args=[pk])
        wait_for(lambda: Delivery.objects.filter(status="sent").count() == 1, 30, "delivery", w)
        assert sink.requests[0].json()["eventType"] == "Grab"


def test_delivery_interrupted_by_a_killed_worker_is_delivered_exactly_once_after_restart(
    worker, sender
):
    with RecordingServer() as sink:
        sink.script([Reply(hang=True)])  # the first attempt never gets an answer
        webhook("hook", sink.url + "/hook")
        first = worker()
        event = events.emit("grab", {"release": {"releaseTitle": "x"}})
        delivery = event.deliveries.get()
        sender.send_task("notifications.deliver", args=[delivery.pk])
        sink.wait_for_requests(1, timeout=30)
        first.kill()
        assert Delivery.objects.get(pk=delivery.pk).status == "sending"

        second = worker()
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).status == "sent", 40, "redelivery", second
        )
        time.sleep(3)  # a few more sweeps: nothing may be sent again
        ids = [r.headers["X-Idkarr-Delivery"] for r in sink.requests]
        assert ids == [str(delivery.pk), str(delivery.pk)]
        answered = Delivery.objects.get(pk=delivery.pk)
        assert (answered.attempts, answered.response_code) == (2, 200)


def test_permanent_error_stops_retries_in_the_worker(worker, sender):
    with RecordingServer(default_response=Reply(410, "gone")) as sink:
        webhook("hook", sink.url + "/hook")
        w = worker()
        event = events.emit("grab", {"release": {"releaseTitle": "x"}})
        delivery = event.deliveries.get()
        sender.send_task("notifications.deliver", args=[delivery.pk])
        wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "failed", 30, "failure", w)
        time.sleep(2.5)
        assert len(sink.requests) == 1
        assert "410" in Delivery.objects.get(pk=delivery.pk).last_error
