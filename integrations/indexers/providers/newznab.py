"""Generic Newznab indexer (Usenet): NZBgeek, NZBPlanet, DrunkenSlug, nZEDb/NNTmux sites,
Prowlarr's proxied ``/{id}/api`` endpoints.

Speaks ``GET {base_url}{api_path}?t=…&apikey=…``: ``t=caps`` decides which search modes,
ids and parameters a query may use (integrations.indexers.query builds the requests,
Sonarr's way), answers are parsed by integrations.indexers.newznab_xml, files are
fetched by integrations.indexers.download. Torznab (torznab.py) and Jackett
(jackett.py) build on this class.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import requests
from pydantic import Field, field_validator

from integrations.base import HEALTHY, UNHEALTHY, Health, ProviderSettings, TestResult
from integrations.errors import IntegrationError, ProtocolError
from integrations.http import HttpProvider, parse_retry_after, raise_for_response, redact

from ..base import (
    ApiKeyMixin,
    Capabilities,
    Capability,
    DownloadResult,
    Indexer,
    IndexerSettings,
    Protocol,
    SearchQuery,
    SearchResult,
)
from ..categories import categories_for
from ..download import fetch_release
from ..fetch import fetch_bounded
from ..newznab_xml import parse_caps, parse_document, parse_feed, raise_for_error
from ..query import PROTECTED_PARAMS, QueryOptions, plan_rss, plan_search

log = logging.getLogger(__name__)

SHOWN_MODES = ("search", "tv-search", "movie-search")


def _default_categories() -> list[int]:
    return categories_for("tv") + categories_for("movie")


def validate_base_url(value: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Give the indexer's address with http:// or https://")
    if parts.query or parts.fragment:
        raise ValueError(
            "Give the address without ?query; put extra parameters in additional parameters"
        )
    return value.rstrip("/")


class NabFields(ProviderSettings):
    """Category and query settings shared by Newznab, Torznab and Jackett."""

    categories: list[int] = Field(
        default_factory=_default_categories,
        description="Categories to search and to read in RSS sync (TV and movies by default)",
    )
    anime_categories: list[int] = Field(
        default_factory=lambda: [5070], description="Categories for anime searches"
    )
    anime_standard_format_search: bool = Field(
        False, description="Also search anime as S01E02 (not only by absolute number)"
    )
    additional_parameters: str = Field(
        "", description="Added to every request, e.g. &attrs=poster (starts with &)"
    )

    @field_validator("categories", "anime_categories")
    @classmethod
    def _categories(cls, value: list[int]) -> list[int]:
        if any(c < 0 for c in value):
            raise ValueError("Category numbers are 0 or greater")
        return list(dict.fromkeys(value))

    @field_validator("additional_parameters")
    @classmethod
    def _additional(cls, value: str) -> str:
        value = (value or "").strip()
        if not value:
            return ""
        if not value.startswith("&"):
            raise ValueError("Additional parameters start with &, e.g. &attrs=poster")
        try:
            pairs = parse_qsl(value[1:], keep_blank_values=True, strict_parsing=True)
        except ValueError:
            raise ValueError("Additional parameters must look like &name=value&other=x") from None
        if any(k.lower() in PROTECTED_PARAMS for k, _ in pairs):
            raise ValueError("Additional parameters may not set t or apikey")
        return value


class NewznabSettings(IndexerSettings, ApiKeyMixin, NabFields):
    base_url: str = Field(..., description="The indexer's address, e.g. https://api.nzbgeek.info")
    api_path: str = Field("/api", description="Path of the API under the address")

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return validate_base_url(value)

    @field_validator("api_path")
    @classmethod
    def _api_path(cls, value: str) -> str:
        value = (value or "").strip()
        if "?" in value or "#" in value or "://" in value:
            raise ValueError("The API path is a path such as /api, without ?query")
        return ("/" + value.strip("/")) if value.strip("/") else ""


class Newznab(HttpProvider, Indexer):
    kind = "newznab"
    label = "Newznab"
    protocol = Protocol.USENET
    capabilities = frozenset(
        {Capability.USENET, Capability.SEARCH, Capability.RSS, Capability.CAPS, Capability.DOWNLOAD}
    )
    Settings = NewznabSettings
    settings: NewznabSettings

    def __init__(self, settings: NewznabSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self.indexer_id: int | None = None  # the caller sets the model's pk

    # -- plumbing ----------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.settings.base_url + self.settings.api_path

    def _key(self) -> str | None:
        key = self.settings.api_key
        return key.get_secret_value() if key is not None and key.get_secret_value() else None

    def options(self) -> QueryOptions:
        return QueryOptions.from_settings(self.settings, self.name)

    def _call(self, params: dict[str, str]) -> tuple[requests.Response, bytes, str]:
        """GET the API with ``params`` (+ the key). Returns the response, its body and
        the redacted URL for messages. Non-2xx answers that are not error documents
        raise here."""
        sent = dict(params)
        key = self._key()
        if key:
            sent["apikey"] = key
        response, body = fetch_bounded(self.http, self.api_url, params=sent)
        url = redact(response.url or self.api_url)
        log.debug("%s: GET %s -> %s", self.name, url, response.status_code)
        if not 200 <= response.status_code < 300:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            try:
                root, _ = parse_document(body, service=self.name, url=url)
            except ProtocolError:
                root = None
            raise_for_error(root, service=self.name, url=url, retry_after=retry_after)
            raise_for_response(response, self.name)
        return response, body, url

    def _feed(self, params: dict[str, str]) -> list[SearchResult]:
        response, body, url = self._call(params)
        feed = parse_feed(
            body,
            protocol=self.protocol,
            indexer_id=self.indexer_id,
            indexer_name=self.name,
            service=self.name,
            url=url,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
        if feed.api_limits is not None:
            self.api_limits = feed.api_limits
        return self.postprocess(feed.results)

    def postprocess(self, results: list[SearchResult]) -> list[SearchResult]:
        """Hook for subclasses (Torznab drops poorly seeded results)."""
        return results

    # -- verbs -------------------------------------------------------------
    def caps(self, *, refresh: bool = False) -> Capabilities:
        if self.known_caps is not None and not refresh:
            return self.known_caps
        _, body, url = self._call({"t": "caps"})
        self.known_caps = parse_caps(body, service=self.name, url=url)
        self.caps_fetched_at = datetime.now(UTC)
        return self.known_caps

    def search(self, query: SearchQuery) -> list[SearchResult]:
        plan = plan_search(query, self.caps(), self.options())
        if not plan.tiers:
            log.info("%s: nothing to search: %s", self.name, plan.reason)
            return []
        for tier in plan.tiers:
            found: dict[str, SearchResult] = {}
            for params in tier:
                for result in self._feed(params):
                    found.setdefault(result.dedupe_key(), result)
            if found:
                return list(found.values())
        return []

    def get_rss(self, categories: list[int] | None = None) -> list[SearchResult]:
        return self._feed(plan_rss(self.caps(), self.options(), categories))

    def download(self, result: SearchResult) -> DownloadResult:
        return fetch_release(self.http, result, protocol=self.protocol)

    # -- checks ------------------------------------------------------------
    def test(self) -> TestResult:
        caps = self.caps(refresh=True)
        details = {"caps": caps.to_dict(), "flags": caps.summary(), "warnings": []}
        warnings: list[str] = details["warnings"]
        if not caps.mode("search").available and not caps.mode("tv-search").available:
            return TestResult(
                False,
                f"{self.name} offers neither search nor TV search (t=caps); "
                "check that this is a Newznab/Torznab API",
                details=details,
            )
        offered = caps.category_ids()
        missing = [c for c in self.settings.categories if offered and c not in offered]
        if missing:
            warnings.append(
                "Not offered by the indexer, ignored: " + ", ".join(str(c) for c in missing)
            )
        params = plan_rss(caps, self.options())
        params["limit"] = "1"
        results = self._feed(params)
        details["rss_results"] = len(results)
        if not results:
            warnings.append("The RSS request found nothing in the configured categories")
        warnings.extend(self.test_warnings())
        message = f"Connected to {caps.server_title or self.name}: {describe_caps(caps)}"
        if warnings:
            message += ". " + "; ".join(warnings)
        return TestResult(True, message, details=details)

    def test_warnings(self) -> list[str]:
        """Extra caveats a subclass wants in test() (Jackett's aggregate)."""
        return []

    def health(self) -> Health:
        """Cheap: reads the caps only (no search, so no API hit is spent)."""
        started = time.monotonic()
        try:
            caps = self.caps(refresh=True)
        except IntegrationError as exc:
            return Health(
                UNHEALTHY,
                int((time.monotonic() - started) * 1000),
                datetime.now(UTC),
                exc.message,
                {**exc.details, "code": exc.code},
            )
        return Health(
            HEALTHY,
            int((time.monotonic() - started) * 1000),
            datetime.now(UTC),
            f"Capabilities read from {caps.server_title or self.name}",
            {"flags": caps.summary()},
        )


def describe_caps(caps: Capabilities) -> str:
    """``tv-search (q, season, ep, tvdbid), movie-search (q, imdbid); 23 categories``."""
    modes = [
        f"{name} ({', '.join(caps.mode(name).supported_params)})"
        for name in SHOWN_MODES
        if caps.mode(name).available
    ]
    count = len(caps.category_ids())
    return f"{', '.join(modes) or 'no search modes'}; {count} categories"
