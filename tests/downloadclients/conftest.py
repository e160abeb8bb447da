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
    daemon = start_qbittorrent(
        tmp_path_factory.mktemp("qbittorrent"), password=_unique_password(), binary=binary
    )
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def fresh_qbittorrent_daemon(tmp_path) -> QBittorrentDaemon:
    """A qbittorrent-nox of the test's own, free to be stopped and restarted."""
    binary = require_binary("qbittorrent-nox")
    daemon = start_qbittorrent(tmp_path / "qbittorrent", password=_unique_password(), binary=binary)
    try:
        yield daemon
    finally:
        daemon.stop()
