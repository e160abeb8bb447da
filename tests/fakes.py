"""Test-only providers whose behaviour is set by their settings (no network)."""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import Field, SecretStr

from integrations.base import TestResult
from integrations.downloadclients.base import DownloadClient, DownloadClientSettings
from integrations.errors import AuthenticationError, ConnectionFailed, RateLimited, ServerError
from notifications.base import NotificationSettings, Notifier

RIGHT_PASSWORD = "s3cr3t-Right-Password"


class FakeClientSettings(DownloadClientSettings):
    username: str = ""
    password: SecretStr | None = None
    mode: Literal["ok", "down", "degraded"] = "ok"


class FakeClient(DownloadClient):
    kind = "fakeclient"
    label = "Fake client"
    Settings = FakeClientSettings

    def test(self) -> TestResult:
        if self.settings.mode == "down":
            raise ConnectionFailed(
                f"Cannot reach Fake client at {self.settings.host}:{self.settings.port}"
            )
        password = self.settings.password.get_secret_value() if self.settings.password else ""
        if password != RIGHT_PASSWORD:
            raise AuthenticationError("Fake client rejected the username or password")
        details = {"version": "1.2.3"}
        if self.settings.mode == "degraded":
            details["degraded"] = True
        return TestResult(True, "Connected to Fake client 1.2.3", details=details)


class FakeNotifierSettings(NotificationSettings):
    mode: Literal["ok", "transient", "permanent", "ratelimit"] = "ok"
    token: SecretStr | None = Field(None, description="a secret")


class FakeNotifier(Notifier):
    kind = "fakenotifier"
    label = "Fake notifier"
    Settings = FakeNotifierSettings
    sent: list = []
    lock = threading.Lock()

    def send(self, message):
        mode = self.settings.mode
        if mode == "transient":
            raise ServerError("Fake notifier had a server error (HTTP 503)")
        if mode == "permanent":
            raise AuthenticationError("Fake notifier rejected the token")
        if mode == "ratelimit":
            raise RateLimited("Fake notifier is rate limiting", retry_after=120)
        with self.lock:
            FakeNotifier.sent.append((self.name, message.event_type, message.delivery_id))
        return {"status_code": 200}
