"""A notification target's periodic health check never sends a message."""

from __future__ import annotations

from integrations.base import HEALTHY, UNHEALTHY, UNKNOWN
from notifications.providers.webhook import Webhook
from tests.conftest import free_port
from tests.fakes import FakeNotifier
from tests.httpserver import RecordingServer


def webhook(url: str) -> Webhook:
    return Webhook(Webhook.Settings(url=url))


def test_webhook_health_sends_no_request():
    with RecordingServer() as srv:
        result = webhook(srv.url + "/hook").health()
        assert result.status == HEALTHY
        assert srv.requests == []


def test_webhook_health_is_unhealthy_when_the_host_refuses():
    result = webhook(f"http://127.0.0.1:{free_port()}/hook").health()
    assert result.status == UNHEALTHY
    assert "connection refused" in result.message


def test_target_without_url_reports_unknown_health():
    result = FakeNotifier(FakeNotifier.Settings()).health()
    assert result.status == UNKNOWN
    assert FakeNotifier.sent == []


def test_webhook_test_still_sends_a_real_message():
    with RecordingServer() as srv:
        assert webhook(srv.url + "/hook").run_test().ok
        assert srv.requests[0].json()["eventType"] == "Test"
