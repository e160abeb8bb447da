"""Download-client fixtures: real daemons on loopback, started once per session
(plus a throw-away one for tests that stop their daemon)."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import require_binary
from tests.daemons.qbittorrent import QBittorrentDaemon, start_qbittorrent


def _unique_password() -> str:
    return "qb-" + secrets.token_urlsafe(16)


@pytest.fixture(scope="session")
def qbittorrent_daemon(tmp_path_factory) -> QBittorrentDaemon:
    """One qbittorrent-nox for the session; tests use unique categories and tags."""
    binary = require_binary("qbittorrent-nox")
    base = tmp_path_factory.mktemp("qbittorrent")
    with start_qbittorrent(base, password=_unique_password(), binary=binary) as daemon:
        yield daemon


@pytest.fixture
def fresh_qbittorrent_daemon(tmp_path) -> QBittorrentDaemon:
    """A qbittorrent-nox of the test's own, free to be stopped and restarted."""
    binary = require_binary("qbittorrent-nox")
    base = tmp_path / "qbittorrent"
    with start_qbittorrent(base, password=_unique_password(), binary=binary) as daemon:
        yield daemon
