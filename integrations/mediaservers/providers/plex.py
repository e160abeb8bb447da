"""Plex Media Server: its JSON API (``Accept: application/json``) on port 32400.

The token travels in the ``X-Plex-Token`` header only, never in a query string, so
no logged or redacted URL can carry it; redirects are not followed for the same
reason. Every answer is ``{"MediaContainer": {...}}``; a missing or mistyped field
skips that entry or raises ProtocolError, never KeyError or TypeError.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
from pydantic import Field, SecretStr, field_validator

from idkarr import __version__
from integrations.base import TestResult
from integrations.errors import AuthenticationError, NotFoundError, ProtocolError
from integrations.http import raise_for_response

from ..base import (
    Capability,
    Library,
    LibraryChange,
    LibraryType,
    MediaEntry,
    MediaMetadata,
    MediaServer,
    MediaServerSettings,
    MediaServerUser,
    contains,
)
from ..fields import integer, number, text

CLIENT_IDENTIFIER = "idkarr"
AUTH_HELP = "copy a current X-Plex-Token from Plex (an item's Get Info → View XML)"
LIBRARY_TYPES = {"show": LibraryType.TV, "movie": LibraryType.MOVIE, "artist": LibraryType.MUSIC}
ITEM_TYPES = {"show": "series", "season": "season", "episode": "episode", "movie": "movie"}
TYPE_WORDS = {LibraryType.TV: "TV", LibraryType.MOVIE: "movie"}
_VERSION = re.compile(r"\d+(?:\.\d+){0,3}")


class PlexSettings(MediaServerSettings):
    port: int = Field(32400, ge=1, le=65535, description="Plex's port (32400 by default)")
    url_base: str = Field(
        "", description="Path prefix when Plex sits behind a reverse proxy, e.g. /plex"
    )
    auth_token: SecretStr = Field(
        description="The server owner's Plex token (X-Plex-Token); " + AUTH_HELP
    )

    @field_validator("auth_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("the Plex token is required")
        if not token.isascii() or not token.isprintable() or " " in token:
            raise ValueError("a Plex token is plain letters, digits and punctuation, no spaces")
        return SecretStr(token)


class Plex(MediaServer):
    kind = "plex"
    label = "Plex Media Server"
    Settings = PlexSettings
    settings: PlexSettings
    capabilities = frozenset(Capability)

    # -- the one request path --------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/json",
            "X-Plex-Token": self.settings.auth_token.get_secret_value(),
            "X-Plex-Client-Identifier": CLIENT_IDENTIFIER,
            "X-Plex-Product": "idkarr",
            "X-Plex-Version": __version__,
        }

    def _send(
        self, method: str, path: str, params: dict | None = None, *, not_found: str = ""
    ) -> requests.Response:
        response = self.http.request(
            method,
            self.url(path),
            params=params,
            headers=self._headers(),
            allow_redirects=False,  # a redirect would carry the token header elsewhere
            raise_status=False,
        )
        if response.status_code == 401:
            raise AuthenticationError(f"Plex refused the token: {AUTH_HELP} (HTTP 401)")
        if response.status_code == 404 and not_found:
            raise NotFoundError(not_found)
        raise_for_response(response, self.name)
        return response

    def _container(self, path: str, params: dict | None = None, *, not_found: str = "") -> dict:
        data = self.http.json(self._send("GET", path, params, not_found=not_found))
        container = data.get("MediaContainer") if isinstance(data, dict) else None
        if not isinstance(container, dict):
            raise ProtocolError(
                f"{self.name} answered {path} without a MediaContainer object; "
                "is this address a Plex Media Server?"
            )
        return container

    def _section_refresh(self, section_id: str, path: str | None = None) -> None:
        self._send(
            "GET",
            f"/library/sections/{quote(str(section_id), safe='')}/refresh",
            {"path": path} if path is not None else None,
            not_found=f"{self.name} has no library with id {section_id}",
        )

    # -- verbs -----------------------------------------------------------
    def test(self) -> TestResult:
        identity = self._container("/identity")
        version = _short_version(text(identity.get("version")))
        libraries = self.libraries()
        details = {
            "version": version,
            "machine_identifier": text(identity.get("machineIdentifier")),
            "libraries": [library.to_dict() for library in libraries],
        }
        if not any(lib.type in (LibraryType.TV, LibraryType.MOVIE) for lib in libraries):
            return TestResult(
                False,
                f"{self.label} {version} has no TV or movie library; add one in Plex "
                "(Settings → Manage → Libraries) so that idkarr's folders are scanned",
                details=details,
            )
        names = ", ".join(lib.name for lib in libraries)
        count = f"{len(libraries)} {'library' if len(libraries) == 1 else 'libraries'}"
        return TestResult(True, f"{self.label} {version} ({count}: {names})", details=details)

    def libraries(self) -> list[Library]:
        container = self._container("/library/sections")
        return [
            Library(
                id=text(section.get("key")),
                name=text(section.get("title")),
                type=LIBRARY_TYPES.get(text(section.get("type")), LibraryType.OTHER),
                paths=[
                    text(loc.get("path")) for loc in _items(section, "Location") if loc.get("path")
                ],
            )
            for section in _items(container, "Directory")
            if text(section.get("key")) and text(section.get("title"))
        ]

    def refresh_library(self, library_id: str) -> None:
        self._section_refresh(library_id)

    def scan_path(self, path: str) -> None:
        holders = [lib for lib in self.libraries() if _holds(lib, path)]
        if not holders:
            raise NotFoundError(
                f"No {self.name} library holds {path}; check the path mapping settings "
                "(Map from / Map to) or the library's folders in Plex"
            )
        for library in holders:
            self._section_refresh(library.id, path)

    def refresh_item(self, item_id: str) -> None:
        self._send(
            "PUT",
            f"/library/metadata/{quote(str(item_id), safe='')}/refresh",
            not_found=f"{self.name} has no item with id {item_id}",
        )

    def metadata(self, item_id: str) -> MediaMetadata:
        container = self._container(
            f"/library/metadata/{quote(str(item_id), safe='')}",
            not_found=f"{self.name} has no item with id {item_id}",
        )
        items = _items(container, "Metadata")
        if not items:
            raise NotFoundError(f"{self.name} has no item with id {item_id}")
        item = items[0]
        rating = number(item.get("audienceRating"))
        metadata = MediaMetadata(
            id=text(item.get("ratingKey")) or str(item_id),
            title=text(item.get("title")),
            type=ITEM_TYPES.get(text(item.get("type")), "other"),
            year=integer(item.get("year")),
            overview=text(item.get("summary")),
            poster_url=self._image(item.get("thumb")),
            backdrop_url=self._image(item.get("art")),
            rating=rating if rating is not None else number(item.get("rating")),
            genres=[text(g.get("tag")) for g in _items(item, "Genre") if text(g.get("tag"))],
            path=_item_path(item),
        )
        _apply_guids(metadata, item)
        return metadata

    def users(self) -> list[MediaServerUser]:
        container = self._container("/accounts")
        users = []
        for account in _items(container, "Account"):
            account_id = integer(account.get("id"))
            if account_id is None or account_id == 0:  # 0: Plex's own system account
                continue
            name = text(account.get("name")) or f"Account {account_id}"
            users.append(MediaServerUser(str(account_id), name, is_admin=account_id == 1))
        return users

    def recently_added(self, limit: int = 20) -> list[MediaEntry]:
        container = self._container("/library/recentlyAdded", _first_page(limit))
        return [_entry(item) for item in _titled(container)]

    def recently_watched(self, limit: int = 20, user_id: str | None = None) -> list[MediaEntry]:
        params = {"sort": "viewedAt:desc", **_first_page(limit)}
        if user_id is not None:
            params["accountID"] = user_id
        items = _titled(self._container("/status/sessions/history/all", params))
        names = {user.id: user.name for user in self.users()} if items else {}
        accounts = [text(item.get("accountID")) for item in items]
        return [_entry(item, user=names.get(a, a)) for item, a in zip(items, accounts, strict=True)]

    def update_library(self, change: LibraryChange) -> str:
        path = self.settings.server_path(change.path)
        kind = change.library_type
        word = TYPE_WORDS[kind]
        sections = [lib for lib in self.libraries() if lib.type == kind]
        if not sections:
            raise NotFoundError(
                f"{self.name} has no {word} library; add one in Plex, or turn off "
                "Update library for this server"
            )
        holders = [lib for lib in sections if _holds(lib, path)]
        if holders:
            for library in holders:
                self._section_refresh(library.id, path)
            return f"Scanned {path} in {_names(holders)}"
        for library in sections:
            self._section_refresh(library.id)
        return f"No {word} library holds {path}; refreshed {_names(sections)}"

    def _image(self, value: Any) -> str:
        """A server image path as a URL on the configured address, without the token."""
        path = text(value)
        return self.url(path) if path.startswith("/") else ""


# -- reading Plex's JSON ---------------------------------------------------------
def _items(parent: dict, name: str) -> list[dict]:
    """``parent[name]`` as a list of objects: absent means none; non-objects are skipped."""
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"Plex sent {name} as {type(value).__name__}, not a list")
    return [item for item in value if isinstance(item, dict)]


def _titled(container: dict) -> list[dict]:
    return [item for item in _items(container, "Metadata") if text(item.get("title"))]


def _first_page(limit: int) -> dict[str, Any]:
    return {"X-Plex-Container-Start": 0, "X-Plex-Container-Size": limit}


def _time(value: Any) -> datetime | None:
    seconds = integer(value)
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds is not None else None


def _short_version(version: str) -> str:
    """``1.40.0.7998-c29d4c0c8`` → ``1.40.0.7998`` (the build hash says nothing to users)."""
    match = _VERSION.match(version)
    return match.group(0) if match else version or "unknown"


def _holds(library: Library, path: str) -> bool:
    return any(contains(folder, path) for folder in library.paths)


def _names(libraries: list[Library]) -> str:
    return ", ".join(lib.name for lib in libraries)


def _item_path(item: dict) -> str:
    """The first media file of a movie or episode, or the folder of a show."""
    for media in _items(item, "Media"):
        for part in _items(media, "Part"):
            if text(part.get("file")):
                return text(part.get("file"))
    locations = _items(item, "Location")
    return text(locations[0].get("path")) if locations else ""


def _apply_guids(metadata: MediaMetadata, item: dict) -> None:
    for guid in _items(item, "Guid"):
        scheme, _, value = text(guid.get("id")).partition("://")
        if scheme == "imdb" and value:
            metadata.imdb_id = value
        elif scheme == "tmdb":
            metadata.tmdb_id = integer(value)
        elif scheme == "tvdb":
            metadata.tvdb_id = integer(value)


def _entry(item: dict, user: str = "") -> MediaEntry:
    plex_type = text(item.get("type"))
    entry = MediaEntry(
        id=text(item.get("ratingKey")),
        title=text(item.get("title")),
        type=ITEM_TYPES.get(plex_type, "other"),
        year=integer(item.get("year")),
        added_at=_time(item.get("addedAt")),
        watched_at=_time(item.get("viewedAt")),
        user=user,
    )
    if plex_type == "episode":
        entry.series_title = text(item.get("grandparentTitle"))
        entry.season = integer(item.get("parentIndex"))
        entry.episode = integer(item.get("index"))
    elif plex_type == "season":
        entry.series_title = text(item.get("parentTitle"))
        entry.season = integer(item.get("index"))
    return entry
