"""A fake Trakt API on 127.0.0.1 for the Trakt import list's tests.

Trakt cannot be reached here, so this answers what the provider uses with Trakt's own
shapes (``/work/shared/notes/media-metadata-lists.md`` §5 and §8):

* Every request needs ``trakt-api-version: 2`` (else 400) and ``trakt-api-key`` equal
  to the app's client id (else 403, empty body). An ``Authorization: Bearer`` token
  the fake did not issue (or ``revoke``d) gets 401 everywhere.
* ``GET /users/{u}/{watchlist|collection|watched}/{shows|movies}``,
  ``/users/{u}/lists/{slug}/items/{shows|movies}`` and ``/users/{u}/lists``: ``me``
  is the token's user (401 without one); an unknown user, an unknown list or another
  user's private profile is 404.
* ``GET /{shows|movies}/{trending|popular|anticipated}`` (popular bare, the others
  wrapped) and ``/recommendations/{shows|movies}`` (bare; 401 without a token).
* Lists are paginated by ``page``/``limit`` (default 10) with ``X-Pagination-*``
  headers; recommendations only honour ``limit``.
* ``POST /oauth/token`` rotates tokens (a used refresh token is refused with
  ``invalid_grant``, 401 or ``refused_grant_status``); ``POST /oauth/device/code`` and ``/oauth/device/token`` run the
  device flow: 400 pending, 200 once ``approve``d, 418 ``deny``, 410 ``expire``,
  409 when used again, 404 unknown, 429 while ``slow_down`` is set.
* ``fail(mode, path=None, times=None, after=0)`` and ``replace(path, payload)`` (after
  the header checks) are ``tests.fakeservice.FakeService``'s, with Trakt's modes:
  ``"401"``, ``"403"``, ``"420"``, ``"423"``, ``"500"`` (empty bodies), ``"403html"``,
  ``"429"`` (Retry-After 30), ``"502html"``, ``"html"`` (a Cloudflare page with 200),
  ``"malformed"``, ``"redirect"``, ``"echo"`` (an HTML page showing the request's auth
  headers) or ``"hang"``.

Every token it issues has ``created_at`` = ``NOW`` and ``expires_in`` = ``EXPIRES_IN``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from importlists.providers.trakt import TraktList, TraktSettings
from tests.fakeservice import HTML, JSON, FakeService, first_value, json_reply
from tests.httpserver import RecordedRequest, Reply

CLIENT_ID = "cl1entID-4f9a2b7c1d3e5f60718293a4b5c6d7e8"
CLIENT_SECRET = "cl1entSECRET-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
NOW = 1_750_000_000  # created_at of every token: 2025-06-15T15:06:40Z
EXPIRES_IN = 7 * 86400
CLOUDFLARE_PAGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    "<body><h1>Checking your browser</h1><p>Cloudflare Ray ID: 8a1b2c3d</p></body></html>"
)
BAD_GATEWAY_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body><center>"
    "<h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
)
CLOUDFLARE_HTML = {"Content-Type": "text/html; charset=UTF-8"}
RATE_LIMIT = {"name": "UNAUTHED_API_GET_LIMIT", "period": 300, "limit": 1000, "remaining": 0}
UNAUTHORIZED = Reply(
    401, headers={"WWW-Authenticate": 'Bearer realm="trakt", error="invalid_token"'}
)
NOT_FOUND = Reply(404)


def show(title: str, year: int | None, trakt: int, **ids: Any) -> dict[str, Any]:
    """A Trakt show object; ``ids`` missing from the call are null."""
    slug = title.lower().replace(" ", "-")
    keys = ("tvdb", "imdb", "tmdb", "tvrage")
    return {
        "title": title,
        "year": year,
        "ids": {"trakt": trakt, "slug": slug, **{k: ids.get(k) for k in keys}},
    }


def movie(title: str, year: int | None, trakt: int, **ids: Any) -> dict[str, Any]:
    slug = f"{title.lower().replace(' ', '-')}-{year}"
    return {
        "title": title,
        "year": year,
        "ids": {"trakt": trakt, "slug": slug, **{k: ids.get(k) for k in ("imdb", "tmdb")}},
    }


def listed(thing: dict, kind: str, rank: int, listed_at: str) -> dict[str, Any]:
    """A watchlist or custom-list entry wrapping ``thing`` (``kind`` show or movie)."""
    return {
        "rank": rank,
        "id": 100_000 + rank,
        "listed_at": listed_at,
        "notes": None,
        "type": kind,
        kind: thing,
    }


BREAKING_BAD = show(
    "Breaking Bad", 2008, 1388, tvdb=81189, imdb="tt0903747", tmdb=1396, tvrage=18164
)
THE_WIRE = show("The Wire", 2002, 1429, tvdb=79126, imdb="tt0306414", tmdb=1438)
SEVERANCE = show("Severance", 2022, 154997, tvdb=371980, imdb="tt11280740", tmdb=95396)
NO_IDS = show("Nameless Pilot", None, 999001)  # every external id null
INCEPTION = movie("Inception", 2010, 16662, imdb="tt1375666", tmdb=27205)
ARRIVAL = movie("Arrival", 2016, 200001, imdb="tt2543164", tmdb=329865)
DUNE = movie("Dune", 2021, 287071, imdb="tt1160419", tmdb=438631)


def numbered_shows(count: int) -> list[dict[str, Any]]:
    """``count`` distinct shows, tvdb ids 1..count, for pagination tests."""
    return [show(f"Show {n}", 2000 + n % 20, 500_000 + n, tvdb=n) for n in range(1, count + 1)]


def default_users() -> dict[str, dict[str, Any]]:
    alice = {
        "private": False,
        "watchlist": {
            "shows": [
                listed(BREAKING_BAD, "show", 1, "2024-01-02T03:04:05.000Z"),
                listed(THE_WIRE, "show", 2, "2024-02-03T04:05:06.000Z"),
            ],
            "movies": [listed(INCEPTION, "movie", 1, "2024-03-04T05:06:07.000Z")],
        },
        "collection": {
            "shows": [
                {
                    "last_collected_at": "2023-05-06T07:08:09.000Z",
                    "last_updated_at": "2023-05-06T07:08:09.000Z",
                    "show": SEVERANCE,
                    "seasons": [{"number": 1, "episodes": [{"number": 1}]}],
                }
            ],
            "movies": [
                {
                    "collected_at": "2023-01-01T00:00:00.000Z",
                    "updated_at": "2023-01-01T00:00:00.000Z",
                    "movie": ARRIVAL,
                }
            ],
        },
        "watched": {
            "shows": [
                {
                    "plays": 62,
                    "last_watched_at": "2022-12-01T20:00:00.000Z",
                    "last_updated_at": "2022-12-01T20:00:00.000Z",
                    "reset_at": None,
                    "show": {**THE_WIRE, "aired_episodes": 60},
                    "seasons": [{"number": 1, "episodes": [{"number": 1, "plays": 1}]}],
                }
            ],
            "movies": [
                {
                    "plays": 2,
                    "last_watched_at": "2022-11-01T20:00:00.000Z",
                    "last_updated_at": "2022-11-01T20:00:00.000Z",
                    "movie": DUNE,
                }
            ],
        },
        "lists": {
            "sci-fi-picks": {
                "meta": trakt_list("Sci-fi picks", "sci-fi-picks", 1, "alice", "public", 2),
                "shows": [listed(SEVERANCE, "show", 1, "2024-04-05T06:07:08.000Z")],
                "movies": [listed(ARRIVAL, "movie", 1, "2024-04-05T06:07:09.000Z")],
            },
            "secret-stash": {
                "meta": trakt_list("Secret stash", "secret-stash", 2, "alice", "private", 0),
                "shows": [],
                "movies": [],
            },
        },
    }
    carol = {**_empty_user(), "private": True}
    carol["watchlist"]["shows"] = [listed(BREAKING_BAD, "show", 1, "2024-01-01T00:00:00.000Z")]
    return {"alice": alice, "carol": carol}


def _empty_user() -> dict[str, Any]:
    kinds = ("watchlist", "collection", "watched")
    return {"private": False, "lists": {}, **{k: {"shows": [], "movies": []} for k in kinds}}


def trakt_list(
    name: str, slug: str, trakt: int, user: str, privacy: str, count: int
) -> dict[str, Any]:
    """A ``/users/{u}/lists`` entry."""
    return {
        "name": name,
        "description": f"{name}, kept by {user}",
        "privacy": privacy,
        "share_link": f"https://trakt.tv/lists/{trakt}",
        "type": "personal",
        "display_numbers": True,
        "allow_comments": True,
        "sort_by": "rank",
        "sort_how": "asc",
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": "2024-04-05T06:07:09.000Z",
        "item_count": count,
        "comment_count": 0,
        "likes": 0,
        "ids": {"trakt": trakt, "slug": slug},
        "user": {"username": user, "private": False, "ids": {"slug": user}},
    }


def default_public() -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {
        "shows": {
            "trending": [{"watchers": 120, "show": SEVERANCE}, {"watchers": 80, "show": THE_WIRE}],
            "popular": [BREAKING_BAD, THE_WIRE],
            "anticipated": [{"list_count": 5000, "show": SEVERANCE}],
        },
        "movies": {
            "trending": [{"watchers": 300, "movie": DUNE}],
            "popular": [INCEPTION, ARRIVAL],
            "anticipated": [{"list_count": 9000, "movie": DUNE}],
        },
    }


def _echo(request: RecordedRequest) -> Reply:
    """A misconfigured proxy's debug page that shows the request's headers."""
    shown = [f"{name}: {request.headers.get(name)}" for name in ("Authorization", "trakt-api-key")]
    return Reply(200, "<html><body><pre>" + "\n".join(shown) + "</pre></body></html>", HTML)


class FakeTrakt(FakeService):
    failures = {
        **FakeService.failures,
        **{code: Reply(int(code)) for code in ("401", "403", "420", "423", "500")},
        "403html": Reply(403, CLOUDFLARE_PAGE, CLOUDFLARE_HTML),
        "429": Reply(429, b"", {"Retry-After": "30", "X-Ratelimit": json.dumps(RATE_LIMIT)}),
        "502html": Reply(502, BAD_GATEWAY_PAGE, HTML),
        "html": Reply(200, CLOUDFLARE_PAGE, CLOUDFLARE_HTML),
        "malformed": Reply(200, '[{"type": "show", "show": {"title": "Breaking', JSON),
        "redirect": Reply(302, headers={"Location": "https://api-staging.trakt.tv/moved"}),
        "echo": _echo,
    }

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.users = default_users()
        self.public = default_public()
        self.recommendations = {"shows": [SEVERANCE, BREAKING_BAD], "movies": [ARRIVAL]}
        self.access_tokens: dict[str, str] = {}  # token -> username
        self.refresh_tokens: dict[str, str] = {}  # unused refresh token -> username
        self.used_refresh_tokens: set[str] = set()
        self.omit_refresh_token = False  # answer a refresh without a new refresh token
        self.refused_grant_status = 401  # how a used or unknown refresh token is refused
        self.devices: dict[str, dict[str, str]] = {}  # device code -> {state, user}
        self.slow_down = False
        self._issued = 0

    # -- telling it what to do -------------------------------------------
    def sign_in(self, user: str = "alice") -> tuple[str, str]:
        """Issue an access and a refresh token for ``user``, as a finished sign-in would."""
        answer = self._issue(user)
        return answer["access_token"], answer["refresh_token"]

    def revoke(self, access_token: str) -> None:
        self.access_tokens.pop(access_token, None)

    def approve(self, device_code: str, user: str = "alice") -> None:
        self.devices[device_code] = {"state": "approved", "user": user}

    def deny(self, device_code: str) -> None:
        self.devices[device_code]["state"] = "denied"

    def expire(self, device_code: str) -> None:
        self.devices[device_code]["state"] = "expired"

    # -- answering -------------------------------------------------------
    def route(self, request: RecordedRequest) -> Reply:
        if request.headers.get("trakt-api-version") != "2":
            return json_reply({"error": "trakt-api-version 2 is required"}, 400)
        if request.method == "GET" and request.headers.get("trakt-api-key") != self.client_id:
            return Reply(403)
        user = self._bearer_user(request)
        if user is None and request.method == "GET":
            return UNAUTHORIZED
        if replaced := self.replacement(request.path):
            return replaced
        if request.method == "POST":
            return self._post(request)
        return self._get(request, user or None)

    def _bearer_user(self, request: RecordedRequest) -> str | None:
        """The token's user, "" without a token, None for a token the fake did not issue."""
        header = request.headers.get("Authorization")
        if header is None:
            return ""
        token = header.removeprefix("Bearer ")
        return self.access_tokens.get(token) if header.startswith("Bearer ") else None

    def _get(self, request: RecordedRequest, me: str | None) -> Reply:
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        if (
            len(parts) == 2
            and parts[0] in ("shows", "movies")
            and parts[1] in self.public[parts[0]]
        ):
            return _paged(self.public[parts[0]][parts[1]], request)
        if len(parts) == 2 and parts[0] == "recommendations" and parts[1] in ("shows", "movies"):
            if me is None:
                return UNAUTHORIZED
            limit = int(first_value(request.query, "limit") or 10)
            return json_reply(self.recommendations[parts[1]][:limit])
        if len(parts) < 3 or parts[0] != "users":
            return NOT_FOUND
        name = me if parts[1] == "me" else parts[1]
        if parts[1] == "me" and me is None:
            return UNAUTHORIZED
        user = self.users.get(name or "")
        if user is None or (user["private"] and name != me):
            return NOT_FOUND
        rest = parts[2:]
        if len(rest) == 2 and rest[0] in ("watchlist", "collection", "watched"):
            if rest[1] in ("shows", "movies"):
                return _paged(user[rest[0]][rest[1]], request)
        if rest == ["lists"]:
            return json_reply([entry["meta"] for entry in user["lists"].values()])
        if len(rest) == 4 and rest[0] == "lists" and rest[2] == "items":
            found = user["lists"].get(rest[1])
            if found and rest[3] in ("shows", "movies"):
                if found["meta"]["privacy"] == "private" and name != me:
                    return NOT_FOUND
                return _paged(found[rest[3]], request)
        return NOT_FOUND

    def _post(self, request: RecordedRequest) -> Reply:
        try:
            body = request.json()
        except ValueError:
            return json_reply({"error": "invalid_request"}, 400)
        if not isinstance(body, dict) or body.get("client_id") != self.client_id:
            return json_reply({"error": "invalid_client"}, 401)
        if request.path == "/oauth/device/code":
            self._issued += 1
            code = f"d3vice-c0de-{self._issued:04d}-9c8b7a6f5e4d"
            self.devices[code] = {"state": "pending", "user": ""}
            answer = {"device_code": code, "user_code": f"{self._issued:04d}ABCD"}
            url = "https://trakt.tv/activate"
            return json_reply({**answer, "verification_url": url, "expires_in": 600, "interval": 5})
        if body.get("client_secret") != self.client_secret:
            return json_reply({"error": "invalid_client"}, 401)
        if request.path == "/oauth/device/token":
            return self._device_token(str(body.get("code")))
        if request.path == "/oauth/token":
            return self._refresh(body)
        return NOT_FOUND

    def _device_token(self, code: str) -> Reply:
        if self.slow_down:
            return Reply(429, headers={"Retry-After": "10"})
        device = self.devices.get(code)
        if device is None:
            return NOT_FOUND
        statuses = {"pending": 400, "used": 409, "expired": 410, "denied": 418}
        if device["state"] in statuses:
            return Reply(statuses[device["state"]])
        device["state"] = "used"
        return json_reply(self._issue(device["user"]))

    def _refresh(self, body: dict[str, Any]) -> Reply:
        if body.get("grant_type") != "refresh_token":
            return json_reply({"error": "unsupported_grant_type"}, 400)
        if body.get("redirect_uri") != "urn:ietf:wg:oauth:2.0:oob":
            return json_reply({"error": "invalid_request"}, 400)
        user = self.refresh_tokens.pop(str(body.get("refresh_token")), None)
        if user is None:
            description = "The provided authorization grant is invalid, expired or revoked"
            error = {"error": "invalid_grant", "error_description": description}
            return json_reply(error, self.refused_grant_status)
        self.used_refresh_tokens.add(str(body.get("refresh_token")))
        answer = self._issue(user)
        if self.omit_refresh_token:
            del answer["refresh_token"]
        return json_reply(answer)

    def _issue(self, user: str) -> dict[str, Any]:
        self._issued += 1
        access = f"acc3ss-{self._issued:04d}-7f6e5d4c3b2a19087f6e5d4c"
        refresh = f"r3fresh-{self._issued:04d}-0a9b8c7d6e5f40312a9b8c7d"
        self.access_tokens[access] = user
        self.refresh_tokens[refresh] = user
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": EXPIRES_IN,
            "refresh_token": refresh,
            "scope": "public",
            "created_at": NOW,
        }


