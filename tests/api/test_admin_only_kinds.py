"""Kinds marked admin_only (custom scripts) can be configured by admins only."""

from __future__ import annotations

import json

import pytest

from notifications.models import NotificationTarget
from notifications.registry import registry
from tests.fakes import AdminOnlyNotifier

pytestmark = pytest.mark.django_db
BASE = "/api/v1/notifications/"


@pytest.fixture(autouse=True)
def admin_only_kind(fake_providers):
    registry.register(AdminOnlyNotifier)
    yield
    registry._kinds.pop(AdminOnlyNotifier.kind, None)


def create(client):
    body = {"name": "script", "kind": AdminOnlyNotifier.kind, "settings": {}}
    return client.post(BASE + "?force=true", data=json.dumps(body), content_type="application/json")


def test_operator_cannot_add_an_admin_only_kind(api_client_for):
    response = create(api_client_for("operator"))
    assert response.status_code == 403
    assert response.json()["details"]["needed_role"] == "admin"


def test_admin_can_add_an_admin_only_kind(api_client_for):
    assert create(api_client_for("admin")).status_code == 201


def test_operator_cannot_test_or_delete_an_admin_only_target(api_client_for):
    target_id = create(api_client_for("admin")).json()["id"]
    operator = api_client_for("operator")
    assert operator.post(f"{BASE}{target_id}/test").status_code == 403
    assert operator.delete(f"{BASE}{target_id}").status_code == 403
    assert NotificationTarget.objects.filter(pk=target_id).exists()


def test_kinds_say_which_are_admin_only(api_client_for):
    kinds = {k["kind"]: k for k in api_client_for("viewer").get(BASE + "kinds").json()}
    assert kinds[AdminOnlyNotifier.kind]["admin_only"] is True
    assert kinds["webhook"]["admin_only"] is False
