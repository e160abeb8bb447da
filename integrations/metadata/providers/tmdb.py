"""TMDB (The Movie Database) API v3: series, movies, episodes and images.

A v4 API Read Access Token travels as ``Authorization: Bearer`` (preferred); a v3
API key can only go in the ``api_key`` query parameter, so redirects are not
followed and every error message is scrubbed of the key. Errors are JSON
``{"success": false, "status_code": N, "status_message": "..."}``. Payloads are
read without trusting their types: a mistyped field stays empty, a bad list entry
is skipped, a wrong envelope is a ProtocolError (never KeyError or TypeError).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ConfigDict, Field, SecretStr, field_validator

from integrations.base import TestResult
from integrations.errors import (
    AuthenticationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    UnsupportedError,
)
from integrations.http import parse_retry_after, raise_for_response

from ..base import (
    Capability,
    EpisodeMetadata,
    IdSource,
    ImageInfo,
    MediaImages,
    MediaType,
    MetadataSettings,
    MetadataSource,
    MovieMetadata,
    SeriesMetadata,
)

V3_KEY = re.compile(r"[0-9a-fA-F]{32}")
V4_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
TMDB_ID = re.compile(r"[0-9]{1,12}")
FIND_SOURCES = {"imdb": ("imdb_id", re.compile(r"tt[0-9]{1,12}")), "tvdb": ("tvdb_id", TMDB_ID)}
NOT_FOUND_CODES = (6, 34)  # "Invalid id", "The resource you requested could not be found."
SERIES_STATUS = {"Returning Series": "continuing", "Ended": "ended", "Canceled": "ended"}
SERIES_STATUS |= {"In Production": "upcoming", "Planned": "upcoming", "Pilot": "upcoming"}
MOVIE_STATUS = {"Released": "released", "Rumored": "announced", "Planned": "announced"}
MOVIE_STATUS |= {"In Production": "in_production", "Post Production": "in_production"}


class TmdbSettings(MetadataSettings):
    model_config = ConfigDict(hide_input_in_errors=True)  # a refused key is not repeated

    api_key: SecretStr = Field(
        title="API key",
        description="A v4 API Read Access Token (a long token starting with eyJ, preferred) "
        "or a v3 API key (32 hexadecimal characters), from themoviedb.org → Settings → API",
    )
    include_adult: bool = Field(False, description="Include adult titles in search results")
    image_base_url: str = Field(
        "https://image.tmdb.org/t/p/",
        description="Where TMDB serves images (the secure_base_url of GET /configuration); "
        "image URLs are this, the size 'original', then the file path",
    )

    @field_validator("api_key")
    @classmethod
    def _key_shape(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value().strip()
        if not (V3_KEY.fullmatch(key) or V4_TOKEN.fullmatch(key)):
            raise ValueError(
                "enter a TMDB v4 API Read Access Token (a long token starting with eyJ) "
                "or a v3 API key (32 hexadecimal characters)"
            )
        return SecretStr(key)

    @field_validator("image_base_url")
    @classmethod
    def _image_base(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+/?\S*$", value):
            raise ValueError("an http:// or https:// address, e.g. https://image.tmdb.org/t/p/")
        return value if value.endswith("/") else value + "/"


class Tmdb(MetadataSource):
    kind = "tmdb"
    label = "TMDB"
    Settings = TmdbSettings
    settings: TmdbSettings
    capabilities = frozenset(
        {Capability.SERIES, Capability.MOVIES, Capability.EPISODES, Capability.IMAGES}
    )
    default_api_url = "https://api.themoviedb.org/3"

    # -- the one request path ----------------------------------------------
    @property
    def _bearer(self) -> bool:
        return self.settings.api_key.get_secret_value().startswith("eyJ")

    def _get(self, path: str, params: dict | None = None, *, missing: str = "") -> _Json:
        """GET ``path``'s JSON object. A TMDB 404 raises NotFoundError(``missing``)."""
        key = self.settings.api_key.get_secret_value()
        query = {**(params or {}), "language": self.settings.language}
        headers = {"Accept": "application/json"}
        if self._bearer:
            headers["Authorization"] = f"Bearer {key}"
        else:
            query["api_key"] = key
        try:
            response = self.http.get(
                self.url(path),
                params=query,
                headers=headers,
                allow_redirects=False,  # a redirect would carry the key elsewhere
                raise_status=False,
            )
            if not 200 <= response.status_code < 300:
                self._raise(response, missing)
            data = self.http.json(response)
            if not isinstance(data, dict):
                kind = type(data).__name__
                raise ProtocolError(f"{self.name} answered {path} with {kind}, not an object")
            return _Json(data)
        except IntegrationError as exc:
            if key in exc.message:  # e.g. a proxy's error page echoing the URL
                exc.message = exc.message.replace(key, "***")
                exc.args = (exc.message,)
            raise

    def _raise(self, response, missing: str) -> None:
        status = response.status_code
        try:
            body = _Json(_dict(response.json()))
        except ValueError:
            body = _Json()
        code, message = body.integer("status_code"), body.text("status_message")
        if status == 401 or (status == 403 and message):
            raise AuthenticationError(
                f"{self.name} refused the API key: {message or f'HTTP {status}'}"
            )
        if status == 404 and missing and code in NOT_FOUND_CODES:
            raise NotFoundError(missing, details={"tmdb_status_code": code})
        if status == 429:
            suffix = f": {message}" if message else ""
            raise RateLimited(
                f"{self.name} is rate limiting requests (HTTP 429){suffix}",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if message and 400 <= status < 500:
            raise IntegrationError(f"{self.name} rejected the request (HTTP {status}): {message}")
        raise_for_response(response, self.name)

    def _list(self, data: _Json, key: str, path: str) -> list[_Json]:
        if not isinstance(data.get(key), list):
            raise ProtocolError(f"{self.name} answered {path} without a {key} list")
        return data.dicts(key)

    def _search(self, path: str, query: str, extra: dict, to_item) -> list:
        params = {"query": query, "include_adult": str(self.settings.include_adult).lower()}
        data = self._get(path, params | {"page": 1} | extra)
        return [item for item in map(to_item, self._list(data, "results", path)) if item]

    def _id(self, value: str, what: str) -> str:
        value = str(value).strip()
        if not TMDB_ID.fullmatch(value):
            raise NotFoundError(
                f"{self.name} has no {what} with id {value!r}: TMDB ids are numbers"
            )
        return value

    def _image(self, path: Any) -> str:
        if isinstance(path, str) and path.startswith("/"):
            return f"{self.settings.image_base_url}original{path}"
        return ""

    # -- verbs -------------------------------------------------------------
    def test(self) -> TestResult:
        images = self._get("/configuration").obj("images")
        base = images.text("secure_base_url") or images.text("base_url")
        if not base:
            raise ProtocolError(
                f"{self.name} answered /configuration without an image base URL; "
                "is the API URL TMDB's?"
            )
        details = {
            "auth": "bearer" if self._bearer else "api_key",
            "image_base_url": base,
            "poster_sizes": [s for s in images.array("poster_sizes") if isinstance(s, str)],
        }
        auth = "a v4 read access token" if self._bearer else "a v3 API key"
        message = f"Connected to {self.label} with {auth}; images at {base}"
        return TestResult(True, message, details=details)

    def search_series(self, query: str, year: int | None = None) -> list[SeriesMetadata]:
        extra = {"first_air_date_year": year} if year else {}
        return self._search("/search/tv", query, extra, self._to_series)

    def search_movies(self, query: str, year: int | None = None) -> list[MovieMetadata]:
        return self._search("/search/movie", query, {"year": year} if year else {}, self._to_movie)

    def series(self, series_id: str) -> SeriesMetadata:
        append = "external_ids,content_ratings"
        return self._detail("tv", "series", series_id, append, self._to_series)

    def movie(self, movie_id: str) -> MovieMetadata:
        append = "external_ids,release_dates"
        return self._detail("movie", "movie", movie_id, append, self._to_movie)

    def _detail(self, kind: str, what: str, item_id: str, append: str, to_item):
        iid = self._id(item_id, what)
        missing = f"{self.name} has no {what} with id {iid}"
        item = to_item(self._get(f"/{kind}/{iid}", {"append_to_response": append}, missing=missing))
        if item is None:
            raise ProtocolError(f"{self.name} answered /{kind}/{iid} without a numeric id")
        return item

    def find_series(self, source: IdSource, value: str) -> SeriesMetadata | None:
        return self._find(source, value, "tv_results", self.series)

    def find_movie(self, source: IdSource, value: str) -> MovieMetadata | None:
        return self._find(source, value, "movie_results", self.movie)

    def _find(self, source: str, value: str, key: str, fetch):
        value = str(value).strip()
        if source == "tmdb":
            try:
                return fetch(value) if TMDB_ID.fullmatch(value) else None
            except NotFoundError as exc:
                if exc.details.get("tmdb_status_code") in NOT_FOUND_CODES:
                    return None
                raise
        if source not in FIND_SOURCES:
            raise UnsupportedError(f"{self.label} cannot find anything by {source} id")
        external_source, pattern = FIND_SOURCES[source]
        if not pattern.fullmatch(value):
            return None
        data = self._get(f"/find/{value}", {"external_source": external_source})
        ids = [r.integer("id") for r in self._list(data, key, "/find")]
        return next((fetch(str(i)) for i in ids if i is not None), None)

    def episodes(self, series_id: str, season: int | None = None) -> list[EpisodeMetadata]:
        sid = self._id(series_id, "series")
        if season is not None:
            numbers = [int(season)]
        else:
            data = self._get(f"/tv/{sid}", missing=f"{self.name} has no series with id {sid}")
            numbers = [s.integer("season_number") for s in data.dicts("seasons")]
        found: list[EpisodeMetadata] = []
        for number in [n for n in numbers if n is not None and n >= 0]:
            missing = f"{self.name} has no season {number} of series with id {sid}"
            data = self._get(f"/tv/{sid}/season/{number}", missing=missing)
            found += filter(
                None, (self._to_episode(e, sid, number) for e in data.dicts("episodes"))
            )
        return sorted(found, key=lambda e: (e.season_number, e.episode_number))

    def images(self, item_id: str, media_type: MediaType) -> MediaImages:
        kind = {"series": "tv", "movie": "movie"}.get(media_type)
        if kind is None:
            raise UnsupportedError(f"{self.label} has no images of {media_type!r} items")
        iid = self._id(item_id, media_type)
        languages = {"include_image_language": self.settings.language.split("-")[0] + ",null"}
        missing = f"{self.name} has no {media_type} with id {iid}"
        data = self._get(f"/{kind}/{iid}/images", languages, missing=missing)
        posters, fanarts, logos = (
            self._infos(data.dicts(k)) for k in ("posters", "backdrops", "logos")
        )
        return MediaImages(
            poster=_best(posters),
            fanart=_best(fanarts),
            clearlogo=_best(logos),
            posters=posters,
            fanarts=fanarts,
        )

    # -- mapping -----------------------------------------------------------
    def _infos(self, entries: list[_Json]) -> list[ImageInfo]:
        return [
            ImageInfo(
                url=url,
                resolution=_resolution(e),
                language=e.text("iso_639_1"),
                vote_count=e.integer("vote_count"),
                vote_average=e.number("vote_average"),
            )
            for e in entries
            if (url := self._image(e.get("file_path")))
        ]

    def _common(self, d: _Json, tmdb_id: int) -> dict[str, Any]:
        """What series and movies share."""
        poster, fanart = self._image(d.get("poster_path")), self._image(d.get("backdrop_path"))
        return {
            "id": str(tmdb_id),
            "overview": d.text("overview"),
            "genres": d.names("genres"),
            "rating": d.number("vote_average"),
            "original_language": d.text("original_language"),
            "tmdb_id": tmdb_id,
            "images": MediaImages(poster=poster, fanart=fanart),
        }

    def _to_episode(self, ep: _Json, series_id: str, season: int) -> EpisodeMetadata | None:
        ep_id, number, in_season = (
            ep.integer(k) for k in ("id", "episode_number", "season_number")
        )
        if ep_id is None or number is None:
            return None
        return EpisodeMetadata(
            id=str(ep_id),
            series_id=series_id,
            season_number=season if in_season is None else in_season,
            episode_number=number,
            title=ep.text("name"),
            overview=ep.text("overview"),
            air_date=ep.day("air_date"),
            runtime=ep.integer("runtime"),
            image=self._image(ep.get("still_path")),
        )

    def _to_series(self, d: _Json) -> SeriesMetadata | None:
        tmdb_id = d.integer("id")
        if tmdb_id is None:
            return None
        aired, ext = d.day("first_air_date"), d.obj("external_ids")
        run_times = [r for r in d.array("episode_run_time") if type(r) is int and r > 0]
        runtime = run_times[0] if run_times else d.obj("last_episode_to_air").integer("runtime")
        ratings = [
            r for r in d.obj("content_ratings").dicts("results") if r.get("iso_3166_1") == "US"
        ]
        return SeriesMetadata(
            title=d.text("name"),
            year=aired.year if aired else None,
            original_title=d.text("original_name"),
            first_aired=aired,
            status=SERIES_STATUS.get(d.text("status"), ""),
            runtime=runtime,
            network=next(iter(d.names("networks")), ""),
            certification=_first(ratings, "rating"),
            tvdb_id=ext.integer("tvdb_id"),
            imdb_id=ext.text("imdb_id"),
            season_count=d.integer("number_of_seasons"),
            episode_count=d.integer("number_of_episodes"),
            **self._common(d, tmdb_id),
        )

    def _to_movie(self, d: _Json) -> MovieMetadata | None:
        tmdb_id = d.integer("id")
        if tmdb_id is None:
            return None
        released, countries = d.day("release_date"), d.obj("release_dates").dicts("results")
        us = [r for c in countries if c.get("iso_3166_1") == "US" for r in c.dicts("release_dates")]
        us.sort(key=lambda r: r.get("type") != 3)  # the theatrical release's rating first
        return MovieMetadata(
            title=d.text("title"),
            year=released.year if released else None,
            original_title=d.text("original_title"),
            release_date=released,
            status=MOVIE_STATUS.get(d.text("status"), ""),
            runtime=d.integer("runtime") or None,
            studio=next(iter(d.names("production_companies")), ""),
            certification=_first(us, "certification"),
            imdb_id=d.text("imdb_id") or d.obj("external_ids").text("imdb_id"),
            **self._common(d, tmdb_id),
        )


class _Json(dict):
    """A JSON object read without trusting its types: a mistyped value reads as empty."""

    def text(self, key: str) -> str:
        return value if isinstance(value := self.get(key), str) else ""

    def integer(self, key: str) -> int | None:
        return value if type(value := self.get(key)) is int else None  # not bool

    def number(self, key: str) -> float | None:
        return float(value) if type(value := self.get(key)) in (int, float) else None

    def array(self, key: str) -> list:
        return value if isinstance(value := self.get(key), list) else []

    def obj(self, key: str) -> _Json:
        return _Json(_dict(self.get(key)))

    def dicts(self, key: str) -> list[_Json]:
        return [_Json(v) for v in self.array(key) if isinstance(v, dict)]

    def names(self, key: str) -> list[str]:
        return [name for name in (v.text("name") for v in self.dicts(key)) if name]

    def day(self, key: str) -> date | None:
        try:
            return date.fromisoformat(self.text(key)[:10])
        except ValueError:
            return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _first(entries: list[_Json], key: str) -> str:
    return next((value for value in (e.text(key) for e in entries) if value), "")


def _resolution(image: _Json) -> str:
    width, height = image.integer("width"), image.integer("height")
    return f"{width}x{height}" if width and height else ""


def _best(infos: list[ImageInfo]) -> str:
    best = max(infos, key=lambda i: (i.vote_average or 0.0, i.vote_count or 0), default=None)
    return best.url if best else ""
