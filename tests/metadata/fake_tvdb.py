"""A stateful fake of TheTVDB v4 API on 127.0.0.1, and pytest fixtures for it.

Payloads follow thetvdb/v4-api ``docs/swagger.yml`` 4.7.10 and the observed bodies in
/work/shared/notes/media-metadata-lists.md §3: every answer is an envelope
``{"status": "success", "data": …[, "links": …]}``; failures are
``{"status": "failure", "message": "…", "data": null}``.

    with FakeTvdb() as srv:                  # srv.api_url == "http://127.0.0.1:<port>/v4"
        srv.series[81189]["name"] = "…"       # the records are plain dicts: edit them
        srv.expire_tokens()                   # every issued token now answers 401
        srv.fail("/v4/series/81189/extended", Reply(500, "boom"))   # next request only
        srv.fail("/v4/search", Reply(hang=True), times=None)         # every request

It answers ``POST /v4/login``, ``GET /v4/search``, ``/v4/search/remoteid/{id}``,
``/v4/series/{id}``, ``/v4/series/{id}/extended`` and
``/v4/series/{id}/episodes/default`` (paged by ``page_size``; ``page`` from 0,
``links.next`` a full URL or null). Requests are recorded in ``srv.requests``
before they are answered (``tests.fakeservice.FakeService``); ``srv.logins`` counts
successful logins.
"""

from __future__ import annotations

import copy

import pytest

from integrations.metadata.providers.tvdb import Tvdb, TvdbSettings, clear_token_cache
from tests.fakeservice import FakeService
from tests.httpserver import RecordedRequest, Reply

API_KEY = "tvdb-project-key-5f1c"
ART = "https://artworks.thetvdb.com/banners"
NOT_FOUND = {"status": "failure", "message": "NotFoundException: not found", "data": None}
UNAUTHORIZED = {"status": "failure", "message": "Unauthorized", "data": None}


def _season(series_id: int, number: int, type_id: int, type_name: str, kind: str) -> dict:
    return {
        "id": series_id * 100 + type_id * 10 + number,
        "seriesId": series_id,
        "type": {"id": type_id, "name": type_name, "type": kind, "alternateName": None},
        "number": number,
        "image": f"{ART}/seasons/{series_id}-{number}.jpg",
        "imageType": 7,
        "lastUpdated": "2023-01-01 00:00:00",
    }


def _artwork(art_id: int, path: str, art_type: int, language, score: int, size=(680, 1000)):
    return {
        "id": art_id,
        "image": path if path.startswith("/") else f"{ART}/{path}",
        "thumbnail": f"{ART}/{path}".replace(".jpg", "_t.jpg"),
        "language": language,
        "type": art_type,
        "score": score,
        "width": size[0],
        "height": size[1],
        "includesText": False,
    }


def _company(company_id: int, name: str) -> dict:
    return {"id": company_id, "name": name, "slug": name.lower(), "country": "usa"}


