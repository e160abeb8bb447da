"""One strict, safe check that bytes are an NZB, shared by the Usenet download clients.

An indexer's HTML error page, a truncated download or a hostile file should be refused
before it reaches NZBGet, SABnzbd or Download Station, with the reason. ``read_nzb``
returns a small summary or raises ``NzbError``; each provider words its own message
and decides whether it accepts gzip-packed NZBs (``allow_gzip``).

Hardening: lxml with no entity substitution, no network, no DTD loading and libxml2's
default size limits (``huge_tree=False``); input (and gzip output) bounded by
``max_bytes``. A DOCTYPE is allowed only as the plain one indexers send
(``<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "…nzb-1.1.dtd">``, whose DTD is
never fetched); one with an internal subset — where entity attacks (XXE, "billion
laughs") live — is refused. NZB meta types (title, password, tag, category) follow the
NZB spec published by SABnzbd.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field

from lxml import etree

from integrations.safexml import HARDENED, first_markup

MAX_NZB_BYTES = 64 * 1024 * 1024  # plain XML; 150 000 segments (a ~110 GB release) ≈ 14 MB
GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_DECLARED_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=[\"']([\w.:-]+)")
_TOKEN = re.compile(r"[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*")  # checked for length in _quote
_END_OF_NZB = re.compile(rb"</(?:[\w.-]+:)?nzb\s*>\s*\Z")
# libxml2 error codes worth their own wording.
_NOT_MARKUP = etree.ErrorTypes.ERR_DOCUMENT_EMPTY  # "Start tag expected, '<' not found"
_BAD_ENCODING = etree.ErrorTypes.ERR_INVALID_ENCODING


class NzbError(ValueError):
    """The bytes are not a usable NZB; ``reason`` says why (lower case, no secrets)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NzbSummary:
    files: int
    segments: int
    total_bytes: int  # the sum of the segments' ``bytes`` (what the download will fetch)
    title: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    password: str = field(default="", repr=False)  # the archive password: never log it
    gzipped: bool = False  # the input was gzip-packed
    xml: bytes = field(default=b"", repr=False)  # the plain NZB (unpacked if it was gzipped)


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def read_nzb(
    data: bytes, *, allow_gzip: bool = False, max_bytes: int = MAX_NZB_BYTES
) -> NzbSummary:
    """Check that ``data`` is an NZB and summarise it; raise NzbError saying why not.

    With ``allow_gzip`` gzip-packed bytes are unpacked (at most ``max_bytes``) first;
    without it they are refused.
    """
    if len(data) > max_bytes:
        raise NzbError(f"it is larger than {_size(max_bytes)}")
    if not data.strip():
        raise NzbError("it is empty")
    gzipped = is_gzip(data)
    if gzipped:
        if not allow_gzip:
            raise NzbError("it is gzip-packed (.nzb.gz)")
        data = gunzip(data, max_bytes)
        if not data.strip():
            raise NzbError("it unpacks to nothing")
    start = first_markup(data)
    _refuse_html(data, start)
    _refuse_internal_dtd(data, start)
    return _parse(data, gzipped)


def gunzip(data: bytes, max_bytes: int = MAX_NZB_BYTES) -> bytes:
    """Unpack gzip ``data`` (every member), refusing more than ``max_bytes`` of output."""
    out = bytearray()
    rest = data
    while rest:
        unpacker = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            out += unpacker.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error:
            raise NzbError("it is a damaged gzip file") from None
        if len(out) > max_bytes:
            raise NzbError(f"it unpacks to more than {_size(max_bytes)}")
        if not unpacker.eof:
            raise NzbError("it is a cut-off gzip file (an incomplete download?)")
        rest = unpacker.unused_data
        if not rest.strip(b"\0"):  # trailing padding, as some tools write
            break
        if not is_gzip(rest):
            raise NzbError("it is a damaged gzip file (junk after the packed data)")
    return bytes(out)


# -- refusals before parsing -----------------------------------------------------------------
def _refuse_html(data: bytes, start: int) -> None:
    head = data[start : start + 14].lower()
    if start < 0 or not (head.startswith(b"<html") or re.match(rb"<!doctype\s+html", head)):
        return
    title = _HTML_TITLE.search(data, start, start + 4096)
    text = _quote(title.group(1).decode("utf-8", "replace")) if title else ""
    raise NzbError(f"it is an HTML page titled {text}" if text else "it is an HTML page")


