"""A fake Jellyfin or Emby server on 127.0.0.1 for the Jellyfin and Emby providers' tests.

Neither server can run here, so this answers the endpoints idkarr uses with payloads
shaped like the real ones (``/work/shared/notes/media-metadata-lists.md`` §2 and §8;
jellyfin/jellyfin's controllers and DTOs):

* Auth as each product checks it. Jellyfin 12 (legacy auth off, the default here): only
  ``Authorization: MediaBrowser …Token="k"`` or the ``ApiKey`` query parameter; with
  ``legacy_auth=True`` also ``X-Emby-Token``, ``X-MediaBrowser-Token`` and ``api_key``.
  Emby: ``X-Emby-Token`` or ``api_key``. A missing or wrong key gets a 401 with an empty
  body; ``GET /System/Info/Public`` needs none. ``USER_TOKEN`` is a non-administrator's
  token: ``/Library/VirtualFolders`` and ``/Users`` answer it 403.
* ``GET /System/Info``, ``GET /Library/VirtualFolders`` (a bare array), ``GET /Users``
  (a bare array), ``GET /Items`` (``{"Items", "TotalRecordCount", "StartIndex"}``, with
  the ``Ids``, ``IncludeItemTypes``, ``Years``, ``Filters=IsPlayed``, ``SortBy``
  ``DateCreated``/``DatePlayed``, ``Limit`` and ``userId`` parameters, names matched
  without case as ASP.NET does), Emby's ``GET /Users/{id}/Items`` (a 404 on Jellyfin,
  which dropped it), ``POST /Items/{id}/Refresh`` (204; 404 for an unknown id) and
  ``POST /Library/Media/Updated`` (204; 400 without ``Updates``). With ``base`` (the
  server's base URL setting) paths are served under it only; Emby also answers every
  path under the ``/emby`` prefix.
* As on the real servers, ``Path``, ``ProviderIds``, ``Overview``, ``Genres`` and
  ``DateCreated`` come only when ``Fields`` asks for them, ``UserData`` only for a user.
  Dates have .NET's 7-digit fractions (``2024-05-01T10:00:00.0000000Z``).

State is plain attributes tests change: ``system_info``, ``virtual_folders``, ``users``,
``items`` (each may hold ``_played: {user id: date}``). ``override(path, reply)`` answers
one path (or ``"*"`` every path) with a ``tests.httpserver.Reply``: ``FAILURES`` has a
500, an HTML page, malformed JSON and a hang (no answer until the server stops), which
``fail(mode, path=None)`` also names (``tests.fakeservice.FakeService``). Every request
is recorded in ``requests`` (method, path, query, headers, body, json()).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from integrations.mediaservers.providers.emby import Emby
from integrations.mediaservers.providers.jellyfin import Jellyfin
from tests.fakeservice import FakeService
from tests.httpserver import RecordedRequest, Reply

API_KEY = "5f1c0e7a9b2d4c6e8a0b1c2d3e4f5a6b"
USER_TOKEN = "0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a"  # a non-administrator's access token
FAILURES = {
    "500": Reply(500, "Internal Server Error"),
    "html": Reply(200, "<!DOCTYPE html><html><body>Sign in</body></html>", {"Content-Type": "text/html"}),
    "malformed": Reply(200, '{"Items": [{"Id": ', {"Content-Type": "application/json"}),
    "hang": Reply(hang=True),
}  # fmt: skip
_PARAM = re.compile(r'(\w+)="?([^",]*)"?')


def item_id(product: str, name: str) -> str:
    """A stable id shaped like the product's: Jellyfin a dashless GUID, Emby a number."""
    digest = hashlib.md5(name.encode()).hexdigest()  # noqa: S324 (an id, not security)
    return digest if product == "jellyfin" else str(int(digest[:6], 16) % 100000)


def _seed_items(product: str) -> list[dict[str, Any]]:
    def item(name: str, type_: str, **fields: Any) -> dict[str, Any]:
        return {"Name": name, "Id": item_id(product, name), "Type": type_, **fields}

    expanse = {"Tvdb": "280619", "Imdb": "tt3230854", "Tmdb": "63639"}
    return [
        item("The Expanse", "Series", Path="/tv/The Expanse (2015)", ProviderIds=expanse,
             ProductionYear=2015, Overview="Humanity has colonised the solar system.",
             Genres=["Drama", "Science Fiction"], CommunityRating=8.5,
             DateCreated="2024-04-01T08:00:00.0000000Z"),
        item("Dulcinea", "Episode", SeriesName="The Expanse", ParentIndexNumber=1, IndexNumber=1,
             Path="/tv/The Expanse (2015)/Season 01/The Expanse - S01E01.mkv",
             ProductionYear=2015, DateCreated="2024-05-01T10:00:00.0000000Z",
             _played={"admin": "2024-05-03T21:15:30.1234567Z"}),
        item("Arrival", "Movie", Path="/movies/Arrival (2016)/Arrival.mkv", ProductionYear=2016,
             ProviderIds={"Tmdb": "329865", "Imdb": "tt2543164"}, CommunityRating=7.9,
             DateCreated="2024-05-02T12:30:00.0000000Z",
             _played={"admin": "2024-05-04T20:00:00.0000000Z", "alice": "2024-05-06T19:00:00.0000000Z"}),
        item("Doctor Who", "Series", Path="/tv/Doctor Who (2005)", ProductionYear=2005,
             ProviderIds={"Tvdb": "78804"}, DateCreated="2024-03-01T08:00:00.0000000Z"),
        item("Doctor Who (1963)", "Series", Path="/tv/Doctor Who (1963)", ProductionYear=1963,
             ProviderIds={"Tvdb": "76107"}, DateCreated="2024-03-01T09:00:00.0000000Z"),
        item("Severance", "Series", Path="/tv/Severance", ProductionYear=2022, ProviderIds={},
             DateCreated="2024-02-01T08:00:00.0000000Z"),
    ]  # fmt: skip


