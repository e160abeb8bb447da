"""Trakt lists: a user's watchlist, collection, watched or custom list, Trakt's public
trending, popular and anticipated lists, and the signed-in user's recommendations.

Requests carry the user's own app id and, once signed in (device flow), a bearer token.
Tokens live a day to a week: each verb renews one expiring within five minutes, and a
401 renews once and retries; rotated tokens (a used refresh token is revoked) go to
``updated_settings`` for the caller to save. Secrets travel only in headers and JSON
bodies, never in a URL or a message; a payload of the wrong shape skips the entry or
raises ProtocolError, never KeyError or TypeError.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import requests
from pydantic import Field, SecretStr, field_validator, model_validator

from integrations.base import TestResult
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    ServerError,
)
from integrations.http import looks_like_html, parse_retry_after, raise_for_response

from ..base import ImportListSettings, ListInfo, ListItem, ListProvider

REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
REFRESH_MARGIN = timedelta(minutes=5)
PAGE_SIZE = 100
USER_LISTS = ("watchlist", "collection", "watched")
PUBLIC_LISTS = ("trending", "popular", "anticipated")
FILTERS = ("genres", "years", "ratings")
SIGN_IN_AGAIN = "Trakt refused the saved sign-in: sign in to Trakt again"
NO_SIGN_IN = "Trakt needs a sign-in for this (HTTP 401): sign in, or name a public profile's user"
BAD_APP = "Trakt refused the app (HTTP {}): the client {} not valid, or the app is not approved"
CLOUDFLARE = "Trakt answered a web page (HTTP 403), not JSON: Cloudflare may block this address"
DEVICE_ERRORS = {
    404: "Trakt does not know this sign-in code: start the sign-in again",
    409: "This Trakt sign-in code was already used: start the sign-in again",
    410: "The Trakt sign-in code expired before it was approved: start the sign-in again",
    418: "The Trakt sign-in was denied on trakt.tv: start it again to allow idkarr",
}
ACCOUNT_ERRORS = {
    420: "Trakt refused: the account is over a limit of its plan (HTTP 420 Account Limit "
    "Exceeded, e.g. more lists or list items than a free account may have)",
    423: "Trakt refused: the account is locked (HTTP 423 Locked User Account); "
    "contact Trakt support",
}
# fmt: off
ListType = Literal["watchlist", "collection", "watched", "custom",
                   "trending", "popular", "anticipated", "recommended"]
# fmt: on
SET_BY_SIGN_IN = "set by signing in to Trakt, not typed in"


class TraktSettings(ImportListSettings):
    api_url: str = Field("", description="Trakt's API address (empty: https://api.trakt.tv)")
    client_id: SecretStr = Field(
        description="Client ID of your own Trakt app (create one at trakt.tv/oauth/applications)"
    )
    client_secret: SecretStr | None = Field(
        None, description="Client secret of that app; needed to sign in and to renew the sign-in"
    )
    access_token: SecretStr | None = Field(None, description="Access token, " + SET_BY_SIGN_IN)
    refresh_token: SecretStr | None = Field(None, description="Refresh token, " + SET_BY_SIGN_IN)
    expires_at: datetime | None = Field(
        None, description="When the access token expires, " + SET_BY_SIGN_IN
    )
    username: str = Field(
        "", description="Trakt user whose lists are read (empty: the signed-in user)"
    )
    list_type: ListType = Field(
        description="Which list: the user's watchlist, collection, watched or a custom list; "
        "Trakt's trending, popular or anticipated; or the signed-in user's recommendations"
    )
    list_slug: str = Field(
        "", description="The custom list's slug, the last part of its address on trakt.tv"
    )
    media_type: Literal["series", "movie"] = Field("series", description="Read shows or movies")
    limit: int = Field(100, ge=1, le=1000, description="Read at most this many items")
    genres: str = Field("", description="Public lists only: genre slugs, e.g. drama,comedy")
    years: str = Field("", description="Public lists only: a year or a range, e.g. 2010-2020")
    ratings: str = Field("", description="Public lists only: a rating range, e.g. 70-100")

    @field_validator("client_id")
    @classmethod
    def _client_id_given(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("the client id of your Trakt app is required")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("client_secret", "access_token", "refresh_token")
    @classmethod
    def _blank_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is None or value.get_secret_value().strip() else None

    @model_validator(mode="after")
    def _list_is_reachable(self) -> TraktSettings:
        if self.list_type == "custom" and not self.list_slug:
            raise ValueError("a custom list needs its slug (the last part of its address)")
        return self  # an own list without a sign-in yet may be saved, then signed in


class TraktList(ListProvider):
    kind = "trakt"
    label = "Trakt"
    Settings = TraktSettings
    settings: TraktSettings
    default_api_url = "https://api.trakt.tv"
    min_refresh_minutes = 720  # Sonarr's 12 h

    # -- verbs -----------------------------------------------------------
    def fetch(self) -> list[ListItem]:
        with self._secrets_hidden():
            self._renew_if_expiring()
            return self._read(self.settings.limit)

    def test(self) -> TestResult:
        try:
            with self._secrets_hidden():
                self._renew_if_expiring()
                self._read(1)
        except IntegrationError as exc:
            return TestResult(False, exc.message, details={**exc.details, "code": exc.code})
        return TestResult(True, f"Trakt: {self._target()[1]} can be read")

    def lists(self) -> list[ListInfo]:
        user = self.settings.username or "me"
        with self._secrets_hidden():
            self._renew_if_expiring()
            missing = f"Trakt has no user '{user}', or the profile is private"
            response = self._get(f"/users/{quote(user, safe='')}/lists", not_found=missing)
            data = self._json_list(response, f"the lists of {user}")
        found = []
        for entry in map(_dict, data):
            slug = _text(_dict(entry.get("ids")).get("slug"))
            owner = _text(_dict(_dict(entry.get("user")).get("ids")).get("slug")) or user
            if slug:
                url = f"https://trakt.tv/users/{quote(owner, safe='')}/lists/{quote(slug)}"
                name, count = _text(entry.get("name")) or slug, _int(entry.get("item_count"))
                public = entry.get("privacy") != "private"
                about = _text(entry.get("description"))
                found.append(ListInfo(slug, name, about, count, public=public, url=url))
        return found

    # -- device sign-in --------------------------------------------------
    def start_device_auth(self) -> dict[str, Any]:
        """Ask for a code the user enters at ``verification_url``; then poll."""
        with self._secrets_hidden():
            body = {"client_id": self.settings.client_id.get_secret_value()}
            response = self._send("POST", "/oauth/device/code", body=body)
            self._check(response, app=True)
            data = _dict(self.http.json(response))
        code, user_code = _text(data.get("device_code")), _text(data.get("user_code"))
        if not code or not user_code:
            raise ProtocolError("Trakt answered the device sign-in without a code")
        return {
            "device_code": code,
            "user_code": user_code,
            "verification_url": _text(data.get("verification_url")) or "https://trakt.tv/activate",
            "expires_in": _int(data.get("expires_in")) or 600,
            "interval": _int(data.get("interval")) or 5,
        }

    def poll_device_auth(self, device_code: str) -> dict[str, Any] | None:
        """The new tokens once the user approved the code; None while it is pending."""
        settings = self.settings
        if settings.client_secret is None:
            raise ConfigurationError("Signing in to Trakt needs the client secret of your app")
        with self._secrets_hidden():
            body = {"code": device_code, "client_id": settings.client_id.get_secret_value()}
            body["client_secret"] = settings.client_secret.get_secret_value()
            response = self._send("POST", "/oauth/device/token", body=body)
            if response.status_code == 400:
                return None
            if response.status_code in DEVICE_ERRORS:
                raise AuthenticationError(DEVICE_ERRORS[response.status_code])
            if response.status_code == 429:
                raise RateLimited(
                    "Trakt says the sign-in is polling too fast: wait the interval between polls",
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            self._check(response, app=True)
            return self._keep_tokens(self.http.json(response))

    # -- tokens ----------------------------------------------------------
    def _can_renew(self) -> bool:
        return self.settings.refresh_token is not None and self.settings.client_secret is not None

    def _renew_if_expiring(self) -> None:
        expires = self.settings.expires_at
        if expires is None or not self._can_renew():
            return
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires - datetime.now(UTC) <= REFRESH_MARGIN:
            self._renew()

    def _renew(self) -> None:
        """Trade the refresh token for new tokens (only when ``_can_renew()``)."""
        names = ("refresh_token", "client_id", "client_secret")
        body = {name: getattr(self.settings, name).get_secret_value() for name in names}
        body.update(redirect_uri=REDIRECT_URI, grant_type="refresh_token")
        response = self._send("POST", "/oauth/token", body=body)
        if response.status_code in (400, 401):
            raise AuthenticationError(SIGN_IN_AGAIN)
        self._check(response)
        self._keep_tokens(self.http.json(response))

    def _keep_tokens(self, data: Any) -> dict[str, Any]:
        """Put new tokens on this instance and in ``updated_settings``; return them."""
        data = _dict(data)
        access = _text(data.get("access_token"))
        if not access:
            raise ProtocolError("Trakt answered the sign-in without an access token")
        old = self.settings.refresh_token
        refresh = _text(data.get("refresh_token")) or (old.get_secret_value() if old else "")
        expires_in, created = _int(data.get("expires_in")), _int(data.get("created_at"))
        try:
            start = datetime.fromtimestamp(created, UTC) if created else datetime.now(UTC)
            expires_at = start + timedelta(seconds=expires_in) if expires_in is not None else None
        except (OverflowError, OSError, ValueError):
            raise ProtocolError("Trakt answered the sign-in with an impossible expiry") from None
        tokens = {"access_token": access, "refresh_token": refresh or None}
        self.settings = self.settings.model_copy(
            update={name: SecretStr(v) if v else None for name, v in tokens.items()}
            | {"expires_at": expires_at}
        )
        tokens["expires_at"] = expires_at.isoformat() if expires_at else None
        self.updated_settings.update(tokens)
        return tokens

    # -- reading a list ----------------------------------------------------
    def _target(self) -> tuple[str, str, str]:
        """The list's path, how messages name it, and what a 404 means."""
        settings, user = self.settings, self.settings.username or "me"
        own = settings.list_type in (*USER_LISTS, "custom", "recommended")
        if own and user == "me" and settings.access_token is None:
            raise ConfigurationError(
                f"A Trakt {settings.list_type} list of your own needs a sign-in: save it, then "
                "sign in to Trakt (Sign in / device-auth), or name a public profile's user"
            )
        list_type, slug = settings.list_type, settings.list_slug
        kind = "shows" if settings.media_type == "series" else "movies"
        users = f"/users/{quote(user, safe='')}"
        path, what = f"/{kind}/{list_type}", list_type
        missing = f"Trakt has no {list_type} list of {kind}"
        if list_type in USER_LISTS:
            path, what = f"{users}/{list_type}/{kind}", f"{list_type} of {user}"
            missing = f"Trakt has no user '{user}', or the profile is private"
        elif list_type == "custom":
            path = f"{users}/lists/{quote(slug, safe='')}/items/{kind}"
            what = f"list '{slug}' of {user}"
            missing = f"Trakt has no list '{slug}' for user '{user}', or it is private"
        elif list_type == "recommended":
            path = f"/recommendations/{kind}"
        return path, f"{what} ({settings.media_type})", missing

    def _read(self, limit: int) -> list[ListItem]:
        settings, (path, what, missing) = self.settings, self._target()
        per_page = min(limit, PAGE_SIZE)
        params: dict[str, Any] = {"limit": per_page}
        if settings.list_type in PUBLIC_LISTS:
            params |= {name: value for name in FILTERS if (value := getattr(settings, name))}
        items: list[ListItem] = []
        for page in range(1, math.ceil(limit / per_page) + 1):  # at most `limit` entries
            response = self._get(path, {**params, "page": page}, not_found=missing)
            data = self._json_list(response, f"the {what}")
            items.extend(item for item in map(self._item, data) if item is not None)
            pages = _int(response.headers.get("X-Pagination-Page-Count")) or 1
            if len(items) >= limit or page >= pages or not data:
                break
        return items[:limit]

    def _item(self, entry: Any) -> ListItem | None:
        entry = _dict(entry)
        wrapped = entry.get("show" if self.settings.media_type == "series" else "movie")
        thing = wrapped if isinstance(wrapped, dict) else entry  # popular, recommended: bare
        ids = _dict(thing.get("ids"))
        imdb = _text(ids.get("imdb"))
        item = ListItem(
            media_type=self.settings.media_type,
            title=_text(thing.get("title")),
            year=_int(thing.get("year")),
            tvdb_id=_positive(ids.get("tvdb")),
            tmdb_id=_positive(ids.get("tmdb")),
            imdb_id=imdb if imdb.startswith("tt") else "",
            overview=_text(thing.get("overview")),
            added_at=_when(entry.get("listed_at")),
            rank=_int(entry.get("rank")),
            notes=_text(entry.get("notes")),
        )
        return item if item.title or item.tvdb_id or item.tmdb_id or item.imdb_id else None

    # -- requests ----------------------------------------------------------
    def _send(self, method: str, path: str, *, body: dict | None = None, **kw) -> requests.Response:
        """One request; ``params`` for a GET, ``body`` (JSON) for a POST, which carries
        no bearer token. Redirects are not followed: the app id would travel along."""
        settings = self.settings
        headers = {"Content-Type": "application/json", "trakt-api-version": "2"}
        headers["trakt-api-key"] = settings.client_id.get_secret_value()
        if body is None and settings.access_token is not None:
            headers["Authorization"] = f"Bearer {settings.access_token.get_secret_value()}"
        return self.http.request(
            method, self.url(path), json=body, headers=headers, allow_redirects=False,
            raise_status=False, **kw,
        )  # fmt: skip

    def _get(self, path: str, params: dict | None = None, *, not_found: str) -> requests.Response:
        response = self._send("GET", path, params=params)
        if response.status_code == 401 and self._can_renew():
            response.close()
            self._renew()
            response = self._send("GET", path, params=params)
        self._check(response, not_found=not_found)
        return response

    def _check(
        self, response: requests.Response, *, not_found: str = "", app: bool = False
    ) -> None:
        """Raise the error tree for a non-2xx answer. ``app``: only the app's id and
        secret were sent (the device sign-in), so a 401 is about them."""
        status = response.status_code
        if 200 <= status < 300:
            return
        if status == 401 and app:
            raise AuthenticationError(BAD_APP.format(401, "id or secret is"))
        if status == 401:
            raise AuthenticationError(
                f"{SIGN_IN_AGAIN} (HTTP 401)" if self.settings.access_token else NO_SIGN_IN
            )
        if status == 403 and looks_like_html(response):
            raise ProtocolError(CLOUDFLARE)
        if status == 403:
            raise AuthenticationError(BAD_APP.format(403, "id is"))
        if status == 404 and not_found:
            raise NotFoundError(not_found)
        if status in ACCOUNT_ERRORS:
            raise IntegrationError(ACCOUNT_ERRORS[status], permanent=True)
        if status == 429:
            retry = parse_retry_after(response.headers.get("Retry-After"))
            wait = f"; retry in {retry:g} s" if retry is not None else ""
            raise RateLimited(
                f"Trakt is rate limiting requests (HTTP 429){wait}", retry_after=retry
            )
        if status >= 500:
            raise ServerError(f"Trakt had a server error (HTTP {status}); try again later")
        raise_for_response(response, self.name)

    def _json_list(self, response: requests.Response, what: str) -> list:
        data = self.http.json(response)
        if not isinstance(data, list):
            raise ProtocolError(f"Trakt answered {what} with something other than a list")
        return data

    @contextmanager
    def _secrets_hidden(self) -> Iterator[None]:
        """Mask any secret a message picked up (e.g. from an echoing proxy's page)."""
        try:
            yield
        except IntegrationError as exc:
            for secret in self.settings.secret_dict().values():
                exc.message = exc.message.replace(secret, "***") if secret else exc.message
            exc.args = (exc.message,)
            raise


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _positive(value: Any) -> int | None:
    number = _int(value)
    return number if number is not None and number > 0 else None


def _when(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(_text(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
