"""An event's deliveries travel as one batch task: claimed in one statement, sent
concurrently in the worker's delivery pool, each recorded as soon as its send ends."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from integrations.manager import manager
from notifications import events, tasks
from notifications.models import Delivery, NotificationTarget
from tests.fakes import FakeNotifier
from tests.httpserver import RecordedRequest, RecordingServer, Reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


def fake(name: str, mode: str = "ok", **settings) -> NotificationTarget:
    config, _ = manager.register(
        "notification",
        name=name,
        kind="fakenotifier",
        settings={"mode": mode, **settings},
        test=False,
    )
    return config


def webhook(name: str, url: str) -> NotificationTarget:
    config, _ = manager.register(
        "notification", name=name, kind="webhook", settings={"url": url}, test=False
    )
    return config


@pytest.fixture
def published(monkeypatch):
    """Task messages as they would go to the broker: (task name, args, countdown)."""
    calls: list[tuple[str, list, float | None]] = []

    def recorder(name):
        def delay(*args):
            calls.append((name, list(args), None))

        def apply_async(args, countdown=None):
            calls.append((name, list(args), countdown))

        return delay, apply_async

    for task in (tasks.deliver, tasks.deliver_batch):
        delay, apply_async = recorder(task.name)
        monkeypatch.setattr(task, "delay", delay)
        monkeypatch.setattr(task, "apply_async", apply_async)
    return calls


@pytest.fixture
def no_enqueue(monkeypatch):
    queued: list[tuple[list[int], float | None]] = []
    monkeypatch.setattr(
        events, "enqueue", lambda ids, countdown=None: queued.append((list(ids), countdown))
    )
    return queued


class PathServer(RecordingServer):
    """Answers ``slow`` paths only once released, the others at once."""

    def __init__(self):
        super().__init__()
        self._local = threading.local()

    def _record(self, request: RecordedRequest) -> None:
        super()._record(request)
        self._local.path = request.path

    def _next_reply(self) -> Reply:
        return Reply(200, "ok", hang="slow" in self._local.path)


def test_an_events_deliveries_are_published_as_one_batch_task(
    published, django_capture_on_commit_callbacks
):
    for name in "abc":
        fake(name)
    with django_capture_on_commit_callbacks(execute=True):
        event = events.emit("grab", {"release": {}})
    ids = sorted(event.deliveries.values_list("pk", flat=True))
    assert published == [("notifications.deliver_batch", [ids], None)]


def test_more_ids_than_a_batch_are_split_into_batches_of_batch_size(published):
    ids = list(range(1, 2 * events.BATCH_SIZE + 8))
    events.enqueue(ids)
    assert [(name, len(args[0])) for name, args, _ in published] == [
        ("notifications.deliver_batch", events.BATCH_SIZE),
        ("notifications.deliver_batch", events.BATCH_SIZE),
        ("notifications.deliver_batch", 7),
    ]
    assert [pk for _, args, _ in published for pk in args[0]] == ids


def test_delayed_retries_are_published_one_task_per_delivery(published):
    events.enqueue([4, 5], countdown=30)
    assert published == [
        ("notifications.deliver", [4], 30),
        ("notifications.deliver", [5], 30),
    ]


def test_a_single_delivery_is_published_as_a_deliver_task(published):
    events.enqueue([9])
    assert published == [("notifications.deliver", [9], None)]


def test_deliver_many_sends_every_due_delivery_once(no_enqueue):
    for name in "abcde":
        fake(name)
    event = events.emit("grab", {"release": {}})
    ids = list(event.deliveries.values_list("pk", flat=True))
    assert events.deliver_many(ids) == dict.fromkeys(ids, "sent")
    assert sorted(d for _, _, d in FakeNotifier.sent) == sorted(ids)
    rows = Delivery.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts, r.response_code) for r in rows} == {("sent", 1, 200)}
    assert all(r.delivered_at is not None for r in rows)


def test_deliver_many_a_second_time_sends_nothing(no_enqueue):
    for name in "ab":
        fake(name)
    ids = list(events.emit("grab", {"release": {}}).deliveries.values_list("pk", flat=True))
    events.deliver_many(ids)
    assert events.deliver_many(ids) == {}
    assert len(FakeNotifier.sent) == 2


def test_the_batch_claim_takes_only_due_unclaimed_rows_and_counts_the_attempt(no_enqueue):
    for name in ("due", "held", "later", "done"):
        fake(name)
    event = events.emit("grab", {"release": {}})
    by_name = {d.target.name: d for d in event.deliveries.select_related("target")}
    Delivery.objects.filter(pk=by_name["held"].pk).update(status="sending")
    Delivery.objects.filter(pk=by_name["later"].pk).update(
        status="retrying", next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    Delivery.objects.filter(pk=by_name["done"].pk).update(status="sent")
    now = timezone.now()
    claimed = events._claim([d.pk for d in by_name.values()], now)
    assert claimed == [by_name["due"].pk]
    row = Delivery.objects.get(pk=by_name["due"].pk)
    assert (row.status, row.attempts, row.claimed_at) == ("sending", 1, now)
    assert Delivery.objects.get(pk=by_name["held"].pk).attempts == 0


def test_mixed_outcomes_in_one_batch_are_recorded_per_delivery(no_enqueue):
    fake("fine")
    fake("flaky", mode="transient")
    broken = fake("broken", mode="permanent")
    event = events.emit("grab", {"release": {}})
    by_name = {d.target.name: d.pk for d in event.deliveries.select_related("target")}
    outcomes = events.deliver_many(list(by_name.values()))
    assert outcomes == {
        by_name["fine"]: "sent",
        by_name["flaky"]: "retrying",
        by_name["broken"]: "failed",
    }
    flaky = Delivery.objects.get(pk=by_name["flaky"])
    assert flaky.last_error == "Fake notifier had a server error (HTTP 503)"
    assert no_enqueue == [([by_name["flaky"]], events.RETRY_DELAYS[0])]
    assert NotificationTarget.objects.get(pk=broken.pk).health == "unhealthy"


@pytest.mark.django_db(transaction=True)
def test_sends_of_a_batch_run_concurrently():
    with RecordingServer(default_response=Reply(hang=True)) as sink:
        for i in range(10):
            webhook(f"hook-{i}", f"{sink.url}/hook/{i}")
        ids = list(events.emit("grab", {"release": {}}).deliveries.values_list("pk", flat=True))
        sending = threading.Thread(target=deliver_in_thread, args=(ids,))
        sending.start()
        try:
            # No send is answered until all ten are in flight: one after the other
            # would stall at the first.
            sink.wait_for_requests(10, timeout=15)
        finally:
            sink.release()
            sending.join(15)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(sink.requests) == 10


def deliver_in_thread(ids):
    try:
        events.deliver_many(ids)
    finally:
        connection.close()  # this thread's own connection, or it outlives the test database


@pytest.mark.django_db(transaction=True)
def test_a_slow_target_does_not_hold_back_recording_the_others():
    with PathServer() as sink:
        webhook("slow", f"{sink.url}/slow")
        for i in range(4):
            webhook(f"fast-{i}", f"{sink.url}/fast/{i}")
        ids = list(events.emit("grab", {"release": {}}).deliveries.values_list("pk", flat=True))
        worker = threading.Thread(target=deliver_in_thread, args=(ids,))
        worker.start()
        try:
            fast = Delivery.objects.filter(target__name__startswith="fast", status="sent")
            deadline = time.monotonic() + 15
            while fast.count() < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert fast.count() == 4  # recorded while the slow one still waits for its answer
            assert Delivery.objects.get(target__name="slow").status == "sending"
        finally:
            sink.release()
            worker.join(15)
    assert Delivery.objects.get(target__name="slow").status == "sent"


def test_a_rate_limited_target_gets_one_delivery_per_batch(no_enqueue):
    fake("paced", min_interval_seconds=60)
    first = events.emit("grab", {"release": {}}).deliveries.get()
    second = events.emit("grab", {"release": {}}).deliveries.get()
    before = timezone.now()
    outcomes = events.deliver_many([first.pk, second.pk])
    assert sorted(outcomes.values()) == ["retrying", "sent"]
    held = Delivery.objects.get(status="retrying")
    assert held.attempts == 0  # waiting for the interval is not an attempt
    assert held.next_attempt_at >= before + timedelta(seconds=60)
    assert len(FakeNotifier.sent) == 1


def test_a_delivery_that_waited_too_long_for_a_sender_is_handed_back(settings, no_enqueue):
    settings.DELIVERY_STALE_SECONDS = 0  # any wait in the pool is "too long"
    for name in "ab":
        fake(name)
    ids = list(events.emit("grab", {"release": {}}).deliveries.values_list("pk", flat=True))
    assert events.deliver_many(ids) == dict.fromkeys(ids, "retrying")
    assert FakeNotifier.sent == []
    rows = Delivery.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts, r.claimed_at) for r in rows} == {("retrying", 0, None)}
    assert sorted(pk for queued, _ in no_enqueue for pk in queued) == sorted(ids)