class FakeJellyfin(FakeService):
    """A stateful Jellyfin (``product="jellyfin"``) or Emby (``"emby"``) server."""

    failures = {**FakeService.failures, **FAILURES}

    def __init__(self, product: str = "jellyfin", *, legacy_auth: bool = False, base: str = ""):
        super().__init__()
        self.product, self.legacy_auth = product, legacy_auth
        self.base = base  # the server's "base URL" setting, e.g. /jellyfin
        self.api_key = API_KEY
        jellyfin = product == "jellyfin"
        self.system_info: dict[str, Any] = {
            "LocalAddress": "http://172.17.0.2:8096", "ServerName": "Home",
            "Version": "10.10.7" if jellyfin else "4.8.11.0", "OperatingSystem": "Linux",
            "Id": item_id(product, "server"), "StartupWizardCompleted": True,
            "HasPendingRestart": False, "SupportsLibraryMonitor": True, "WebSocketPortNumber": 8096,
        }  # fmt: skip
        if jellyfin:  # Emby leaves ProductName out (older) or says "Emby Server"
            self.system_info["ProductName"] = "Jellyfin Server"
        self.virtual_folders: Any = [
            self._folder("Shows", "tvshows", "/tv"),
            self._folder("Movies", "movies", "/movies"),
            self._folder("Home videos", "homevideos", "/videos", "/phone"),
        ]
        self.users: Any = [  # a non-administrator first: "the first administrator" is the 2nd
            {"Name": "alice", "Id": item_id(product, "alice"), "HasPassword": True,
             "Policy": {"IsAdministrator": False, "IsDisabled": False}},
            {"Name": "admin", "Id": item_id(product, "admin"), "HasPassword": True,
             "Policy": {"IsAdministrator": True, "IsDisabled": False}},
        ]  # fmt: skip
        self.items: list[dict[str, Any]] = _seed_items(product)

    def _folder(self, name: str, collection: str, *locations: str) -> dict[str, Any]:
        return {"Name": name, "Locations": list(locations), "CollectionType": collection,
                "LibraryOptions": {}, "ItemId": item_id(self.product, "library " + name),
                "PrimaryImageItemId": item_id(self.product, "library " + name),
                "RefreshProgress": None, "RefreshStatus": "Idle"}  # fmt: skip

    # -- for tests ---------------------------------------------------------------------
    def override(self, path: str, reply: Reply) -> None:
        """Answer ``path`` (``"*"``: every path) with ``reply`` from now on."""
        self.inject(reply, None if path == "*" else path)

    def item(self, name: str) -> dict[str, Any]:
        return next(i for i in self.items if i["Name"] == name)

    def user_id(self, name: str) -> str:
        return next(u["Id"] for u in self.users if u["Name"] == name)

    @property
    def reported_updates(self) -> list[list[dict]]:
        """The ``Updates`` of every ``POST /Library/Media/Updated``, in order."""
        return [r.json()["Updates"] for r in self.requests_to("/Library/Media/Updated", "POST")]

    # -- answering (in the request's thread) -------------------------------------------
    def answer(self, request: RecordedRequest) -> Reply:
        path = request.path
        for prefix in (self.base, "/emby" if self.product == "emby" else ""):
            if prefix and path.lower().startswith(prefix.lower() + "/"):
                path = path[len(prefix) :]
                break
        else:
            if self.base:
                return Reply(404)  # outside the base URL
        with self._lock:
            return self.injected(request, path) or self._route(request, path)

    # -- auth ----------------------------------------------------------------------------
    def _token(self, request: RecordedRequest) -> str:
        query = _query(request)
        headers = request.headers
        if self.product == "emby":
            return headers.get("X-Emby-Token") or query.get("api_key", "")
        schemes = ("mediabrowser", "emby") if self.legacy_auth else ("mediabrowser",)
        names = (
            ("Authorization", "X-Emby-Authorization") if self.legacy_auth else ("Authorization",)
        )
        for name in names:
            scheme, _, params = (headers.get(name) or "").partition(" ")
            if scheme.lower() in schemes:
                token = dict(_PARAM.findall(params)).get("Token")
                if token:
                    return token
        if self.legacy_auth:
            legacy = headers.get("X-Emby-Token") or headers.get("X-MediaBrowser-Token")
            return legacy or query.get("apikey") or query.get("api_key", "")
        return query.get("apikey", "")

    def _is_admin(self, token: str) -> bool | None:
        """True for the API key, False for the user's token, None for anything else."""
        return True if token == self.api_key else False if token == USER_TOKEN else None

    # -- routes ------------------------------------------------------------------------
    def _route(self, request: RecordedRequest, path: str) -> Reply:
        method = request.method
        if (method, path) == ("GET", "/System/Info/Public"):
            keys = ("LocalAddress", "ServerName", "Version", "ProductName", "Id")
            return Reply(200, {k: self.system_info[k] for k in keys if k in self.system_info})
        admin = self._is_admin(self._token(request))
        if admin is None:
            return Reply(401)
        query = _query(request)
        user_items = re.fullmatch(r"/Users/([^/]+)/Items", path)
        refresh = re.fullmatch(r"/Items/([^/]+)/Refresh", path)
        if (method, path) == ("GET", "/System/Info"):
            return Reply(200, self.system_info)
        if (method, path) in (("GET", "/Library/VirtualFolders"), ("GET", "/Users")):
            data = self.virtual_folders if path == "/Library/VirtualFolders" else self.users
            return Reply(200, data) if admin else Reply(403)
        if (method, path) == ("GET", "/Items"):
            return Reply(200, self._items(query, query.get("userid", "")))
        if method == "GET" and user_items and self.product == "emby":
            return Reply(200, self._items(query, user_items.group(1)))
        if method == "POST" and refresh:
            known = {i["Id"] for i in self.items} | {f["ItemId"] for f in self.virtual_folders}
            return Reply(204) if refresh.group(1) in known else Reply(404)
        if (method, path) == ("POST", "/Library/Media/Updated"):
            return Reply(204) if _has_updates(request) else Reply(400, "Updates is required")
        return Reply(404)

    def _items(self, query: dict[str, str], user_id: str) -> dict[str, Any]:
        user = next((u["Name"] for u in self.users if u["Id"] == user_id), "")
        items = list(self.items)
        if query.get("ids"):
            items = [i for i in items if i["Id"] in query["ids"].split(",")]
        if query.get("includeitemtypes"):
            items = [i for i in items if i["Type"] in query["includeitemtypes"].split(",")]
        if query.get("years"):
            years = {int(y) for y in query["years"].split(",")}
            items = [i for i in items if i.get("ProductionYear") in years]
        if "IsPlayed" in query.get("filters", ""):
            items = [i for i in items if user in i.get("_played", {})]
        sort_by = query.get("sortby", "")
        if sort_by in ("DateCreated", "DatePlayed"):
            key = (lambda i: i.get("DateCreated", "")) if sort_by == "DateCreated" else (
                lambda i: i.get("_played", {}).get(user, ""))  # fmt: skip
            items.sort(key=key, reverse=query.get("sortorder") == "Descending")
        total = len(items)
        items = items[: int(query["limit"])] if query.get("limit") else items
        fields = set(query.get("fields", "").split(","))
        rendered = [self._render(i, fields, user) for i in items]
        return {"Items": rendered, "TotalRecordCount": total, "StartIndex": 0}

    def _render(self, item: dict[str, Any], fields: set[str], user: str) -> dict[str, Any]:
        gated = {"Path", "ProviderIds", "Overview", "Genres", "DateCreated"}
        dto = {
            k: v
            for k, v in item.items()
            if not k.startswith("_") and (k not in gated or k in fields)
        }
        dto |= {
            "ServerId": self.system_info["Id"],
            "ImageTags": {"Primary": "3f5a"},
            "BackdropImageTags": [],
        }
        if user:
            played = item.get("_played", {}).get(user)
            dto["UserData"] = {
                "Played": played is not None,
                "PlayCount": int(played is not None),
                "IsFavorite": False,
                **({"LastPlayedDate": played} if played else {}),
            }
        return dto


def _query(request: RecordedRequest) -> dict[str, str]:
    """The first value of each query parameter, its name in lower case."""
    return {name.lower(): values[0] for name, values in request.query.items()}


def _has_updates(request: RecordedRequest) -> bool:
    try:
        updates = request.json().get("Updates")
    except (ValueError, AttributeError):
        return False
    return isinstance(updates, list) and all(isinstance(u, dict) and u.get("Path") for u in updates)


# -- fixtures and builders (import them into a test module) ------------------------------
@pytest.fixture
def fake_jellyfin():
    with FakeJellyfin("jellyfin") as srv:
        yield srv


@pytest.fixture
def fake_emby():
    with FakeJellyfin("emby") as srv:
        yield srv


def make_jellyfin(srv: FakeJellyfin, **settings: Any) -> Jellyfin:
    settings.setdefault("api_key", srv.api_key)
    return Jellyfin(Jellyfin.Settings(host="127.0.0.1", port=srv.port, **settings))


def make_emby(srv: FakeJellyfin, **settings: Any) -> Emby:
    settings.setdefault("api_key", srv.api_key)
    return Emby(Emby.Settings(host="127.0.0.1", port=srv.port, **settings))
