"""Hardened XML parsing of an indexer answer, before anything reads it.

The parser loads no DTD, resolves no entity, touches no network and refuses huge
trees; any DOCTYPE is refused outright, so XXE and entity-expansion payloads fail with
a clear error instead of reading files or eating memory. Answers over
``settings.INDEXER_MAX_RESPONSE_BYTES`` are refused before parsing, HTML pages (login
walls, Cloudflare challenges) are named as such, and a feed that is not valid UTF-8 is
read leniently as Windows-1252 instead of failing.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree

from integrations.errors import ProtocolError
from integrations.http import excerpt, redact
from integrations.safexml import hardened_parser, starts_as_html, starts_with_doctype

from ..fetch import default_max_bytes, megabytes

_local = threading.local()


def _parser(*, encoding: str | None = None) -> etree.XMLParser:
    """A hardened parser, one per thread (lxml parsers must not be shared across threads)."""
    key = "parser_" + (encoding or "auto")
    parser = getattr(_local, key, None)
    if parser is None:
        parser = hardened_parser(
            collect_ids=False,
            remove_blank_text=True,  # fewer nodes to build and walk
            encoding=encoding,
        )
        setattr(_local, key, parser)
    return parser


_BOM = codecs.BOM_UTF8
_XML_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_document(data: bytes, *, service: str, url: str = "", what: str = "feed"):
    """Parse ``data`` with the hardened parser and return ``(root, repaired)``.

    Refuses oversized answers, HTML pages, DOCTYPEs and malformed XML with a
    ProtocolError. ``repaired`` says the bytes were not valid UTF-8 (or held control
    characters) and were decoded leniently."""
    if data is None:
        data = b""
    limit = default_max_bytes()
    if len(data) > limit:
        raise ProtocolError(
            f"{service} answered more than {megabytes(limit)}; refusing to parse it"
        )
    stripped = data.lstrip()
    if not stripped:
        raise ProtocolError(f"{service} returned an empty answer instead of a {what}")
    if _looks_like_html(stripped):
        raise _html_error(stripped, service, url)
    if stripped.startswith(_BOM):
        stripped = stripped[3:].lstrip()
    if not stripped.startswith(b"<"):
        raise ProtocolError(
            f"{service} did not return XML (expected a {what}): "
            f"{excerpt(stripped[:300].decode('utf-8', 'replace'), 120)}"
        )
    if starts_with_doctype(stripped, 65536):
        raise _doctype_error(service)
    # Parse from the first "<": PHP indexers often send a stray newline before the
    # XML declaration, which XML forbids but which changes nothing.
    data = stripped
    repaired = False
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        fixed = _repair_encoding(data)
        if fixed is None:
            raise _syntax_error(exc, data, service, what) from None
        try:
            root = etree.fromstring(fixed, _parser(encoding="utf-8"))
        except etree.XMLSyntaxError as exc2:
            raise _syntax_error(exc2, fixed, service, what) from None
        repaired = True
    if root is None:
        raise ProtocolError(f"{service} returned an empty document instead of a {what}")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _doctype_error(service)
    return root, repaired


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048]
    if head.startswith(_BOM):
        head = head[3:]
    if starts_as_html(head):
        return True
    lowered = head.lower()
    return b"<html" in lowered and b"<rss" not in lowered and b"<caps" not in lowered


def _html_error(data: bytes, service: str, url: str) -> ProtocolError:
    text = data[:4096].decode("utf-8", "replace")
    lowered = text.lower()
    hint = ""
    if "cloudflare" in lowered or "cf-browser-verification" in lowered or "cf_chl" in lowered:
        hint = " (a Cloudflare challenge; the indexer is behind a browser check)"
    elif "login" in lowered or "password" in lowered or "sign in" in lowered:
        hint = " (a login page: check the URL, the API path and the API key)"
    where = f" at {redact(url)}" if url else ""
    return ProtocolError(
        f"{service} returned an HTML page instead of a feed{where}{hint}: {excerpt(text, 120)}"
    )


def _repair_encoding(data: bytes) -> bytes | None:
    """Bytes that are not valid UTF-8 (a Latin-1 feed claiming UTF-8) or carry control
    characters XML forbids, decoded leniently and re-encoded as UTF-8; None when the
    data needs no repair."""
    try:
        text = data.decode("utf-8")
        repaired = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", "idkarr-legacy-fallback")
        repaired = True
    cleaned = _XML_INVALID_CHARS.sub("", text)
    if not repaired and cleaned == text:
        return None
    return cleaned.encode("utf-8")


def _legacy_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252 (Latin-1 where it has a hole)."""
    bad = exc.object[exc.start : exc.end]
    out = []
    for b in bad:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out), exc.end


codecs.register_error("idkarr-legacy-fallback", _legacy_fallback)


def _doctype_error(service: str) -> ProtocolError:
    return ProtocolError(
        f"{service} sent a document with a DOCTYPE, which idkarr refuses "
        "(feeds never need one; it is how entity-expansion and file-reading attacks start)"
    )


def _syntax_error(exc: etree.XMLSyntaxError, data: bytes, service: str, what: str):
    msg = str(exc.msg if getattr(exc, "msg", None) else exc)
    lowered = msg.lower()
    if "premature end" in lowered or "end of data" in lowered or "not closed" in lowered:
        kind = "truncated"
    else:
        kind = "malformed"
    if "entity" in lowered and ("loop" in lowered or "amplification" in lowered):
        return _doctype_error(service)
    tail = excerpt(data[-200:].decode("utf-8", "replace"), 80)
    return ProtocolError(
        f"{service} returned {kind} XML instead of a {what} ({excerpt(msg, 100)}); "
        f"the answer ends with: {tail}"
    )
