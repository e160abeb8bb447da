"""The notification family contract (seed: Notification Interface, Webhooks).

Every target kind subscribes to the 14 event types through settings booleans
named ``on_<event_type>``; ``send`` delivers one event or raises the error tree
(transient errors are retried by the outbox, permanent ones fail the delivery).
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, create_model

from integrations.base import (
    HEALTHY,
    UNHEALTHY,
    UNKNOWN,
    Health,
    Provider,
    ProviderSettings,
    TestResult,
)
from integrations.http import CONNECT_TIMEOUT, READ_TIMEOUT, HttpClient

FAMILY = "notification"

EVENT_TYPES: tuple[str, ...] = (
    "grab",
    "download",
    "upgrade",
    "rename",
    "series_add",
    "series_delete",
    "episode_file_delete",
    "movie_add",
    "movie_delete",
    "movie_file_delete",
    "health_issue",
    "health_restored",
    "app_update",
    "manual_test",
)

EVENT_LABELS: dict[str, str] = {
    "grab": "Release grabbed",
    "download": "Download imported",
    "upgrade": "Upgrade imported",
    "rename": "Files renamed",
    "series_add": "Series added",
    "series_delete": "Series deleted",
    "episode_file_delete": "Episode file deleted",
    "movie_add": "Movie added",
    "movie_delete": "Movie deleted",
    "movie_file_delete": "Movie file deleted",
    "health_issue": "Health issue",
    "health_restored": "Health restored",
    "app_update": "Application updated",
    "manual_test": "Test notification",
}


def flag_name(event_type: str) -> str:
    return f"on_{event_type}"


# Subscriptions default on for everything but the noisy library-maintenance events.
_DEFAULT_OFF = {"rename"}

NotificationSettings = create_model(
    "NotificationSettings",
    __base__=ProviderSettings,
    **{
        flag_name(e): (
            bool,
            Field(e not in _DEFAULT_OFF, description=f"Send on: {EVENT_LABELS[e]}"),
        )
        for e in EVENT_TYPES
    },
    include_health_warnings=(
        bool,
        Field(
            False,
            description="Also send health issues of level warning (degraded); off: only errors",
            json_schema_extra={"fieldset": "Events"},
        ),
    ),
    min_interval_seconds=(
        int,
        Field(
            0,
            ge=0,
            le=3600,
            description=(
                "Minimum seconds between two messages to this target, for services that "
                "rate-limit; later messages wait their turn (0: no limit)"
            ),
            json_schema_extra={"fieldset": "Delivery"},
        ),
    ),
)
NotificationSettings.__doc__ = (
    "Fields every notification target shares: one subscription flag per event type, "
    "whether health warnings are sent, and a minimum interval between messages."
)


@dataclass
class EventMessage:
    """One event as a target receives it: the stored Event, read back."""

    event_type: str
    payload: dict[str, Any]
    event_id: int | None = None
    delivery_id: int | None = None
    created_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    instance_name: str = "idkarr"
    application_url: str = ""


class Notifier(Provider):
    """Base of every notification target."""

    family = FAMILY
    Settings = NotificationSettings
    http_service = ""  # the name HTTP errors give the service (default: the label)
    _http = None

    def make_http(self) -> HttpClient:
        """The target's HTTP client: TLS verification and timeout from its settings
        when it has them (``verify_tls``, ``timeout_seconds``), else the defaults."""
        timeout = getattr(self.settings, "timeout_seconds", READ_TIMEOUT)
        return HttpClient(
            self.http_service or self.label,
            verify_tls=getattr(self.settings, "verify_tls", True),
            connect_timeout=min(CONNECT_TIMEOUT, timeout),
            read_timeout=timeout,
            proxy=self.proxy,
        )

    @property
    def http(self) -> HttpClient:
        """Built on first use, closed by ``close()``."""
        if self._http is None:
            self._http = self.make_http()
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def send(self, message: EventMessage) -> dict[str, Any]:
        """Deliver one event. Returns details for the delivery log (status code, remote id…).
        Raises IntegrationError subclasses on failure."""
        raise NotImplementedError

    def health_url(self) -> str | None:
        """The URL whose host the periodic health check may probe, if any."""
        return None

    @staticmethod
    def origin(url: str) -> str:
        """``scheme://host[:port]/`` of ``url``: a secret webhook URL's probe target
        without its token path or credentials."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/"

    def health(self) -> Health:
        """Passive: never sends a message (``test`` does). Probes that the target's
        host accepts a TCP connection, when the target has a URL."""
        now = datetime.now(UTC)
        url = self.health_url()
        if not url:
            return Health(
                UNKNOWN, None, now, "Not checked periodically; press Test to send a message"
            )
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        started = time.monotonic()
        try:
            with socket.create_connection((parts.hostname, port), timeout=5):
                pass
        except OSError as exc:
            reason = (
                "connection refused"
                if isinstance(exc, ConnectionRefusedError)
                else type(exc).__name__
            )
            return Health(
                UNHEALTHY,
                None,
                now,
                f"Cannot reach {self.label} at {parts.hostname}:{port}: {reason}",
            )
        latency = int((time.monotonic() - started) * 1000)
        return Health(
            HEALTHY, latency, now, f"{parts.hostname}:{port} is reachable (no message sent)"
        )

    def test(self) -> TestResult:
        """A test of a notification target is a real ``manual_test`` message."""
        from .samples import test_message

        details = self.send(test_message())
        return TestResult(True, f"Test message delivered to {self.label}", details=details)
