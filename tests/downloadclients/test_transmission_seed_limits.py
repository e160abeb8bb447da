"""Seeding goals on a real transmission-daemon 3.00 (RPC version 16): a ratio goal becomes
the torrent's own ``seedRatioLimit`` (``seedRatioMode`` 1), a time goal its own idle limit
``seedIdleLimit`` (``seedIdleMode`` 1; Transmission keeps no seeding time per torrent),
read back with ``torrent-get``; an add without goals, or of a torrent Transmission already
has, leaves the torrent's limits alone."""
# ruff: noqa: F811 (test parameters are the fixtures imported from test_transmission_daemon)

from __future__ import annotations

import logging

import pytest

from integrations.downloadclients.base import AddRequest, Capability, DownloadStatus
from integrations.downloadclients.providers.transmission import Transmission
from tests.downloadclients.helpers import add_paused
from tests.downloadclients.test_transmission_daemon import (
    raw,
    tr,  # noqa: F401 (fixture)
    transmission_daemon,  # noqa: F401 (fixture)
    unique,  # noqa: F401 (fixture)
    wait_for,
)
from tests.torrentdata import make_torrent, random_magnet

daemon = pytest.mark.daemon

LIMITS = ("seedRatioLimit", "seedRatioMode", "seedIdleLimit", "seedIdleMode")
FOLLOW_SESSION, OWN_LIMIT = 0, 1  # Transmission's seedRatioMode / seedIdleMode values
PROVIDER_LOG = "integrations.downloadclients.providers.transmission.provider"


def limits(d, torrent_hash) -> tuple:
    torrent = raw(d, torrent_hash, *LIMITS)
    return tuple(torrent[k] for k in LIMITS)


def ratio(d, torrent_hash) -> tuple:
    torrent = raw(d, torrent_hash, "seedRatioLimit", "seedRatioMode")
    return torrent["seedRatioLimit"], torrent["seedRatioMode"]


def idle(d, torrent_hash) -> tuple:
    torrent = raw(d, torrent_hash, "seedIdleLimit", "seedIdleMode")
    return torrent["seedIdleLimit"], torrent["seedIdleMode"]


def add(kind, tr, d, category, **goals) -> str:
    return add_paused(tr, kind, category, d.download_dir, **goals)


def add_magnet(tr, category, **goals) -> str:
    return add_paused(tr, "magnet", category, None, **goals)


def session_defaults(d) -> tuple:
    """What a torrent following the session starts with: its limits and mode 0."""
    s = d.rpc("session-get", {"fields": ["seedRatioLimit", "idle-seeding-limit"]})
    return s["seedRatioLimit"], FOLLOW_SESSION, s["idle-seeding-limit"], FOLLOW_SESSION


# -- ratio -----------------------------------------------------------------------------------
@daemon
@pytest.mark.parametrize("kind", ["magnet", "torrent", "url"])
def test_a_ratio_goal_becomes_the_torrents_own_ratio_limit(tr, transmission_daemon, unique, kind):
    torrent_hash = add(kind, tr, transmission_daemon, unique, seed_ratio=1.5)
    assert ratio(transmission_daemon, torrent_hash) == (1.5, OWN_LIMIT)


@daemon
def test_a_ratio_goal_alone_leaves_the_idle_limit_on_the_session(tr, transmission_daemon, unique):
    d = transmission_daemon
    torrent_hash = add_magnet(tr, unique, seed_ratio=1.5)
    assert idle(d, torrent_hash) == session_defaults(d)[2:]


@daemon
def test_a_reached_ratio_goal_makes_transmission_stop_the_torrent(tr, transmission_daemon, unique):
    torrent, _ = make_torrent(transmission_daemon.download_dir / unique, seed=unique.encode())
    torrent_hash = tr.add(AddRequest(torrent=torrent, category=unique, seed_ratio=0.5))
    wait_for(tr, torrent_hash, lambda i: i.status == DownloadStatus.SEEDING)
    # A complete torrent nobody downloads from stays at ratio 0; a goal of 0 set on it
    # (the check runs every second) is reached at once.
    transmission_daemon.rpc("torrent-set", {"ids": [torrent_hash], "seedRatioLimit": 0})
    item = wait_for(tr, torrent_hash, lambda i: i.raw_state == "stopped", timeout=20)
    assert item.status == DownloadStatus.COMPLETED


# -- seeding time (Transmission's idle limit) ------------------------------------------------
@daemon
@pytest.mark.parametrize("kind", ["magnet", "torrent", "url"])
def test_a_seeding_time_goal_becomes_the_torrents_own_idle_limit(
    tr, transmission_daemon, unique, kind
):
    torrent_hash = add(kind, tr, transmission_daemon, unique, seed_time_minutes=4320)
    assert idle(transmission_daemon, torrent_hash) == (4320, OWN_LIMIT)


@daemon
def test_a_seeding_time_goal_alone_leaves_the_ratio_limit_on_the_session(
    tr, transmission_daemon, unique
):
    d = transmission_daemon
    torrent_hash = add_magnet(tr, unique, seed_time_minutes=4320)
    assert ratio(d, torrent_hash) == session_defaults(d)[:2]


@daemon
def test_a_seeding_time_beyond_16_bits_gets_the_longest_idle_limit(tr, transmission_daemon, unique):
    # Transmission would wrap 70000 to 4464 minutes (70000 - 65536).
    torrent_hash = add_magnet(tr, unique, seed_time_minutes=70000)
    assert idle(transmission_daemon, torrent_hash) == (65535, OWN_LIMIT)


@daemon
def test_a_seeding_time_of_zero_gets_the_shortest_idle_limit(tr, transmission_daemon, unique):
    # Transmission ignores an idle limit of 0 and would keep the session's (30 minutes).
    torrent_hash = add_magnet(tr, unique, seed_time_minutes=0)
    assert idle(transmission_daemon, torrent_hash) == (1, OWN_LIMIT)


@daemon
def test_both_goals_are_applied_without_a_log_line(tr, transmission_daemon, unique, caplog):
    caplog.set_level(logging.DEBUG, logger=PROVIDER_LOG)
    torrent_hash = add_magnet(tr, unique, seed_ratio=1.5, seed_time_minutes=4320)
    assert limits(transmission_daemon, torrent_hash) == (1.5, OWN_LIMIT, 4320, OWN_LIMIT)
    assert [r.getMessage() for r in caplog.records if r.name == PROVIDER_LOG] == []


# -- defaults and existing torrents ----------------------------------------------------------
@daemon
def test_without_goals_the_torrent_follows_the_sessions_limits(tr, transmission_daemon, unique):
    d = transmission_daemon
    torrent_hash = add_magnet(tr, unique)
    assert limits(d, torrent_hash) == session_defaults(d)


@daemon
def test_adding_a_torrent_transmission_already_has_keeps_its_limits(
    tr, transmission_daemon, unique
):
    magnet, infohash = random_magnet()
    tr.add(AddRequest(magnet=magnet, category=unique, paused=True))
    before = limits(transmission_daemon, infohash)
    again = AddRequest(magnet=magnet, category=unique, seed_ratio=0.5, seed_time_minutes=60)
    assert tr.add(again) == infohash
    assert limits(transmission_daemon, infohash) == before


def test_transmission_lists_seeding_limits_among_its_capabilities():
    assert Capability.SEEDING_LIMITS in Transmission.capabilities
