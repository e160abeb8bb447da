"""No API response, log record or last_error ever carries a stored secret."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client

from idkarr.accounts.models import ApiKey
from idkarr.api import api
from notifications import events
from notifications.models import Delivery
from tests.conftest import make_user
from tests.fakes import RIGHT_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]
NOTIFIER_TOKEN = "tok-Very-Secret-0123456789"


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def admin_client():
    user = make_user("admin", "root")
    _, raw = ApiKey.issue(user)
    return Client(HTTP_X_API_KEY=raw)


@pytest.fixture
def populated(admin_client):
    """Configs with secrets, a failed test, a health check and deliveries in every state."""
    dc = post(
        admin_client,
        "/api/v1/download-clients/",
        {"name": "dc", "kind": "fakeclient", "settings": {"password": RIGHT_PASSWORD}},
    ).json()
    post(
        admin_client,
        "/api/v1/download-clients/?force=true",
        {
            "name": "dc-wrong",
            "kind": "fakeclient",
            "settings": {"password": RIGHT_PASSWORD + "x", "mode": "down"},
        },
    )
    for mode in ("ok", "transient", "permanent"):
        post(
            admin_client,
            "/api/v1/notifications/?force=true",
            {
                "name": f"n-{mode}",
                "kind": "fakenotifier",
                "settings": {"mode": mode, "token": NOTIFIER_TOKEN},
            },
        )
    post(admin_client, "/api/v1/health/check", {})
    event = events.emit("grab", {"release": {"releaseTitle": "x"}}, source="test")
    for delivery in Delivery.objects.filter(event=event):
        events.deliver(delivery.pk)
    return dc


def _get_paths():
    schema = api.get_openapi_schema()
    return sorted(p for p, methods in schema["paths"].items() if "get" in methods)


def test_no_get_endpoint_returns_a_secret(admin_client, populated):
    assert Delivery.objects.exclude(last_error="").exists()  # the failure paths really ran
    for path in _get_paths():
        url = re.sub(r"\{[^}]+\}", str(populated["id"]), path)
        body = admin_client.get(url).content.decode()
        assert RIGHT_PASSWORD not in body, url
        assert NOTIFIER_TOKEN not in body, url


def test_no_log_record_contains_a_secret(admin_client, caplog):
    caplog.set_level(logging.DEBUG)
    post(
        admin_client,
        "/api/v1/download-clients/",
        {"name": "dc", "kind": "fakeclient", "settings": {"password": RIGHT_PASSWORD + "x"}},
    )
    post(admin_client, "/api/v1/health/check", {})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert RIGHT_PASSWORD not in text


def test_validation_errors_do_not_echo_the_submitted_secret(admin_client):
    response = post(
        admin_client,
        "/api/v1/download-clients/",
        {
            "name": "dc",
            "kind": "fakeclient",
            "settings": {"password": RIGHT_PASSWORD, "port": "not-a-port"},
        },
    )
    assert response.status_code == 422
    assert RIGHT_PASSWORD not in response.content.decode()


def test_secret_given_as_wrong_type_is_not_echoed(admin_client):
    response = post(
        admin_client,
        "/api/v1/notifications/",
        {"name": "n", "kind": "fakenotifier", "settings": {"token": {"nested": NOTIFIER_TOKEN}}},
    )
    assert response.status_code == 422
    assert NOTIFIER_TOKEN not in response.content.decode()


def test_log_filter_scrubs_credentials_in_urls():
    from idkarr.logging import scrub

    text = scrub("GET http://user:hunter2@host/api?apikey=abc123&t=1 X-Api-Key: zzz")
    assert "hunter2" not in text and "abc123" not in text and "zzz" not in text
