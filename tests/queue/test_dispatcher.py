"""The beat dispatcher: claims due, enabled, not backed-off clients and polls them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.downloadclients import queue
from integrations.downloadclients.models import ClientPollState, Download, DownloadClient
from tests.fakes import FakeClient

pytestmark = pytest.mark.django_db


def test_never_polled_client_is_due(make_client):
    config = make_client()
    assert [c.pk for c in queue.claim_due()] == [config.pk]


def test_client_polled_recently_is_not_claimed(make_client):
    config = make_client()
    ClientPollState.objects.create(
        client=config, next_poll_at=timezone.now() + timedelta(seconds=20)
    )
    assert queue.claim_due() == []


def test_client_whose_next_poll_has_passed_is_claimed(make_client):
    config = make_client()
    ClientPollState.objects.create(
        client=config, next_poll_at=timezone.now() - timedelta(seconds=1)
    )
    assert [c.pk for c in queue.claim_due()] == [config.pk]


def test_disabled_client_is_not_claimed(make_client):
    make_client(enabled=False)
    assert queue.claim_due() == []


def test_client_in_health_backoff_is_not_claimed(make_client):
    config = make_client()
    DownloadClient.objects.filter(pk=config.pk).update(
        disabled_until=timezone.now() + timedelta(minutes=5)
    )
    assert queue.claim_due() == []


def test_a_claim_leases_the_client_so_a_second_dispatcher_skips_it(make_client):
    make_client()
    assert len(queue.claim_due()) == 1
    assert queue.claim_due() == []


def test_dispatch_polls_every_due_client_and_schedules_the_next_poll(make_client):
    make_client("one")
    make_client("two")
    FakeClient.put("one", "a")
    FakeClient.put("two", "b")
    before = timezone.now()
    assert queue.dispatch_due() == 2
    assert Download.objects.count() == 2
    for state in ClientPollState.objects.all():
        assert state.next_poll_at >= before + timedelta(seconds=29)


def test_per_client_poll_interval_is_used(make_client):
    config = make_client()
    ClientPollState.objects.create(client=config, poll_interval=120)
    before = timezone.now()
    queue.dispatch_due()
    assert ClientPollState.objects.get().next_poll_at >= before + timedelta(seconds=119)


def test_one_failing_client_does_not_stop_the_others(make_client):
    make_client("up")
    make_client("down", mode="down")
    FakeClient.put("up", "a")
    assert queue.dispatch_due() == 2
    assert Download.objects.filter(client__name="up").count() == 1
    assert ClientPollState.objects.get(client__name="down").last_error.startswith("down:")


def test_poll_queues_task_runs_the_dispatcher_and_beats(make_client):
    from integrations.downloadclients.tasks import poll_queues
    from integrations.models import Heartbeat

    make_client()
    assert poll_queues() == 1
    assert Heartbeat.objects.get(name="queue-dispatcher").details == {"polled": 1}


def test_beat_schedule_has_the_queue_dispatcher():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["downloadclients.poll_queues"]
    assert entry["task"] == "downloadclients.poll_queues"