def _paged(items: list[Any], request: RecordedRequest) -> Reply:
    page = max(1, int(first_value(request.query, "page") or 1))
    limit = max(1, int(first_value(request.query, "limit") or 10))
    start = (page - 1) * limit
    headers = {
        "X-Pagination-Page": str(page),
        "X-Pagination-Limit": str(limit),
        "X-Pagination-Page-Count": str(max(1, math.ceil(len(items) / limit))),
        "X-Pagination-Item-Count": str(len(items)),
    }
    return json_reply(items[start : start + limit], headers=headers)


# -- fixtures and builders (import them into a test module) ----------------------
@pytest.fixture
def fake_trakt():
    with FakeTrakt() as srv:
        yield srv


@pytest.fixture
def build(fake_trakt):
    """Build a TraktList on the fake (alice's series watchlist, no sign-in, unless
    overridden); every one is closed after the test."""
    built: list[TraktList] = []

    def make(**overrides: Any) -> TraktList:
        values: dict[str, Any] = {
            "api_url": fake_trakt.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "list_type": "watchlist",
            "username": "alice",
        }
        values.update(overrides)
        provider = TraktList(TraktSettings(**values))
        built.append(provider)
        return provider

    yield make
    for provider in built:
        provider.close()


@pytest.fixture
def signed_in(fake_trakt, build):
    """Build a TraktList signed in as alice (a fresh token valid for a week)."""

    def make(**overrides: Any) -> TraktList:
        access, refresh = fake_trakt.sign_in("alice")
        tokens = {"access_token": access, "refresh_token": refresh, "expires_at": in_(days=7)}
        return build(**{"username": "", **tokens, **overrides})

    return make


def in_(**delta: float) -> datetime:
    """Now plus ``delta`` (negative for the past), timezone-aware."""
    return datetime.now(UTC) + timedelta(**delta)
