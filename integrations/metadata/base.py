"""The metadata family contract (seed: Metadata Provider Interface).

A metadata source (TVDB, TMDB) answers what a series, a movie or an episode is:
titles, years, ids in the other databases, episodes and images. Import lists use
it to turn an IMDb or TMDB id into the TVDB id a series is keyed on, and to fill
a new series' seasons and episodes. Verbs a source lacks raise
``UnsupportedError``; looking up one thing that does not exist raises
``NotFoundError``; ``find_*`` by an outside id answers None when nothing matches.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field

from integrations.base import Provider
from integrations.errors import UnsupportedError
from integrations.http import HttpProvider
from integrations.proxies.base import ProxySetting

FAMILY = "metadata"

MediaType = Literal["series", "movie"]
IdSource = Literal["tvdb", "tmdb", "imdb"]


class Capability(StrEnum):
    SERIES = "series"  # search_series, series, find_series
    MOVIES = "movies"  # search_movies, movie, find_movie
    EPISODES = "episodes"
    IMAGES = "images"


def to_json(obj) -> dict[str, Any]:
    """A result dataclass as JSON-ready data (dates as ISO strings)."""

    def convert(value):
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return convert(asdict(obj))


@dataclass
class ImageInfo:
    url: str
    resolution: str = ""  # "1000x1500"
    language: str = ""
    vote_count: int | None = None
    vote_average: float | None = None


@dataclass
class MediaImages:
    """The best image of each type (a full URL), and every poster/fanart/banner."""

    poster: str = ""
    fanart: str = ""
    banner: str = ""
    clearlogo: str = ""
    posters: list[ImageInfo] = field(default_factory=list)
    fanarts: list[ImageInfo] = field(default_factory=list)
    banners: list[ImageInfo] = field(default_factory=list)


@dataclass
class SeriesMetadata:
    """A series, as a search result (some fields empty) or in full."""

    id: str  # the source's own id
    title: str
    year: int | None = None
    sort_title: str = ""
    original_title: str = ""
    overview: str = ""
    first_aired: date | None = None
    status: str = ""  # continuing | ended | upcoming | "" (unknown)
    runtime: int | None = None  # minutes
    network: str = ""
    air_time: str = ""  # "21:00"
    air_days: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    certification: str = ""
    rating: float | None = None  # 0–10
    original_language: str = ""
    tvdb_id: int | None = None
    imdb_id: str = ""
    tmdb_id: int | None = None
    tvmaze_id: int | None = None
    images: MediaImages = field(default_factory=MediaImages)
    season_count: int | None = None
    episode_count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)


@dataclass
class MovieMetadata:
    id: str
    title: str
    year: int | None = None
    sort_title: str = ""
    original_title: str = ""
    overview: str = ""
    release_date: date | None = None
    status: str = ""  # released | announced | in_production | ""
    runtime: int | None = None  # minutes
    studio: str = ""
    genres: list[str] = field(default_factory=list)
    certification: str = ""
    rating: float | None = None  # 0–10
    original_language: str = ""
    tmdb_id: int | None = None
    imdb_id: str = ""
    tvdb_id: int | None = None
    images: MediaImages = field(default_factory=MediaImages)

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)


@dataclass
class EpisodeMetadata:
    id: str
    series_id: str
    season_number: int
    episode_number: int
    title: str = ""
    absolute_number: int | None = None
    overview: str = ""
    air_date: date | None = None
    runtime: int | None = None
    image: str = ""
    tvdb_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)


class MetadataSettings(ProxySetting):
    """Fields every metadata source shares."""

    api_url: str = Field(
        "",
        description="The API's address; empty: the service's official one (set it only "
        "for a mirror or a caching proxy)",
        json_schema_extra={"fieldset": "Connection"},
    )
    language: str = Field(
        "en",
        pattern=r"^[a-z]{2}(-[A-Z]{2})?$",
        description="Language of titles and overviews, e.g. en, de or pt-BR",
    )
    priority: int = Field(
        25,
        ge=1,
        le=50,
        description="When several sources can answer, the lowest number is asked first",
    )
    timeout_seconds: float = Field(30.0, gt=0, le=300, description="Read timeout for requests")


class MetadataSource(HttpProvider, Provider):
    """Base of every metadata source. Unimplemented verbs raise UnsupportedError.
    ``default_api_url`` is the official address, used when ``api_url`` is empty."""

    family = FAMILY
    Settings = MetadataSettings
    settings: MetadataSettings
    default_api_url: ClassVar[str] = ""

    def url(self, path: str) -> str:
        return (self.settings.api_url or self.default_api_url).rstrip("/") + path

    # -- series ------------------------------------------------------------
    def search_series(self, query: str, year: int | None = None) -> list[SeriesMetadata]:
        raise UnsupportedError(f"{self.label} cannot search series")

    def series(self, series_id: str) -> SeriesMetadata:
        raise UnsupportedError(f"{self.label} has no series")

    def find_series(self, source: IdSource, value: str) -> SeriesMetadata | None:
        """The series another database knows as ``value`` (e.g. ``imdb``, ``tt0903747``)."""
        raise UnsupportedError(f"{self.label} cannot find series by {source} id")

    # -- movies ------------------------------------------------------------
    def search_movies(self, query: str, year: int | None = None) -> list[MovieMetadata]:
        raise UnsupportedError(f"{self.label} cannot search movies")

    def movie(self, movie_id: str) -> MovieMetadata:
        raise UnsupportedError(f"{self.label} has no movies")

    def find_movie(self, source: IdSource, value: str) -> MovieMetadata | None:
        raise UnsupportedError(f"{self.label} cannot find movies by {source} id")

    # -- episodes and images ---------------------------------------------------
    def episodes(self, series_id: str, season: int | None = None) -> list[EpisodeMetadata]:
        """Every episode of a series (aired order), or of one season."""
        raise UnsupportedError(f"{self.label} has no episode lists")

    def episode(self, series_id: str, season: int, number: int) -> EpisodeMetadata | None:
        for ep in self.episodes(series_id, season):
            if ep.episode_number == number:
                return ep
        return None

    def images(self, item_id: str, media_type: MediaType) -> MediaImages:
        raise UnsupportedError(f"{self.label} has no images")
