"""The beat dispatcher against a real qbittorrent-nox that is killed between rounds:
its items are kept with their last good state and marked unknown, the poll state
names qBittorrent, and the first round after a restart clears the mark."""

from __future__ import annotations

import time
import uuid

import pytest

from integrations import health
from integrations.downloadclients import queue
from integrations.downloadclients.base import AddRequest
from integrations.downloadclients.models import ClientPollState, Download, DownloadClient
from tests.daemons import process
from tests.downloadclients.conftest import fresh_qbittorrent_daemon  # noqa: F401 (fixture)
from tests.torrentdata import random_magnet

pytestmark = [pytest.mark.django_db, pytest.mark.daemon]


def dispatch_round() -> int:
    """One dispatcher round with the client due now."""
    ClientPollState.objects.update(next_poll_at=None)
    return queue.dispatch_due()


def round_until(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        assert dispatch_round() == 1
        if predicate():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"never true; poll state: {ClientPollState.objects.get().last_error!r}")
        time.sleep(0.2)


def test_killed_daemon_keeps_items_unknown_until_it_is_back(
    fresh_qbittorrent_daemon,  # noqa: F811
):
    d = fresh_qbittorrent_daemon
    config = DownloadClient(name="box", kind="qbittorrent")
    config.apply_settings(
        DownloadClient.registry.get("qbittorrent").Settings(
            host=d.host, port=d.port, username=d.username, password=d.password
        )
    )
    config.save()
    category = "q" + uuid.uuid4().hex[:8]
    magnet, infohash = random_magnet(category)
    health.providers.get(config).add(AddRequest(magnet=magnet, category=category, paused=True))

    round_until(lambda: Download.objects.filter(download_id=infohash).exists())
    before = Download.objects.get(download_id=infohash)
    assert (before.category, before.status, before.unknown_since) == (category, "paused", None)
    # qBittorrent writes the torrent's resume data asynchronously: wait for it, or a
    # SIGKILL would lose the torrent itself and it could never come back.
    deadline = time.monotonic() + 10
    while not list(d.profile_dir.rglob(f"{infohash}.fastresume")):
        assert time.monotonic() < deadline, "qBittorrent never saved the resume data"
        time.sleep(0.1)

    process.kill(d.proc)  # a crash mid-poll, as seen from idkarr: connection refused
    assert not d.running()
    assert dispatch_round() == 1

    kept = Download.objects.get(download_id=infohash)
    assert kept.unknown_since is not None and kept.removed_at is None
    kept_state = (kept.title, kept.category, kept.status, kept.progress, kept.last_seen_at)
    assert kept_state == (
        before.title,
        before.category,
        before.status,
        before.progress,
        before.last_seen_at,
    )
    state = ClientPollState.objects.get(client=config)
    assert state.last_error.startswith("box: ") and "qBittorrent" in state.last_error
    assert state.last_ok_at < state.last_polled_at

    d.start()
    round_until(lambda: Download.objects.get(download_id=infohash).unknown_since is None)
    back = Download.objects.get(download_id=infohash)
    assert (back.category, back.status) == (category, "paused")
    assert back.last_seen_at > before.last_seen_at
    assert ClientPollState.objects.get(client=config).last_error == ""
