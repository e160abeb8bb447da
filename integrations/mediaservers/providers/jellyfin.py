"""Jellyfin: libraries, scans, metadata, users and recent items over its REST API.

API facts (jellyfin/jellyfin controllers; shared notes "media-metadata-lists" §2, §8):
the key goes in ``Authorization: MediaBrowser …, Token="<key>"`` (Jellyfin 12 turns the
legacy ``X-Emby-Token``/``api_key`` forms off); a bad key is a 401 with an empty body, a
non-administrator a 403. ``/Library/VirtualFolders`` and ``/Users`` are bare JSON arrays,
``/Items`` is ``{"Items": [...], "TotalRecordCount", "StartIndex"}``; provider ids are
strings (``"Tvdb": "81189"``). ``ProductName`` of ``/System/Info`` is "Jellyfin Server";
Emby sends "Emby Server" or nothing, so only a product that names the other one is refused.
Redirects are never followed: they would carry the key to wherever they point.
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
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
)
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
)
from ..fields import integer, number, obj, strings, text

LIBRARY_TYPES = {"tvshows": LibraryType.TV, "movies": LibraryType.MOVIE, "music": LibraryType.MUSIC}
ITEM_TYPES = {"Series": "series", "Season": "season", "Episode": "episode", "Movie": "movie"}
UPDATE_TYPES = {"created": "Created", "modified": "Modified", "deleted": "Deleted"}
METADATA_FIELDS = "Overview,Genres,ProviderIds,Path,ProductionYear,CommunityRating"
KEEP_EDITS = {"ReplaceAllMetadata": "false", "ReplaceAllImages": "false"}
NEWEST_FIRST = {"SortOrder": "Descending", "Recursive": "true", "IncludeItemTypes": "Episode,Movie"}
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


class JellyfinSettings(MediaServerSettings):
    port: int = Field(8096, ge=1, le=65535, description="Port of the server (8096; 8920 for HTTPS)")
    api_key: SecretStr = Field(
        description="API key (Jellyfin: Dashboard → API Keys); sent in a header, never in a URL"
    )
    user_id: str = Field(
        "",
        description="The user whose watch history recently_watched reads; "
        "empty: the first administrator",
    )

    @field_validator("api_key")
    @classmethod
    def _api_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value().strip()
        if not key:
            raise ValueError("the API key is required")
        if any(c.isspace() or c in '",\\' for c in key):
            raise ValueError("an API key has no spaces, quotes, commas or backslashes")
        return SecretStr(key)


def parse_when(value: Any) -> datetime | None:
    """``2024-05-01T10:00:00.0000000Z`` (.NET's 7-digit ticks) → an aware datetime (UTC when
    the server gives no offset); None for anything unreadable."""
    stamp = _LONG_FRACTION.sub(r"\1", text(value).strip())
    try:
        when = datetime.fromisoformat(stamp[:-1] + "+00:00" if stamp.endswith("Z") else stamp)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _provider_ids(item: dict) -> dict[str, str]:
    ids = obj(item.get("ProviderIds"))
    return {str(k).lower(): str(v).strip() for k, v in ids.items() if isinstance(v, str | int)}


def _same_id(found: Any, wanted: str) -> bool:
    """Ids compare without case or dashes (Jellyfin writes a GUID either way)."""
    return (
        isinstance(found, str) and found.replace("-", "").lower() == wanted.replace("-", "").lower()
    )


def _path_key(path: str) -> str:
    path = path.rstrip("/\\") or path
    return path.lower() if "\\" in path else path


class Jellyfin(MediaServer):
    kind = "jellyfin"
    label = "Jellyfin"
    Settings = JellyfinSettings
    settings: JellyfinSettings
    capabilities = frozenset(c.value for c in Capability)
    key_help = "create one in Dashboard → API Keys"
    other_product, other_kind = "Emby", "emby"

    # -- the one request path -----------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        key = self.settings.api_key.get_secret_value()
        return {
            "Authorization": f'MediaBrowser Client="idkarr", Version="{__version__}", Token="{key}"'
        }

    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs) -> requests.Response:
        headers = {"Accept": "application/json", **(self.auth_headers() if auth else {})}
        url = self.url(path)
        try:
            response = self.http.request(
                method, url, headers=headers, allow_redirects=False, raise_status=False, **kwargs
            )
            self._raise_for_status(response)
            return response
        except IntegrationError as exc:
            raise self._scrubbed(exc) from None

    def _raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 401:
            raise AuthenticationError(
                f"{self.label} refused the API key: {self.key_help}", details={"status_code": 401}
            )
        if status == 403:
            raise AuthenticationError(
                f"{self.label} refused the request (HTTP 403): it needs an administrator's key; "
                f"{self.key_help}",
                details={"status_code": 403},
            )
        raise_for_response(response, self.name)

    def _scrubbed(self, exc: IntegrationError) -> IntegrationError:
        """``exc`` without the key (a last line of defence: no message is built from it)."""
        exc.message = exc.message.replace(self.settings.api_key.get_secret_value(), "***")
        exc.args = (exc.message,)
        return exc

    def _get(self, path: str, params: dict | None = None, *, auth: bool = True) -> Any:
        response = self._call("GET", path, params=params, auth=auth)
        try:
            return self.http.json(response)
        except IntegrationError as exc:
            raise self._scrubbed(exc) from None

    def _get_list(self, path: str, params: dict | None = None) -> list[dict]:
        data = self._get(path, params)
        if not isinstance(data, list):
            raise ProtocolError(
                f"{self.label} answered {path} with {type(data).__name__}, not a list"
            )
        return [entry for entry in data if isinstance(entry, dict)]

    def _get_items(self, path: str, params: dict) -> list[dict]:
        data = self._get(path, params)
        items = data.get("Items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ProtocolError(f"{self.label} answered {path} without an Items list")
        return [item for item in items if isinstance(item, dict)]

    def _report(self, paths: list[str], update_type: str) -> None:
        updates = [{"Path": path, "UpdateType": update_type} for path in paths]
        self._call("POST", "/Library/Media/Updated", json={"Updates": updates})

    def _refresh(self, item_id: str, mode: str) -> None:
        modes = {"MetadataRefreshMode": mode, "ImageRefreshMode": mode}
        params = {"Recursive": "true", **modes, **KEEP_EDITS}
        try:
            self._call("POST", self._item_path(item_id) + "/Refresh", params=params)
        except NotFoundError:
            raise NotFoundError(f"{self.label} has no item {item_id!r}") from None

    def _item_path(self, item_id: str) -> str:
        if not item_id.strip():
            raise NotFoundError(f"{self.label} has no item with an empty id")
        return "/Items/" + quote(item_id.strip(), safe="")

    # -- test ---------------------------------------------------------------------
    def test(self) -> TestResult:
        try:
            return self._check()
        except IntegrationError as exc:
            return TestResult(False, exc.message, details={**exc.details, "code": exc.code})

    def _check(self) -> TestResult:
        try:
            info = self._get("/System/Info")
        except AuthenticationError:
            self._refuse_other_product(self._public_product())
            raise
        if not isinstance(info, dict):
            raise ProtocolError(f"{self.label} answered /System/Info without an object")
        self._refuse_other_product(text(info.get("ProductName")))
        version, server = text(info.get("Version")) or "?", text(info.get("ServerName"))
        names = [library.name for library in self.libraries()]
        noun = "library" if len(names) == 1 else "libraries"
        listed = f": {', '.join(names)}" if names else ""
        message = f'{self.label} {version} "{server}" ({len(names)} {noun}{listed})'
        details = {
            "version": version,
            "server_name": server,
            "server_id": text(info.get("Id")),
            "product": text(info.get("ProductName")),
            "libraries": names,
        }
        return TestResult(True, message, details=details)

    def _public_product(self) -> str:
        """ProductName of the unauthenticated /System/Info/Public; "" when unknown."""
        try:
            info = self._get("/System/Info/Public", auth=False)
        except IntegrationError:
            return ""
        return text(info.get("ProductName")) if isinstance(info, dict) else ""

    def _refuse_other_product(self, product: str) -> None:
        if self.other_product.lower() in product.lower():
            raise ConfigurationError(
                f"This server is {self.other_product} ({product}), not {self.label}: "
                f"choose the {self.other_product} kind ({self.other_kind})"
            )

    # -- verbs ----------------------------------------------------------------------
    def libraries(self) -> list[Library]:
        libraries = []
        for entry in self._get_list("/Library/VirtualFolders"):
            library_id = text(entry.get("ItemId")) or text(entry.get("Id"))
            if library_id:
                kind = LIBRARY_TYPES.get(text(entry.get("CollectionType")), LibraryType.OTHER)
                name = text(entry.get("Name")) or library_id
                libraries.append(Library(library_id, name, kind, strings(entry.get("Locations"))))
        return libraries

    def refresh_library(self, library_id: str) -> None:
        self._refresh(library_id, "Default")

    def refresh_item(self, item_id: str) -> None:
        self._refresh(item_id, "FullRefresh")

    def scan_path(self, path: str) -> None:
        if not path.strip():
            raise ConfigurationError(f"No folder given for {self.label} to scan")
        self._report([path], "Created")

    def metadata(self, item_id: str) -> MediaMetadata:
        self._item_path(item_id)  # refuses an empty id
        params = {"Ids": item_id, "Recursive": "true", "Fields": METADATA_FIELDS}
        items = self._get_items("/Items", params)
        item = next((i for i in items if _same_id(i.get("Id"), item_id)), None)
        if item is None:  # (Jellyfin drops an id it cannot parse and answers every item)
            raise NotFoundError(f"{self.label} has no item {item_id!r}")
        ids, path = _provider_ids(item), self._item_path(text(item["Id"]))
        backdrop = (
            self.url(path + "/Images/Backdrop") if strings(item.get("BackdropImageTags")) else ""
        )
        return MediaMetadata(
            id=text(item["Id"]),
            title=text(item.get("Name")),
            type=ITEM_TYPES.get(text(item.get("Type")), "other"),
            year=integer(item.get("ProductionYear")),
            overview=text(item.get("Overview")),
            poster_url=self.url(path + "/Images/Primary"),
            backdrop_url=backdrop,
            rating=number(item.get("CommunityRating")),
            genres=strings(item.get("Genres")),
            imdb_id=ids.get("imdb", ""),
            tmdb_id=integer(ids.get("tmdb")),
            tvdb_id=integer(ids.get("tvdb")),
            path=text(item.get("Path")),
        )

    def users(self) -> list[MediaServerUser]:
        return [
            MediaServerUser(
                text(u["Id"]),
                text(u.get("Name")),
                obj(u.get("Policy")).get("IsAdministrator") is True,
            )
            for u in self._get_list("/Users")
            if text(u.get("Id"))
        ]

    def recently_added(self, limit: int = 20) -> list[MediaEntry]:
        params = {**NEWEST_FIRST, "SortBy": "DateCreated", "Limit": max(1, limit)}
        params["Fields"] = "DateCreated"
        return [e for e in map(self._entry, self._get_items("/Items", params)) if e]

    def recently_watched(self, limit: int = 20, user_id: str | None = None) -> list[MediaEntry]:
        user = self._watcher(user_id)
        params = {**NEWEST_FIRST, "SortBy": "DatePlayed", "Filters": "IsPlayed"}
        path, params = self.played_items_query(user.id, {**params, "Limit": max(1, limit)})
        items = self._get_items(path, params)
        return [e for e in (self._entry(item, user.name) for item in items) if e]

    def played_items_query(self, user_id: str, params: dict) -> tuple[str, dict]:
        """Where a user's items are listed (Jellyfin 10.9+: ``/Items?userId=``)."""
        return "/Items", {"userId": user_id, **params}

    def _watcher(self, user_id: str | None) -> MediaServerUser:
        wanted = (user_id or "").strip() or self.settings.user_id
        if wanted:
            return MediaServerUser(wanted, wanted)
        admin = next((u for u in self.users() if u.is_admin), None)
        if admin is None:
            raise ConfigurationError(f"{self.label} lists no administrator; set the user ID")
        return admin

    def _entry(self, item: dict, user: str = "") -> MediaEntry | None:
        if not text(item.get("Id")):
            return None
        return MediaEntry(
            id=item["Id"],
            title=text(item.get("Name")),
            type=ITEM_TYPES.get(text(item.get("Type")), "other"),
            series_title=text(item.get("SeriesName")),
            season=integer(item.get("ParentIndexNumber")),
            episode=integer(item.get("IndexNumber")),
            year=integer(item.get("ProductionYear")),
            added_at=parse_when(item.get("DateCreated")),
            watched_at=parse_when(obj(item.get("UserData")).get("LastPlayedDate")),
            user=user,
        )

    # -- the library-change notification (Sonarr's "Emby / Jellyfin" connection) --------
    def update_library(self, change: LibraryChange) -> str:
        if not change.path.strip():
            raise ConfigurationError(f"No folder given for {self.label} to update")
        mapped, note = self.settings.server_path(change.path), ""
        try:
            found = self.server_paths(change)
        except AuthenticationError:
            raise
        except IntegrationError as exc:
            found, note = [], f" (looking up its own folders failed: {exc.message})"
        unique: dict[str, str] = {}
        for path in [*found, mapped]:
            unique.setdefault(_path_key(path), path)  # /tv/Show and /tv/Show/ are one folder
        paths = list(unique.values())
        update_type = UPDATE_TYPES[change.update_type]
        self._report(paths, update_type)
        noun = "folder" if len(paths) == 1 else "folders"
        return f"Reported {len(paths)} {noun} to {self.label} as {update_type}: {', '.join(paths)}{note}"

    def server_paths(self, change: LibraryChange) -> list[str]:
        """Paths of the server's own series/movie for ``change``: the items whose provider
        id equals one of the change's, else those named like it."""
        params = {
            "Recursive": "true",
            "IncludeItemTypes": "Series" if change.media_type == "series" else "Movie",
            "Fields": "Path,ProviderIds",
        }
        if change.year:
            params["Years"] = str(change.year)
        items = self._get_items("/Items", params)
        best = [i for i in items if self._same_media(i, change)] or [
            i
            for i in items
            if change.title and text(i.get("Name")).casefold() == change.title.casefold()
        ]
        return [path for path in (text(i.get("Path")) for i in best) if path]

    @staticmethod
    def _same_media(item: dict, change: LibraryChange) -> bool:
        ids = _provider_ids(item)
        wanted = {
            "tvdb": str(change.tvdb_id or ""),
            "tmdb": str(change.tmdb_id or ""),
            "imdb": change.imdb_id.lower(),
        }
        return any(value and ids.get(name, "").lower() == value for name, value in wanted.items())
