"""aria2 fixtures: real aria2c daemons on loopback, and a tiny BitTorrent tracker so a
second aria2c can serve a magnet's metadata (the only way to see aria2's real
metadata → follow-up download hand-over without the internet).

Test modules bind the fixtures they use by assignment (``aria2_daemon = fx.aria2_daemon``),
and share the helpers below.
"""

from __future__ import annotations

import secrets
import socket
import struct
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_to_bytes, urlsplit

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.downloadclients.providers.aria2 import Aria2, Aria2Settings
from tests.conftest import require_binary
from tests.daemons.aria2 import Aria2Daemon, start_aria2
from tests.downloadclients.helpers import wait_for
from tests.torrentdata import bencode, make_torrent

S = DownloadStatus

# Tests on the shared daemon leave magnets "active" (no peer ever answers); aria2's
# default of 5 concurrent downloads would turn later additions into "waiting".
SESSION_ARGS = ["--max-concurrent-downloads=1000"]


def _secret() -> str:
    return "a2-" + secrets.token_urlsafe(16)


@pytest.fixture(scope="session")
def aria2_daemon(tmp_path_factory) -> Aria2Daemon:
    """One aria2c for the session; tests use unique categories (= subdirectories)."""
    binary = require_binary("aria2c")
    base = tmp_path_factory.mktemp("aria2")
    with start_aria2(base, secret=_secret(), binary=binary, extra_args=SESSION_ARGS) as daemon:
        yield daemon


@pytest.fixture(scope="session")
def aria2_seeder(tmp_path_factory) -> Aria2Daemon:
    """A second aria2c that seeds torrents to the first one through ``tracker``."""
    binary = require_binary("aria2c")
    with start_aria2(tmp_path_factory.mktemp("aria2-seeder"), secret=_secret(), binary=binary) as d:
        yield d


@pytest.fixture
def fresh_aria2_daemon(tmp_path) -> Aria2Daemon:
    """An aria2c of the test's own, free to be frozen, killed and restarted."""
    binary = require_binary("aria2c")
    daemon = start_aria2(tmp_path / "aria2", secret=_secret(), binary=binary)
    try:
        yield daemon
    finally:
        if daemon.proc is not None and daemon.proc.poll() is None:
            daemon.thaw()  # a frozen process ignores SIGTERM until continued
        daemon.stop()


class Tracker:
    """An HTTP BitTorrent tracker on 127.0.0.1 that introduces every peer of a torrent
    to the others (compact peer list, 1 s announce interval)."""

    def __init__(self):
        self.peers: dict[bytes, set[int]] = {}
        self._lock = threading.Lock()
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                params = {}
                for part in urlsplit(self.path).query.split("&"):
                    key, _, value = part.partition("=")
                    params[key] = unquote_to_bytes(value)
                body = bencode(tracker.announce(params))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def announce(self, params: dict[str, bytes]) -> dict:
        info_hash, port = params.get("info_hash", b""), int(params.get("port", b"0") or 0)
        with self._lock:
            known = self.peers.setdefault(info_hash, set())
            others = sorted(p for p in known if p != port)
            if params.get("event") == b"stopped":
                known.discard(port)
            else:
                known.add(port)
        compact = b"".join(socket.inet_aton("127.0.0.1") + struct.pack(">H", p) for p in others)
        return {"interval": 1, "min interval": 1, "peers": compact}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/announce"

    def __enter__(self) -> Tracker:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tracker():
    with Tracker() as t:
        yield t


# -- helpers for tests on a real aria2c ---------------------------------------------------
def make_provider(d, **overrides) -> Aria2:
    values = {"host": d.host, "port": d.port, "secret": d.secret} | overrides
    return Aria2(Aria2Settings(**values))


@pytest.fixture
def a2(aria2_daemon):
    provider = make_provider(aria2_daemon)
    yield provider
    provider.close()


@pytest.fixture
def unique() -> str:
    return "t" + uuid.uuid4().hex[:10]


def raw_entries(d, key="infoHash", value=""):
    keys = ["gid", "status", "infoHash", "dir", "errorCode"]
    entries = d.call("aria2.tellActive", keys) + d.call("aria2.tellWaiting", 0, 1000, keys)
    entries += d.call("aria2.tellStopped", 0, 1000, keys)
    return [e for e in entries if e.get(key) == value]


def add_seeding(a2, d, unique):
    """A torrent whose payload is on disk, added into category ``unique``."""
    torrent, infohash = make_torrent(d.save_dir / unique, seed=unique.encode())
    download_id = a2.add(AddRequest(torrent=torrent, category=unique))
    wait_for(a2, download_id, lambda i: i.status == S.SEEDING)
    return download_id, d.save_dir / unique


def waiting_order(d) -> list[str]:
    return [e["gid"] for e in d.call("aria2.tellWaiting", 0, 1000, ["gid"])]


def seeded_magnet(seeder: Aria2Daemon, tracker, name: str) -> tuple[str, str]:
    """A magnet for a new torrent that ``seeder`` seeds through the test ``tracker`` (so
    an aria2 given the magnet can fetch its metadata and data): ``(magnet, infohash)``."""
    import base64

    from tests.torrentdata import bdecode

    torrent, infohash = make_torrent(seeder.save_dir / name, seed=name.encode())
    meta = bdecode(torrent)
    meta[b"announce"] = tracker.url.encode()
    seeder.call(
        "aria2.addTorrent",
        base64.b64encode(bencode(meta)).decode(),
        [],
        {"dir": str(seeder.save_dir / name)},
    )
    return f"magnet:?xt=urn:btih:{infohash}&dn=labfile.bin&tr={tracker.url}", infohash
