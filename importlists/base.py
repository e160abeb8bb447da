"""The import-list family contract (seed: List Provider Interface, Import Lists).

An import list is a list somebody keeps outside idkarr (a Trakt watchlist, an IMDb
list): ``fetch()`` reads the configured list's items, each with whatever ids the
service knows. The sync service (``importlists.sync``) maps them to TVDB/TMDB ids,
skips exclusions and what the library already holds, and adds the rest with the
list's root folder, quality profile, monitoring and tags.

A provider whose credentials rotate (Trakt's refresh token) puts the new values of
its settings (secrets included) in ``updated_settings``; the sync service saves
them, so the next run starts from them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field

from integrations.base import Provider
from integrations.errors import UnsupportedError
from integrations.http import HttpProvider
from integrations.proxies.base import ProxySetting

FAMILY = "import_list"

MediaType = Literal["series", "movie"]


class Monitor(StrEnum):
    """Which episodes of an added series are monitored (Sonarr's MonitorTypes)."""

    ALL = "all"
    FUTURE = "future"
    MISSING = "missing"
    EXISTING = "existing"
    PILOT = "pilot"
    FIRST_SEASON = "first_season"
    LATEST_SEASON = "latest_season"
    NONE = "none"


@dataclass
class ListItem:
    """One entry of a list. At least one id or a title; the sync maps the rest."""

    media_type: MediaType
    title: str = ""
    year: int | None = None
    tvdb_id: int | None = None
    tmdb_id: int | None = None
    imdb_id: str = ""  # "tt0903747"
    overview: str = ""
    added_at: datetime | None = None  # when it was put on the list
    rank: int | None = None
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime | date):
                data[key] = value.isoformat()
        return data


@dataclass
class ListInfo:
    """A list the account can choose from (e.g. a Trakt user's own lists)."""

    id: str
    name: str
    description: str = ""
    item_count: int | None = None
    public: bool = True
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ImportListSettings(ProxySetting):
    """What every import list does with its items (Sonarr's ImportListDefinition)."""

    enable_automatic_add: bool = Field(
        True,
        description="Add the list's series and movies to the library (off: only show "
        "what the list holds)",
        json_schema_extra={"fieldset": "Adding"},
    )
    monitor: Monitor = Field(
        Monitor.ALL,
        description="Which episodes of an added series are monitored (a movie is monitored "
        "unless this is none)",
        json_schema_extra={"fieldset": "Adding"},
    )
    root_folder_id: int | None = Field(
        None,
        ge=1,
        title="Root folder",
        description="Where added series and movies go (required to add)",
        json_schema_extra={"choices_from": "root_folders", "fieldset": "Adding"},
    )
    quality_profile_id: int | None = Field(
        None,
        ge=1,
        title="Quality profile",
        description="Quality profile of added series and movies",
        json_schema_extra={"choices_from": "quality_profiles", "fieldset": "Adding"},
    )
    series_type: Literal["standard", "daily", "anime"] = Field(
        "standard", description="Type of added series", json_schema_extra={"fieldset": "Adding"}
    )
    sync_interval_minutes: int | None = Field(
        None,
        ge=5,
        le=10080,
        description="Minutes between syncs (empty: the list's own minimum; never below it)",
    )
    timeout_seconds: float = Field(30.0, gt=0, le=300, description="Read timeout for requests")


class ListProvider(HttpProvider, Provider):
    """Base of every import list. ``min_refresh_minutes`` is how often the service
    may be read at most (Sonarr's MinRefreshInterval); ``media_types`` what its
    lists can hold."""

    family = FAMILY
    Settings = ImportListSettings
    settings: ImportListSettings
    min_refresh_minutes: ClassVar[int] = 360
    media_types: ClassVar[frozenset[str]] = frozenset({"series", "movie"})
    default_api_url: ClassVar[str] = ""

    def __init__(self, settings, *, name: str = ""):
        super().__init__(settings, name=name)
        self.updated_settings: dict[str, Any] = {}

    def url(self, path: str) -> str:
        base = getattr(self.settings, "api_url", "") or self.default_api_url
        return base.rstrip("/") + path

    def fetch(self) -> list[ListItem]:
        """The configured list's items."""
        raise UnsupportedError(f"{self.label} cannot read a list")

    def lists(self) -> list[ListInfo]:
        """The lists the account can choose from."""
        raise UnsupportedError(f"{self.label} has no lists to choose from")
