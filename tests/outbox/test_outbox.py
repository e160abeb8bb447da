"""emit → deliveries → deliver/claim/retry/fail → sweep → resend, without a worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.manager import manager
from notifications import events
from notifications.models import Delivery, Event, NotificationTarget
from tests.fakes import FakeNotifier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


def target(name="t", mode="ok", tags=None, **flags) -> NotificationTarget:
    config, _ = manager.register(
        "notification",
        name=name,
        kind="fakenotifier",
        settings={"mode": mode, **flags},
        tags=tags,
        test=False,
    )
    return config


def only_delivery() -> Delivery:
    return Delivery.objects.get()


def test_emit_creates_one_delivery_per_subscribed_target():
    target("a")
    target("b")
    event = events.emit("grab", {"release": {}})
    assert event.deliveries.count() == 2


def test_emit_skips_targets_not_subscribed_to_the_event():
    target("a", on_grab=False)
    events.emit("grab", {"release": {}})
    assert not Delivery.objects.exists()


def test_emit_skips_disabled_targets():
    t = target("a")
    NotificationTarget.objects.filter(pk=t.pk).update(enabled=False)
    events.emit("grab", {"release": {}})
    assert not Delivery.objects.exists()


def test_tagged_target_gets_only_events_sharing_a_tag():
    target("anime-only", tags=["anime"])
    events.emit("grab", {"release": {}}, tags=["tv"])
    events.emit("grab", {"release": {}}, tags=["anime"])
    assert [d.event.tags for d in Delivery.objects.all()] == [["anime"]]


def test_tagged_target_still_gets_health_events():
    target("anime-only", tags=["anime"])
    events.emit("health_issue", {"message": "x"})
    assert Delivery.objects.count() == 1


def test_emit_rejects_unknown_event_types():
    with pytest.raises(ValueError, match="unknown event type"):
        events.emit("explosion", {})


def test_emit_rolls_back_with_the_callers_transaction():
    from django.db import transaction

    target("a")
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("grab", {"release": {}})
        raise RuntimeError
    assert not Event.objects.exists()


def test_deliveries_are_enqueued_only_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    target("a")
    queued = []
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: queued.extend(ids))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events.emit("grab", {"release": {}})
    assert queued == []
    callbacks[0]()
    assert queued == [only_delivery().pk]


def test_deliver_sends_and_marks_sent():
    target("a")
    events.emit("grab", {"release": {}})
    assert events.deliver(only_delivery().pk) == "sent"
    assert FakeNotifier.sent == [("a", "grab", only_delivery().pk)]
    assert only_delivery().delivered_at is not None


def test_a_sent_delivery_is_not_sent_again():
    target("a")
    events.emit("grab", {"release": {}})
    events.deliver(only_delivery().pk)
    assert events.deliver(only_delivery().pk) == "skipped"
    assert len(FakeNotifier.sent) == 1


def test_a_delivery_claimed_by_another_worker_is_skipped():
    target("a")
    events.emit("grab", {"release": {}})
    Delivery.objects.update(status="sending", claimed_at=timezone.now())
    assert events.deliver(only_delivery().pk) == "skipped"


def test_transient_error_schedules_a_retry(monkeypatch):
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: None)
    target("a", mode="transient")
    events.emit("grab", {"release": {}})
    assert events.deliver(only_delivery().pk) == "retrying"
    d = only_delivery()
    assert d.next_attempt_at > timezone.now()
    assert "503" in d.last_error


def test_retry_is_not_sent_before_it_is_due(monkeypatch):
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: None)
    target("a", mode="transient")
    events.emit("grab", {"release": {}})
    events.deliver(only_delivery().pk)
    assert events.deliver(only_delivery().pk) == "skipped"


def test_rate_limit_retry_waits_at_least_retry_after(monkeypatch):
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: None)
    target("a", mode="ratelimit")
    events.emit("grab", {"release": {}})
    events.deliver(only_delivery().pk)
    assert only_delivery().next_attempt_at >= timezone.now() + timedelta(seconds=115)


def test_permanent_error_fails_the_delivery_and_marks_the_target(monkeypatch):
    target("a", mode="permanent")
    events.emit("grab", {"release": {}})
    assert events.deliver(only_delivery().pk) == "failed"
    t = NotificationTarget.objects.get()
    assert (t.health, t.last_error) == ("unhealthy", "Fake notifier rejected the token")


def test_transient_errors_give_up_after_max_attempts(monkeypatch, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: None)
    target("a", mode="transient")
    events.emit("grab", {"release": {}})
    events.deliver(only_delivery().pk)
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert events.deliver(only_delivery().pk) == "failed"
    assert only_delivery().last_error.startswith("Gave up after 2 attempts")


def test_sweeper_reclaims_a_delivery_stuck_in_sending(monkeypatch, settings):
    settings.DELIVERY_STALE_SECONDS = 60
    queued = []
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: queued.extend(ids))
    target("a")
    events.emit("grab", {"release": {}})
    Delivery.objects.update(status="sending", claimed_at=timezone.now() - timedelta(seconds=120))
    events.sweep()
    assert queued == [only_delivery().pk]
    assert events.deliver(only_delivery().pk) == "sent"


def test_sweeper_leaves_a_fresh_sending_delivery_alone(monkeypatch):
    queued = []
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: queued.extend(ids))
    target("a")
    events.emit("grab", {"release": {}})
    Delivery.objects.update(status="sending", claimed_at=timezone.now())
    events.sweep()
    assert queued == []


def test_sweeper_reenqueues_overdue_pending_deliveries(monkeypatch):
    queued = []
    monkeypatch.setattr(events, "enqueue", lambda ids, countdown=None: queued.extend(ids))
    target("a")
    events.emit("grab", {"release": {}})
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    events.sweep()
    assert queued == [only_delivery().pk]


def test_resend_delivers_a_failed_delivery_again(django_capture_on_commit_callbacks):
    t = target("a", mode="permanent")
    events.emit("grab", {"release": {}})
    events.deliver(only_delivery().pk)
    NotificationTarget.objects.filter(pk=t.pk).update(settings={**t.settings, "mode": "ok"})
    events.resend(only_delivery())
    assert events.deliver(only_delivery().pk) == "sent"


def test_broker_failure_on_enqueue_leaves_the_delivery_pending(monkeypatch):
    from notifications import tasks

    def boom(*a, **k):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver, "delay", boom)
    target("a")
    events.emit("grab", {"release": {}})
    events.enqueue([only_delivery().pk])
    assert only_delivery().status == "pending"
