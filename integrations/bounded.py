"""Reading an answer without letting it grow past a size limit: ``read_limited``
streams the body and counts the *decoded* bytes, so a huge answer or a gzip bomb is
cut off after ``max_bytes`` of output and the connection closed, instead of being
held in memory whole. An uncompressed answer that declares its length is refused at
once when that length is too big, else read in one call of exactly that many bytes."""

from __future__ import annotations

import requests
import urllib3

from integrations.errors import ConnectionFailed, ProtocolError, RequestTimedOut
from integrations.http import redact

CHUNK_BYTES = 64 * 1024


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


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