def breaking_bad() -> dict:
    """A ``SeriesExtendedRecord`` with ``meta=translations`` (series 81189)."""
    days = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), False)
    return {
        "id": 81189,
        "name": "Breaking Bad",
        "slug": "breaking-bad",
        "image": f"{ART}/posters/81189-10.jpg",
        "nameTranslations": ["eng", "pt", "rus"],
        "overviewTranslations": ["eng", "deu", "pt"],
        "aliases": [{"language": "eng", "name": "BB"}],
        "firstAired": "2008-01-20",
        "lastAired": "2013-09-29",
        "nextAired": "",
        "score": 3172441,
        "status": {"id": 2, "name": "Ended", "recordType": "series", "keepUpdated": False},
        "originalCountry": "usa",
        "originalLanguage": "eng",
        "defaultSeasonType": 1,
        "isOrderRandomized": False,
        "lastUpdated": "2024-03-02 10:11:12",
        "averageRuntime": 47,
        "episodes": None,
        "overview": "A high school chemistry teacher turns to making meth.",
        "year": "2008",
        "abbreviation": "BB",
        "country": "usa",
        "originalNetwork": _company(9, "AMC"),
        "latestNetwork": _company(9, "AMC"),
        "airsDays": {**days, "saturday": False, "sunday": True},
        "airsTime": "21:00",
        "genres": [
            {"id": 4, "name": "Drama", "slug": "drama"},
            {"id": 17, "name": "Crime", "slug": "crime"},
            {"id": 19, "name": "Thriller", "slug": "thriller"},
        ],
        "remoteIds": [
            {"id": "tt0903747", "type": 2, "sourceName": "IMDB"},
            {"id": "1396", "type": 12, "sourceName": "TheMovieDB.com"},
            {"id": "169", "type": 18, "sourceName": "TV Maze"},
            {"id": "breakingbad", "type": 4, "sourceName": "Official Website"},
        ],
        "seasons": [_season(81189, n, 1, "Aired Order", "official") for n in range(6)]
        + [_season(81189, n, 2, "DVD Order", "dvd") for n in range(1, 7)]
        + [_season(81189, 1, 3, "Absolute Order", "absolute")],
        "seasonTypes": [
            {"id": 1, "name": "Aired Order", "type": "official", "alternateName": None},
            {"id": 2, "name": "DVD Order", "type": "dvd", "alternateName": None},
        ],
        "artworks": [
            _artwork(1, "posters/81189-1.jpg", 2, "eng", 100),
            _artwork(2, "posters/81189-2.jpg", 2, "deu", 500),
            _artwork(3, "fanart/original/81189-3.jpg", 3, None, 200, (1920, 1080)),
            _artwork(4, "fanart/original/81189-4.jpg", 3, "eng", 900, (1920, 1080)),
            _artwork(5, "/banners/graphical/81189-g.jpg", 1, "eng", 10, (758, 140)),
            _artwork(6, "v4/series/81189/clearlogo/logo.png", 23, "eng", 50, (800, 310)),
            _artwork(7, "seasons/81189-1-1.jpg", 7, "eng", 999),
        ],
        "characters": [],
        "companies": [_company(9, "AMC")],
        "contentRatings": [{"id": 1, "name": "TV-MA", "country": "usa"}],
        "trailers": [],
        "tags": [],
        "lists": [],
        "translations": {
            "nameTranslations": [
                {"name": "Breaking Bad", "language": "eng", "isPrimary": True},
                {"name": "Breaking Bad: A Química do Mal", "language": "pt"},
                {"name": "Во все тяжкие", "language": "rus"},
            ],
            "overviewTranslations": [
                {
                    "overview": "A high school chemistry teacher turns to making meth.",
                    "language": "eng",
                    "isPrimary": True,
                },
                {"overview": "Ein Chemielehrer wird zum Drogenkoch.", "language": "deu"},
                {
                    "overview": "Um professor de química vira fabricante de metanfetamina.",
                    "language": "pt",
                },
            ],
            "alias": [],
        },
    }


def dark() -> dict:
    """A German series (334824) without translations: its record is in German."""
    return {
        "id": 334824,
        "name": "Dark",
        "slug": "dark",
        "image": f"{ART}/posters/334824-1.jpg",
        "firstAired": "2017-12-01",
        "status": {"id": 2, "name": "Ended", "recordType": "series", "keepUpdated": False},
        "originalLanguage": "deu",
        "defaultSeasonType": 1,
        "averageRuntime": 55,
        "overview": "Ein Kind verschwindet, und vier Familien suchen nach Antworten.",
        "year": "2017",
        "originalNetwork": _company(213, "Netflix"),
        "latestNetwork": _company(213, "Netflix"),
        "airsDays": {"friday": True},
        "airsTime": "",
        "genres": [{"id": 4, "name": "Drama", "slug": "drama"}],
        "remoteIds": [{"id": "tt5753856", "type": 2, "sourceName": "IMDB"}],
        "seasons": [_season(334824, n, 1, "Aired Order", "official") for n in (1, 2, 3)],
        "artworks": [],
        "translations": {"nameTranslations": [], "overviewTranslations": [], "alias": []},
    }


def _episode(ep_id, season, number, name, aired, absolute=None) -> dict:
    return {
        "id": ep_id,
        "seriesId": 81189,
        "name": name,
        "aired": aired,
        "runtime": 47,
        "nameTranslations": ["eng"],
        "overview": f"Overview of {name}.",
        "overviewTranslations": ["eng"],
        "image": f"/banners/episodes/81189/{ep_id}.jpg",
        "imageType": 11,
        "isMovie": 0,
        "seasons": None,
        "number": number,
        "absoluteNumber": absolute,
        "seasonNumber": season,
        "lastUpdated": "2023-01-01 00:00:00",
        "finaleType": None,
        "year": aired[:4] if aired else None,
    }


