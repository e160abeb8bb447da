"""Generic Torznab indexer (torrents): Jackett and Prowlarr feeds, or any site with a
Torznab API. The Newznab protocol with torrent attributes, so it builds on newznab.py;
on top it drops results below ``minimum_seeders`` (when the feed says how many seed)
and gives results the configured seed goals when the feed names none."""

from __future__ import annotations

from pydantic import Field

from integrations.base import ProviderSettings

from ..base import Capability, Protocol, SearchResult
from .newznab import Newznab, NewznabSettings


class SeedFields(ProviderSettings):
    minimum_seeders: int = Field(
        1, ge=0, description="Ignore releases with fewer seeders (when the indexer says)"
    )
    seed_ratio: float | None = Field(
        None, ge=0, description="Seed to this ratio, unless the indexer asks for more"
    )
    seed_time_minutes: int | None = Field(
        None, ge=0, description="Seed this long (minutes), unless the indexer asks for more"
    )


class TorznabSettings(NewznabSettings, SeedFields):
    pass


def apply_seed_rules(results: list[SearchResult], settings: SeedFields) -> list[SearchResult]:
    kept = []
    for result in results:
        if result.seeders is not None and result.seeders < settings.minimum_seeders:
            continue
        if result.minimum_ratio is None and settings.seed_ratio is not None:
            result.minimum_ratio = settings.seed_ratio
        if result.minimum_seed_time is None and settings.seed_time_minutes is not None:
            result.minimum_seed_time = settings.seed_time_minutes * 60
        kept.append(result)
    return kept


class Torznab(Newznab):
    kind = "torznab"
    label = "Torznab"
    protocol = Protocol.TORRENT
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.SEARCH,
            Capability.RSS,
            Capability.CAPS,
            Capability.DOWNLOAD,
        }
    )
    Settings = TorznabSettings
    settings: TorznabSettings

    def postprocess(self, results: list[SearchResult]) -> list[SearchResult]:
        return apply_seed_rules(results, self.settings)
