"""A test-only media server kind whose outcome is set by its settings (no network),
and a fixture that records enqueued library updates instead of sending them."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import Field

from integrations.base import TestResult
from integrations.errors import AuthenticationError, ServerError
from integrations.mediaservers import updates
from integrations.mediaservers.base import LibraryChange, MediaServer, MediaServerSettings


class FakeMediaServerSettings(MediaServerSettings):
    mode: Literal["ok", "down", "auth", "bug"] = Field("ok", description="What every call does")


class FakeMediaServer(MediaServer):
    kind = "fakemedia"
    label = "Fake media server"
    Settings = FakeMediaServerSettings
    changes: list[tuple[str, LibraryChange]] = []

    def _answer(self) -> None:
        mode = self.settings.mode
        if mode == "down":
            raise ServerError(f"{self.name} had a server error (HTTP 503)")
        if mode == "auth":
            raise AuthenticationError(f"{self.name} refused the token")
        if mode == "bug":
            raise KeyError("boom")

    def update_library(self, change: LibraryChange) -> str:
        self._answer()
        FakeMediaServer.changes.append((self.name, change))
        return f"Scanned {self.settings.server_path(change.path)}"

    def test(self) -> TestResult:
        self._answer()
        return TestResult(True, "ok")


@pytest.fixture
def fake_media_kind():
    from integrations.mediaservers.registry import registry

    added = FakeMediaServer.kind not in registry
    if added:
        registry.register(FakeMediaServer)
    FakeMediaServer.changes = []
    yield FakeMediaServer
    if added:
        registry._kinds.pop(FakeMediaServer.kind, None)


def make_server(name: str, *, tags: tuple[str, ...] = (), enabled: bool = True, **settings):
    from idkarr.library.models import Tag
    from integrations.mediaservers.models import MediaServer as MediaServerConfig

    config = MediaServerConfig(name=name, kind=FakeMediaServer.kind, enabled=enabled)
    config.apply_settings(FakeMediaServerSettings.model_validate(settings))
    config.save()
    if tags:
        config.tags.set(Tag.resolve(list(tags)))
    return config


@pytest.fixture
def no_enqueue(monkeypatch):
    """Enqueued updates as (ids, countdown), not sent to a broker."""
    queued: list[tuple[list[int], float]] = []
    monkeypatch.setattr(
        updates, "enqueue", lambda ids, countdown=0: queued.append((list(ids), countdown))
    )
    return queued
