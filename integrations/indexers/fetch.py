"""Fetch an indexer answer without letting it grow past a size limit.

``fetch_bounded`` streams the body and counts the *decoded* bytes (``read_limited``),
so a 50 MB feed or a gzip bomb is cut off after ``max_bytes`` of output (default
``settings.INDEXER_MAX_RESPONSE_BYTES``) and the connection closed, instead of being
held in memory whole. An uncompressed answer that declares its length is refused at
once when that length is too big, else read in one call of exactly that many bytes.

Status handling follows Sonarr: Newznab servers (Prowlarr above all) send their
``<error code description>`` documents with 400/410/429/500 statuses, and only the
body says what went wrong. So any answer whose Content-Type mentions XML is returned
with its bytes whatever its status, for ``parse_feed``/``parse_caps`` to map; other
non-2xx answers go through ``raise_for_response``, unless the caller asks for them
unmapped (``raise_status=False``) to read a vendor's own error body, such as
Prowlarr's JSON ``{"message": …}``.
"""

from __future__ import annotations

from typing import Any

import requests
import urllib3
from django.conf import settings

from integrations.errors import ConnectionFailed, ProtocolError, RequestTimedOut
from integrations.http import HttpClient, raise_for_response, redact

CHUNK_BYTES = 64 * 1024


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def default_max_bytes() -> int:
    return int(getattr(settings, "INDEXER_MAX_RESPONSE_BYTES", 10 * 1024 * 1024))


def is_xml_response(response: requests.Response) -> bool:
    return "xml" in (response.headers.get("Content-Type") or "").lower()


def fetch_bounded(
    http: HttpClient,
    url: str,
    *,
    params: Any = None,
    headers: dict | None = None,
    max_bytes: int | None = None,
    raise_status: bool = True,
    too_big_hint: str = "",
) -> tuple[requests.Response, bytes]:
    """GET ``url`` and return the response with its (decoded) body.

    Raises ProtocolError "answered more than N MB; refusing" (plus ``too_big_hint``)
    once the body passes ``max_bytes``, the error tree for network failures, and
    ``raise_for_response``'s errors for a non-2xx answer that is not XML (with
    ``raise_status=False``, every answer is returned for the caller to map). The
    response is closed on return; ``response.content`` holds the bytes read."""
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    response = http.get(url, params=params, headers=headers, stream=True, raise_status=False)
    body = read_limited(response, limit, http.service, url, too_big_hint=too_big_hint)
    if raise_status and not (200 <= response.status_code < 300):
        if not is_xml_response(response):
            raise_for_response(response, http.service)
    return response, body


def read_limited(
    response: requests.Response,
    max_bytes: int,
    service: str,
    url: str = "",
    *,
    too_big_hint: str = "",
) -> bytes:
    """The decoded body of a streamed ``response``, refused past ``max_bytes``.

    Closes the response, and keeps the body as ``response.content`` so that ``.text``
    and ``raise_for_response`` work afterwards. Network failures while reading become
    RequestTimedOut or ConnectionFailed; an undecodable compressed body, ProtocolError."""
    try:
        declared = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity").lower()
        if declared and declared.isdigit() and encoded in ("", "identity"):
            length = int(declared)
            if length > max_bytes:
                raise _too_big(service, max_bytes, too_big_hint)
            # Known length, nothing to decompress: one read of exactly that many bytes
            # (the body cannot outgrow it), cheaper than a loop over chunks.
            body = _read_declared(response, length, service, url)
        else:
            body = _read_chunks(response, max_bytes, service, url, too_big_hint)
    finally:
        response.close()
    response._content = body
    response._content_consumed = True
    return body


def _too_big(service: str, limit: int, hint: str) -> ProtocolError:
    return ProtocolError(
        f"{service} answered more than {megabytes(limit)}; refusing" + (f": {hint}" if hint else "")
    )


def _read_declared(response: requests.Response, length: int, service: str, url: str) -> bytes:
    """The body of a plain (not compressed) answer that declared its length."""
    try:
        body = response.raw.read(length, decode_content=False)
    except urllib3.exceptions.ReadTimeoutError:
        raise _read_timed_out(service) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if "timed out" in str(exc).lower():
            raise _read_timed_out(service) from None
        raise _cut_off(service, url) from None
    if len(body) < length:  # a short read is the end of the stream
        raise _cut_off(service, url)
    return body


def _read_timed_out(service: str) -> RequestTimedOut:
    return RequestTimedOut(f"{service} stopped sending its answer (read timed out)")


def _cut_off(service: str, url: str) -> ConnectionFailed:
    where = f" ({redact(url)})" if url else ""
    return ConnectionFailed(f"{service} closed the connection in the middle of its answer{where}")


def _read_chunks(
    response: requests.Response, limit: int, service: str, url: str, hint: str
) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
            total += len(chunk)
            if total > limit:
                raise _too_big(service, limit, hint)
            chunks.append(chunk)
    except requests.exceptions.ContentDecodingError:
        raise ProtocolError(
            f"{service} sent a compressed answer that could not be decoded"
        ) from None
    except requests.exceptions.RequestException as exc:
        # requests wraps a read timeout while streaming in a ConnectionError.
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
            raise _read_timed_out(service) from None
        raise _cut_off(service, url) from None
    return b"".join(chunks)
