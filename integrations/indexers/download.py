"""Fetch a release's .torrent or .nzb through its indexer (``Indexer.download``).

* A magnet (``magnet_url``, or a ``magnet:`` download link) needs no request.
* Otherwise the link is fetched with the indexer's session, redirects followed by hand
  (at most ``MAX_HOPS``) so a redirect to ``magnet:`` — Jackett and Prowlarr answer so
  for magnet-only trackers — becomes a magnet result; the body is read up to
  ``MAX_DOWNLOAD_BYTES``.
* The bytes must look like what was asked for: a bencoded dictionary with an
  ``info`` key for torrents, an ``<nzb`` document for Usenet. A Newznab ``<error>``
  document is mapped like a feed's (bad key, download limit …); an HTML page, JSON or
  anything else is a ProtocolError saying what came instead.

Links carry the indexer's key (``apikey=``, ``r=``, ``jackett_apikey=``): messages and
logs only ever show ``redact()``-ed URLs.
"""

from __future__ import annotations

import logging
import re
from email.message import Message
from urllib.parse import urljoin, urlsplit

import requests

from integrations.bounded import read_limited
from integrations.errors import (
    ConfigurationError,
    NotFoundError,
    ProtocolError,
)
from integrations.http import HttpClient, excerpt, raise_for_response, redact

from .base import DownloadResult, Protocol, SearchResult
from .newznab_xml import parse_document, raise_for_error

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024
MAX_HOPS = 5
CHUNK_BYTES = 64 * 1024
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def fetch_release(
    http: HttpClient,
    result: SearchResult,
    *,
    protocol: Protocol,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    max_hops: int = MAX_HOPS,
) -> DownloadResult:
    """The magnet, .torrent or .nzb of ``result`` (see the module docstring)."""
    service = http.service
    if protocol == Protocol.TORRENT:
        for link in (result.magnet_url, result.download_url):
            if link and link.lower().startswith("magnet:"):
                return DownloadResult(protocol, magnet=link)
    url = result.download_url
    if not url:
        raise ProtocolError(f"{service} gave no download link for {result.title!r}")
    for _ in range(max_hops + 1):
        _check_scheme(url, service)
        response = http.get(url, allow_redirects=False, stream=True, raise_status=False)
        location = response.headers.get("Location") if response.is_redirect else None
        if location:
            response.close()
            url = urljoin(url, location.strip())
            if url.lower().startswith("magnet:"):
                if protocol != Protocol.TORRENT:
                    raise ProtocolError(f"{service} redirected a Usenet download to a magnet link")
                return DownloadResult(protocol, magnet=url)
            log.debug("%s: download redirected to %s", service, redact(url))
            continue
        try:
            body = read_limited(response, max_bytes, service, redact(url))
        finally:
            response.close()
        response._content = body
        response._content_consumed = True
        return _classify(response, body, result, protocol, service)
    raise ProtocolError(f"{service} redirected the download more than {max_hops} times")


def _check_scheme(url: str, service: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigurationError(
            f"{service} gave a download link that is not http(s) ({scheme or 'no scheme'}:)"
        )


def looks_like_torrent(body: bytes) -> bool:
    return body[:1] == b"d" and b"4:info" in body


def looks_like_nzb(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<nzb" in head and b"<html" not in head


def _classify(
    response: requests.Response,
    body: bytes,
    result: SearchResult,
    protocol: Protocol,
    service: str,
) -> DownloadResult:
    ok = 200 <= response.status_code < 300
    if ok and protocol == Protocol.TORRENT and looks_like_torrent(body):
        return DownloadResult(protocol, torrent=body, filename=filename_for(response, result))
    if ok and protocol == Protocol.USENET and looks_like_nzb(body):
        return DownloadResult(protocol, nzb=body, filename=filename_for(response, result))
    url = redact(response.url or result.download_url)
    head = body[:4096].lstrip().lower()
    if b"<error" in head and not head.startswith((b"<!doctype html", b"<html")):
        try:
            root, _ = parse_document(body, service=service, url=url, what="file")
        except ProtocolError:
            root = None
        raise_for_error(root, service=service, url=url)
    if response.status_code in (404, 410):
        raise NotFoundError(
            f"{service} no longer has this release (HTTP {response.status_code}); search again"
        )
    if not ok:
        raise_for_response(response, service)
    wanted = "a .torrent file" if protocol == Protocol.TORRENT else "an NZB"
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        raise ProtocolError(
            f"{service} returned an HTML page instead of {wanted}; the link may need a login, "
            "or the site shows a captcha"
        )
    if "json" in content_type or head[:1] in (b"{", b"["):
        raise ProtocolError(
            f"{service} returned JSON instead of {wanted}: "
            f"{excerpt(body[:300].decode('utf-8', 'replace'), 120)}"
        )
    if not body:
        raise ProtocolError(f"{service} returned an empty file instead of {wanted}")
    raise ProtocolError(
        f"{service} returned something that is not {wanted} "
        f"({len(body)} bytes, {content_type or 'no Content-Type'})"
    )


def _safe_name(text: str) -> str:
    return " ".join(_UNSAFE_NAME.sub(" ", text).split()).strip(" .")[:200]


def filename_for(response: requests.Response, result: SearchResult) -> str:
    """The Content-Disposition file name, else the release title; with the right suffix."""
    suffix = ".torrent" if result.protocol == Protocol.TORRENT else ".nzb"
    name = ""
    disposition = response.headers.get("Content-Disposition")
    if disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        name = message.get_filename() or ""
    name = _safe_name(name.replace("\\", "/").rsplit("/", 1)[-1]) or _safe_name(result.title)
    if not name:
        name = "release"
    return name if name.lower().endswith(suffix) else name + suffix
