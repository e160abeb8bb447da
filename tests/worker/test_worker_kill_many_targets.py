"""One event to 20 webhook targets; the worker is SIGKILLed mid-delivery and a new
one started: every target ends with exactly one sent delivery, and only the
requests that never got an answer are sent a second time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from integrations.manager import manager
from notifications import events
from notifications.models import Delivery, NotificationTarget
from tests.httpserver import RecordedRequest, RecordingServer, Reply
from tests.worker.waiting import sent_count, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TARGETS = 20
HUNG_FIRST = 3


@dataclass
class TrackedReply(Reply):
    """A reply that notes when it is actually written (not cut short by a kill/stop)."""

    on_answer: Callable[[], None] = field(default=lambda: None)

    def encoded(self):
        self.on_answer()
        return super().encoded()


class KillServer(RecordingServer):
    """Hangs the first HUNG_FIRST requests, answers the others 200 after a short
    delay; once ``frozen``, every delivery's first request hangs too, so the worker
    can be killed with nothing in flight but requests that will never be answered.
    Replies are chosen per request (by its delivery id), not by arrival order."""

    def __init__(self):
        super().__init__()
        self._local = threading.local()
        self.frozen = False
        self.seen: Counter[str] = Counter()
        self.hung: list[str] = []
        self.answered: list[str] = []

    def _record(self, request: RecordedRequest) -> None:
        super()._record(request)
        self._local.delivery = request.headers.get("X-Idkarr-Delivery", "")

    def _next_reply(self) -> Reply:
        delivery = self._local.delivery
        with self._lock:
            first = self.seen[delivery] == 0
            self.seen[delivery] += 1
            if first and (len(self.hung) < HUNG_FIRST or self.frozen):
                self.hung.append(delivery)
                return Reply(hang=True)
        return TrackedReply(200, "ok", delay=0.1, on_answer=lambda: self._answered(delivery))

    def _answered(self, delivery: str) -> None:
        with self._lock:
            self.answered.append(delivery)

    def snapshot(self) -> tuple[list[str], list[str]]:
        with self._lock:
            return list(self.hung), list(self.answered)


def test_killed_worker_delivering_to_20_targets_sends_each_exactly_once_after_restart(
    worker, sender
):
    with KillServer() as sink:
        for i in range(TARGETS):
            manager.register(
                "notification",
                name=f"hook-{i:02d}",
                kind="webhook",
                settings={"url": f"{sink.url}/hook/{i:02d}", "timeout_seconds": 30},
                test=False,
            )
        first = worker()
        event = events.emit("grab", {"release": {"releaseTitle": "Show.S01E01.1080p-GRP"}})
        ids = list(event.deliveries.values_list("pk", flat=True))
        assert len(ids) == TARGETS
        # What emit() enqueues on commit, sent explicitly: this process's broker may not be
        # the worker's.
        sender.send_task("notifications.deliver_batch", args=[ids])

        # The hung requests arrived and a few others were answered: freeze, so no request
        # made from now on is answered; then kill once every delivery hangs or was answered
        # (an event's deliveries go out together on the worker's sender pool) and the
        # answered ones are recorded.
        wait_for(
            lambda: len(sink.requests) >= HUNG_FIRST and len(sink.snapshot()[1]) >= 3,
            30,
            "the first requests",
            first,
        )
        sink.frozen = True
        wait_for(
            lambda: (
                len(set(sink.snapshot()[0]) | set(sink.snapshot()[1])) == TARGETS
                and sent_count() == len(set(sink.snapshot()[1]))
            ),
            15,
            "every delivery to hang or be answered and recorded",
            first,
        )
        first.kill()
        hung, answered = sink.snapshot()
        assert sent_count() == len(set(answered)) < TARGETS
        stuck = set(Delivery.objects.filter(status="sending").values_list("pk", flat=True))
        assert {int(d) for d in hung} <= stuck | {int(d) for d in answered}

        sink.frozen = False
        second = worker()
        wait_for(lambda: sent_count() == TARGETS, 40, "all 20 deliveries", second)
        time.sleep(2)  # a couple more sweeps: nothing may be sent again

        # Exactly one delivery per target, all sent with the receiver's answer.
        for t in NotificationTarget.objects.all():
            rows = list(t.deliveries.values_list("status", "response_code"))
            assert rows == [("sent", 200)], t.name
        # At most two requests per delivery; a second one only where the first
        # never got an answer, and every unanswered one was sent again.
        per_delivery = Counter(r.headers["X-Idkarr-Delivery"] for r in sink.requests)
        assert set(per_delivery) == {str(pk) for pk in ids}
        assert max(per_delivery.values()) <= 2, per_delivery
        repeated = {d for d, n in per_delivery.items() if n == 2}
        assert repeated == set(hung), (repeated, hung)
        assert len(repeated) >= HUNG_FIRST
        # Each request went to its own target's path.
        for r in sink.requests:
            pk = int(r.headers["X-Idkarr-Delivery"])
            name = Delivery.objects.get(pk=pk).target.name
            assert r.path == f"/hook/{name.removeprefix('hook-')}"
