"""include_health_warnings: health issues of level warning reach only targets that opt in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.manager import manager
from notifications import events
from notifications.base import NotificationSettings
from notifications.models import Delivery, NotificationTarget
from tests.fakes import FakeNotifier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


def target(name: str, **settings) -> NotificationTarget:
    config, _ = manager.register(
        "notification", name=name, kind="fakenotifier", settings=settings, test=False
    )
    return config


def receivers() -> list[str]:
    return sorted(Delivery.objects.values_list("target__name", flat=True))


def test_the_option_is_off_by_default_and_stored_in_the_settings_json():
    assert NotificationSettings().include_health_warnings is False
    t = target("plain")
    assert t.settings["include_health_warnings"] is False
    on = target("warn", include_health_warnings=True)
    assert on.settings["include_health_warnings"] is True
    assert "include_health_warnings" in FakeNotifier.Settings.model_fields


def test_the_option_must_be_a_boolean():
    with pytest.raises(ValidationError):
        NotificationSettings(include_health_warnings="sometimes")


def test_a_warning_reaches_only_targets_that_include_warnings():
    target("errors-only")
    target("everything", include_health_warnings=True)
    events.emit("health_issue", {"level": "warning", "message": "qbit is degraded"})
    assert receivers() == ["everything"]


def test_an_error_reaches_every_health_subscriber():
    target("errors-only")
    target("everything", include_health_warnings=True)
    target("not-subscribed", on_health_issue=False, include_health_warnings=True)
    events.emit("health_issue", {"level": "error", "message": "qbit is unreachable"})
    assert receivers() == ["errors-only", "everything"]


def test_a_health_issue_without_a_level_counts_as_an_error():
    target("errors-only")
    events.emit("health_issue", {"message": "x"})
    assert receivers() == ["errors-only"]


def test_the_end_of_a_warning_reaches_only_targets_that_got_the_warning():
    target("errors-only")
    target("everything", include_health_warnings=True)
    restored = {"level": "ok", "message": "qbit is healthy again"}
    events.emit(
        "health_restored",
        {**restored, "integration": {"previousStatus": "degraded", "status": "healthy"}},
    )
    assert receivers() == ["everything"]
    Delivery.objects.all().delete()
    events.emit(
        "health_restored",
        {**restored, "integration": {"previousStatus": "unhealthy", "status": "healthy"}},
    )
    assert receivers() == ["errors-only", "everything"]


def test_other_events_ignore_the_option():
    target("errors-only")
    events.emit("grab", {"release": {}, "level": "warning"})
    assert receivers() == ["errors-only"]


def test_a_degraded_integration_notifies_only_targets_with_warnings_on():
    from django.utils import timezone

    from integrations.base import DEGRADED, HEALTHY, Health
    from integrations.health import Transition, emit_transition

    target("errors-only")
    target("everything", include_health_warnings=True)
    config = target("degraded-one", on_health_issue=False, on_health_restored=False)
    emit_transition(
        Transition(config, HEALTHY, DEGRADED, Health(DEGRADED, None, timezone.now(), "slow"))
    )
    assert receivers() == ["everything"]
    Delivery.objects.all().delete()
    emit_transition(Transition(config, DEGRADED, HEALTHY, Health(HEALTHY, 5, timezone.now(), "ok")))
    assert receivers() == ["everything"]
