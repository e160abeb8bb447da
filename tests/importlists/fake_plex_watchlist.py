"""A fake of Plex's discover service on 127.0.0.1 for the Plex Watchlist's tests.

Plex's cloud cannot be reached here, so this answers ``GET
/library/sections/watchlist/all`` the way ``discover.provider.plex.tv`` does
(``/work/shared/notes/media-metadata-lists.md`` §1.1, §1.2, §1.6, §8):

* The token is ``X-Plex-Token``, from a header or the query (Plex takes both); a
  missing or wrong one gets Plex's 401 HTML page. Other paths get 404.
* JSON only with ``Accept: application/json``; otherwise Plex's default, XML.
* ``type`` filters (1 movies, 2 shows; absent: both); ``X-Plex-Container-Start`` and
  ``-Size`` page; the ``MediaContainer`` carries ``offset``, ``totalSize`` and
  ``size``, and no ``Metadata`` when the page is empty. ``includeFields`` keeps only the
  named fields of an entry, and ``Guid`` is sent only with ``includeGuids=1``.
* ``fail(mode, times=None)`` answers the next ``times`` requests (None: all) with a
  failure: ``"401"``, ``"403echo"`` (a 403 page echoing the token), ``"429"``
  (Retry-After 30), ``"500"``, ``"502"``, ``"503"``, ``"html"`` (a 200 web page),
  ``"echo"`` (a 200 web page echoing the token), ``"malformed"`` (cut-off JSON),
  ``"nocontainer"``, ``"redirect"`` or ``"hang"`` (until the server stops).
  ``srv.script([...])`` (RecordingServer's) answers before any of this.
"""

from __future__ import annotations

import json
from typing import Any

from importlists.providers.plexwatchlist import PlexWatchlist, PlexWatchlistSettings
from tests.httpserver import RecordedRequest, RecordingServer, Reply

