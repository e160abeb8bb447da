"""Prowlarr (API v1): search through its aggregate and fetch releases via its proxy.

Speaks Prowlarr's ``/api/v1`` REST API as of 1.x/2.x (shapes read from Prowlarr's
source at 2.x): ``system/status``, ``indexer``, ``tag``, ``appprofile`` and ``search``.
Pull sync of Prowlarr's indexers into idkarr lives in ``integrations.indexers.prowlarr_sync``;
this adapter gives it the indexer list.

Prowlarr has no aggregate RSS feed (its per-indexer Newznab/Torznab endpoints have
one each, which is what synced indexers use), so ``get_rss`` is unsupported here.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, field_validator

from integrations.base import TestResult
from integrations.errors import ConfigurationError, ProtocolError, UnsupportedError
from integrations.http import HttpClient, redact
from integrations.indexers.base import (
    ApiKeyMixin,
    Capabilities,
    Capability,
    Category,
    DownloadResult,
    Indexer,
    IndexerSettings,
    Protocol,
    SearchMode,
    SearchQuery,
    SearchResult,
)
from integrations.indexers.categories import CUSTOM_CATEGORY_MIN
from integrations.indexers.download import fetch_release

from .client import SERVICE, ProwlarrApi
from .mapping import RemoteIndexer, search_requests, to_remote_indexer, to_results

log = logging.getLogger(__name__)

# Sonarr's and Radarr's defaults in Prowlarr (SonarrSettings/RadarrSettings.SyncCategories).
TV_SYNC_CATEGORIES = [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5090]
MOVIE_SYNC_CATEGORIES = [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]
ANIME_SYNC_CATEGORIES = [5070]


class ProwlarrSettings(IndexerSettings, ApiKeyMixin):
    base_url: str = Field(
        ...,
        description="Prowlarr's address as you browse to it, with any URL base "
        "(e.g. http://localhost:9696 or https://example.org/prowlarr)",
    )
    sync_level: Literal["disabled", "add_remove", "full"] = Field(
        "full",
        description="Import Prowlarr's indexers: disabled; add and remove only; "
        "full sync (also keep their settings up to date)",
    )
    sync_categories: list[int] = Field(
        default_factory=lambda: TV_SYNC_CATEGORIES + MOVIE_SYNC_CATEGORIES,
        description="Only indexers with one of these categories are imported, with the "
        "categories they share",
    )
    anime_sync_categories: list[int] = Field(
        default_factory=lambda: list(ANIME_SYNC_CATEGORIES),
        description="Anime categories imported as the indexers' anime categories",
    )
    tags: list[int] = Field(
        default_factory=list,
        description="Prowlarr tag ids: only indexers with one of them are imported (empty: all)",
    )
    search_indexer_ids: list[int] = Field(
        default_factory=list,
        description="Prowlarr indexer ids a search through Prowlarr itself uses (empty: all)",
    )

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address with a host")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query string or fragment")
        return value.rstrip("/")

    @field_validator("sync_categories", "anime_sync_categories", "tags", "search_indexer_ids")
    @classmethod
    def _positive_unique(cls, value: list[int]) -> list[int]:
        if any(v < 0 for v in value):
            raise ValueError("must not contain negative numbers")
        return list(dict.fromkeys(value))


class Prowlarr(Indexer):
    kind = "prowlarr"
    label = "Prowlarr"
    version = "1.0"
    protocol = Protocol.TORRENT  # each result carries its own protocol
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.USENET,
            Capability.SEARCH,
            Capability.CAPS,
            Capability.DOWNLOAD,
            Capability.INDEXER_SYNC,
        }
    )
    Settings = ProwlarrSettings
    settings: ProwlarrSettings

    def __init__(self, settings: ProwlarrSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._api: ProwlarrApi | None = None

    @property
    def api(self) -> ProwlarrApi:
        if self._api is None:
            key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
            if not key:
                raise ConfigurationError(
                    "Set the API key (Prowlarr → Settings → General → Security → API Key)"
                )
            http = HttpClient(
                SERVICE,
                verify_tls=self.settings.verify_tls,
                read_timeout=self.settings.timeout_seconds,
                proxy=self.proxy,
            )
            self._api = ProwlarrApi(self.settings.base_url, key, http)
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.http.close()
            self._api = None

    # -- indexers ----------------------------------------------------------------------
    def remote_indexers(self) -> list[RemoteIndexer]:
        return [r for r in map(to_remote_indexer, self.api.indexers()) if r is not None]

    def matches_tags(self, indexer: RemoteIndexer) -> bool:
        return not self.settings.tags or bool(indexer.tags & set(self.settings.tags))

    # -- test --------------------------------------------------------------------------
    def test(self) -> TestResult:
        status = self.api.system_status()
        app = str(status.get("appName") or "")
        if app and app.lower() != "prowlarr":
            raise ConfigurationError(
                f"{redact(self.settings.base_url)} is {app}, not Prowlarr; use Prowlarr's address"
            )
        version = str(status.get("version") or "")
        if not version:
            raise ProtocolError("Prowlarr's system/status has no version; is this Prowlarr?")
        indexers = self.remote_indexers()
        message = f"Connected to Prowlarr {version}: {_plural(len(indexers), 'indexer')}"
        details: dict = {"version": version, "indexers": len(indexers)}
        if self.settings.tags:
            matching = sum(1 for i in indexers if self.matches_tags(i))
            message += f" ({matching} match the tags)"
            details["matching"] = matching
            known = {t.get("id") for t in self.api.tags() if isinstance(t, dict)}
            unknown = [t for t in self.settings.tags if t not in known]
            if unknown:
                message += f"; Prowlarr has no tag {', '.join(map(str, unknown))}"
                details.update(unknown_tags=unknown, degraded=True)
        return TestResult(True, message, details=details)

    # -- caps ----------------------------------------------------------------------------
    def caps(self, *, refresh: bool = False) -> Capabilities:
        """The union of the searched indexers' capabilities (enabled ones only)."""
        if self.known_caps is not None and not refresh:
            return self.known_caps
        wanted = set(self.settings.search_indexer_ids)
        indexers = [
            i for i in self.remote_indexers() if i.enable and (not wanted or i.id in wanted)
        ]
        caps = Capabilities(server_title="Prowlarr")
        for mode, attr in (
            ("search", "search_params"),
            ("tv-search", "tv_search_params"),
            ("movie-search", "movie_search_params"),
        ):
            params = sorted({p for i in indexers for p in getattr(i, attr)})
            caps.search_modes[mode] = SearchMode(available=bool(params), supported_params=params)
        caps.categories = _category_union(indexers)
        self.known_caps, self.caps_fetched_at = caps, datetime.now(UTC)
        return caps

    # -- search --------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> list[SearchResult]:
        results: list[SearchResult] = []
        seen: set[str] = set()
        for params in search_requests(
            query,
            indexer_ids=self.settings.search_indexer_ids,
            default_categories=self._default_categories(),
        ):
            for result in to_results(self.api.search(params)):
                if result.dedupe_key() not in seen:
                    seen.add(result.dedupe_key())
                    results.append(result)
        return results

    def _default_categories(self) -> dict[str, list[int]]:
        sync = self.settings.sync_categories
        return {
            "tv": [c for c in sync if 5000 <= c < 6000],
            "movie": [c for c in sync if 2000 <= c < 3000],
            "anime": list(self.settings.anime_sync_categories),
        }

    def get_rss(self, categories: list[int] | None = None) -> list[SearchResult]:
        raise UnsupportedError(
            "Prowlarr has no combined RSS feed; sync its indexers into idkarr "
            "(sync level add/remove or full) to get theirs"
        )

    # -- download ------------------------------------------------------------------------
    def download(self, result: SearchResult) -> DownloadResult:
        """The release's magnet, or its .torrent/.nzb fetched through Prowlarr's proxy
        (``/{id}/download?link=…``). The API key goes back into links to this Prowlarr
        only, as Prowlarr itself writes them; a host it redirects to never sees it."""
        link = result.download_url
        if link and self.api.is_own_url(link) and "apikey=" not in link.lower():
            link = with_api_key(link, self.api.api_key)
        return fetch_release(
            self.api.http, replace(result, download_url=link), protocol=result.protocol
        )


