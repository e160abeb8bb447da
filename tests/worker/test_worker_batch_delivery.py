"""An event's deliveries as one ``notifications.deliver_batch`` task in a real worker:
sent concurrently beyond the worker's own 4 threads, and a worker killed in the middle
of a batch still ends with exactly one sent delivery per target."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from integrations.manager import manager
from notifications import events
from notifications.models import Delivery, NotificationTarget
from tests.httpserver import RecordedRequest, RecordingServer, Reply
from tests.worker.waiting import sent_count, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def webhook(name: str, url: str) -> None:
    manager.register(
        "notification",
        name=name,
        kind="webhook",
        settings={"url": url, "timeout_seconds": 30},
        test=False,
    )


class FirstRequestHangs(RecordingServer):
    """Paths containing ``hang`` never answer their first request (answered 200 from
    the second on); every other request is answered 200 after ``delay`` seconds."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self._local = threading.local()
        self.seen: Counter[str] = Counter()

    def _record(self, request: RecordedRequest) -> None:
        super()._record(request)
        self._local.path = request.path

    def _next_reply(self) -> Reply:
        path = self._local.path
        with self._lock:
            self.seen[path] += 1
            first = self.seen[path] == 1
        if first and "hang" in path:
            return Reply(hang=True)
        return Reply(200, "ok", delay=self.delay)


def test_worker_sends_a_batch_concurrently_beyond_its_own_threads(worker, sender):
    with RecordingServer(default_response=Reply(hang=True)) as sink:
        for i in range(20):
            webhook(f"hook-{i:02d}", f"{sink.url}/hook/{i:02d}")
        # Sends are held unanswered until all 20 arrived, so a stale-claim sweep must not
        # reclaim them meanwhile on a slow machine.
        w = worker(IDKARR_DELIVERY_STALE_SECONDS="300")
        event = events.emit("grab", {"release": {"releaseTitle": "Show.S01E01.1080p-GRP"}})
        ids = list(event.deliveries.values_list("pk", flat=True))
        sender.send_task("notifications.deliver_batch", args=[ids])
        # No answer is given before all 20 are in flight: four worker threads sending
        # one delivery each would stall here with four.
        sink.wait_for_requests(20, timeout=30)
        assert sent_count() == 0
        sink.release()
        wait_for(lambda: sent_count() == 20, 30, "20 deliveries", w)
    assert sorted(r.path for r in sink.requests) == [f"/hook/{i:02d}" for i in range(20)]


def test_worker_killed_during_a_batch_sends_each_target_exactly_once_after_restart(worker, sender):
    with FirstRequestHangs(delay=0.1) as sink:
        for i in range(10):
            kind = "hang" if i < 3 else "hook"
            webhook(f"{kind}-{i:02d}", f"{sink.url}/{kind}/{i:02d}")
        first = worker()
        event = events.emit("grab", {"release": {"releaseTitle": "Show.S01E01.1080p-GRP"}})
        ids = list(event.deliveries.values_list("pk", flat=True))
        sender.send_task("notifications.deliver_batch", args=[ids])
        wait_for(
            lambda: sent_count() == 7 and len(sink.requests) == 10, 30, "7 answered sends", first
        )
        first.kill()
        stuck = Delivery.objects.filter(status="sending")
        assert sorted(stuck.values_list("target__name", flat=True)) == [
            "hang-00",
            "hang-01",
            "hang-02",
        ]

        second = worker()  # its sweeper reclaims the three once DELIVERY_STALE_SECONDS pass
        wait_for(lambda: sent_count() == 10, 40, "all 10 deliveries", second)
        time.sleep(2)  # a couple more sweeps: nothing may be sent again

    for t in NotificationTarget.objects.all():
        assert list(t.deliveries.values_list("status", "response_code")) == [("sent", 200)]
    per_path = Counter(r.path for r in sink.requests)
    assert {p: n for p, n in per_path.items() if n > 1} == {
        "/hang/00": 2,
        "/hang/01": 2,
        "/hang/02": 2,
    }
    assert len(per_path) == 10
