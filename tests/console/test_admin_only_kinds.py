"""The console hides admin-only kinds (custom scripts) from operators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.registry import registry
from tests.fakes import AdminOnlyNotifier

pytestmark = pytest.mark.django_db
ADD = reverse("admin:notifications_notificationtarget_add")


@pytest.fixture(autouse=True)
def admin_only_kind(fake_providers):
    registry.register(AdminOnlyNotifier)
    yield
    registry._kinds.pop(AdminOnlyNotifier.kind, None)


def test_kind_picker_hides_admin_only_kinds_from_operators(client_for):
    page = client_for("operator").get(ADD).content.decode()
    assert "Fake notifier" in page
    assert "Admin-only notifier" not in page


def test_kind_picker_shows_admin_only_kinds_to_admins(client_for):
    assert "Admin-only notifier" in client_for("admin").get(ADD).content.decode()


def test_operator_cannot_save_an_admin_only_kind(client_for):
    response = client_for("operator").post(
        ADD + f"?kind={AdminOnlyNotifier.kind}", {"name": "s", "enabled": "on", "_force": "1"}
    )
    assert response.status_code == 403
