"""XML-RPC marshalling for rTorrent (the subset xmlrpc-c speaks), without stdlib XML parsing.

Requests are written by hand with XML escaping; answers are read by a hardened
lxml parser: no DTD loading, no entity expansion, no network, bounded size and
depth, and any ``<!DOCTYPE`` is refused before parsing (an XML-RPC answer never
has one, so a DOCTYPE means a hostile or wrong server). xmlrpc-c's ``<i8>``
extension (rTorrent's sizes and timestamps) and ``<nil/>`` are understood.

Nothing here knows about rTorrent's methods; ``client.py`` turns ``Fault`` and
``XmlRpcError`` into the error tree.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from lxml import etree

from integrations.safexml import hardened_parser

MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # ~40 000 downloads × 24 fields; far beyond real queues
MAX_DEPTH = 32
_I4 = (-(2**31), 2**31 - 1)
_I8 = (-(2**63), 2**63 - 1)
_METHOD_RE = re.compile(r"^[A-Za-z0-9_.:/]+$")
# Characters XML 1.0 cannot carry at all (not even as character references).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_INT_RE = re.compile(r"^[+-]?[0-9]{1,20}$")
_EXT_NS = "http://ws.apache.org/xmlrpc/namespaces/extensions"


class Fault(Exception):  # noqa: N818 - the XML-RPC name
    """An XML-RPC ``<fault>``: the server understood the call and refused it."""

    def __init__(self, code: int, string: str):
        super().__init__(f"fault {code}: {string}")
        self.code = code
        self.string = string


class XmlRpcError(ValueError):
    """The answer is not a well-formed XML-RPC response. ``html`` marks an HTML page."""

    def __init__(self, reason: str, *, html: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.html = html


# -- requests ----------------------------------------------------------------------------------
def dumps_call(method: str, params: Sequence[object] = ()) -> bytes:
    """A ``<methodCall>`` document. Raises ValueError for a value XML-RPC cannot carry."""
    if not _METHOD_RE.match(method or ""):
        raise ValueError(f"invalid XML-RPC method name {method!r}")
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<methodCall><methodName>{method}</methodName>'
    ]
    parts.append("<params>")
    for param in params:
        parts.append("<param>")
        _dump(param, parts, 0)
        parts.append("</param>")
    parts.append("</params></methodCall>\n")
    return "".join(parts).encode("utf-8")


def _text(value: str) -> str:
    if _ILLEGAL_XML.search(value):
        raise ValueError("text contains a control character that XML cannot carry")
    # \r would be normalised to \n by the receiving parser; a reference keeps it.
    return escape(value).replace("\r", "&#13;")


def _dump(value: object, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if isinstance(value, bool):
        out.append(f"<value><boolean>{int(value)}</boolean></value>")
    elif isinstance(value, int):
        if _I4[0] <= value <= _I4[1]:
            out.append(f"<value><i4>{value}</i4></value>")
        elif _I8[0] <= value <= _I8[1]:
            out.append(f"<value><i8>{value}</i8></value>")
        else:
            raise ValueError("integer too large for XML-RPC")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("XML-RPC cannot carry NaN or infinity")
        out.append(f"<value><double>{value!r}</double></value>")
    elif isinstance(value, str):
        out.append(f"<value><string>{_text(value)}</string></value>")
    elif isinstance(value, bytes | bytearray):
        out.append(f"<value><base64>{base64.b64encode(bytes(value)).decode()}</base64></value>")
    elif isinstance(value, Mapping):
        out.append("<value><struct>")
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("struct member names must be strings")
            out.append(f"<member><name>{_text(key)}</name>")
            _dump(item, out, depth + 1)
            out.append("</member>")
        out.append("</struct></value>")
    elif isinstance(value, list | tuple):
        out.append("<value><array><data>")
        for item in value:
            _dump(item, out, depth + 1)
        out.append("</data></array></value>")
    else:
        raise ValueError(f"XML-RPC cannot carry a {type(value).__name__}")


# -- answers -----------------------------------------------------------------------------------
def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers must not be shared between threads.
    return hardened_parser(
        remove_comments=True,
        remove_pis=True,
    )


def _check_prolog(data: bytes) -> None:
    """Refuse HTML and any DOCTYPE before the root element (where a DTD would sit)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        raise XmlRpcError("an HTML page", html=True)
    i, n = 0, len(data)
    while i < n:
        while i < n and data[i : i + 1] in (b" ", b"\t", b"\r", b"\n", b"\xef", b"\xbb", b"\xbf"):
            i += 1
        if data.startswith(b"<?", i):
            end = data.find(b"?>", i)
            i = n if end < 0 else end + 2
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i)
            i = n if end < 0 else end + 3
        elif data.startswith(b"<!", i):
            raise XmlRpcError("a document with a DOCTYPE (refused: XML-RPC answers have none)")
        else:
            return


