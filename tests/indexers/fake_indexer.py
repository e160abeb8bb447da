"""A test-only indexer whose answers are set by its settings (no network).

``items`` are ``"guid|title|infohash|seeders"`` strings; ``mode`` picks a failure;
``delay`` sleeps before answering (the fan-out's timeout tests).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from pydantic import Field, SecretStr

from integrations.base import TestResult
from integrations.errors import AuthenticationError, RateLimited, ServerError
from integrations.indexers.base import (
    Capabilities,
    DownloadResult,
    Indexer,
    IndexerSettings,
    Protocol,
    SearchMode,
    SearchResult,
)


class FakeIndexerSettings(IndexerSettings):
    api_key: SecretStr | None = None
    mode: Literal["ok", "auth", "ratelimit", "server", "bug"] = "ok"
    delay: float = Field(0.0, ge=0)
    items: list[str] = []
    usenet: bool = False


class FakeIndexer(Indexer):
    kind = "fakeindexer"
    label = "Fake indexer"
    Settings = FakeIndexerSettings
    searches: list[tuple[str, object]] = []
    # When set, every answer waits until as many queries are in flight as the barrier's
    # parties (a failure after its timeout): proof that queries run concurrently.
    gate: threading.Barrier | None = None

    def _answer(self) -> list[SearchResult]:
        s = self.settings
        if self.gate is not None:
            try:
                self.gate.wait()
            except threading.BrokenBarrierError:
                raise ServerError(f"{self.name} waited alone at the gate") from None
        if s.delay:
            time.sleep(s.delay)
        if s.mode == "auth":
            raise AuthenticationError(f"{self.name} says the API key is wrong")
        if s.mode == "ratelimit":
            raise RateLimited(f"{self.name}: request limit reached", retry_after=7200)
        if s.mode == "server":
            raise ServerError(f"{self.name} had a server error (HTTP 500)")
        if s.mode == "bug":
            raise KeyError("boom")
        key = s.api_key.get_secret_value() if s.api_key else "nokey"
        out = []
        for n, spec in enumerate(s.items):
            guid, title, infohash, seeders = (spec.split("|") + ["", "", "", ""])[:4]
            out.append(
                SearchResult(
                    indexer_id=None,
                    indexer_name=self.name,
                    guid=guid,
                    title=title,
                    size=1_000_000 * (n + 1),
                    publish_date=datetime.now(UTC) - timedelta(hours=n + 1),
                    download_url=f"http://127.0.0.1:9/dl/{guid}?apikey={key}",
                    protocol=Protocol.USENET if s.usenet else Protocol.TORRENT,
                    infohash=infohash or None,
                    seeders=int(seeders) if seeders else None,
                    categories=[5040],
                )
            )
        return out

    def caps(self, *, refresh: bool = False) -> Capabilities:
        if self.known_caps is None or refresh:
            self.known_caps = Capabilities(search_modes={"search": SearchMode(True, ["q"])})
            self.caps_fetched_at = datetime.now(UTC)
        return self.known_caps

    def search(self, query):
        FakeIndexer.searches.append((self.name, query))
        self.caps()
        return self._answer()

    def get_rss(self, categories=None):
        return self._answer()

    def download(self, result: SearchResult) -> DownloadResult:
        FakeIndexer.downloads.append(result.download_url)
        return DownloadResult(result.protocol, magnet=f"magnet:?xt=urn:btih:{'a' * 40}")

    downloads: list[str] = []

    def test(self) -> TestResult:
        self._answer()
        return TestResult(True, "ok")


@pytest.fixture
def fake_indexer_kind():
    from integrations.health import providers
    from integrations.indexers.registry import registry

    added = FakeIndexer.kind not in registry
    if added:
        registry.register(FakeIndexer)
    FakeIndexer.searches, FakeIndexer.downloads = [], []
    providers.clear()
    yield FakeIndexer
    providers.clear()
    if added:
        registry._kinds.pop(FakeIndexer.kind, None)


def make_indexer(name: str, *, priority: int = 25, api_key: str = "", **settings):
    from integrations.indexers.models import Indexer as IndexerConfig

    config = IndexerConfig(name=name, kind=FakeIndexer.kind)
    data = {"priority": priority, **settings}
    if api_key:
        data["api_key"] = api_key
    config.apply_settings(FakeIndexerSettings.model_validate(data))
    config.save()
    return config
