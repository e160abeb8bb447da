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
from django.conf import settings as django_settings

from integrations.errors import (
    AuthenticationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RequestTimedOut,
)
from integrations.http import HttpClient, excerpt, raise_for_response

SERVICE = "Prowlarr"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 64 * 1024


def max_response_bytes() -> int:
    return int(getattr(django_settings, "INDEXER_MAX_RESPONSE_BYTES", DEFAULT_MAX_BYTES))


def read_bounded(response: requests.Response, max_bytes: int, service: str = SERVICE) -> bytes:
    """The (decompressed) body of a streamed response, or ProtocolError past ``max_bytes``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise ProtocolError(_too_big(service, max_bytes))
    chunks, total = [], 0
    try:
        for chunk in response.iter_content(_CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise ProtocolError(_too_big(service, max_bytes))
            chunks.append(chunk)
    except requests.exceptions.ContentDecodingError:
        raise ProtocolError(
            f"{service} sent a compressed answer that could not be decoded"
        ) from None
    except requests.exceptions.RequestException as exc:
        # requests reports a read timeout while streaming as a ConnectionError.
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
            raise RequestTimedOut(
                f"{service} stopped sending its answer (read timed out)"
            ) from None
        raise ConnectionFailed(
            f"{service} closed the connection in the middle of its answer"
        ) from None
    finally:
        response.close()
    return b"".join(chunks)


def _too_big(service: str, max_bytes: int) -> str:
    return (
        f"{service}'s answer is larger than {max_bytes // (1024 * 1024)} MB; "
        "narrow the search (categories, indexers, limit)"
    )


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
        response = self.http.get(
            self.url(path),
            params=params,
            headers={"X-Api-Key": self.api_key, "Accept": "application/json"},
            stream=True,
            raise_status=False,
        )
        body = read_bounded(response, max_response_bytes())
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
    keep_body(response, body)
    raise_for_response(response, SERVICE)


def keep_body(response: requests.Response, body: bytes) -> None:
    """Make ``response.text`` the body already streamed (for the shared status mapping)."""
    response._content = body
    response._content_consumed = True


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
    "keep_body",
    "max_response_bytes",
    "read_bounded",
]