def loads_response(data: bytes) -> object:
    """The value of a ``<methodResponse>``. Raises Fault or XmlRpcError."""
    if len(data) > MAX_RESPONSE_BYTES:
        raise XmlRpcError(f"an answer larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB")
    if not data or data.isspace():  # isspace: the bytes strip() drops, without a copy
        raise XmlRpcError("an empty answer")
    _check_prolog(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRpcError(f"malformed XML ({_syntax_reason(exc)})") from None
    if root is None:
        raise XmlRpcError("an empty document")
    if root.getroottree().docinfo.doctype:
        raise XmlRpcError("a document with a DOCTYPE (refused: XML-RPC answers have none)")
    tag = _local(root)
    if tag == "html":
        raise XmlRpcError("an HTML page", html=True)
    if tag != "methodResponse":
        raise XmlRpcError(f"a <{tag}> document instead of <methodResponse>")
    body = _elements(root)
    if len(body) != 1:
        raise XmlRpcError("a <methodResponse> without exactly one <params> or <fault>")
    if _local(body[0]) == "fault":
        value = _only(body[0], "value")
        fault = _value(value, 0)
        if not isinstance(fault, dict) or not isinstance(fault.get("faultCode"), int):
            raise XmlRpcError("a <fault> without a faultCode")
        raise Fault(fault["faultCode"], str(fault.get("faultString", "")))
    if _local(body[0]) != "params":
        raise XmlRpcError(f"an unexpected <{_local(body[0])}> in <methodResponse>")
    param = _only(body[0], "param")
    return _value(_only(param, "value"), 0)


def _syntax_reason(exc: etree.XMLSyntaxError) -> str:
    text = str(exc.msg or exc).split(", line")[0].strip()
    return text[:120] or "syntax error"


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _only(el: etree._Element, name: str) -> etree._Element:
    children = _elements(el)
    if len(children) != 1 or _local(children[0]) != name:
        raise XmlRpcError(f"<{_local(el)}> must hold exactly one <{name}>")
    return children[0]


_PLAIN_INTS = frozenset({"i4", "int", "i8", "i2", "i1"})


def _values(data: etree._Element, depth: int) -> list[object]:
    """The ``<value>`` children of an array's ``<data>``, each at ``depth``.

    One loop over the children with the common shapes decoded inline (a ``d.multicall2``
    answer is thousands of them): an untyped value, ``<string>``, an unsigned decimal
    integer type without namespace, and a nested ``<array><data>``. Anything else, and
    every value that would be refused, goes through ``_value``, which checks it fully,
    so results and errors are exactly those of ``_value`` on each child in turn.
    """
    if depth > MAX_DEPTH:
        return [_value(v, depth) for v in _elements(data)]  # refuses the first one
    out: list[object] = []
    append = out.append
    for v in data:
        if v.tag == "value":
            count = len(v)
            if count == 0:
                append(v.text or "")
                continue
            if count == 1:
                typed = v[0]
                tag = typed.tag
                if tag == "string":
                    append(typed.text or "")
                    continue
                if tag in _PLAIN_INTS:
                    text = typed.text
                    # the ASCII digits _INT_RE accepts without sign or blanks
                    if text and len(text) <= 20 and text.isascii() and text.isdigit():
                        append(int(text))
                        continue
                elif tag == "array" and len(typed) == 1:
                    inner = typed[0]
                    if inner.tag == "data":
                        append(_values(inner, depth + 1))
                        continue
        elif not isinstance(v.tag, str):
            continue  # a comment or processing instruction (the parser drops them anyway)
        append(_value(v, depth))
    return out


def _value(el: etree._Element, depth: int) -> object:
    if depth > MAX_DEPTH:
        raise XmlRpcError("values nested too deeply")
    if _local(el) != "value":
        raise XmlRpcError(f"<{_local(el)}> where a <value> belongs")
    children = _elements(el)
    if not children:
        return el.text or ""  # an untyped value is a string
    if len(children) != 1:
        raise XmlRpcError("a <value> with more than one type")
    typed = children[0]
    qname = etree.QName(typed)
    if qname.namespace not in (None, _EXT_NS):
        raise XmlRpcError(f"an unknown value type <{qname.localname}>")
    kind, text = qname.localname, typed.text or ""
    if kind in ("i4", "int", "i8", "i2", "i1"):
        if not _INT_RE.match(text.strip()):
            raise XmlRpcError(f"a malformed <{kind}> {text[:20]!r}")
        return int(text.strip())
    if kind == "string":
        return text
    if kind == "boolean":
        if text.strip() not in ("0", "1"):
            raise XmlRpcError(f"a malformed <boolean> {text[:20]!r}")
        return text.strip() == "1"
    if kind == "double":
        try:
            return float(text.strip())
        except ValueError:
            raise XmlRpcError(f"a malformed <double> {text[:20]!r}") from None
    if kind == "base64":
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise XmlRpcError("malformed <base64>") from None
    if kind == "dateTime.iso8601":
        try:
            return datetime.strptime(text.strip(), "%Y%m%dT%H:%M:%S")
        except ValueError:
            raise XmlRpcError(f"a malformed <dateTime.iso8601> {text[:20]!r}") from None
    if kind == "nil":
        return None
    if kind == "array":
        return _values(_only(typed, "data"), depth + 1)
    if kind == "struct":
        out: dict[str, object] = {}
        for member in _elements(typed):
            if _local(member) != "member":
                raise XmlRpcError("a <struct> child that is not a <member>")
            parts = {_local(c): c for c in _elements(member)}
            if set(parts) != {"name", "value"} or len(_elements(member)) != 2:
                raise XmlRpcError("a <member> without exactly one <name> and <value>")
            out[parts["name"].text or ""] = _value(parts["value"], depth + 1)
        return out
    raise XmlRpcError(f"an unknown value type <{kind}>")
