"""The indexer family contract (seed: Indexer Interface).

An indexer answers ``caps()``, ``search(query)``, ``get_rss(categories)`` and
``download(result)``. Results are ``SearchResult`` objects; raw XML/JSON never
leaves a provider. Verbs an indexer lacks raise ``UnsupportedError``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, SecretStr

from integrations.base import Provider, ProviderSettings
from integrations.errors import UnsupportedError
from integrations.proxies.base import ProxySetting

FAMILY = "indexer"


class Protocol(StrEnum):
    TORRENT = "torrent"
    USENET = "usenet"


class QueryType(StrEnum):
    SEARCH = "search"  # free text
    SERIES = "series"
    SEASON = "season"
    EPISODE = "episode"
    DAILY = "daily"
    ANIME = "anime"
    MOVIE = "movie"


class Capability(StrEnum):
    TORRENT = "torrent"
    USENET = "usenet"
    SEARCH = "search"
    RSS = "rss"
    CAPS = "caps"
    DOWNLOAD = "download"
    INDEXER_SYNC = "indexer_sync"  # imports other indexers (Prowlarr)


@dataclass
class SearchQuery:
    """What to look for (seed: SearchQuery). ``episodes`` holds one or several numbers."""

    type: QueryType = QueryType.SEARCH
    search_term: str = ""
    tvdb_id: int | None = None
    imdb_id: str | None = None  # "tt0944947"
    tmdb_id: int | None = None
    tvmaze_id: int | None = None
    season: int | None = None
    episodes: list[int] = field(default_factory=list)
    air_date: date | None = None
    absolute_episode: int | None = None
    categories: list[int] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None

    @property
    def is_tv(self) -> bool:
        return self.type not in (QueryType.SEARCH, QueryType.MOVIE)


@dataclass(slots=True)
class SearchResult:
    """One release an indexer offers (seed: SearchResult).

    Slotted: a fan-out builds thousands of these. The feed parser builds them with
    positional arguments (see newznab_xml.item), so new fields go at the end."""

    indexer_id: int | None
    indexer_name: str
    guid: str
    title: str
    size: int
    publish_date: datetime | None
    download_url: str
    protocol: Protocol
    info_url: str = ""
    seeders: int | None = None
    leechers: int | None = None
    grabs: int | None = None
    categories: list[int] = field(default_factory=list)
    imdb_id: str | None = None
    tvdb_id: int | None = None
    tvmaze_id: int | None = None
    tmdb_id: int | None = None
    infohash: str | None = None
    magnet_url: str | None = None
    freeleech: bool = False
    internal: bool = False
    scene: bool = False
    download_volume_factor: float = 1.0
    upload_volume_factor: float = 1.0
    minimum_ratio: float | None = None
    minimum_seed_time: int | None = None  # seconds
    indexer_flags: list[str] = field(default_factory=list)
    quality: Any = None  # the parsed release (integrations.indexers.parsing), set by search
    blocklisted: str | None = None  # why, when it matches the blocklist (set by search)

    @property
    def age_days(self) -> float | None:
        if self.publish_date is None:
            return None
        return max(0.0, (datetime.now(UTC) - self.publish_date).total_seconds() / 86400)

    def dedupe_key(self) -> str:
        """Same infohash, else same guid: the same release."""
        if self.infohash:
            return "btih:" + self.infohash.lower()
        return "guid:" + self.guid

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _RESULT_FIELDS}
        data["protocol"] = str(self.protocol)
        data["publish_date"] = self.publish_date.isoformat() if self.publish_date else None
        data["categories"] = list(self.categories)
        data["indexer_flags"] = list(self.indexer_flags)
        age = self.age_days
        data["age"] = int(age) if age is not None else None
        data["age_hours"] = round(age * 24, 1) if age is not None else None
        quality = self.quality
        data["quality"] = quality.to_dict() if hasattr(quality, "to_dict") else quality
        return data


_RESULT_FIELDS = tuple(f.name for f in fields(SearchResult))


@dataclass
class Category:
    id: int
    name: str
    subcategories: list[Category] = field(default_factory=list)


@dataclass
class SearchMode:
    available: bool = False
    supported_params: list[str] = field(default_factory=list)  # lowercase: q, season, ep, tvdbid…
    search_engine: str = ""  # "raw" where the indexer says so


@dataclass
class Capabilities:
    """What an indexer's ``t=caps`` document says (seed: IndexerCapabilities)."""

    search_modes: dict[str, SearchMode] = field(
        default_factory=dict
    )  # search, tv-search, movie-search…
    categories: list[Category] = field(default_factory=list)
    limit_max: int = 100
    limit_default: int = 100
    server_title: str = ""
    server_version: str = ""
    tags: list[str] = field(default_factory=list)

    def mode(self, name: str) -> SearchMode:
        return self.search_modes.get(name) or SearchMode()

    def supports(self, mode: str, param: str) -> bool:
        m = self.mode(mode)
        return m.available and param in m.supported_params

    @property
    def supports_raw_search(self) -> bool:
        return self.mode("search").search_engine == "raw"

    @property
    def supports_tvdb_search(self) -> bool:
        return self.supports("tv-search", "tvdbid")

    @property
    def supports_imdb_search(self) -> bool:
        return self.supports("tv-search", "imdbid") or self.supports("movie-search", "imdbid")

    @property
    def supports_tmdb_search(self) -> bool:
        return self.supports("tv-search", "tmdbid") or self.supports("movie-search", "tmdbid")

    @property
    def supports_tvmaze_search(self) -> bool:
        return self.supports("tv-search", "tvmazeid")

    @property
    def supports_season_search(self) -> bool:
        return self.supports("tv-search", "season")

    @property
    def supports_episode_search(self) -> bool:
        return self.supports("tv-search", "season") and self.supports("tv-search", "ep")

    @property
    def supports_daily_search(self) -> bool:
        return self.supports_episode_search

    @property
    def supports_anime_search(self) -> bool:
        return self.mode("tv-search").available or self.mode("search").available

    def category_ids(self) -> set[int]:
        ids: set[int] = set()
        for cat in self.categories:
            ids.add(cat.id)
            ids.update(sub.id for sub in cat.subcategories)
        return ids

    def summary(self) -> dict[str, Any]:
        """The flags the API and console show."""
        return {
            name: getattr(self, name)
            for name in (
                "supports_raw_search",
                "supports_tvdb_search",
                "supports_imdb_search",
                "supports_tmdb_search",
                "supports_tvmaze_search",
                "supports_season_search",
                "supports_episode_search",
                "supports_daily_search",
                "supports_anime_search",
            )
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["flags"] = self.summary()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Capabilities:
        def category(d: dict) -> Category:
            return Category(
                int(d["id"]), d.get("name", ""), [category(s) for s in d.get("subcategories", [])]
            )

        return cls(
            search_modes={
                k: SearchMode(
                    bool(v.get("available")),
                    list(v.get("supported_params", [])),
                    v.get("search_engine", ""),
                )
                for k, v in (data.get("search_modes") or {}).items()
            },
            categories=[category(c) for c in data.get("categories") or []],
            limit_max=int(data.get("limit_max") or 100),
            limit_default=int(data.get("limit_default") or 100),
            server_title=data.get("server_title", ""),
            server_version=data.get("server_version", ""),
            tags=list(data.get("tags") or []),
        )


@dataclass
class DownloadResult:
    """What ``download()`` fetched: a magnet link or the file's bytes."""

    protocol: Protocol
    magnet: str | None = None
    torrent: bytes | None = None
    nzb: bytes | None = None
    filename: str = ""


class IndexerSettings(ProxySetting):
    """Fields every indexer shares. ``priority`` and the enable flags are real columns."""

    priority: int = Field(
        25, ge=1, le=50, description="1 is tried first; among equal releases the lower wins"
    )
    enable_rss: bool = Field(True, description="Include this indexer in RSS sync")
    rss_interval: int | None = Field(
        None,
        ge=10,
        le=1440,
        description="Minutes between RSS syncs of this indexer (empty: the install's default)",
    )
    enable_search: bool = Field(True, description="Include this indexer in searches")
    verify_tls: bool = Field(
        True, description="Verify the TLS certificate (turn off only for self-signed)"
    )
    timeout_seconds: float = Field(
        30.0, gt=0, le=300, description="A search waits this long for this indexer, then goes on"
    )
    query_limit: int | None = Field(
        None,
        ge=1,
        description=(
            "At most this many queries (searches and RSS fetches) a day, UTC; the indexer is "
            "left out once they are spent (empty: no limit)"
        ),
    )
    grab_limit: int | None = Field(
        None, ge=1, description="At most this many grabs a day, UTC (empty: no limit)"
    )
    download_client_id: int | None = Field(
        None,
        ge=1,
        title="Download client",
        description=(
            "Send this indexer's grabs to this download client (empty: the enabled client "
            "for the release's protocol with the best client priority)"
        ),
        json_schema_extra={"choices_from": "download_clients"},
    )


class ApiKeyMixin(ProviderSettings):
    api_key: SecretStr | None = Field(None, description="API key")


class Indexer(Provider):
    """Base of every indexer. Unimplemented verbs raise UnsupportedError."""

    family = FAMILY
    protocol: Protocol = Protocol.TORRENT

    def __init__(self, settings: ProviderSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        # Caps known to the caller (the model's cache) may be handed in here; a provider
        # that fetches caps from the network sets both and the caller stores them.
        self.known_caps: Capabilities | None = None
        self.caps_fetched_at: datetime | None = None
        # The indexer's own word on its daily limits, from its last answer (Newznab's
        # <newznab:apilimits>; newznab_xml.ApiLimits), for the caller to record.
        self.api_limits = None

    def caps(self, *, refresh: bool = False) -> Capabilities:
        raise UnsupportedError(f"{self.label} has no capabilities document")

    def search(self, query: SearchQuery) -> list[SearchResult]:
        raise UnsupportedError(f"{self.label} cannot search")

    def get_rss(self, categories: list[int] | None = None) -> list[SearchResult]:
        raise UnsupportedError(f"{self.label} has no RSS feed")

    def download(self, result: SearchResult) -> DownloadResult:
        raise UnsupportedError(f"{self.label} cannot fetch releases")
