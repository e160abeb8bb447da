"""A fake TMDB API v3 on 127.0.0.1 for the TMDB provider's tests.

TMDB cannot be reached here, so this answers the endpoints idkarr uses with JSON
shaped like TMDB's own (``/work/shared/notes/media-metadata-lists.md`` §4 and §8,
field names as in TMDB's reference):

* Auth, either form: the v3 key as the ``api_key`` query parameter, or the v4
  read access token as ``Authorization: Bearer``. A wrong or missing one answers
  401 ``{"success": false, "status_code": 7, ...}``.
* ``GET /configuration``; ``GET /search/tv`` (``query``, ``first_air_date_year``,
  ``include_adult``) and ``GET /search/movie`` (``query``, ``year``) in TMDB's
  ``{page, results, total_pages, total_results}`` envelope; ``GET /tv/{id}`` and
  ``GET /movie/{id}`` with ``append_to_response`` (appended objects such as
  ``external_ids``, ``content_ratings`` and ``release_dates`` only when asked
  for); ``GET /tv/{id}/season/{n}``; ``GET /tv|movie/{id}/images`` filtered by
  ``include_image_language`` (``null`` = no language) or else ``language``;
  ``GET /find/{id}?external_source=imdb_id|tvdb_id``. Anything unknown answers
  404 with status_code 34.

State is plain attributes that tests change: ``tv`` and ``movies`` (full records
by id, appendable parts included), ``seasons`` (by ``(tv id, number)``),
``images`` (by ``("tv"|"movie", id)``). ``fail(mode, path=None)`` and
``replace(path, payload)`` (once the key checks out) are
``tests.fakeservice.FakeService``'s: ``"429"`` (TMDB's status 25 with ``Retry-After``),
``"500"``, ``"html"`` (an HTML page, HTTP 200), ``"malformed"`` (broken JSON),
``"echo"`` (a proxy's 502 page quoting the request line, query string included),
``"redirect"`` (302 to another host, the query string kept) or ``"hang"`` (no answer
until the server stops).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from integrations.metadata.providers.tmdb import Tmdb, TmdbSettings
from tests.fakeservice import HTML, JSON, FakeService, first_value, json_reply
from tests.httpserver import RecordedRequest, Reply

API_KEY = "3f1c9a7e5b2d4c6e8a0b1d3f5e7c9a2b"  # a v3 key: 32 hex characters


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# A v4 API Read Access Token: a JWT (HS256) naming the same key in ``aud``.
READ_TOKEN = ".".join(
    [
        _b64({"alg": "HS256"}),
        _b64(
            {
                "aud": API_KEY,
                "nbf": 1700000000.123,
                "sub": "6553f3a1d4fe04011b6b8a11",
                "scopes": ["api_read"],
                "version": 1,
            }
        ),
        "q1Vt0F7mZ3x9kP2wYc8dR4sL6nB5jH0gT1uE7iO3aQw",
    ]
)

RETRY_AFTER = "7"
JSON_TYPE = "application/json;charset=utf-8"
IMAGE_BASE = "https://image.tmdb.org/t/p/"

INVALID_KEY = {
    "success": False,
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
}
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
RATE_LIMITED = {
    "success": False,
    "status_code": 25,
    "status_message": "Your request count (#) is over the allowed limit of (40).",
}
INVALID_PARAMETERS = {
    "success": False,
    "status_code": 5,
    "status_message": "Invalid parameters: Your request parameters are incorrect.",
}

CONFIGURATION = {
    "change_keys": ["adult", "air_date", "also_known_as", "images", "name", "overview"],
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": IMAGE_BASE,
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
}

APPENDABLE = ("external_ids", "content_ratings", "release_dates", "images", "credits")


# -- records, shaped like TMDB's -----------------------------------------------------
def genre(id_: int, name: str) -> dict[str, Any]:
    return {"id": id_, "name": name}


def episode(
    show_id: int, season: int, number: int, id_: int, name: str, aired: str, runtime: int
) -> dict[str, Any]:
    return {
        "air_date": aired,
        "episode_number": number,
        "episode_type": "standard",
        "id": id_,
        "name": name,
        "overview": f"{name}: what happens.",
        "production_code": "",
        "runtime": runtime,
        "season_number": season,
        "show_id": show_id,
        "still_path": f"/still{id_}.jpg",
        "vote_average": 8.1,
        "vote_count": 150,
        "crew": [],
        "guest_stars": [],
    }


def season(show_id: int, number: int, id_: int, episodes: list[dict]) -> dict[str, Any]:
    return {
        "_id": f"5256c89f19c2956ff60{id_:05d}",
        "air_date": episodes[0]["air_date"] if episodes else None,
        "episodes": episodes,
        "name": "Specials" if number == 0 else f"Season {number}",
        "overview": "",
        "id": id_,
        "poster_path": f"/season{id_}.jpg",
        "season_number": number,
        "vote_average": 8.2,
    }


def season_summary(record: dict[str, Any]) -> dict[str, Any]:
    """A ``seasons[]`` entry of a TV record."""
    keep = ("air_date", "id", "name", "overview", "poster_path", "season_number", "vote_average")
    return {**{k: record[k] for k in keep}, "episode_count": len(record["episodes"])}


def tv_show(
    id_: int,
    name: str,
    first_aired: str,
    *,
    status: str = "Ended",
    imdb_id: str | None = None,
    tvdb_id: int | None = None,
    network: str = "AMC",
    seasons: list[dict] | None = None,
    ratings: dict[str, str] | None = None,
    adult: bool = False,
) -> dict[str, Any]:
    seasons = seasons or []
    regular = [s for s in seasons if s["season_number"] > 0]
    last = regular[-1]["episodes"][-1] if regular and regular[-1]["episodes"] else None
    return {
        "adult": adult,
        "backdrop_path": f"/backdrop{id_}.jpg",
        "created_by": [{"id": 66633, "credit_id": "52542286760ee31328001a7b", "name": "Someone"}],
        "episode_run_time": [45, 47],
        "first_air_date": first_aired,
        "genres": [genre(18, "Drama"), genre(80, "Crime")],
        "homepage": f"https://example.com/{id_}",
        "id": id_,
        "in_production": status in ("Returning Series", "In Production"),
        "languages": ["en"],
        "last_air_date": last["air_date"] if last else None,
        "last_episode_to_air": last,
        "name": name,
        "next_episode_to_air": None,
        "networks": [
            {"id": 174, "logo_path": "/alqLicR1ZMHMaZGP3xRQxn9sq7p.png", "name": network},
            {"id": 1, "logo_path": None, "name": "Second Network", "origin_country": "US"},
        ],
        "number_of_episodes": sum(len(s["episodes"]) for s in regular),
        "number_of_seasons": len(regular),
        "origin_country": ["US"],
        "original_language": "en",
        "original_name": name,
        "overview": f"The story of {name}.",
        "popularity": 288.3,
        "poster_path": f"/poster{id_}.jpg",
        "production_companies": [],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "seasons": [season_summary(s) for s in seasons],
        "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
        "status": status,
        "tagline": "",
        "type": "Scripted",
        "vote_average": 8.9,
        "vote_count": 13954,
        "external_ids": {
            "id": id_,
            "imdb_id": imdb_id,
            "freebase_mid": None,
            "freebase_id": None,
            "tvdb_id": tvdb_id,
            "tvrage_id": None,
            "wikidata_id": None,
            "facebook_id": None,
            "instagram_id": None,
            "twitter_id": None,
        },
        "content_ratings": {
            "results": [
                {"descriptors": [], "iso_3166_1": country, "rating": rating}
                for country, rating in (ratings or {}).items()
            ]
        },
    }


def release(certification: str, when: str, type_: int, note: str = "") -> dict[str, Any]:
    return {
        "certification": certification,
        "descriptors": [],
        "iso_639_1": "",
        "note": note,
        "release_date": f"{when}T00:00:00.000Z",
        "type": type_,
    }


def film(
    id_: int,
    title: str,
    released: str,
    *,
    imdb_id: str | None = None,
    runtime: int = 120,
    status: str = "Released",
    studios: tuple[str, ...] = ("Legendary Pictures",),
    releases: dict[str, list[dict]] | None = None,
    adult: bool = False,
) -> dict[str, Any]:
    return {
        "adult": adult,
        "backdrop_path": f"/backdrop{id_}.jpg",
        "belongs_to_collection": None,
        "budget": 160000000,
        "genres": [genre(28, "Action"), genre(878, "Science Fiction"), genre(12, "Adventure")],
        "homepage": "",
        "id": id_,
        "imdb_id": imdb_id,
        "origin_country": ["US"],
        "original_language": "en",
        "original_title": title,
        "overview": f"The story of {title}.",
        "popularity": 120.5,
        "poster_path": f"/poster{id_}.jpg",
        "production_companies": [
            {"id": 900 + i, "logo_path": None, "name": name, "origin_country": "US"}
            for i, name in enumerate(studios)
        ],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "release_date": released,
        "revenue": 839030630,
        "runtime": runtime,
        "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
        "status": status,
        "tagline": "",
        "title": title,
        "video": False,
        "vote_average": 8.369,
        "vote_count": 36512,
        "external_ids": {
            "id": id_,
            "imdb_id": imdb_id,
            "wikidata_id": None,
            "facebook_id": None,
            "instagram_id": None,
            "twitter_id": None,
        },
        "release_dates": {
            "results": [
                {"iso_3166_1": country, "release_dates": dates}
                for country, dates in (releases or {}).items()
            ]
        },
    }


def image(path: str, width: int, height: int, language: str | None, average: float, count: int):
    return {
        "aspect_ratio": round(width / height, 3),
        "height": height,
        "iso_639_1": language,
        "file_path": path,
        "vote_average": average,
        "vote_count": count,
        "width": width,
    }


def default_seasons() -> dict[tuple[int, int], dict]:
    specials = season(
        1396,
        0,
        3577,
        [
            episode(1396, 0, 1, 62131, "Good Cop Bad Cop", "2009-02-17", 3),
            episode(1396, 0, 2, 62132, "Wedding Day", "2009-02-17", 4),
        ],
    )
    one = season(
        1396,
        1,
        3572,
        [
            episode(1396, 1, 1, 62085, "Pilot", "2008-01-20", 59),
            episode(1396, 1, 2, 62086, "Cat's in the Bag...", "2008-01-27", 49),
            episode(1396, 1, 3, 62087, "...And the Bag's in the River", "2008-02-10", 49),
        ],
    )
    two = season(
        1396,
        2,
        3573,
        [
            episode(1396, 2, 1, 62092, "Seven Thirty-Seven", "2009-03-08", 48),
            episode(1396, 2, 2, 62093, "Grilled", "2009-03-15", 48),
        ],
    )
    return {(1396, s["season_number"]): s for s in (specials, one, two)}


def default_tv(seasons: dict[tuple[int, int], dict]) -> dict[int, dict]:
    shows = [
        tv_show(
            1396,
            "Breaking Bad",
            "2008-01-20",
            imdb_id="tt0903747",
            tvdb_id=81189,
            seasons=[seasons[(1396, n)] for n in (0, 1, 2)],
            ratings={"DE": "16", "US": "TV-MA", "GB": "18"},
        ),
        tv_show(1906, "Shameless", "2004-01-13", imdb_id="tt0377260", tvdb_id=75915),
        tv_show(
            34307,
            "Shameless",
            "2011-01-09",
            imdb_id="tt1586680",
            tvdb_id=161511,
            network="Showtime",
        ),
        tv_show(99999, "Shameless Nights", "2015-05-01", adult=True),
    ]
    return {show["id"]: show for show in shows}


def default_movies() -> dict[int, dict]:
    movies = [
        film(
            27205,
            "Inception",
            "2010-07-15",
            imdb_id="tt1375666",
            runtime=148,
            studios=("Legendary Pictures", "Syncopy", "Warner Bros. Pictures"),
            releases={
                "GB": [release("12A", "2010-07-16", 3)],
                "US": [
                    release("", "2010-07-13", 1, "Los Angeles, California (premiere)"),
                    release("PG-13", "2010-07-16", 3),
                    release("PG-13", "2010-12-07", 5),
                ],
            },
        ),
        film(841, "Dune", "1984-12-14", imdb_id="tt0087182", runtime=137),
        film(438631, "Dune", "2021-09-15", imdb_id="tt1160419", runtime=155),
    ]
    return {movie["id"]: movie for movie in movies}


def default_images() -> dict[tuple[str, int], dict]:
    show = {
        "backdrops": [
            image("/tsRy63Mu5cu8etL1X7ZLyf7UP1M.jpg", 1920, 1080, None, 5.454, 8),
            image("/84XPpjGvxNyExjSuLQe0SzioErt.jpg", 3840, 2160, "en", 5.312, 5),
            image("/backdropDE.jpg", 1920, 1080, "de", 5.9, 2),
        ],
        "id": 1396,
        "logos": [image("/aOXMG1bkU4ftxfTKsmLhiifqsnY.png", 1000, 288, "en", 5.318, 3)],
        "posters": [
            image("/ztkUQFLlC19CCMYHW9o1zWhJRNq.jpg", 2000, 3000, "en", 5.522, 12),
            image("/ggFHVNu6YYI5L9pCfOacjizRGt.jpg", 1000, 1500, "en", 5.8, 20),
            image("/posterDE.jpg", 1000, 1500, "de", 6.2, 4),
        ],
    }
    movie = {
        "backdrops": [image("/8ZTVqvKDQ8emSGUEMjsS4yHAwrp.jpg", 3840, 2160, None, 5.6, 10)],
        "id": 27205,
        "logos": [],
        "posters": [
            image("/oYuLEt3zVCKq57qu2F8dT7NIa6f.jpg", 2000, 3000, "en", 5.7, 30),
            image("/9gk7adHYeDvHkCSEqAvQNLV5Uge.jpg", 1000, 1500, "en", 5.9, 25),
        ],
    }
    return {("tv", 1396): show, ("movie", 27205): movie}


def search_entry(record: dict[str, Any]) -> dict[str, Any]:
    """A search (or /find) result: the summary fields of a full record."""
    keep = ["adult", "backdrop_path", "id", "original_language", "overview", "popularity"]
    keep += ["poster_path", "vote_average", "vote_count"]
    entry = {k: record[k] for k in keep}
    entry["genre_ids"] = [g["id"] for g in record["genres"]]
    if "name" in record:
        entry |= {k: record[k] for k in ("name", "original_name", "first_air_date")}
        entry["origin_country"] = record["origin_country"]
    else:
        entry |= {k: record[k] for k in ("title", "original_title", "release_date", "video")}
    return entry


# -- the server ----------------------------------------------------------------------
def _redirect(request: RecordedRequest) -> Reply:
    return Reply(302, b"", {**HTML, "Location": f"http://127.0.0.1:9{request.raw_path}"})


class FakeTmdb(FakeService):
    failures = {
        **FakeService.failures,
        "429": json_reply(RATE_LIMITED, 429, {"Retry-After": RETRY_AFTER}),
        "malformed": Reply(200, '{"page": 1, "results": [', JSON),
        "redirect": _redirect,
    }
    json_type = JSON_TYPE

    def __init__(self, api_key: str = API_KEY, read_token: str = READ_TOKEN):
        super().__init__()
        self.api_key = api_key
        self.read_token = read_token
        self.configuration = json.loads(json.dumps(CONFIGURATION))
        self.seasons = default_seasons()
        self.tv = default_tv(self.seasons)
        self.movies = default_movies()
        self.images = default_images()

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def route(self, request: RecordedRequest) -> Reply:
        if not self._authorized(request):
            return _json(INVALID_KEY, 401)
        if replaced := self.replacement(request.path):
            return replaced
        try:
            return self._endpoint(request)
        except (KeyError, ValueError):
            return _json(NOT_FOUND, 404)

    def _authorized(self, request: RecordedRequest) -> bool:
        header = request.headers.get("Authorization")
        if header is not None:
            return header == f"Bearer {self.read_token}"
        return first_value(request.query, "api_key") == self.api_key

    def _endpoint(self, request: RecordedRequest) -> Reply:
        parts = request.path.strip("/").split("/")
        query = request.query
        if parts == ["configuration"]:
            return _json(self.configuration)
        if parts == ["search", "tv"]:
            year = first_value(query, "first_air_date_year")
            return _json(_results(self._search(self.tv, "name", "first_air_date", query, year)))
        if parts == ["search", "movie"]:
            year = first_value(query, "year") or first_value(query, "primary_release_year")
            return _json(_results(self._search(self.movies, "title", "release_date", query, year)))
        if parts[0] == "find" and len(parts) == 2:
            return self._find(parts[1], first_value(query, "external_source"))
        if parts[0] in ("tv", "movie") and len(parts) >= 2:
            kind, item_id, rest = parts[0], int(parts[1]), parts[2:]
            records = self.tv if kind == "tv" else self.movies
            if not rest:
                return _json(_with_appended(records[item_id], query))
            if rest == ["images"]:
                return _json(_images(self.images[(kind, item_id)], query))
            if kind == "tv" and len(rest) == 2 and rest[0] == "season":
                return _json(self.seasons[(item_id, int(rest[1]))])
        return _json(NOT_FOUND, 404)

    def _search(self, records, title_key, date_key, query, year) -> list[dict]:
        words = (first_value(query, "query") or "").lower()
        adult = first_value(query, "include_adult") == "true"
        found = []
        for record in records.values():
            titles = (record[title_key], record[f"original_{title_key}"])
            if not words or not any(words in t.lower() for t in titles):
                continue
            if year and not (record[date_key] or "").startswith(year):
                continue
            if record["adult"] and not adult:
                continue
            found.append(search_entry(record))
        return found

    def _find(self, value: str, source: str | None) -> Reply:
        if source not in ("imdb_id", "tvdb_id"):
            return _json(INVALID_PARAMETERS, 400)
        tv = [s for s in self.tv.values() if str(s["external_ids"].get(source)) == value]
        movies = [m for m in self.movies.values() if str(m["external_ids"].get(source)) == value]
        return _json(
            {
                "movie_results": [search_entry(m) | {"media_type": "movie"} for m in movies],
                "person_results": [],
                "tv_results": [search_entry(s) | {"media_type": "tv"} for s in tv],
                "tv_episode_results": [],
                "tv_season_results": [],
            }
        )


def _results(items: list[dict]) -> dict[str, Any]:
    return {"page": 1, "results": items, "total_pages": 1, "total_results": len(items)}


def _with_appended(record: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    """The record without the appendable parts that ``append_to_response`` did not ask for."""
    asked = (first_value(query, "append_to_response") or "").split(",")
    return {k: v for k, v in record.items() if k not in APPENDABLE or k in asked}


def _images(record: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    wanted = first_value(query, "include_image_language")
    if wanted is None and first_value(query, "language"):
        wanted = first_value(query, "language").split("-")[0]
    if wanted is None:
        return record
    languages = {None if code == "null" else code for code in wanted.split(",")}
    out = dict(record)
    for kind in ("backdrops", "logos", "posters"):
        out[kind] = [i for i in record[kind] if i["iso_639_1"] in languages]
    return out


def _json(payload: Any, status: int = 200) -> Reply:
    return json_reply(payload, status, content_type=JSON_TYPE)


# -- fixtures (import them into a test module) -------------------------------------
@pytest.fixture
def fake_tmdb():
    with FakeTmdb() as srv:
        yield srv


def make_tmdb(srv: FakeTmdb, **overrides: Any) -> Tmdb:
    """A provider talking to ``srv`` with the v3 key unless ``api_key`` is given."""
    values: dict[str, Any] = {"api_url": srv.url, "api_key": srv.api_key}
    values.update(overrides)
    return Tmdb(TmdbSettings(**values))


@pytest.fixture
def tmdb(fake_tmdb):
    """TMDB with the v3 API key (sent as the api_key query parameter)."""
    provider = make_tmdb(fake_tmdb)
    yield provider
    provider.close()


@pytest.fixture
def tmdb_token(fake_tmdb):
    """TMDB with the v4 read access token (sent as a Bearer header)."""
    provider = make_tmdb(fake_tmdb, api_key=fake_tmdb.read_token)
    yield provider
    provider.close()
