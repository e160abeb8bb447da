"""Plex Watchlist: the shows and movies a Plex account put on its watchlist.

``GET {api_url}/library/sections/watchlist/all`` on Plex's discover service, paged by
``X-Plex-Container-Start``/``-Size`` (100 a page, at most 10 pages per type, as Sonarr
reads it). "Both" makes two reads, ``type=2`` (shows) then ``type=1`` (movies): the
type-filtered query is the one Sonarr and Radarr send, and each type keeps its own
10-page cap. Each entry's own ``type`` is checked too, so a server ignoring the filter
neither mixes nor doubles titles. The account's token travels only in the
``X-Plex-Token`` header (never the query, never a message); redirects are not followed.
A payload of the wrong shape skips the entry or raises ProtocolError, never KeyError.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
from pydantic import Field, SecretStr, field_validator

from integrations.base import TestResult
from integrations.errors import (
    AuthenticationError,
    IntegrationError,
    ProtocolError,
    RateLimited,
    ServerError,
)
from integrations.http import parse_retry_after, raise_for_response

from ..base import ImportListSettings, ListItem, ListProvider

PATH = "/library/sections/watchlist/all"
PAGE_SIZE = 100
MAX_PAGES = 10  # Sonarr's cap: 1000 titles of each type
PLEX_TYPES = {"series": ("2", "show"), "movie": ("1", "movie")}  # ours: (type=, entry type)
GUID_IDS = {"tvdb://": "tvdb_id", "tmdb://": "tmdb_id", "imdb://": "imdb_id"}
REFUSED = "Plex refused the token: sign in to plex.tv again and enter a fresh X-Plex-Token"
_IMDB_ID = re.compile(r"tt\d+")


class PlexWatchlistSettings(ImportListSettings):
    api_url: str = Field(
        "",
        title="API URL",
        description="Plex's discover service (empty: https://discover.provider.plex.tv)",
        json_schema_extra={"fieldset": "Connection"},
    )
    auth_token: SecretStr = Field(
        title="Plex token",
        description="The Plex account's token (X-Plex-Token) whose watchlist is read",
    )
    media_type: Literal["series", "movie", "both"] = Field(
        "both", description="Which titles of the watchlist to read: series, movies or both"
    )

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError("The API URL must be an http:// or https:// address")
        return value.rstrip("/")

    @field_validator("auth_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("the Plex account's token is required")
        if any(c.isspace() or not c.isprintable() for c in token):
            raise ValueError("a Plex token has no spaces or control characters")
        return SecretStr(token)


class PlexWatchlist(ListProvider):
    kind = "plexwatchlist"
    label = "Plex Watchlist"
    Settings = PlexWatchlistSettings
    settings: PlexWatchlistSettings
    default_api_url = "https://discover.provider.plex.tv"
    min_refresh_minutes = 360  # Sonarr's 6 h

    def _types(self) -> list[str]:
        wanted = self.settings.media_type
        return ["series", "movie"] if wanted == "both" else [wanted]

    def fetch(self) -> list[ListItem]:
        with self._secrets_hidden():
            return [item for kind in self._types() for item in self._read(kind)]

    def test(self) -> TestResult:
        counts: dict[str, int | None] = {}
        try:
            with self._secrets_hidden():
                for kind in self._types():
                    counts[kind] = _int(self._page(kind, 0, 1).get("totalSize"))
        except IntegrationError as exc:
            return TestResult(False, exc.message, details={**exc.details, "code": exc.code})
        if None in counts.values():
            return TestResult(True, f"{self.label}: the watchlist can be read")
        total = sum(counts.values())
        split = ", ".join(_count(n, kind) for kind, n in counts.items())
        detail = f" ({split})" if len(counts) > 1 else ""
        return TestResult(
            True, f"{self.label}: {_count(total, 'title')}{detail}", details={"titles": total}
        )

    # -- reading -----------------------------------------------------------
    def _read(self, kind: str) -> list[ListItem]:
        items: list[ListItem] = []
        for page in range(MAX_PAGES):
            container = self._page(kind, page * PAGE_SIZE, PAGE_SIZE)
            entries = container.get("Metadata", [])
            if not isinstance(entries, list):
                raise ProtocolError("Plex answered the watchlist with Metadata that is not a list")
            items += filter(None, (_item(entry, kind) for entry in entries))
            offset = _int(container.get("offset"))
            size = _int(container.get("size"))
            total = _int(container.get("totalSize"))
            offset = page * PAGE_SIZE if offset is None else offset
            size = len(entries) if size is None else size
            if not entries or total is None or offset + size >= total:
                break
        return items

    def _page(self, kind: str, start: int, size: int) -> dict:
        """The ``MediaContainer`` of one page of ``kind`` (series or movie)."""
        params = {
            "includeFields": "title,type,year,ratingKey",
            "excludeElements": "Image",
            "includeGuids": "1",
            "sort": "watchlistedAt:desc",
            "type": PLEX_TYPES[kind][0],
            "X-Plex-Container-Size": str(size),
            "X-Plex-Container-Start": str(start),
        }
        headers = {
            "Accept": "application/json",
            "X-Plex-Token": self.settings.auth_token.get_secret_value(),
            "X-Plex-Client-Identifier": "idkarr",
            "X-Plex-Product": "idkarr",
        }
        response = self.http.get(
            self.url(PATH), params=params, headers=headers, allow_redirects=False,
            raise_status=False,
        )  # fmt: skip
        self._check(response)
        data = self.http.json(response)
        container = data.get("MediaContainer") if isinstance(data, dict) else None
        if not isinstance(container, dict):
            raise ProtocolError("Plex answered the watchlist without a MediaContainer")
        return container

    def _check(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 401:
            raise AuthenticationError(f"{REFUSED} (HTTP 401)")
        if status == 429:
            retry = parse_retry_after(response.headers.get("Retry-After"))
            wait = f"; retry in {retry:g} s" if retry is not None else ""
            raise RateLimited(f"Plex is rate limiting requests (HTTP 429){wait}", retry_after=retry)
        if status >= 500:
            raise ServerError(f"Plex had a server error (HTTP {status}); try again later")
        raise_for_response(response, self.name)

    @contextmanager
    def _secrets_hidden(self) -> Iterator[None]:
        """Mask the token in any message (e.g. a proxy's page echoing the request)."""
        try:
            yield
        except IntegrationError as exc:
            token = self.settings.auth_token.get_secret_value()
            exc.message = exc.message.replace(token, "***")
            exc.args = (exc.message,)
            raise


def _item(entry: Any, kind: str) -> ListItem | None:
    """The ListItem of one watchlist entry of ``kind``; None for anything else."""
    if not isinstance(entry, dict) or entry.get("type") != PLEX_TYPES[kind][1]:
        return None
    title = entry.get("title")
    item = ListItem(media_type=kind, title=title.strip() if isinstance(title, str) else "")
    item.year = _int(entry.get("year"))
    guids = entry.get("Guid")
    for guid in guids if isinstance(guids, list) else []:
        value = guid.get("id") if isinstance(guid, dict) else None
        for prefix, field in GUID_IDS.items():
            if isinstance(value, str) and value.startswith(prefix):
                raw = value.removeprefix(prefix).strip()
                if field == "imdb_id" and _IMDB_ID.fullmatch(raw):
                    item.imdb_id = raw
                elif field != "imdb_id" and (number := _int(raw)):
                    setattr(item, field, number)
    return item if item.title or item.tvdb_id or item.tmdb_id or item.imdb_id else None


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        return int(value.strip())
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 or noun == "series" else f"{n} {noun}s"
