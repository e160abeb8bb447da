"""Fetch an indexer answer without letting it grow past a size limit.

``fetch_bounded`` streams the body and counts the *decoded* bytes, so a 50 MB feed or
a gzip bomb is cut off after ``max_bytes`` of output (default
``settings.INDEXER_MAX_RESPONSE_BYTES``) and the connection closed, instead of being
held in memory whole.

Status handling follows Sonarr: Newznab servers (Prowlarr above all) send their
``<error code description>`` documents with 400/410/429/500 statuses, and only the
body says what went wrong. So any answer whose Content-Type mentions XML is returned
with its bytes whatever its status, for ``parse_feed``/``parse_caps`` to map; other
non-2xx answers go through ``raise_for_response``.
"""

from __future__ import annotations

import requests
from django.conf import settings

from integrations.errors import ConnectionFailed, ProtocolError, RequestTimedOut
from integrations.http import HttpClient, raise_for_response, redact

CHUNK_BYTES = 64 * 1024


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def default_max_bytes() -> int:
    return int(getattr(settings, "INDEXER_MAX_RESPONSE_BYTES", 10 * 1024 * 1024))


def is_xml_response(response: requests.Response) -> bool:
    return "xml" in (response.headers.get("Content-Type") or "").lower()


def fetch_bounded(
    http: HttpClient,
    url: str,
    *,
    params: dict | None = None,
    headers: dict | None = None,
    max_bytes: int | None = None,
) -> tuple[requests.Response, bytes]:
    """GET ``url`` and return the response with its (decoded) body.

    Raises ProtocolError "answered more than N MB; refusing" once the body passes
    ``max_bytes``, the error tree for network failures, and ``raise_for_response``'s
    errors for a non-2xx answer that is not XML. The response is closed on return;
    ``response.content`` holds the bytes read."""
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    service = http.service
    response = http.get(url, params=params, headers=headers, stream=True, raise_status=False)
    try:
        declared = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity").lower()
        if declared and declared.isdigit() and encoded in ("", "identity"):
            if int(declared) > limit:
                raise _too_big(service, limit)
        body = _read_bounded(response, limit, service, url)
    finally:
        response.close()
    # Make .text/.content usable for callers and raise_for_response (already read).
    response._content = body
    response._content_consumed = True
    if not (200 <= response.status_code < 300) and not is_xml_response(response):
        raise_for_response(response, service)
    return response, body


def _too_big(service: str, limit: int) -> ProtocolError:
    return ProtocolError(f"{service} answered more than {_mb(limit)}; refusing")


def _read_bounded(response: requests.Response, limit: int, service: str, url: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
            total += len(chunk)
            if total > limit:
                raise _too_big(service, limit)
            chunks.append(chunk)
    except requests.exceptions.ContentDecodingError:
        raise ProtocolError(
            f"{service} sent a compressed answer that could not be decoded"
        ) from None
    except (requests.exceptions.ReadTimeout, requests.exceptions.Timeout):
        raise RequestTimedOut(f"{service} stopped sending its answer (read timed out)") from None
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ConnectionError,
    ) as exc:
        # requests wraps a read timeout while streaming in a ConnectionError.
        if "timed out" in str(exc).lower():
            raise RequestTimedOut(
                f"{service} stopped sending its answer (read timed out)"
            ) from None
        raise ConnectionFailed(
            f"{service} closed the connection in the middle of its answer ({redact(url)})"
        ) from None
    return b"".join(chunks)
