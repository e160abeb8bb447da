"""min_interval_seconds: a rate-limited target gets at most one message per interval;
a delivery held back waits without an attempt being counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pydantic import ValidationError

from integrations.manager import manager
from notifications import events
from notifications.base import NotificationSettings
from notifications.models import Delivery, NotificationTarget
from tests.fakes import FakeNotifier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


@pytest.fixture
def queued(monkeypatch):
    calls: list[tuple[list[int], float | None]] = []
    monkeypatch.setattr(
        events, "enqueue", lambda ids, countdown=None: calls.append((list(ids), countdown))
    )
    return calls


def target(name="t", **settings) -> NotificationTarget:
    config, _ = manager.register(
        "notification", name=name, kind="fakenotifier", settings=settings, test=False
    )
    return config


def emit_one(name="t") -> Delivery:
    event = events.emit("grab", {"release": {}})
    return event.deliveries.get(target__name=name)


def test_the_setting_defaults_to_no_limit_and_is_bounded():
    assert NotificationSettings().min_interval_seconds == 0
    assert NotificationSettings(min_interval_seconds=3600).min_interval_seconds == 3600
    for bad in (-1, 3601):
        with pytest.raises(ValidationError):
            NotificationSettings(min_interval_seconds=bad)
    assert target(min_interval_seconds=30).settings["min_interval_seconds"] == 30


def test_a_delivery_within_the_interval_is_deferred_without_counting_an_attempt(queued):
    target(min_interval_seconds=60)
    first = emit_one()
    assert events.deliver(first.pk) == "sent"
    last_sent = Delivery.objects.get(pk=first.pk).delivered_at

    second = emit_one()
    queued.clear()
    assert events.deliver(second.pk) == "retrying"
    d = Delivery.objects.get(pk=second.pk)
    assert d.status == "retrying"
    assert d.attempts == 0
    assert d.next_attempt_at == last_sent + timedelta(seconds=60)
    assert d.claimed_at is None
    assert "minimum interval" in d.last_error
    assert len(FakeNotifier.sent) == 1
    [(ids, countdown)] = queued
    assert ids == [second.pk]
    assert 55 < countdown <= 60

    # Not due yet: the conditional claim still refuses it.
    assert events.deliver(second.pk) == "skipped"
    assert Delivery.objects.get(pk=second.pk).attempts == 0


def test_a_deferred_delivery_is_sent_once_the_interval_passed(queued):
    target(min_interval_seconds=60)
    first = emit_one()
    events.deliver(first.pk)
    second = emit_one()
    events.deliver(second.pk)

    # Time passes: the last message went out 61 s ago and the deferred one is due.
    Delivery.objects.filter(pk=first.pk).update(delivered_at=timezone.now() - timedelta(seconds=61))
    Delivery.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now())
    assert events.deliver(second.pk) == "sent"
    d = Delivery.objects.get(pk=second.pk)
    assert (d.status, d.attempts, d.last_error) == ("sent", 1, "")
    assert [s[2] for s in FakeNotifier.sent] == [first.pk, second.pk]


def test_zero_means_no_limit(queued):
    target(min_interval_seconds=0)
    first, second = emit_one(), emit_one()
    assert events.deliver(first.pk) == "sent"
    assert events.deliver(second.pk) == "sent"
    assert len(FakeNotifier.sent) == 2


def test_the_interval_is_per_target(queued):
    target("slow", min_interval_seconds=300)
    target("fast")
    event = events.emit("grab", {"release": {}})
    for d in event.deliveries.all():
        assert events.deliver(d.pk) == "sent"
    event = events.emit("grab", {"release": {}})
    outcomes = {d.target.name: events.deliver(d.pk) for d in event.deliveries.all()}
    assert outcomes == {"slow": "retrying", "fast": "sent"}


def test_failed_and_retrying_deliveries_do_not_start_the_interval(queued, settings):
    t = target(min_interval_seconds=60, mode="transient")
    first = emit_one()
    assert events.deliver(first.pk) == "retrying"
    NotificationTarget.objects.filter(pk=t.pk).update(settings={**t.settings, "mode": "ok"})
    second = emit_one()
    assert events.deliver(second.pk) == "sent"


def test_a_deferral_does_not_bring_a_delivery_closer_to_giving_up(queued, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    t = target(min_interval_seconds=60)
    events.deliver(emit_one().pk)
    second = emit_one()
    for _ in range(5):  # held back again and again
        Delivery.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now())
        assert events.deliver(second.pk) == "retrying"
    assert Delivery.objects.get(pk=second.pk).attempts == 0
    NotificationTarget.objects.filter(pk=t.pk).update(
        settings={**t.settings, "min_interval_seconds": 0}
    )
    Delivery.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now())
    assert events.deliver(second.pk) == "sent"
