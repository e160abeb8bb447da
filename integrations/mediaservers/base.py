"""The media-server family contract (seed: Media Server Interface).

A media server (Plex, Jellyfin, Emby) is told when idkarr's library changes, so
that it scans the folder that changed instead of waiting for its own schedule;
it also answers what its libraries, users and recent items are. Verbs a server
lacks raise ``UnsupportedError``; results are small typed objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, field_validator

from integrations.base import Provider
from integrations.errors import UnsupportedError
from integrations.http import HttpProvider
from integrations.proxies.base import ProxySetting

FAMILY = "media_server"


class LibraryType(StrEnum):
    TV = "tv"
    MOVIE = "movie"
    MUSIC = "music"
    OTHER = "other"


class Capability(StrEnum):
    PARTIAL_SCAN = "partial_scan"  # scans one folder, not the whole library
    REFRESH_ITEM = "refresh_item"
    METADATA = "metadata"
    USERS = "users"
    RECENTLY_ADDED = "recently_added"
    RECENTLY_WATCHED = "recently_watched"


def _dict(obj) -> dict[str, Any]:
    data = asdict(obj)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
        elif isinstance(value, StrEnum):
            data[key] = value.value
    return data


@dataclass
class Library:
    id: str
    name: str
    type: LibraryType
    paths: list[str] = field(default_factory=list)
    item_count: int | None = None  # None: the server does not say

    def to_dict(self) -> dict[str, Any]:
        return _dict(self)


@dataclass
class MediaMetadata:
    id: str
    title: str
    type: str  # series | season | episode | movie | other
    year: int | None = None
    overview: str = ""
    poster_url: str = ""  # without credentials: the server's own image path
    backdrop_url: str = ""
    rating: float | None = None
    genres: list[str] = field(default_factory=list)
    imdb_id: str = ""
    tmdb_id: int | None = None
    tvdb_id: int | None = None
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _dict(self)


@dataclass
class MediaServerUser:
    id: str
    name: str
    is_admin: bool = False

    def to_dict(self) -> dict[str, Any]:
        return _dict(self)


@dataclass
class MediaEntry:
    """An item of a "recently added" or "recently watched" list."""

    id: str
    title: str
    type: str  # episode | movie | series | season | other
    series_title: str = ""
    season: int | None = None
    episode: int | None = None
    year: int | None = None
    added_at: datetime | None = None
    watched_at: datetime | None = None
    user: str = ""  # the user's name when the server says it, else the server's user id

    def to_dict(self) -> dict[str, Any]:
        return _dict(self)


UpdateType = Literal["created", "modified", "deleted"]
# What each library-changing event means to a media server (Sonarr's update types).
EVENT_UPDATES: dict[str, UpdateType] = {
    "download": "created",
    "upgrade": "modified",
    "rename": "modified",
    "series_add": "created",
    "movie_add": "created",
    "series_delete": "deleted",
    "episode_file_delete": "deleted",
    "movie_delete": "deleted",
    "movie_file_delete": "deleted",
}


@dataclass
class LibraryChange:
    """A folder of idkarr's library that changed (a series' or a movie's), as idkarr
    sees it: the server's own path comes from the settings' path mapping."""

    media_type: Literal["series", "movie"]
    path: str
    title: str = ""
    year: int | None = None
    tvdb_id: int | None = None
    tmdb_id: int | None = None
    imdb_id: str = ""
    update_type: UpdateType = "modified"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LibraryChange:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def library_type(self) -> LibraryType:
        return LibraryType.TV if self.media_type == "series" else LibraryType.MOVIE


def server_path(path: str, map_from: str, map_to: str) -> str:
    """``path`` as the server sees it: a leading ``map_from`` folder becomes ``map_to``,
    in ``map_to``'s separator style (``\\`` for a Windows server). Without a mapping,
    or for a path outside ``map_from``, the path comes back unchanged."""
    path = path.rstrip("/") or "/"
    source = map_from.strip().rstrip("/")
    if not source or not map_to.strip():
        return path
    if path != source and not path.startswith(source + "/"):
        return path
    rest = path[len(source) :].lstrip("/")
    target = map_to.strip()
    sep = "\\" if "\\" in target or (len(target) > 1 and target[1] == ":") else "/"
    target = target.rstrip("/\\")
    if not rest:
        return target or sep
    return target + sep + rest.replace("/", sep)


def contains(folder: str, path: str) -> bool:
    """Whether ``path`` is ``folder`` or inside it (either separator style; Windows
    paths compare without case)."""
    sep = "\\" if "\\" in folder or "\\" in path else "/"
    folder, path = folder.rstrip("/\\"), path.rstrip("/\\")
    if sep == "\\":
        folder, path = folder.lower().replace("/", "\\"), path.lower().replace("/", "\\")
    return path == folder or path.startswith(folder + sep)


class MediaServerSettings(ProxySetting):
    """Fields every media server shares (seed: MediaServerConfig)."""

    host: str = Field("127.0.0.1", min_length=1, description="Host name or IP address")
    port: int = Field(8096, ge=1, le=65535, description="The server's port")
    use_ssl: bool = Field(False, description="Connect with HTTPS")
    verify_tls: bool = Field(
        True, description="Verify the TLS certificate (turn off only for self-signed)"
    )
    url_base: str = Field(
        "", description="Path prefix when the server sits behind a reverse proxy, e.g. /media"
    )
    update_library: bool = Field(
        True,
        description="Scan the changed folder when idkarr imports, upgrades, renames or deletes "
        "files, or adds or deletes a series or movie",
    )
    map_from: str = Field(
        "",
        description="A folder as idkarr sees it, e.g. /data/tv, when the server sees it "
        "elsewhere (Docker, another machine)",
    )
    map_to: str = Field("", description="The same folder as the server sees it, e.g. /tv or D:\\TV")
    timeout_seconds: float = Field(30.0, gt=0, le=300, description="Read timeout for requests")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        value = value.strip()
        if "://" in value or "/" in value or any(c.isspace() for c in value):
            raise ValueError("A host name or IP address only; put a path prefix in URL base")
        return value

    def base_url(self) -> str:
        scheme = "https" if self.use_ssl else "http"
        base = "/" + self.url_base.strip("/") if self.url_base.strip("/") else ""
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{scheme}://{host}:{self.port}{base}"

    def server_path(self, path: str) -> str:
        return server_path(path, self.map_from, self.map_to)


class MediaServer(HttpProvider, Provider):
    """Base of every media server. Unimplemented verbs raise UnsupportedError.
    Providers send their token in a header and must not follow redirects
    (``allow_redirects=False``): ``requests`` would carry such a header to the new host."""

    family = FAMILY
    Settings = MediaServerSettings
    settings: MediaServerSettings

    def url(self, path: str) -> str:
        return self.settings.base_url() + path

    # -- verbs -----------------------------------------------------------
    def libraries(self) -> list[Library]:
        raise UnsupportedError(f"{self.label} cannot list its libraries")

    def refresh_library(self, library_id: str) -> None:
        """Scan a whole library."""
        raise UnsupportedError(f"{self.label} cannot refresh a library")

    def refresh_item(self, item_id: str) -> None:
        """Refresh one item's metadata."""
        raise UnsupportedError(f"{self.label} cannot refresh an item")

    def scan_path(self, path: str) -> None:
        """Scan one folder, given as the server sees it."""
        raise UnsupportedError(f"{self.label} cannot scan a folder")

    def metadata(self, item_id: str) -> MediaMetadata:
        raise UnsupportedError(f"{self.label} cannot show an item's metadata")

    def users(self) -> list[MediaServerUser]:
        raise UnsupportedError(f"{self.label} cannot list its users")

    def recently_added(self, limit: int = 20) -> list[MediaEntry]:
        raise UnsupportedError(f"{self.label} cannot list recently added items")

    def recently_watched(self, limit: int = 20, user_id: str | None = None) -> list[MediaEntry]:
        raise UnsupportedError(f"{self.label} cannot list recently watched items")

    def update_library(self, change: LibraryChange) -> str:
        """Make the server pick up ``change``; returns what was done, in a sentence."""
        raise UnsupportedError(f"{self.label} cannot update its library")
