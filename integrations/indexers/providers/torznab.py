"""Generic Torznab indexer (torrents): Jackett and Prowlarr feeds, or any site with a
Torznab API. The Newznab protocol with torrent attributes, so it builds on newznab.py;
on top it drops results below ``minimum_seeders`` (when the feed says how many seed)
or without one of the ``required_flags``, and gives results the configured seed goals
when the feed names none (season packs their own seed time, as in Sonarr)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from integrations.base import ProviderSettings

from ..base import Capability, Protocol, SearchResult
from ..parsing import parse_release
from .newznab import Newznab, NewznabSettings

# Flags a tracker can set on a release (Radarr's required flags, in our names).
IndexerFlag = Literal[
    "freeleech", "freeleech75", "halfleech", "freeleech25", "double_upload", "internal", "scene"
]


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
    season_pack_seed_time_minutes: int | None = Field(
        None,
        ge=0,
        description=(
            "Seed season packs this long (minutes), unless the indexer asks for more "
            "(empty: the seed time above)"
        ),
    )
    required_flags: list[IndexerFlag] = Field(
        default_factory=list,
        description=(
            "Keep only releases with at least one of these flags (e.g. freeleech), as the "
            "indexer marks them (empty: keep all)"
        ),
    )


class TorznabSettings(NewznabSettings, SeedFields):
    pass


def apply_seed_rules(results: list[SearchResult], settings: SeedFields) -> list[SearchResult]:
    kept = []
    required = settings.required_flags
    pack_minutes = settings.season_pack_seed_time_minutes
    for result in results:
        if result.seeders is not None and result.seeders < settings.minimum_seeders:
            continue
        if required and not any(flag in result.indexer_flags for flag in required):
            continue
        if result.minimum_ratio is None and settings.seed_ratio is not None:
            result.minimum_ratio = settings.seed_ratio
        if result.minimum_seed_time is None:
            minutes = settings.seed_time_minutes
            if pack_minutes is not None and parse_release(result.title).full_season:
                minutes = pack_minutes
            if minutes is not None:
                result.minimum_seed_time = minutes * 60
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