def breaking_bad_episodes() -> list[dict]:
    """Default-order ``EpisodeBaseRecord``s, one of them without numbers."""
    return [
        _episode(1_000_001, 0, 1, "Good Cop Bad Cop", "2009-02-17"),
        _episode(349232, 1, 1, "Pilot", "2008-01-20", 1),
        _episode(349235, 1, 2, "Cat's in the Bag...", "2008-01-27", 2),
        _episode(349236, 1, 3, "...And the Bag's in the River", "2008-02-10", 3),
        _episode(438906, 2, 1, "Seven Thirty-Seven", "2009-03-08", 8),
        _episode(438907, 2, 2, "Grilled", "2009-03-15", 9),
        {**_episode(9_999_999, 2, 3, "Unnumbered", ""), "seasonNumber": None, "number": None},
    ]


def search_result(record: dict) -> dict:
    """The ``SearchResult`` (snake_case) the search index holds for a series record."""
    texts = record.get("translations") or {}
    return {
        "objectID": f"series-{record['id']}",
        "id": f"series-{record['id']}",
        "tvdb_id": str(record["id"]),
        "name": record["name"],
        "slug": record["slug"],
        "type": "series",
        "year": record["year"],
        "first_air_time": record["firstAired"],
        "image_url": record["image"],
        "thumbnail": record["image"].replace(".jpg", "_t.jpg"),
        "overview": record["overview"],
        "overviews": {t["language"]: t["overview"] for t in texts.get("overviewTranslations", [])},
        "translations": {t["language"]: t["name"] for t in texts.get("nameTranslations", [])},
        "primary_language": record["originalLanguage"],
        "network": record["originalNetwork"]["name"],
        "status": record["status"]["name"],
        "aliases": [],
        "remote_ids": record["remoteIds"],
        "country": "usa",
        "genres": [g["name"] for g in record["genres"]],
        "is_official": True,
    }


def _base(record: dict) -> dict:
    """The ``SeriesBaseRecord`` of an extended one (no overview, network, artworks…)."""
    keep = {"id", "name", "slug", "image", "firstAired", "status", "originalLanguage", "year"}
    return {k: v for k, v in record.items() if k in keep} | {"defaultSeasonType": 1}


