"""Test data for torrent clients: a tiny bencoder/decoder, a locally generated
.torrent whose payload exists on disk, and random magnets.

Deliberately independent of ``integrations.downloadclients.torrent`` so the
provider's infohash code is checked against a second implementation.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ANNOUNCE = "http://127.0.0.1:1/announce"  # nothing listens there; no traffic leaves loopback
PIECE_LENGTH = 16384


def bencode(value) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(map(bencode, value)) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(type(value))


def bdecode(data: bytes):
    def walk(i):
        c = data[i : i + 1]
        if c == b"i":
            end = data.index(b"e", i)
            return int(data[i + 1 : end]), end + 1
        if c == b"l":
            out, i = [], i + 1
            while data[i : i + 1] != b"e":
                v, i = walk(i)
                out.append(v)
            return out, i + 1
        if c == b"d":
            out, i = {}, i + 1
            while data[i : i + 1] != b"e":
                k, i = walk(i)
                out[k], i = walk(i)
            return out, i + 1
        colon = data.index(b":", i)
        start = colon + 1
        end = start + int(data[i:colon])
        return data[start:end], end

    value, end = walk(0)
    if end != len(data):
        raise ValueError("trailing data")
    return value


def make_torrent(
    directory: Path | str, name: str = "labfile.bin", size: int = 65536, *, seed: bytes = b""
) -> tuple[bytes, str]:
    """Write a deterministic payload file ``directory/name`` and return
    ``(torrent_bytes, infohash_hex)`` for a single-file v1 torrent of it.

    ``seed`` varies the content, so tests sharing a daemon can make distinct torrents.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    block = hashlib.sha256(b"idkarr-lab" + seed + name.encode()).digest()
    payload = (block * (size // len(block) + 1))[:size]
    (directory / name).write_bytes(payload)
    pieces = b"".join(
        hashlib.sha1(payload[i : i + PIECE_LENGTH], usedforsecurity=False).digest()
        for i in range(0, len(payload), PIECE_LENGTH)
    )
    info = {"name": name, "length": size, "piece length": PIECE_LENGTH, "pieces": pieces}
    torrent = bencode({"announce": ANNOUNCE, "created by": "idkarr tests", "info": info})
    return torrent, hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()


def random_magnet(name: str = "labmagnet") -> tuple[str, str]:
    """A magnet for a random infohash nobody serves: ``(uri, infohash_hex)``."""
    infohash = os.urandom(20).hex()
    return f"magnet:?xt=urn:btih:{infohash}&dn={name}&tr={ANNOUNCE}", infohash