PATH = "/library/sections/watchlist/all"
TOKEN = "pLeXt0k3n-Zq9xW2vR7mK4"
HTML = {"Content-Type": "text/html; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
UNAUTHORIZED_PAGE = (
    "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
)
TYPES = {"1": "movie", "2": "show"}


def entry(kind: str, title: str, year: int | None, key: str, *guids: str) -> dict[str, Any]:
    """One watchlist entry (``kind`` show or movie) with ``Guid`` ids like ``tvdb://1``."""
    data: dict[str, Any] = {"type": kind, "title": title, "ratingKey": key}
    if year is not None:
        data["year"] = year
    data["key"] = f"/library/metadata/{key}"
    data["guid"] = f"plex://{kind}/{key}"
    data["Guid"] = [{"id": guid} for guid in guids]
    return data


# The shows of Sonarr's fixture (plex_watchlist.json), a movie, and a show without ids.
THIRTY_ROCK = entry("show", "30 Rock", 2006, "5d9c086c46115600200aa2fe", "tvdb://79488")
BOURDAIN = entry(
    "show",
    "Anthony Bourdain: No Reservations",
    2005,
    "5d9c07f0e264b7001fc3b3b4",
    "imdb://tt0475900",
    "tmdb://4533",
    "tvdb://79668",
)
MATRIX = entry(
    "movie", "The Matrix", 1999, "5d776825880197001ec967c6", "imdb://tt0133093", "tmdb://603"
)
NO_GUIDS = entry("show", "Obscure Pilot", 2019, "5e1a2b3c4d5e6f7a8b9c0d1e")
SAMPLE = [THIRTY_ROCK, MATRIX, BOURDAIN]


def numbered(kind: str, count: int) -> list[dict[str, Any]]:
    """``count`` distinct entries of ``kind``, tvdb (shows) or tmdb (movies) ids 1..count."""
    scheme = "tvdb" if kind == "show" else "tmdb"
    return [
        entry(kind, f"{kind.title()} {n}", 2000 + n % 20, f"{n:024x}", f"{scheme}://{n}")
        for n in range(1, count + 1)
    ]


def container(metadata: list | None, *, offset: int = 0, total: int | None = None) -> dict:
    """A watchlist answer's body, shaped like Plex's."""
    body: dict[str, Any] = {
        "librarySectionID": "watchlist",
        "librarySectionTitle": "Watchlist",
        "offset": offset,
        "totalSize": len(metadata or []) if total is None else total,
        "identifier": "tv.plex.provider.metadata",
        "size": len(metadata or []),
    }
    if metadata:
        body["Metadata"] = metadata
    return {"MediaContainer": body}


def json_reply(body: Any) -> Reply:
    return Reply(200, json.dumps(body), JSON)


def page_reply(metadata: list | None, **kwargs) -> Reply:
    return json_reply(container(metadata, **kwargs))


def _first(request: RecordedRequest, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None


class FakePlexWatchlist(RecordingServer):
    """The discover service holding one account's ``watchlist`` (newest first)."""

    def __init__(self, watchlist: list[dict[str, Any]] | None = None, token: str = TOKEN):
        super().__init__()
        self.watchlist = list(SAMPLE if watchlist is None else watchlist)
        self.token = token
        self._failure: str | None = None
        self._failures_left: int | None = None

    def fail(self, mode: str, times: int | None = None) -> None:
        with self._lock:
            self._failure, self._failures_left = mode, times

    def answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            mode = self._failure
            if mode is not None and self._failures_left is not None:
                self._failures_left -= 1
                if self._failures_left <= 0:
                    self._failure = None
        return self._failed(mode, request) if mode else self._serve(request)

    def _failed(self, mode: str, request: RecordedRequest) -> Reply:
        seen = request.headers.get("X-Plex-Token", "")
        echo = f"<html><body><h1>Request</h1><pre>X-Plex-Token: {seen}</pre></body></html>"
        return {
            "401": Reply(401, UNAUTHORIZED_PAGE, HTML),
            "403echo": Reply(403, echo, HTML),
            "429": Reply(429, "Too Many Requests", {"Retry-After": "30"}),
            "500": Reply(500, "<html><body><h1>500 Internal Server Error</h1></body></html>", HTML),
            "502": Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", HTML),
            "503": Reply(503, "", {"Retry-After": "120"}),
            "html": Reply(200, "<!DOCTYPE html><html><body>Plex</body></html>", HTML),
            "echo": Reply(200, echo, HTML),
            "malformed": Reply(200, '{"MediaContainer": {"offset": 0, "Metad', JSON),
            "nocontainer": Reply(200, json.dumps({"errors": [{"code": 1001}]}), JSON),
            "redirect": Reply(302, "", {"Location": f"{self.url}/moved{PATH}"}),
            "hang": Reply(hang=True),
        }[mode]

    def _serve(self, request: RecordedRequest) -> Reply:
        if request.path != PATH:
            return Reply(404, "<html><body><h1>404 Not Found</h1></body></html>", HTML)
        token = request.headers.get("X-Plex-Token") or _first(request, "X-Plex-Token")
        if token != self.token:
            return Reply(401, UNAUTHORIZED_PAGE, HTML)
        kind = TYPES.get(_first(request, "type") or "")
        chosen = [e for e in self.watchlist if kind is None or e.get("type") == kind]
        start = int(_first(request, "X-Plex-Container-Start") or 0)
        size = int(_first(request, "X-Plex-Container-Size") or len(chosen))
        page = [self._shaped(e, request) for e in chosen[start : start + size]]
        if "application/json" not in request.headers.get("Accept", ""):
            return Reply(200, self._xml(page, start, len(chosen)), {"Content-Type": "text/xml"})
        return Reply(200, json.dumps(container(page, offset=start, total=len(chosen))), JSON)

    @staticmethod
    def _shaped(data: dict[str, Any], request: RecordedRequest) -> dict[str, Any]:
        fields = (_first(request, "includeFields") or "").split(",")
        shaped = {k: v for k, v in data.items() if k != "Guid" and (k in fields or fields == [""])}
        if _first(request, "includeGuids") == "1" and "Guid" in data:
            shaped["Guid"] = data["Guid"]
        return shaped

    @staticmethod
    def _xml(page: list[dict[str, Any]], start: int, total: int) -> str:
        rows = "".join(
            f'<Directory type="{e.get("type")}" title="{e.get("title")}"/>' for e in page
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><MediaContainer offset="{start}" '
            f'totalSize="{total}" size="{len(page)}">{rows}</MediaContainer>'
        )


def provider(srv: FakePlexWatchlist, **settings: Any) -> PlexWatchlist:
    """A Plex Watchlist pointed at ``srv`` with its token (no database)."""
    settings.setdefault("api_url", srv.url)
    settings.setdefault("auth_token", srv.token)
    return PlexWatchlist(PlexWatchlistSettings(**settings))
