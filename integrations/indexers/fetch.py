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
from django.conf import settings

from integrations.bounded import megabytes, read_limited
from integrations.http import HttpClient, raise_for_response

__all__ = ["default_max_bytes", "fetch_bounded", "is_xml_response", "megabytes", "read_limited"]


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
