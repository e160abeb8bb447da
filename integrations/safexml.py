"""Safe XML from the network: the one set of hardened lxml parser options, and where a
document's first markup after its prolog starts, found by a linear scan.

Hardened: no entity substitution, no DTD loaded or validated, no network, no huge
trees (lxml's own limits on depth and text size stay on). The prolog (an optional byte-order mark, the XML declaration, processing
instructions, comments and whitespace) is skipped with ``bytes.find``: a regular
expression such as ``(<!--.*?-->\\s*)*`` over many comments backtracks
exponentially, and an answer from the network must not be able to stall a worker.
"""

from __future__ import annotations

import re

from lxml import etree

HARDENED = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


def hardened_parser(**options) -> etree.XMLParser:
    """A new hardened parser (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(**HARDENED, **options)


BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(rb"[ \t\r\n]*")
_HTML = re.compile(rb"<!doctype\s+html|<html", re.I)


def first_markup(data: bytes, limit: int | None = None) -> int:
    """Offset of the first ``<`` that is not a PI or comment (-1: none before ``limit``
    bytes, or the prolog is cut off)."""
    end = len(data) if limit is None else min(len(data), limit)
    i = len(BOM) if data.startswith(BOM) else 0
    while i < end:
        i = _SPACE.match(data, i, end).end()
        if data.startswith(b"<?", i):
            close, skip = data.find(b"?>", i + 2, end), 2
        elif data.startswith(b"<!--", i):
            close, skip = data.find(b"-->", i + 4, end), 3
        else:
            return i if data.startswith(b"<", i) and i < end else -1
        if close < 0:
            return -1
        i = close + skip
    return -1


def starts_with_doctype(data: bytes, limit: int | None = None) -> bool:
    """The prolog holds a ``<!DOCTYPE`` (before the root element)."""
    i = first_markup(data, limit)
    return i >= 0 and data[i : i + 9].lower() == b"<!doctype"


def starts_as_html(data: bytes, limit: int | None = None) -> bool:
    """The first markup is ``<!DOCTYPE html`` or ``<html``: a web page, not an API answer."""
    i = first_markup(data, limit)
    return i >= 0 and _HTML.match(data, i, i + 64) is not None