class FakeTvdb(FakeService):
    def __init__(self, api_keys: tuple[str, ...] = (API_KEY,), pin: str | None = None):
        super().__init__()
        self.api_keys = set(api_keys)
        self.pin = pin
        self.series: dict[int, dict] = {81189: breaking_bad(), 334824: dark()}
        self.episodes: dict[int, list[dict]] = {81189: breaking_bad_episodes(), 334824: []}
        self.page_size = 500
        self.next_link_host = ""  # when set, links.next points at this host instead
        self.refuse_tokens = False  # every bearer token answers 401 (even fresh ones)
        self.echo_secrets = False  # failure messages repeat the credentials sent
        self.logins = 0
        self.tokens: set[str] = set()
        self._issued = 0

    # -- controls --------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.url + "/v4"

    def expire_tokens(self) -> None:
        """Every token issued so far is now refused with 401."""
        with self._lock:
            self.tokens.clear()

    def fail(self, path: str, reply: Reply, times: int | None = 1) -> None:  # type: ignore[override]
        """Answer requests to ``path`` (no query) with ``reply``: ``times`` times, or
        always when None. Checked before authentication. (Not ``FakeService.fail``'s
        named modes: TheTVDB's tests give the reply itself.)"""
        self.inject(reply, path, times)

    def paths(self, method: str = "GET") -> list[str]:
        return [r.path for r in self.requests if r.method == method]

    # -- routing ---------------------------------------------------------
    def route(self, request: RecordedRequest) -> Reply:
        if not request.path.startswith("/v4/"):
            page = "<html><body><h1>404 Not Found</h1></body></html>"
            return Reply(404, page, {"Content-Type": "text/html"})
        route = request.path[len("/v4") :]
        if request.method == "POST" and route == "/login":
            return self._login(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        if self.refuse_tokens or not auth.startswith("Bearer ") or token not in self.tokens:
            message = f"Unauthorized: {token}" if self.echo_secrets else "Unauthorized"
            return Reply(401, {**UNAUTHORIZED, "message": message})
        return self._get(route, request, request.headers.get("Host", ""))

    def _login(self, request: RecordedRequest) -> Reply:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("apikey") not in self.api_keys:
            sent = (
                f" ({body.get('apikey')})" if self.echo_secrets and isinstance(body, dict) else ""
            )
            message = "InvalidAPIKey: apikey invalid" + sent
            return Reply(401, {"status": "failure", "message": message, "data": None})
        if self.pin is not None and "pin" not in body:
            return Reply(
                400,
                {"status": "failure", "message": "InvalidValueType: pin required", "data": None},
            )
        if self.pin is not None and body["pin"] != self.pin:
            sent = f" ({body['pin']})" if self.echo_secrets else ""
            return Reply(
                401,
                {"status": "failure", "message": "InvalidPIN: pin invalid" + sent, "data": None},
            )
        self._issued += 1
        self.logins += 1
        token = f"eyJhbGciOiJSUzI1NiJ9.fake-{self._issued}.sig"
        self.tokens.add(token)
        return Reply(200, {"status": "success", "data": {"token": token}})

    def _get(self, route: str, request: RecordedRequest, host: str) -> Reply:
        query = {k: v[0] for k, v in request.query.items()}
        parts = route.strip("/").split("/")
        if parts == ["search"]:
            return self._search(query)
        if parts[:2] == ["search", "remoteid"] and len(parts) == 3:
            found = [
                {"series": _base(record)}
                for record in self.series.values()
                if any(r.get("id") == parts[2] for r in record.get("remoteIds", []))
            ]
            return Reply(200, {"status": "success", "data": found})
        if parts[0] != "series" or len(parts) < 2 or not parts[1].isdigit():
            return Reply(404, NOT_FOUND)
        record = self.series.get(int(parts[1]))
        if record is None:
            return Reply(404, NOT_FOUND)
        if len(parts) == 2:
            return Reply(200, {"status": "success", "data": _base(record)})
        if parts[2:] == ["extended"]:
            data = copy.deepcopy(record)
            if query.get("meta") != "translations":
                data.pop("translations", None)
            if query.get("short") == "true":
                data.update(artworks=None, characters=None, trailers=None)
            return Reply(200, {"status": "success", "data": data})
        if parts[2:] == ["episodes", "default"]:
            return self._episodes(int(parts[1]), record, query, host)
        return Reply(404, NOT_FOUND)

    def _search(self, query: dict) -> Reply:
        if query.get("type") != "series":
            return Reply(200, {"status": "success", "data": [], "links": {}})
        text = query.get("query", "").lower()
        found = [
            search_result(record)
            for record in self.series.values()
            if text in record["name"].lower()
            and query.get("year", record["year"]) == record["year"]
        ]
        links = {"prev": None, "self": None, "next": None, "total_items": len(found)}
        return Reply(200, {"status": "success", "data": found, "links": links | {"page_size": 50}})

    def _episodes(self, series_id: int, record: dict, query: dict, host: str) -> Reply:
        episodes = self.episodes.get(series_id, [])
        if "season" in query:
            episodes = [e for e in episodes if str(e["seasonNumber"]) == query["season"]]
        page = int(query.get("page") or 0)
        chunk = episodes[page * self.page_size : (page + 1) * self.page_size]
        base = f"http://{self.next_link_host or host}/v4/series/{series_id}/episodes/default"
        season = f"&season={query['season']}" if "season" in query else ""
        more = (page + 1) * self.page_size < len(episodes)
        links = {
            "prev": f"{base}?page={page - 1}{season}" if page else None,
            "self": f"{base}?page={page}{season}",
            "next": f"{base}?page={page + 1}{season}" if more else None,
            "total_items": len(episodes),
            "page_size": self.page_size,
        }
        data = {"series": _base(record), "episodes": chunk}
        return Reply(200, {"status": "success", "data": data, "links": links})


def envelope(data, **extra) -> dict:
    return {"status": "success", "data": data, **extra}


# -- fixtures (import them into a test module) --------------------------------------
@pytest.fixture(autouse=True)
def tvdb_token_cache():
    """Each test starts and ends without cached TVDB tokens."""
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def fake_tvdb():
    with FakeTvdb() as srv:
        yield srv


@pytest.fixture
def make_tvdb(fake_tvdb):
    """``make_tvdb(**settings)``: a provider talking to ``fake_tvdb``."""
    made: list[Tvdb] = []

    def make(**overrides) -> Tvdb:
        values = {"api_key": API_KEY, "api_url": fake_tvdb.api_url, **overrides}
        made.append(Tvdb(TvdbSettings(**values)))
        return made[-1]

    yield make
    for provider in made:
        provider.close()
