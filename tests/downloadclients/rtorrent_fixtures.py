"""Real-rtorrent fixtures and helpers shared by the rTorrent daemon test modules.

Import the fixtures into a test module by name; a session daemon is started once
per importing module (rtorrent is ready in ~25 ms).
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.downloadclients.providers.rtorrent import RTorrent, RTorrentSettings
from tests.conftest import require_binary
from tests.daemons.rtorrent import RTorrentDaemon, start_rtorrent
from tests.downloadclients.helpers import wait_for
from tests.torrentdata import ANNOUNCE, PIECE_LENGTH, bencode, make_torrent

S = DownloadStatus


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def rtorrent_daemon(tmp_path_factory) -> RTorrentDaemon:
    """One rtorrent for the session; tests use unique labels and directories."""
    binary = require_binary("rtorrent")
    with start_rtorrent(tmp_path_factory.mktemp("rtorrent"), binary=binary) as d:
        yield d


@pytest.fixture
def fresh_rtorrent_daemon(tmp_path) -> RTorrentDaemon:
    """An rtorrent of the test's own, free to be killed and restarted."""
    binary = require_binary("rtorrent")
    with start_rtorrent(tmp_path / "rtorrent", binary=binary) as d:
        yield d


def make_provider(d: RTorrentDaemon, **overrides) -> RTorrent:
    return RTorrent(RTorrentSettings(**({"host": d.host, "port": d.port} | overrides)))


@pytest.fixture
def rt(rtorrent_daemon):
    provider = make_provider(rtorrent_daemon)
    yield provider
    provider.close()


@pytest.fixture
def unique() -> str:
    return "t" + uuid.uuid4().hex[:10]


def listed(provider, download_id) -> bool:
    return any(i.id == download_id for i in provider.get_downloads())


def add_seeding(rt, d, unique, **request):
    payload_dir = d.download_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    values = {"torrent": torrent, "category": unique, "save_path": str(payload_dir)} | request
    download_id = rt.add(AddRequest(**values))
    wait_for(rt, download_id, lambda i: i.status == S.SEEDING)
    return download_id, infohash, payload_dir


def multi_file_torrent(directory, name, files: dict[str, int]) -> tuple[bytes, str]:
    """A multi-file torrent whose payload is written under ``directory/name``."""
    folder = directory / name
    folder.mkdir(parents=True, exist_ok=True)
    payload, entries = b"", []
    for filename, size in files.items():
        data = (hashlib.sha256(filename.encode()).digest() * (size // 32 + 1))[:size]
        (folder / filename).write_bytes(data)
        payload += data
        entries.append({"length": size, "path": [filename]})
    pieces = b"".join(
        hashlib.sha1(payload[i : i + PIECE_LENGTH], usedforsecurity=False).digest()
        for i in range(0, len(payload), PIECE_LENGTH)
    )
    info = {"name": name, "files": entries, "piece length": PIECE_LENGTH, "pieces": pieces}
    return bencode({"announce": ANNOUNCE, "info": info}), hashlib.sha1(
        bencode(info), usedforsecurity=False
    ).hexdigest()
