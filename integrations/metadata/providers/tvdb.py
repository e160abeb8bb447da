"""TheTVDB v4 (https://api4.thetvdb.com/v4): series, episodes and artwork.

``POST /login`` trades the API key (plus a subscriber PIN for user-supported keys)
for a bearer token valid about a month. The token is kept on the instance and in a
module cache keyed by a hash of (API URL, key, PIN), so providers rebuilt for each
job share it; it is renewed after 25 days, or when a call answers 401 (that call is
then retried once). Names and overviews come from the translation in the chosen
language when TVDB has one, else from the record itself (its original language);
episode titles are the default records'. The mapping is in ``_tvdb_records``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import Field, SecretStr

from integrations.base import TestResult
from integrations.errors import (
    AuthenticationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import body_excerpt, raise_for_response

from ..base import (
    Capability,
    EpisodeMetadata,
    MediaImages,
    MetadataSettings,
    MetadataSource,
    SeriesMetadata,
)
from . import _tvdb_records as records

TOKEN_MAX_AGE = 25 * 86400  # seconds; TVDB says a token lasts one month
MAX_PAGES = 200  # of episodes (500 a page)

_tokens: dict[str, tuple[str, float]] = {}  # sha256 of (url, key, pin) -> (token, fetched at)
_tokens_lock = threading.Lock()


def clear_token_cache() -> None:
    """Forget every cached login token (tests; a key revoked by hand)."""
    with _tokens_lock:
        _tokens.clear()


class TvdbSettings(MetadataSettings):
    api_key: SecretStr = Field(
        ..., description="Your TheTVDB v4 API key (thetvdb.com, Dashboard, API Keys)"
    )
    pin: SecretStr | None = Field(
        None,
        description="Subscriber PIN: only for a user-supported API key; leave empty for a "
        "project key",
    )


def _json(response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class Tvdb(MetadataSource):
    kind = "tvdb"
    label = "TheTVDB"
    default_api_url = "https://api4.thetvdb.com/v4"
    capabilities = frozenset({Capability.SERIES, Capability.EPISODES, Capability.IMAGES})
    Settings = TvdbSettings
    settings: TvdbSettings

    def __init__(self, settings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._token: tuple[str, float] | None = None
        self._used: set[str] = set()  # every token this instance held, kept out of messages
        self._langs = records.languages(settings.language)

    # -- auth ----------------------------------------------------------------
    def _secrets(self) -> list[str]:
        pin = self.settings.pin.get_secret_value() if self.settings.pin else ""
        return [self.settings.api_key.get_secret_value(), pin]

    @property
    def _cache_key(self) -> str:
        return hashlib.sha256("\0".join([self.url(""), *self._secrets()]).encode()).hexdigest()

    def _bearer(self, fresh: bool = False) -> str:
        """A token younger than TOKEN_MAX_AGE (this instance's, else the shared one),
        or a new one from ``/login``."""
        now = time.time()
        with _tokens_lock:
            shared = _tokens.get(self._cache_key)
        for cached in (self._token, shared) if not fresh else ():
            if cached and now - cached[1] < TOKEN_MAX_AGE:
                self._token = cached
                break
        else:
            self._token = (self._login(), now)
            with _tokens_lock:
                _tokens[self._cache_key] = self._token
        self._used.add(self._token[0])
        return self._token[0]

    def _forget(self, token: str) -> None:
        self._token = None
        with _tokens_lock:
            if _tokens.get(self._cache_key, ("",))[0] == token:
                del _tokens[self._cache_key]

    def _login(self) -> str:
        key, pin = self._secrets()
        body = {"apikey": key, "pin": pin} if pin else {"apikey": key}
        response = self.http.post(self.url("/login"), json=body, raise_status=False)
        said = self._message(response)
        if response.status_code in (401, 403):
            raise AuthenticationError(f"{self.name} refused the API key: {said}")
        if response.status_code == 400 and "pin" in said.lower():
            raise AuthenticationError(
                f"{self.name} needs a subscriber PIN with this user-supported API key; set "
                f"the PIN ({said})"
            )
        token = records.at(self._payload(response), "data", "token")
        if not records.text(token):
            raise ProtocolError(f"{self.name} answered the login without a token")
        return token.strip()

    # -- requests --------------------------------------------------------------
    def _get(
        self, path: str, what: str = "", params: dict | None = None, fresh: bool = False
    ) -> dict:
        """The envelope of an authenticated GET. A 404 with TVDB's failure envelope is
        NotFoundError naming ``what``; after a 401 it logs in again and retries once.
        The key, the PIN and tokens are scrubbed from every error message."""
        try:
            token = self._bearer(fresh)
            response = self._send(path, token, params)
            if response.status_code == 401:
                self._forget(token)
                response = self._send(path, self._bearer(fresh=True), params)
            return self._payload(response, what)
        except IntegrationError as exc:
            for secret in filter(None, [*self._secrets(), *self._used]):
                exc.message = exc.message.replace(secret, "***")
            exc.args = (exc.message,)
            raise

    def _send(self, path: str, token: str, params: dict | None):
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        return self.http.get(self.url(path), params=params, headers=headers, raise_status=False)

    def _message(self, response) -> str:
        said = records.text(records.at(_json(response), "message"))
        return said or body_excerpt(response) or f"HTTP {response.status_code}"

    def _payload(self, response, what: str = "") -> dict:
        status = response.status_code
        if status == 404 and what and records.at(_json(response), "status") == "failure":
            raise NotFoundError(f"{self.name} has no {what} ({self._message(response)})")
        if status == 401:
            said = self._message(response)
            raise AuthenticationError(f"{self.name} refused a fresh login token: {said}")
        raise_for_response(response, self.name)
        body = self.http.json(response)
        if not isinstance(body, dict):
            raise ProtocolError(f"{self.name} answered a {type(body).__name__}, not an object")
        if body.get("status") == "failure":
            raise ProtocolError(f"{self.name} reported a failure: {self._message(response)}")
        return body

    def _data(self, envelope: dict, kind: type) -> Any:
        if not isinstance(envelope.get("data"), kind):
            raise ProtocolError(f"{self.name} answered data that is not a {kind.__name__}")
        return envelope["data"]

    # -- verbs -----------------------------------------------------------------
    def test(self) -> TestResult:
        """A fresh login (a cached token would hide a revoked key), then one read."""
        try:
            self._data(self._get("/series/81189", "series 81189", fresh=True), dict)
        except IntegrationError as exc:
            return TestResult(False, exc.message, details={"code": exc.code})
        return TestResult(True, f"{self.name} works: the API key logged in and read a series")

    def search_series(self, query: str, year: int | None = None) -> list[SeriesMetadata]:
        params = {"query": query, "type": "series", **({"year": year} if year else {})}
        found = self._data(self._get("/search", "", params), list)
        results = (records.search_result(item, self._langs) for item in records.dicts(found))
        return [series for series in results if series is not None]

    def series(self, series_id: str) -> SeriesMetadata:
        path = f"/series/{quote(str(series_id), safe='')}/extended"
        envelope = self._get(path, f"series {series_id}", {"meta": "translations"})
        series = records.series_record(self._data(envelope, dict), self._langs)
        if series is None:
            raise ProtocolError(f"{self.name} answered series {series_id} without an id")
        return series

    def find_series(self, source: str, value: str) -> SeriesMetadata | None:
        """By TVDB id the series itself; by IMDb or TMDB id the first series
        ``/search/remoteid`` knows, read in full."""
        value = str(value).strip()
        if source == "tvdb":
            try:
                return self.series(value) if value.isdigit() else None
            except NotFoundError:
                return None
        if source not in ("imdb", "tmdb"):
            raise UnsupportedError(f"{self.label} cannot find series by {source} id")
        if not (re.fullmatch(r"tt\d+", value) if source == "imdb" else value.isdigit()):
            return None
        try:
            envelope = self._get(f"/search/remoteid/{value}", f"series with {source} id {value}")
        except NotFoundError:
            return None
        for item in self._data(envelope, list) if envelope.get("data") is not None else []:
            if (tvdb_id := records.integer(records.at(item, "series", "id"))) is not None:
                return self.find_series("tvdb", str(tvdb_id))
        return None

    def episodes(self, series_id: str, season: int | None = None) -> list[EpisodeMetadata]:
        path = f"/series/{quote(str(series_id), safe='')}/episodes/default"
        found, page = [], 0
        for _ in range(MAX_PAGES):
            params = {"page": page, **({"season": season} if season is not None else {})}
            envelope = self._get(path, f"series {series_id}", params)
            for item in records.dicts(self._data(envelope, dict).get("episodes")):
                ep = records.episode(str(series_id), item)
                if ep and (season is None or ep.season_number == season):
                    found.append(ep)
            # Only the page number is read from the link: the token stays on our API URL.
            nxt = records.text(records.at(envelope, "links", "next"))
            following = records.integer((parse_qs(urlsplit(nxt).query).get("page") or [""])[0])
            if not nxt or following is None or following <= page:
                break
            page = following
        return sorted(found, key=lambda e: (e.season_number, e.episode_number))

    def images(self, item_id: str, media_type: str) -> MediaImages:
        if media_type != "series":
            raise UnsupportedError(f"{self.label} has no {media_type} images here")
        path = f"/series/{quote(str(item_id), safe='')}/extended"
        envelope = self._get(path, f"series {item_id}")
        return records.images(self._data(envelope, dict), self._langs)
