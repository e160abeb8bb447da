"""A fake Plex Media Server on 127.0.0.1 for the Plex provider's tests.

Plex cannot run here, so this answers the endpoints idkarr uses with JSON shaped
like PMS's own (``Accept: application/json``; see
``/work/shared/notes/media-metadata-lists.md`` §1 and §8, and python-plexapi's
field names for ``/accounts`` and history):

* ``GET /identity`` answers without a token, as the real server does;
  every other path needs ``X-Plex-Token`` (header or query) and answers a wrong
  or missing one with Plex's HTML 401 page.
* ``GET /library/sections``, ``GET /library/sections/{key}/refresh[?path=]``
  (recorded in ``scans``; 404 for an unknown section), ``GET /library/metadata/{id}``,
  ``PUT /library/metadata/{id}/refresh`` (recorded in ``refreshed_items``),
  ``GET /accounts``, ``GET /library/recentlyAdded`` and
  ``GET /status/sessions/history/all`` (``accountID`` filter, ``sort=viewedAt:desc``,
  ``X-Plex-Container-Start``/``-Size`` from the query or the headers).
* Like PMS, a container with no children omits the child list (``size: 0`` only).

State is plain attributes that tests change: ``sections``, ``items`` (by
ratingKey), ``accounts``, ``recently_added`` (ratingKeys), ``history``.
``fail(mode, path=None)`` and ``replace(path, payload)`` (for ``GET``, once the token
checks out) are ``tests.fakeservice.FakeService``'s: ``"500"``, ``"html"`` (an HTML
page with HTTP 200), ``"malformed"`` (a cut-off ``MediaContainer``), ``"hang"`` (no
answer until the server stops) or ``"redirect"`` (302 to ``/moved``, which answers 404).
"""

from __future__ import annotations

from typing import Any

import pytest

from integrations.mediaservers.providers.plex import Plex, PlexSettings
from tests.fakeservice import HTML, JSON, FakeService, first_value, json_reply
from tests.httpserver import RecordedRequest, Reply

TOKEN = "pLexT0ken-abcDEF123456"
VERSION = "1.40.0.7998-c29d4c0c8"
MACHINE_ID = "6a646027a56abb6dbdf72484564db8567c737430"
ADDED = 1_700_000_000  # 2023-11-14T22:13:20Z

UNAUTHORIZED_PAGE = (
    "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
)
NOT_FOUND_PAGE = (
    "<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
)
NOT_FOUND = Reply(404, NOT_FOUND_PAGE, HTML)
DONE = Reply(200, b"", {"Content-Type": "text/plain"})


def section(key: str, type_: str, title: str, *paths: str) -> dict[str, Any]:
    """A ``/library/sections`` Directory entry as PMS sends it in JSON."""
    agents = {"show": "tv.plex.agents.series", "movie": "tv.plex.agents.movie"}
    return {
        "allowSync": True,
        "art": f"/:/resources/{type_}-fanart.jpg",
        "key": key,
        "type": type_,
        "title": title,
        "agent": agents.get(type_, "tv.plex.agents.none"),
        "scanner": "Plex TV Series" if type_ == "show" else "Plex Movie",
        "language": "en-US",
        "uuid": f"0000-{key}",
        "refreshing": False,
        "updatedAt": ADDED,
        "Location": [{"id": int(key) * 10 + i, "path": p} for i, p in enumerate(paths)],
    }


def default_items() -> dict[str, dict[str, Any]]:
    show = {
        "ratingKey": "101",
        "key": "/library/metadata/101/children",
        "guid": "plex://show/5d9c086fe9d5a1001f4d7b47",
        "type": "show",
        "title": "Breaking Bad",
        "librarySectionID": 2,
        "summary": "A chemistry teacher turns to crime.",
        "audienceRating": 9.5,
        "year": 2008,
        "thumb": "/library/metadata/101/thumb/1700000000",
        "art": "/library/metadata/101/art/1700000000",
        "addedAt": ADDED,
        "Genre": [{"id": 7, "filter": "genre=7", "tag": "Drama"}, {"id": 8, "tag": "Crime"}],
        "Guid": [{"id": "imdb://tt0903747"}, {"id": "tmdb://1396"}, {"id": "tvdb://81189"}],
        "Location": [{"path": "/data/tv/Breaking Bad"}],
    }
    episode = {
        "ratingKey": "103",
        "key": "/library/metadata/103",
        "parentRatingKey": "102",
        "grandparentRatingKey": "101",
        "type": "episode",
        "title": "Pilot",
        "grandparentTitle": "Breaking Bad",
        "parentTitle": "Season 1",
        "parentIndex": 1,
        "index": 1,
        "year": 2008,
        "addedAt": ADDED + 60,
        "Media": [
            {
                "id": 501,
                "Part": [
                    {
                        "id": 601,
                        "key": "/library/parts/601/1700000000/file.mkv",
                        "file": "/data/tv/Breaking Bad/Season 01/Breaking Bad - S01E01.mkv",
                    }
                ],
            }
        ],
    }
    movie = {
        "ratingKey": "201",
        "key": "/library/metadata/201",
        "guid": "plex://movie/5d7768ba96b655001fdc0408",
        "type": "movie",
        "title": "Inception",
        "year": 2010,
        "rating": 8.7,
        "addedAt": ADDED + 120,
        "thumb": "/library/metadata/201/thumb/1700000120",
        "Genre": [{"tag": "Science Fiction"}],
        "Guid": [{"id": "imdb://tt1375666"}, {"id": "tmdb://27205"}],
        "Media": [
            {
                "id": 502,
                "Part": [{"id": 602, "file": "/data/movies/Inception (2010)/Inception.mkv"}],
            }
        ],
    }
    return {item["ratingKey"]: item for item in (show, episode, movie)}