def with_api_key(url: str, key: str) -> str:
    parts = urlsplit(url)
    query = urlencode([("apikey", key), *parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit(parts._replace(query=query))


def _category_union(indexers: list[RemoteIndexer]) -> list[Category]:
    parents: dict[int, Category] = {}
    for indexer in indexers:
        for node in indexer.category_tree:
            cid = node.get("id")
            if not isinstance(cid, int) or cid >= CUSTOM_CATEGORY_MIN:
                continue
            parent = parents.setdefault(cid, Category(cid, str(node.get("name") or "")))
            known = {s.id for s in parent.subcategories}
            for sub in node.get("subCategories") or []:
                sid = sub.get("id") if isinstance(sub, dict) else None
                if isinstance(sid, int) and sid < CUSTOM_CATEGORY_MIN and sid not in known:
                    parent.subcategories.append(Category(sid, str(sub.get("name") or "")))
                    known.add(sid)
    for parent in parents.values():
        parent.subcategories.sort(key=lambda c: c.id)
    return [parents[k] for k in sorted(parents)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


__all__ = [
    "ANIME_SYNC_CATEGORIES",
    "MOVIE_SYNC_CATEGORIES",
    "TV_SYNC_CATEGORIES",
    "Prowlarr",
    "ProwlarrSettings",
]
