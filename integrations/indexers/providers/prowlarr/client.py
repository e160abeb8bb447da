"""Prowlarr's own REST API (``/api/v1``), raw: JSON in, plain Python out.

Auth is the ``X-Api-Key`` header on every request (Prowlarr also reads ``?apikey=``,
which we never use so the key stays out of URLs and logs). A wrong key is a bare
HTTP 401; client errors carry ``{"message": …}`` (Prowlarr's ErrorModel). Bodies are
read with a size cap, so a runaway answer cannot exhaust memory.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import requests

from integrations.errors import (
    AuthenticationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
)
from integrations.http import HttpClient, excerpt, raise_for_response

from ...fetch import fetch_bounded

SERVICE = "Prowlarr"
TOO_BIG_HINT = "narrow the search (categories, indexers, limit)"


class ProwlarrApi:
    """One Prowlarr instance. ``base_url`` is what the user browses to (with any URL base)."""

    def __init__(self, base_url: str, api_key: str, http: HttpClient):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.http = http

    # -- transport -------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v1/{path.lstrip('/')}"

    def is_own_url(self, url: str) -> bool:
        """Whether ``url`` points at this Prowlarr (where the API key may be sent)."""
        mine, other = urlsplit(self.base_url), urlsplit(url)
        return (mine.scheme, mine.netloc.lower()) == (other.scheme, other.netloc.lower())

    def get_json(self, path: str, params: Any = None) -> Any:
        response, body = fetch_bounded(
            self.http,
            self.url(path),
            params=params,
            headers={"X-Api-Key": self.api_key, "Accept": "application/json"},
            raise_status=False,  # Prowlarr's JSON error bodies are read by check_status
            too_big_hint=TOO_BIG_HINT,
        )
        check_status(response, body)
        return decode_json(response, body)

    # -- endpoints -------------------------------------------------------------
    def system_status(self) -> dict:
        return _expect(self.get_json("system/status"), dict, "system/status")

    def indexers(self) -> list[dict]:
        return _expect(self.get_json("indexer"), list, "indexer")

    def tags(self) -> list[dict]:
        return _expect(self.get_json("tag"), list, "tag")

    def app_profiles(self) -> list[dict]:
        """Sync profiles (Prowlarr 0.2+); an older Prowlarr without them answers 404."""
        try:
            return _expect(self.get_json("appprofile"), list, "appprofile")
        except NotFoundError:
            return []

    def search(self, params: list[tuple[str, Any]]) -> list[dict]:
        return _expect(self.get_json("search", params), list, "search")


def check_status(response: requests.Response, body: bytes) -> None:
    """Map a non-2xx answer, reading Prowlarr's ``{"message": …}`` where it sent one."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 401:
        raise AuthenticationError(
            "Prowlarr refused the API key (HTTP 401); copy it from Prowlarr's "
            "Settings → General → Security → API Key"
        )
    message = _error_message(body)
    if status == 400 and message:
        # e.g. "Search failed due to all selected indexers being unavailable"
        raise IntegrationError(f"Prowlarr: {message}", permanent=False)
    raise_for_response(response, SERVICE)  # fetch_bounded kept the body for it


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return excerpt(data["message"], 200)
    return ""


def decode_json(response: requests.Response, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        text = body[:2000].decode("utf-8", "replace")
        html = "html" in response.headers.get("Content-Type", "") or text.lstrip()[:1] == "<"
        if html:
            raise ProtocolError(
                "Prowlarr answered with an HTML page instead of JSON; check the URL "
                "(and URL base) — a login page means a reverse proxy is in the way"
            ) from None
        raise ProtocolError(
            f"Prowlarr returned invalid JSON (HTTP {response.status_code}): {excerpt(text, 120)}"
        ) from None


def _expect(data: Any, kind: type, endpoint: str) -> Any:
    if not isinstance(data, kind):
        raise ProtocolError(
            f"Prowlarr's {endpoint} answer is a JSON {type(data).__name__}, "
            f"not the {kind.__name__} its API promises; is this really Prowlarr?"
        )
    return data


__all__ = [
    "ProwlarrApi",
    "check_status",
    "decode_json",
]
