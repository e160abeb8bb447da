"""Seeding goals on a real deluged + deluge-web 2.0.3 (libtorrent 2.0.8): a ratio goal
becomes the torrent's own ``stop_at_ratio``/``stop_ratio`` (read back from the daemon);
Deluge keeps no seeding time per torrent, so a time goal is only logged; an add without
goals, or of a torrent Deluge already has, leaves the torrent's limits alone."""
# ruff: noqa: F811 (test parameters are the fixtures imported from deluge_fixtures)

from __future__ import annotations

import logging

import pytest

from integrations.downloadclients.base import AddRequest, Capability, DownloadStatus
from integrations.downloadclients.providers.deluge import Deluge
from tests.downloadclients.deluge_fixtures import (
    deluge_daemon,  # noqa: F401 (fixture)
    dg,  # noqa: F401 (fixture)
    fresh_deluge,  # noqa: F401 (fixture)
    make_provider,
    raw_status,
    unique,  # noqa: F401 (fixture)
    wait_for,
)
from tests.downloadclients.helpers import add_paused
from tests.torrentdata import make_torrent, random_magnet

daemon = pytest.mark.daemon

LIMITS = ("stop_at_ratio", "stop_ratio")
PROVIDER_LOG = "integrations.downloadclients.providers.deluge.provider"
# Deluge's core.conf keys for the stop ratio a new torrent starts with.
DEFAULT_KEYS = ["stop_seed_at_ratio", "stop_seed_ratio"]


def limits(dg, torrent_hash) -> tuple:
    status = raw_status(dg, torrent_hash, *LIMITS)
    return status["stop_at_ratio"], status["stop_ratio"]


def add_magnet(dg, category, **goals) -> str:
    return add_paused(dg, "magnet", category, None, **goals)


# -- ratio -----------------------------------------------------------------------------------
@daemon
@pytest.mark.parametrize("kind", ["magnet", "torrent", "url"])
def test_a_ratio_goal_becomes_the_torrents_stop_ratio(dg, deluge_daemon, unique, kind):
    if kind == "magnet":
        torrent_hash = add_magnet(dg, unique, seed_ratio=1.5)
    elif kind == "torrent":
        torrent_hash = add_paused(dg, "torrent", unique, deluge_daemon.save_dir, seed_ratio=1.5)
    else:
        torrent_hash = add_paused(dg, "url", unique, deluge_daemon.save_dir, seed_ratio=1.5)
    assert limits(dg, torrent_hash) == (True, 1.5)


@daemon
def test_a_ratio_goal_outlasts_a_label_that_applies_its_own_stop_ratio(dg, unique):
    dg.labels.ensure(unique)
    queue_options = {"apply_queue": True, "stop_at_ratio": False, "stop_ratio": 9.0}
    dg._api().call("label.set_options", unique, queue_options)
    torrent_hash = add_magnet(dg, unique, seed_ratio=1.5)
    assert limits(dg, torrent_hash) == (True, 1.5)


@daemon
def test_a_reached_ratio_goal_makes_deluge_stop_the_torrent(dg, deluge_daemon, unique):
    payload_dir = deluge_daemon.save_dir / unique
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    request = AddRequest(
        torrent=torrent, category=unique, save_path=str(payload_dir), seed_ratio=0.0
    )
    torrent_hash = dg.add(request)
    # Deluge checks ratios every 5 s; a complete torrent at ratio 0 is then paused.
    item = wait_for(dg, torrent_hash, lambda i: i.raw_state == "Paused", timeout=20)
    assert item.status == DownloadStatus.COMPLETED


# -- seeding time ----------------------------------------------------------------------------
@daemon
def test_a_seeding_time_goal_logs_that_deluge_cannot_apply_it_per_torrent(dg, unique, caplog):
    caplog.set_level(logging.INFO, logger=PROVIDER_LOG)
    torrent_hash = add_magnet(dg, unique, seed_ratio=1.5, seed_time_minutes=4320)
    records = [r for r in caplog.records if r.name == PROVIDER_LOG]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (
            logging.INFO,
            "Deluge cannot apply a seeding time per torrent (only a ratio); "
            f"the 4320-minute seeding goal for {torrent_hash} is not applied",
        )
    ]


@daemon
def test_a_seeding_time_goal_alone_leaves_the_stop_ratio_alone(dg, unique):
    defaults = tuple(
        dg._api().call("core.get_config_values", DEFAULT_KEYS)[k] for k in DEFAULT_KEYS
    )
    torrent_hash = add_magnet(dg, unique, seed_time_minutes=4320)
    assert limits(dg, torrent_hash) == defaults


# -- defaults and existing torrents ----------------------------------------------------------
@daemon
def test_without_goals_the_torrent_keeps_deluges_default_stop_ratio(fresh_deluge, unique):
    d = fresh_deluge(core_options={"stop_seed_at_ratio": True, "stop_seed_ratio": 3.25})
    with make_provider(d) as dg:
        torrent_hash = add_magnet(dg, unique)
        assert limits(dg, torrent_hash) == (True, 3.25)


@daemon
def test_adding_a_torrent_deluge_already_has_keeps_its_stop_ratio(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique, paused=True))
    before = limits(dg, infohash)
    assert dg.add(AddRequest(magnet=magnet, category=unique, seed_ratio=0.5)) == infohash
    assert limits(dg, infohash) == before


def test_deluge_lists_seeding_limits_among_its_capabilities():
    assert Capability.SEEDING_LIMITS in Deluge.capabilities
