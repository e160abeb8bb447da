"""BitTorrent metadata helpers shared by the torrent clients.

A strict bencode decoder/encoder and the id a torrent client reports for a
release before it is sent: the lowercase hex v1 infohash of a ``.torrent``
(SHA-1 of the raw ``info`` dictionary bytes) or of a magnet link
(``xt=urn:btih:`` in hex or base32). For v2-only torrents the id is what
libtorrent-based clients show: the SHA-256 infohash truncated to 40 hex digits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from urllib.parse import parse_qsl, urlsplit

from integrations.errors import ConfigurationError, ProtocolError

MAX_DEPTH = 64
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_B32 = re.compile(r"^[A-Za-z2-7]{32}$")
_BTMH = re.compile(r"^1220([0-9a-fA-F]{64})$")


class BencodeError(ValueError):
    """The bytes are not valid bencode."""


def bdecode(data: bytes) -> object:
    """Decode one bencoded value that spans all of ``data``.

    Returns ints, bytes, lists and dicts with bytes keys. Raises BencodeError.
    """
    if not isinstance(data, bytes | bytearray):
        raise BencodeError("bencode input must be bytes")
    value, end = _decode(bytes(data), 0, 0)
    if end != len(data):
        raise BencodeError(f"trailing data after offset {end}")
    return value


def _decode(data: bytes, i: int, depth: int) -> tuple[object, int]:
    if depth > MAX_DEPTH:
        raise BencodeError("nested too deeply")
    if i >= len(data):
        raise BencodeError("unexpected end of data")
    c = data[i : i + 1]
    if c == b"i":
        end = data.find(b"e", i)
        if end < 0:
            raise BencodeError("unterminated integer")
        text = data[i + 1 : end]
        if not re.fullmatch(rb"-?(0|[1-9][0-9]*)", text) or text == b"-0":
            raise BencodeError(f"bad integer at offset {i}")
        return int(text), end + 1
    if c == b"l":
        items, i = [], i + 1
        while data[i : i + 1] != b"e":
            item, i = _decode(data, i, depth + 1)
            items.append(item)
        return items, i + 1
    if c == b"d":
        out: dict[bytes, object] = {}
        i += 1
        while data[i : i + 1] != b"e":
            key, i = _decode(data, i, depth + 1)
            if not isinstance(key, bytes):
                raise BencodeError("dictionary key is not a string")
            out[key], i = _decode(data, i, depth + 1)
        return out, i + 1
    if c.isdigit():
        colon = data.find(b":", i)
        if colon < 0 or not data[i:colon].isdigit():
            raise BencodeError(f"bad string length at offset {i}")
        start = colon + 1
        end = start + int(data[i:colon])
        if end > len(data):
            raise BencodeError("string runs past the end of data")
        return data[start:end], end
    raise BencodeError(f"unexpected byte {c!r} at offset {i}")


def bencode(value: object) -> bytes:
    """Encode ints, str/bytes, lists and dicts (keys sorted, as the spec requires)."""
    if isinstance(value, bool):
        raise TypeError("bencode has no booleans")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes | bytearray):
        return b"%d:%s" % (len(value), bytes(value))
    if isinstance(value, list | tuple):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        keys = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in keys) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


def _info_span(data: bytes) -> tuple[int, int]:
    """Byte offsets of the top-level ``info`` value, hashed as-is (not re-encoded)."""
    if data[:1] != b"d":
        raise BencodeError("a .torrent must be a dictionary")
    i = 1
    while data[i : i + 1] != b"e":
        key, i = _decode(data, i, 1)
        start = i
        _, i = _decode(data, i, 1)
        if key == b"info":
            return start, i
    raise BencodeError("no info dictionary")


def torrent_id(data: bytes) -> str:
    """Lowercase hex id of a .torrent file's content.

    Raises ProtocolError when the bytes are not a bencoded torrent.
    """
    try:
        meta = bdecode(data)
        start, end = _info_span(bytes(data))
    except BencodeError as exc:
        if not data[:1] == b"d":
            raise ProtocolError("not a valid .torrent (not bencoded)") from None
        raise ProtocolError(f"not a valid .torrent ({exc})") from None
    info = meta.get(b"info") if isinstance(meta, dict) else None
    if not isinstance(info, dict):
        raise ProtocolError("not a valid .torrent (no info dictionary)")
    raw = bytes(data[start:end])
    if b"pieces" not in info and info.get(b"meta version") == 2:
        return hashlib.sha256(raw).hexdigest()[:40]
    if b"pieces" not in info:
        raise ProtocolError("not a valid .torrent (the info dictionary has no pieces)")
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()  # BitTorrent v1 infohash


def magnet_id(uri: str) -> str:
    """Lowercase hex id of a magnet link (``xt=urn:btih:`` hex/base32, else ``urn:btmh:``).

    Raises ConfigurationError when it is not a magnet link or names no BitTorrent hash.
    """
    parts = urlsplit(uri or "")
    if parts.scheme.lower() != "magnet":
        raise ConfigurationError("not a magnet link (it must start with magnet:?)")
    v2 = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() != "xt" and not re.fullmatch(r"xt\.\d+", key.lower()):
            continue
        lowered = value.lower()
        if lowered.startswith("urn:btih:"):
            digest = value[9:]
            if _HEX40.match(digest):
                return digest.lower()
            if _B32.match(digest):
                try:
                    return base64.b32decode(digest.upper()).hex()
                except (binascii.Error, ValueError):
                    pass
            raise ConfigurationError(
                "magnet link has a malformed info hash (xt=urn:btih: needs 40 hex or 32 base32 characters)"
            )
        if lowered.startswith("urn:btmh:"):
            m = _BTMH.match(value[9:])
            if m:
                v2 = m.group(1).lower()[:40]
    if v2:
        return v2
    raise ConfigurationError("magnet link has no BitTorrent info hash (xt=urn:btih:…)")
