"""Health recording, backoff and health_issue/health_restored transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations import health
from integrations.base import DEGRADED, HEALTHY, UNHEALTHY, Health
from integrations.downloadclients.models import DownloadClient
from integrations.manager import manager
from notifications.models import Event
from tests.fakes import RIGHT_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


def client(name="dc", mode="ok", **over) -> DownloadClient:
    config, _ = manager.register(
        "download_client",
        name=name,
        kind="fakeclient",
        settings={"password": RIGHT_PASSWORD, "mode": mode, **over},
        test=False,
    )
    return config


def result(status, message="", **details) -> Health:
    return Health(status, 12, datetime.now(UTC), message, details)


def fresh(config):
    return DownloadClient.objects.get(pk=config.pk)


def test_healthy_check_records_latency_and_schedules_next_check():
    config = client()
    health.check_many([config])
    row = fresh(config)
    assert row.health == HEALTHY
    assert row.latency_ms is not None
    assert row.next_check_at > timezone.now() + timedelta(seconds=50)


def test_unreachable_client_is_recorded_unhealthy_with_reason():
    config = client(mode="down")
    health.check_many([config])
    row = fresh(config)
    assert row.health == UNHEALTHY
    assert "Cannot reach" in row.last_error


def test_degraded_detail_is_recorded_as_degraded():
    config = client(mode="degraded")
    health.check_many([config])
    assert fresh(config).health == DEGRADED


def test_first_failure_does_not_disable_the_provider():
    config = client()
    health.record(config, result(UNHEALTHY, "down"))
    assert fresh(config).disabled_until is None


def test_second_failure_disables_until_backoff_ends():
    config = client()
    health.record(config, result(UNHEALTHY, "down"))
    health.record(config, result(UNHEALTHY, "down"))
    row = fresh(config)
    assert row.escalation_level == 2
    assert row.disabled_until > timezone.now() + timedelta(seconds=290)


def test_backoff_escalates_and_caps_at_one_hour_for_download_clients():
    config = client()
    for _ in range(12):
        health.record(config, result(UNHEALTHY, "down"))
    row = fresh(config)
    assert row.escalation_level == health.MAX_LEVEL["download_client"]
    assert row.disabled_until < timezone.now() + timedelta(seconds=3601)


def test_retry_after_raises_the_backoff_to_at_least_that_long():
    config = client()
    health.record(config, result(UNHEALTHY, "429", retry_after=1000))
    assert fresh(config).disabled_until >= timezone.now() + timedelta(seconds=1000)


def test_success_steps_the_escalation_down_by_one_and_clears_disable():
    config = client()
    for _ in range(3):
        health.record(config, result(UNHEALTHY, "down"))
    health.record(config, result(HEALTHY))
    row = fresh(config)
    assert (row.escalation_level, row.disabled_until, row.consecutive_failures) == (2, None, 0)


def test_going_unhealthy_emits_one_health_issue():
    config = client(mode="down")
    health.check_many([config])
    health.check_many([config])
    assert list(Event.objects.values_list("event_type", flat=True)) == ["health_issue"]


def test_health_issue_payload_names_the_integration_and_reason():
    config = client(mode="down")
    health.check_many([config])
    payload = Event.objects.get().payload
    assert payload["integration"]["name"] == "dc"
    assert "Cannot reach" in payload["message"]


def test_recovery_emits_health_restored():
    config = client(mode="down")
    health.check_many([config])
    DownloadClient.objects.filter(pk=config.pk).update(settings={**config.settings, "mode": "ok"})
    health.check_many([fresh(config)])
    assert list(Event.objects.order_by("id").values_list("event_type", flat=True)) == [
        "health_issue",
        "health_restored",
    ]


def test_healthy_to_healthy_emits_nothing():
    config = client()
    health.check_many([config])
    health.check_many([config])
    assert not Event.objects.exists()


def test_dispatcher_checks_only_due_enabled_integrations():
    due = client("due")
    client("later")
    DownloadClient.objects.filter(name="later").update(
        next_check_at=timezone.now() + timedelta(minutes=5)
    )
    client("off")
    DownloadClient.objects.filter(name="off").update(enabled=False)
    assert health.dispatch_due() == 1
    assert fresh(due).last_checked_at is not None


def test_a_claimed_integration_is_not_claimed_twice():
    client()
    first = health.claim_due()
    second = health.claim_due()
    assert (len(first), len(second)) == (1, 0)


def test_undecryptable_secrets_are_reported_not_raised():
    config = client()
    DownloadClient.objects.filter(pk=config.pk).update(secrets="garbage-token")
    health.check_many([fresh(config)])
    assert "cannot be decrypted" in fresh(config).last_error


def test_health_write_does_not_clobber_a_concurrent_edit():
    config = client()
    DownloadClient.objects.filter(pk=config.pk).update(name="renamed")
    health.record(config, result(HEALTHY))  # config still holds the old name
    assert fresh(config).name == "renamed"


def test_all_health_checks_every_enabled_integration():
    client("a")
    client("b", mode="down")
    results = manager.all_health()
    assert sorted(h.status for h in results.values()) == [HEALTHY, UNHEALTHY]


def test_provider_cache_serialises_use_of_one_integration():
    import threading
    import time

    config = client()
    inside, overlaps = [], []

    def use():
        with health.providers.using(config):
            if inside:
                overlaps.append(True)
            inside.append(True)
            time.sleep(0.05)
            inside.pop()

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


def test_stored_settings_that_no_longer_validate_are_a_clear_permanent_error():
    from integrations.errors import ConfigurationError

    config = client()
    DownloadClient.objects.filter(pk=config.pk).update(settings={**config.settings, "port": 999999})
    with pytest.raises(ConfigurationError, match="no longer valid") as info:
        fresh(config).build_provider()
    assert info.value.permanent is True
