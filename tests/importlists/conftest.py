"""Test-only kinds: an import list whose items are its settings, and a metadata
source answering from a class-level catalogue (no network)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest
from pydantic import Field

from importlists.base import ImportListSettings, ListItem, ListProvider
from integrations.base import TestResult
from integrations.errors import ServerError
from integrations.metadata.base import (
    Capability,
    EpisodeMetadata,
    MetadataSettings,
    MetadataSource,
    MovieMetadata,
    SeriesMetadata,
)


class FakeListSettings(ImportListSettings):
    items: list[dict] = Field([], description="ListItem fields, one dict per entry")
    mode: Literal["ok", "down"] = Field("ok", description="What fetch does")
    token: str = Field("", description="A credential the list rotates on each fetch")


class FakeList(ListProvider):
    kind = "fakelist"
    label = "Fake list"
    Settings = FakeListSettings
    min_refresh_minutes = 60

    def fetch(self) -> list[ListItem]:
        if self.settings.token:
            self.updated_settings = {"token": self.settings.token + "+"}
        if self.settings.mode == "down":
            raise ServerError(f"{self.name} had a server error (HTTP 503)")
        return [ListItem(**item) for item in self.settings.items]

    def test(self) -> TestResult:
        return TestResult(True, "ok")


class FakeMetadataSettings(MetadataSettings):
    mode: Literal["ok", "down"] = Field("ok", description="What every call does")


class FakeMetadata(MetadataSource):
    """Knows the series and movies in ``catalogue`` by any of their ids."""

    kind = "fakemeta"
    label = "Fake metadata"
    Settings = FakeMetadataSettings
    capabilities = frozenset({Capability.SERIES, Capability.MOVIES, Capability.EPISODES})
    catalogue: list[SeriesMetadata | MovieMetadata] = []
    episode_lists: dict[str, list[EpisodeMetadata]] = {}

    def _check(self) -> None:
        if self.settings.mode == "down":
            raise ServerError(f"{self.name} had a server error (HTTP 500)")

    def _find(self, cls, source: str, value: str):
        self._check()
        for entry in self.catalogue:
            if isinstance(entry, cls) and str(getattr(entry, f"{source}_id") or "") == value:
                return entry
        return None

    def find_series(self, source, value):
        return self._find(SeriesMetadata, source, value)

    def find_movie(self, source, value):
        return self._find(MovieMetadata, source, value)

    def episodes(self, series_id, season=None):
        self._check()
        return list(self.episode_lists.get(series_id, []))

    def test(self) -> TestResult:
        return TestResult(True, "ok")


def episode(season: int, number: int, aired: date | None = None) -> EpisodeMetadata:
    return EpisodeMetadata(
        id=f"{season}x{number}",
        series_id="s",
        season_number=season,
        episode_number=number,
        title=f"Episode {number}",
        air_date=aired,
    )


@pytest.fixture
def fake_kinds():
    from importlists.registry import registry as lists
    from integrations.metadata.registry import registry as sources

    added = []
    for registry, cls in ((lists, FakeList), (sources, FakeMetadata)):
        if cls.kind not in registry:
            registry.register(cls)
            added.append((registry, cls))
    FakeMetadata.catalogue, FakeMetadata.episode_lists = [], {}
    yield
    for registry, cls in added:
        registry._kinds.pop(cls.kind, None)


def make_list(name="Watchlist", *, tags=(), enabled=True, **settings):
    from idkarr.library.models import Tag
    from importlists.models import ImportList

    config = ImportList(name=name, kind=FakeList.kind, enabled=enabled)
    config.apply_settings(FakeListSettings.model_validate(settings))
    config.save()
    if tags:
        config.tags.set(Tag.resolve(list(tags)))
    return config


def make_source(name="Meta", **settings):
    from integrations.metadata.models import MetadataSource as SourceConfig

    config = SourceConfig(name=name, kind=FakeMetadata.kind)
    config.apply_settings(FakeMetadataSettings.model_validate(settings))
    config.save()
    return config