def _refuse_internal_dtd(data: bytes, start: int) -> None:
    # Sees ASCII-compatible encodings only; _check_doctype catches the rest once the prolog
    # is read (with no entity substituted, nothing loaded, nothing fetched).
    if start < 0 or not data.startswith(b"<!DOCTYPE", start):
        return
    end = data.find(b">", start)
    bracket = data.find(b"[", start, end if end >= 0 else len(data))
    if bracket >= 0:
        raise _own_dtd()


def _own_dtd() -> NzbError:
    return NzbError("it declares its own DTD or XML entities, which an NZB never does")


def _check_doctype(root) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and (list(dtd.iterentities()) or list(dtd.iterelements())):
        raise _own_dtd()


# -- parsing ---------------------------------------------------------------------------------
def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _parse(data: bytes, gzipped: bool) -> NzbSummary:
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        **HARDENED,
        remove_comments=True,
        remove_pis=True,
    )
    files = segments = total = 0
    meta: dict[str, list[str]] = {}
    root = None
    try:
        for event, el in events:
            if root is None:
                root = el
                _check_doctype(el)
                if _local(el.tag) != "nzb":
                    raise NzbError(f"its root element is <{_local(el.tag)}>, not <nzb>")
            if event != "end":
                continue
            name = _local(el.tag)
            if name == "segment":
                segments += 1
                size = (el.get("bytes") or "").strip()
                total += int(size) if size.isdigit() else 0
                el.clear()
            elif name == "file":
                files += 1
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None:  # keep memory flat on huge NZBs
                    del parent[0]
            elif name == "meta":
                kind = (el.get("type") or "").strip().lower()
                meta.setdefault(kind, []).append("".join(el.itertext()).strip())
    except etree.XMLSyntaxError as exc:
        raise NzbError(_syntax_reason(exc, data, root is not None)) from None
    if files == 0:
        raise NzbError("it lists no files")
    if segments == 0:
        raise NzbError("its files list no segments")
    return NzbSummary(
        files=files,
        segments=segments,
        total_bytes=total,
        title=_first(meta, "title"),
        category=_first(meta, "category"),
        tags=tuple(t for t in meta.get("tag", []) if t),
        password=_first(meta, "password"),
        gzipped=gzipped,
        xml=data,
    )


def _first(meta: dict[str, list[str]], kind: str) -> str:
    return next((v for v in meta.get(kind, []) if v), "")


def _syntax_reason(exc: etree.XMLSyntaxError, data: bytes, root_seen: bool) -> str:
    # With resolve_entities=False lxml's iterparse may raise a placeholder ("no element
    # found"); the (per-thread) error log's last entry is libxml2's real error.
    last = exc.error_log.last_error
    code = last.type if last is not None else exc.code
    message = last.message if last is not None else exc.msg
    line = last.line if last is not None else exc.lineno
    if code == _NOT_MARKUP and not root_seen:
        head = data.lstrip(_BOM).lstrip()[:60]
        text = head.decode("utf-8", "replace")
        if "\ufffd" in text or any(not c.isprintable() and not c.isspace() for c in text):
            return "it is not XML (binary data)"
        return f"it is not XML (it begins {_quote(text)})"
    if code == _BAD_ENCODING:
        m = _DECLARED_ENCODING.match(data)
        encoding = m.group(1).decode("ascii") if m else "UTF-8"
        return f"its text is not valid {encoding} (line {line})"
    if root_seen and not _END_OF_NZB.search(data[-256:]):
        last_line = data.count(b"\n") + 1
        return f"it is cut off: the XML ends at line {last_line} before </nzb>"
    return f"it is not well-formed XML ({_quote(message, 80, quoted=False)} at line {line})"


def _quote(text: str, limit: int = 60, *, quoted: bool = True) -> str:
    """A short single-line excerpt, with token-like words (keys, hashes) masked."""
    text = " ".join(text[: 4 * limit].split())
    text = _TOKEN.sub(lambda m: "***" if len(m.group()) >= 16 else m.group(), text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text) if quoted else text


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n} bytes"
