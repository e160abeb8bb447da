"""Seeding goals on a real aria2c (Debian 1.36.0): an add with a ratio and a seeding time
gives the download its own ``seed-ratio``/``seed-time`` options (read back with
``aria2.getOption``), also on the follow-up download that actually seeds; an add without
them leaves aria2's global ones."""

from __future__ import annotations

import logging

import pytest

from integrations.downloadclients.base import AddRequest, Capability, DownloadStatus
from integrations.downloadclients.providers.aria2 import Aria2
from integrations.downloadclients.providers.aria2.mapping import visible_entry
from tests.downloadclients import aria2_fixtures as fx
from tests.downloadclients.aria2_fixtures import add_seeding, wait_for
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import make_torrent, random_magnet

pytestmark = pytest.mark.daemon
S = DownloadStatus
# fixtures used by this module
a2, unique, aria2_daemon = fx.a2, fx.unique, fx.aria2_daemon
aria2_seeder, tracker = fx.aria2_seeder, fx.tracker


def goals_of(a2, d, download_id) -> dict:
    """The seeding options aria2 holds for the download idkarr shows for ``download_id``
    (the follow-up one for a magnet or a fetched .torrent)."""
    _, group = a2._group_for(download_id)
    options = d.call("aria2.getOption", visible_entry(group)["gid"])
    return {key: options.get(key) for key in ("seed-ratio", "seed-time")}


def added_magnet(a2, unique, **goals) -> str:
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique, paused=True, **goals))
    return infohash


def test_a_ratio_goal_becomes_the_downloads_seed_ratio(a2, aria2_daemon, unique):
    infohash = added_magnet(a2, unique, seed_ratio=1.5)
    assert goals_of(a2, aria2_daemon, infohash)["seed-ratio"] == "1.5"


def test_a_seeding_time_goal_becomes_the_downloads_seed_time(a2, aria2_daemon, unique):
    infohash = added_magnet(a2, unique, seed_time_minutes=4320)
    assert goals_of(a2, aria2_daemon, infohash)["seed-time"] == "4320"


def test_without_goals_the_download_keeps_aria2s_global_seeding_options(a2, aria2_daemon, unique):
    infohash = added_magnet(a2, unique)
    defaults = aria2_daemon.call("aria2.getGlobalOption")
    expected = {"seed-ratio": defaults.get("seed-ratio"), "seed-time": defaults.get("seed-time")}
    assert expected == {"seed-ratio": "1.0", "seed-time": None}  # aria2's own defaults
    assert goals_of(a2, aria2_daemon, infohash) == expected


def test_a_ratio_of_zero_is_not_sent_and_logged_as_not_applied(a2, aria2_daemon, unique, caplog):
    caplog.set_level(logging.INFO, logger="integrations.downloadclients.providers.aria2")
    infohash = added_magnet(a2, unique, seed_ratio=0.0, seed_time_minutes=60)
    assert goals_of(a2, aria2_daemon, infohash) == {"seed-ratio": "1.0", "seed-time": "60"}
    [line] = [r.getMessage() for r in caplog.records if "seed ratio" in r.getMessage()]
    assert line.startswith("aria2 cannot apply a seed ratio of 0 per download")
    assert infohash in line


def test_a_torrent_files_goals_are_on_its_seeding_download(a2, aria2_daemon, unique):
    torrent, infohash = make_torrent(aria2_daemon.save_dir / unique, seed=unique.encode())
    a2.add(AddRequest(torrent=torrent, category=unique, seed_ratio=2.5, seed_time_minutes=90))
    wait_for(a2, infohash, lambda i: i.status == S.SEEDING)
    assert goals_of(a2, aria2_daemon, infohash) == {"seed-ratio": "2.5", "seed-time": "90"}


def test_a_zero_seeding_time_goal_stops_the_torrent_once_complete(a2, aria2_daemon, unique):
    torrent, infohash = make_torrent(aria2_daemon.save_dir / unique, seed=unique.encode())
    a2.add(AddRequest(torrent=torrent, category=unique, seed_time_minutes=0))
    item = wait_for(a2, infohash, lambda i: i.raw_state == "complete")
    assert (item.status, item.progress) == (S.COMPLETED, 1.0)


def test_a_magnets_goals_carry_over_to_the_download_after_its_metadata(
    a2, aria2_daemon, aria2_seeder, tracker, unique
):
    magnet, infohash = fx.seeded_magnet(aria2_seeder, tracker, unique)

    a2.add(AddRequest(magnet=magnet, category=unique, seed_ratio=3, seed_time_minutes=120))
    wait_for(a2, infohash, lambda i: i.status == S.SEEDING, timeout=20)

    _, group = a2._group_for(infohash)
    assert visible_entry(group).get("following")  # the seeding download is the follow-up
    assert goals_of(a2, aria2_daemon, infohash) == {"seed-ratio": "3", "seed-time": "120"}


def test_a_torrent_urls_goals_carry_over_to_the_fetched_torrent(a2, aria2_daemon, unique):
    torrent, infohash = make_torrent(aria2_daemon.save_dir / unique, seed=unique.encode())
    reply = Reply(200, torrent, {"Content-Type": "application/x-bittorrent"})
    with RecordingServer(default_response=reply) as srv:
        request = AddRequest(url=f"{srv.url}/get?apikey=k1", category=unique, seed_ratio=1.25)
        assert a2.add(request) == infohash
    wait_for(a2, infohash, lambda i: i.status == S.SEEDING)
    assert goals_of(a2, aria2_daemon, infohash)["seed-ratio"] == "1.25"


def test_a_torrent_aria2_already_has_keeps_its_seeding_limits(a2, aria2_daemon, unique):
    download_id, payload_dir = add_seeding(a2, aria2_daemon, unique)
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    before = goals_of(a2, aria2_daemon, download_id)
    a2.add(AddRequest(torrent=torrent, category=unique, seed_ratio=4, seed_time_minutes=5))
    assert (
        goals_of(a2, aria2_daemon, download_id)
        == before
        == {
            "seed-ratio": "1.0",
            "seed-time": None,
        }
    )


def test_aria2_lists_seeding_limits_among_its_capabilities():
    assert Capability.SEEDING_LIMITS in Aria2.capabilities
