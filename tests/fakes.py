"""Test-only providers whose behaviour is set by their settings (no network)."""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import Field, SecretStr

from integrations.base import TestResult
from integrations.downloadclients.base import (
    AddRequest,
    DownloadClient,
    DownloadClientSettings,
    DownloadItem,
    DownloadStatus,
)
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    NotFoundError,
    RateLimited,
    ServerError,
)
from notifications.base import NotificationSettings, Notifier

RIGHT_PASSWORD = "s3cr3t-Right-Password"


class FakeClientSettings(DownloadClientSettings):
    username: str = ""
    password: SecretStr | None = None
    mode: Literal["ok", "down", "degraded"] = "ok"
    categories: bool = True  # False: set_category is unsupported, like aria2


class FakeClient(DownloadClient):
    kind = "fakeclient"
    label = "Fake client"
    Settings = FakeClientSettings
    capabilities = frozenset({"torrent", "magnet", "torrent_file", "url"})

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

    # -- an in-memory queue per client name: FakeClient.queues[name][id] = DownloadItem
    queues: dict[str, dict[str, DownloadItem]] = {}
    calls: list[tuple] = []
    added: list[tuple[str, AddRequest]] = []

    @classmethod
    def reset(cls) -> None:
        cls.queues, cls.calls, cls.added = {}, [], []

    @classmethod
    def put(cls, name: str, download_id: str, **fields) -> DownloadItem:
        values = {"title": download_id, "status": DownloadStatus.DOWNLOADING, "progress": 0.5}
        values |= {"size": 1000, "size_left": 500, **fields}
        item = DownloadItem(id=download_id, **values)
        cls.queues.setdefault(name, {})[download_id] = item
        return item

    def _queue(self) -> dict[str, DownloadItem]:
        if self.settings.mode == "down":
            raise ConnectionFailed(
                f"Cannot reach Fake client at {self.settings.host}:{self.settings.port}"
            )
        return FakeClient.queues.setdefault(self.name, {})

    def add(self, request: AddRequest) -> str:
        queue = self._queue()
        kind = request.payload_kind()
        if request.category == "refused":
            raise ConfigurationError("Fake client refused the category 'refused'")
        if kind == "magnet":
            marker = "xt=urn:btih:"
            if marker not in request.magnet:
                raise ConfigurationError("Fake client: the magnet has no btih")
            download_id = request.magnet.split(marker)[1].split("&")[0].lower()
        else:
            download_id = f"{kind}-{len(FakeClient.added) + 1}"
        FakeClient.added.append((self.name, request))
        queue[download_id] = DownloadItem(
            id=download_id,
            title=request.name or download_id,
            status=DownloadStatus.PAUSED if request.paused else DownloadStatus.QUEUED,
            progress=0.0,
            size=0,
            size_left=0,
            category=request.category or "",
        )
        return download_id

    def get_downloads(self) -> list[DownloadItem]:
        return [DownloadItem(**vars(item)) for item in self._queue().values()]

    def _item(self, download_id: str) -> DownloadItem:
        item = self._queue().get(download_id)
        if item is None:
            raise NotFoundError(f"Fake client has no download {download_id}")
        return item

    def pause(self, download_id: str) -> None:
        self._item(download_id).status = DownloadStatus.PAUSED
        FakeClient.calls.append(("pause", self.name, download_id))

    def resume(self, download_id: str) -> None:
        self._item(download_id).status = DownloadStatus.DOWNLOADING
        FakeClient.calls.append(("resume", self.name, download_id))

    def remove(self, download_id: str, delete_data: bool = False) -> None:
        self._item(download_id)
        del self._queue()[download_id]
        FakeClient.calls.append(("remove", self.name, download_id, delete_data))

    def set_category(self, download_id: str, category: str) -> None:
        if not self.settings.categories:
            super().set_category(download_id, category)
        self._item(download_id).category = category
        FakeClient.calls.append(("set_category", self.name, download_id, category))

    def set_priority(self, download_id: str, priority) -> None:
        self._item(download_id)
        FakeClient.calls.append(("set_priority", self.name, download_id, str(priority)))


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


class AdminOnlyNotifier(FakeNotifier):
    """Like a custom script: only admins may configure, test or remove it."""

    kind = "adminonlynotifier"
    label = "Admin-only notifier"
    admin_only = True
