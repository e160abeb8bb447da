"""Seeding goals on a real qbittorrent-nox 4.5.2: an add with a ratio and a seeding time
sets the torrent's own share limits; an add without them leaves qBittorrent's global ones."""

from __future__ import annotations

import uuid

import pytest

from integrations.downloadclients.base import AddRequest, Capability
from integrations.downloadclients.providers.qbittorrent import QBittorrent
from tests.downloadclients.test_qbittorrent_daemon import make_provider
from tests.torrentdata import random_magnet

pytestmark = pytest.mark.daemon

USE_GLOBAL = -2  # qBittorrent's ratio_limit / seeding_time_limit for "the global setting"


@pytest.fixture
def qb(qbittorrent_daemon):
    provider = make_provider(qbittorrent_daemon)
    yield provider
    provider.close()


def added(qb, **goals) -> dict:
    magnet, infohash = random_magnet("seed" + uuid.uuid4().hex[:8])
    qb.add(AddRequest(magnet=magnet, paused=True, **goals))
    [torrent] = qb._api().info(hashes=infohash)
    return torrent


def test_a_ratio_goal_becomes_the_torrents_ratio_limit(qb):
    assert added(qb, seed_ratio=1.5)["ratio_limit"] == 1.5


def test_a_seeding_time_goal_becomes_the_torrents_seeding_time_limit(qb):
    assert added(qb, seed_time_minutes=4320)["seeding_time_limit"] == 4320


def test_without_goals_the_torrent_follows_the_global_limits(qb):
    torrent = added(qb)
    assert (torrent["ratio_limit"], torrent["seeding_time_limit"]) == (USE_GLOBAL, USE_GLOBAL)


def test_qbittorrent_lists_seeding_limits_among_its_capabilities():
    assert Capability.SEEDING_LIMITS in QBittorrent.capabilities