def account(id_: int, name: str) -> dict[str, Any]:
    return {
        "id": id_,
        "key": f"/accounts/{id_}",
        "name": name,
        "defaultAudioLanguage": "en",
        "autoSelectAudio": True,
        "defaultSubtitleLanguage": "en",
        "subtitleMode": 0,
        "thumb": "",
    }


def viewing(history_id: int, item: dict[str, Any], viewed_at: int, account_id: int) -> dict:
    """A ``/status/sessions/history/all`` entry for ``item``."""
    keep = ("ratingKey", "key", "type", "title", "grandparentTitle", "parentIndex", "index")
    return {
        "historyKey": f"/status/sessions/history/{history_id}",
        **{k: item[k] for k in keep if k in item},
        "librarySectionID": "2" if item["type"] == "episode" else "1",
        "viewedAt": viewed_at,
        "accountID": account_id,
        "deviceID": 3,
    }


class FakePlex(FakeService):
    failures = {
        **FakeService.failures,
        "malformed": Reply(200, '{"MediaContainer": {"size": 1, "Directory": [', JSON),
    }

    def __init__(self, token: str = TOKEN):
        super().__init__()
        self.token = token
        self.version = VERSION
        self.sections = [
            section("2", "show", "TV Shows", "/data/tv"),
            section("1", "movie", "Movies", "/data/movies"),
        ]
        self.items = default_items()
        self.accounts = [account(0, ""), account(1, "owner"), account(5, "guest")]
        self.recently_added = ["201", "103"]
        self.history = [
            viewing(1, self.items["103"], ADDED + 3600, 1),
            viewing(2, self.items["201"], ADDED + 7200, 5),
        ]
        self.scans: list[tuple[str, str | None]] = []
        self.refreshed_items: list[str] = []

    def route(self, request: RecordedRequest) -> Reply:
        if request.path != "/identity" and not self._authorized(request):
            return Reply(401, UNAUTHORIZED_PAGE, HTML)
        if request.method == "GET" and (replaced := self.replacement(request.path)):
            return replaced
        return self._endpoint(request)

    def _authorized(self, request: RecordedRequest) -> bool:
        given = request.headers.get("X-Plex-Token") or first_value(request.query, "X-Plex-Token")
        return given == self.token

    def _endpoint(self, request: RecordedRequest) -> Reply:
        method, parts = request.method, request.path.strip("/").split("/")
        if (method, request.path) == ("GET", "/identity"):
            info = {"size": 0, "claimed": True, "machineIdentifier": MACHINE_ID}
            return json_reply({"MediaContainer": {**info, "version": self.version}})
        if (method, request.path) == ("GET", "/library/sections"):
            return _container(self.sections, "Directory", title1="Plex Library")
        if method == "GET" and len(parts) == 4 and parts[:2] == ["library", "sections"]:
            if parts[3] == "refresh":
                return self._refresh_section(parts[2], request)
        if len(parts) >= 3 and parts[:2] == ["library", "metadata"]:
            return self._metadata_route(method, parts[2:])
        if (method, request.path) == ("GET", "/accounts"):
            return _container(self.accounts, "Account", identifier="com.plexapp.system.accounts")
        if (method, request.path) == ("GET", "/library/recentlyAdded"):
            items = [self.items[key] for key in self.recently_added]
            return _container(_page(items, request), "Metadata", mixedParents=True)
        if (method, request.path) == ("GET", "/status/sessions/history/all"):
            return _container(_page(self._viewings(request), request), "Metadata")
        return NOT_FOUND

    def _refresh_section(self, key: str, request: RecordedRequest) -> Reply:
        if not any(s["key"] == key for s in self.sections):
            return NOT_FOUND
        self.scans.append((key, first_value(request.query, "path")))
        return DONE

    def _metadata_route(self, method: str, rest: list[str]) -> Reply:
        item = self.items.get(rest[0])
        if item is None:
            return NOT_FOUND
        if method == "GET" and len(rest) == 1:
            return _container([item], "Metadata", librarySectionID=2)
        if method == "PUT" and rest[1:] == ["refresh"]:
            self.refreshed_items.append(rest[0])
            return DONE
        return NOT_FOUND

    def _viewings(self, request: RecordedRequest) -> list[dict]:
        rows = self.history
        account_id = first_value(request.query, "accountID")
        if account_id is not None:
            rows = [row for row in rows if str(row["accountID"]) == account_id]
        if first_value(request.query, "sort") == "viewedAt:desc":
            rows = sorted(rows, key=lambda row: row["viewedAt"], reverse=True)
        return rows


def _page(items: list[dict], request: RecordedRequest) -> list[dict]:
    def number(name: str, default: int) -> int:
        value = first_value(request.query, name) or request.headers.get(name)
        return int(value) if value is not None else default

    start = number("X-Plex-Container-Start", 0)
    return items[start : start + number("X-Plex-Container-Size", 50)]


def _container(children: list[dict], name: str, **attributes: Any) -> Reply:
    container: dict[str, Any] = {"size": len(children), **attributes}
    if children:  # PMS leaves the list out when it is empty
        container[name] = children
    return json_reply({"MediaContainer": container})


# -- fixtures (import them into a test module) -------------------------------------
@pytest.fixture
def fake_plex():
    with FakePlex() as srv:
        yield srv


def make_plex(srv: FakePlex, **overrides: Any) -> Plex:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": srv.port, "auth_token": srv.token}
    values.update(overrides)
    return Plex(PlexSettings(**values))


@pytest.fixture
def plex(fake_plex):
    provider = make_plex(fake_plex)
    yield provider
    provider.close()
