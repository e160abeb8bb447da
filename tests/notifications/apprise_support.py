"""Shared fixtures and helpers for the Apprise notifier tests."""

from __future__ import annotations

import pytest

from integrations.errors import (
    IntegrationError,
)
from notifications.base import EventMessage
from notifications.message import Rendered
from notifications.providers.apprise import Apprise, AppriseSettings
from notifications.samples import sample_message
from tests.httpserver import RecordingServer, Reply

PASSWORD = "proxy-pass-Q7w"
URL_PASSWORD = "url-pass-Z3k"
URL_TOKEN = "tok3nAbCdEf123"
EVENTS = ("grab", "download", "upgrade", "health_issue", "manual_test")
TYPES = {
    "grab": "info",
    "download": "success",
    "upgrade": "success",
    "health_issue": "warning",  # the sample's check level is a warning
    "manual_test": "info",
}
TITLES = {
    "grab": "Grabbed: Test Title S01E01 [WEBDL-1080p]",
    "download": "Imported: Test Title S01E01 [WEBDL-1080p]",
    "upgrade": "Upgraded: Test Title S01E01 [WEBDL-1080p]",
    "health_issue": "Health issue: Download client qBittorrent is unavailable",
    "manual_test": "Test notification from idkarr",
}


@pytest.fixture
def server():
    with RecordingServer() as srv:
        yield srv


def api(server_url: str, **settings) -> Apprise:
    settings.setdefault("config_key", "" if "urls" in settings else "idkarr")
    return Apprise(AppriseSettings(mode="api", server_url=server_url, **settings))


def library(*urls: str, **settings) -> Apprise:
    return Apprise(AppriseSettings(mode="library", urls="\n".join(urls), **settings))


def send(notifier: Apprise, event_type: str = "grab", message: EventMessage | None = None):
    with notifier:
        return notifier.send(message or sample_message(event_type))


def fails(notifier: Apprise, exc=IntegrationError, event_type: str = "grab"):
    with pytest.raises(exc) as caught:
        send(notifier, event_type)
    return caught.value


def ok_json(details=None) -> Reply:
    return Reply(200, {"error": None, "details": details or []})


def long_render(monkeypatch) -> None:
    """Text far over every limit (payload summaries already cap their own lines)."""
    import notifications.providers.apprise as module

    long = Rendered("grab", "T" * 1_000, "\n".join(["x" * 1_000] * 100), [("Size", "1 GB")])
    monkeypatch.setattr(module, "render", lambda message: long)
