"""Aria2 against a real aria2c (Debian 1.36.0): pause, resume, priority, remove, failures."""

from __future__ import annotations

import base64
import logging

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.errors import (
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    RequestTimedOut,
    UnsupportedError,
)
from tests.downloadclients import aria2_fixtures as fx
from tests.downloadclients.aria2_fixtures import (
    add_seeding,
    make_provider,
    raw_entries,
    wait_for,
    waiting_order,
)
from tests.torrentdata import make_torrent, random_magnet

daemon = pytest.mark.daemon
S = DownloadStatus
# fixtures used by this module
a2, unique, aria2_daemon = fx.a2, fx.unique, fx.aria2_daemon
aria2_seeder, fresh_aria2_daemon, tracker = fx.aria2_seeder, fx.fresh_aria2_daemon, fx.tracker


# -- pause / resume -----------------------------------------------------------------------
@daemon
def test_pausing_a_seeding_torrent_maps_to_completed(a2, aria2_daemon, unique):
    download_id, _ = add_seeding(a2, aria2_daemon, unique)
    a2.pause(download_id)
    item = wait_for(a2, download_id, lambda i: i.raw_state == "paused")
    assert item.status == S.COMPLETED


@daemon
def test_pausing_an_incomplete_download_maps_to_paused(a2, unique):
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique))
    a2.pause(infohash)
    assert wait_for(a2, infohash, lambda i: i.raw_state == "paused").status == S.PAUSED


@daemon
def test_adding_paused_adds_a_paused_download(a2, unique):
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique, paused=True))
    assert a2.get_download(infohash).status == S.PAUSED


@daemon
def test_resume_returns_a_paused_torrent_to_seeding(a2, aria2_daemon, unique):
    download_id, _ = add_seeding(a2, aria2_daemon, unique)
    a2.pause(download_id)
    wait_for(a2, download_id, lambda i: i.status == S.COMPLETED)
    a2.resume(download_id)
    wait_for(a2, download_id, lambda i: i.status == S.SEEDING)


@daemon
def test_finished_torrent_that_stopped_seeding_maps_to_completed(a2, aria2_daemon, unique):
    payload_dir = aria2_daemon.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    options = {"dir": str(payload_dir), "seed-time": "0"}
    aria2_daemon.call("aria2.addTorrent", base64.b64encode(torrent).decode(), [], options)
    item = wait_for(a2, infohash, lambda i: i.raw_state == "complete")
    assert (item.status, item.progress) == (S.COMPLETED, 1.0)


@daemon
def test_pausing_a_finished_download_says_aria2_cannot(a2, aria2_daemon, unique):
    payload_dir = aria2_daemon.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    options = {"dir": str(payload_dir), "seed-time": "0"}
    aria2_daemon.call("aria2.addTorrent", base64.b64encode(torrent).decode(), [], options)
    wait_for(a2, infohash, lambda i: i.raw_state == "complete")
    with pytest.raises(IntegrationError, match="cannot restart a finished download"):
        a2.pause(infohash)


# -- priority -----------------------------------------------------------------------------
@daemon
def test_set_priority_moves_paused_downloads_in_the_waiting_queue(a2, aria2_daemon, unique):
    # The queue is shared with other tests' paused downloads: check global positions.
    (first_magnet, first), (last_magnet, last) = random_magnet(), random_magnet()
    a2.add(AddRequest(magnet=first_magnet, category=unique, paused=True))
    a2.add(AddRequest(magnet=last_magnet, category=unique, paused=True))
    gid_first = raw_entries(aria2_daemon, value=first)[0]["gid"]
    gid_last = raw_entries(aria2_daemon, value=last)[0]["gid"]
    assert waiting_order(aria2_daemon)[-2:] == [gid_first, gid_last]

    a2.set_priority(last, Priority.TOP)
    assert waiting_order(aria2_daemon)[0] == gid_last
    a2.set_priority(last, Priority.LOW)
    assert waiting_order(aria2_daemon)[1] == gid_last
    a2.set_priority(last, Priority.HIGH)
    assert waiting_order(aria2_daemon)[0] == gid_last
    a2.set_priority(last, Priority.BOTTOM)
    assert waiting_order(aria2_daemon)[-1] == gid_last


@daemon
def test_set_priority_low_on_an_active_download_is_unsupported(a2, unique):
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique))
    with pytest.raises(UnsupportedError, match="only reorder its waiting queue"):
        a2.set_priority(infohash, Priority.LOW)


# -- remove -------------------------------------------------------------------------------
@daemon
def test_remove_drops_the_download_and_keeps_its_data(a2, aria2_daemon, unique):
    download_id, payload_dir = add_seeding(a2, aria2_daemon, unique)
    a2.remove(download_id)
    assert a2.get_download(download_id) is None
    assert raw_entries(aria2_daemon, value=download_id) == []
    assert (payload_dir / "labfile.bin").exists()


@daemon
def test_remove_with_delete_data_deletes_the_files_but_not_the_category(a2, aria2_daemon, unique):
    download_id, payload_dir = add_seeding(a2, aria2_daemon, unique)
    (payload_dir / "neighbour.mkv").write_text("another release")
    a2.remove(download_id, delete_data=True)
    assert sorted(p.name for p in payload_dir.iterdir()) == ["neighbour.mkv"]


@daemon
def test_remove_by_the_gid_aria2_reports_works_too(a2, aria2_daemon, unique):
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique))
    gid = raw_entries(aria2_daemon, value=infohash)[0]["gid"]
    a2.remove(gid)
    assert raw_entries(aria2_daemon, value=infohash) == []


@daemon
def test_unknown_id_is_not_found(a2):
    with pytest.raises(NotFoundError, match="aria2 has no download 0123456789abcdef"):
        a2.pause("0123456789abcdef")


# -- failure modes ------------------------------------------------------------------------
@daemon
def test_hung_then_killed_daemon_is_transient_until_restarted(fresh_aria2_daemon):
    d = fresh_aria2_daemon
    with make_provider(d, timeout_seconds=0.5) as a2:
        assert a2.run_test().ok
        magnet, infohash = random_magnet()
        a2.add(AddRequest(magnet=magnet))
        d.freeze()
        with pytest.raises(RequestTimedOut) as hung:
            a2.get_downloads()
        assert hung.value.permanent is False
        d.thaw()
        d.stop()

        with pytest.raises(ConnectionFailed) as failure:
            a2.get_downloads()
        assert failure.value.permanent is False
        assert "Cannot reach" in a2.run_test().message

        d.start()
        assert a2.get_downloads() == []  # no session file: aria2 forgot its downloads
        assert a2.run_test().ok


@daemon
def test_secret_never_appears_in_messages(a2, aria2_daemon, unique, caplog):
    caplog.set_level(logging.DEBUG)
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique))
    messages = [a2.run_test().message]
    for provoke in (
        lambda: a2.set_priority(infohash, Priority.BOTTOM),
        lambda: a2.set_category(infohash, "x"),
        lambda: a2.pause("0123456789abcdef"),
        lambda: a2.add(AddRequest(magnet="magnet:?dn=no-hash")),
        lambda: a2.add(AddRequest(url="ftp//nothing")),
    ):
        with pytest.raises(IntegrationError) as failure:
            provoke()
        messages.append(str(failure.value))
    with make_provider(aria2_daemon, port=1) as unreachable:
        messages.append(unreachable.run_test().message)
    messages += [r.getMessage() for r in caplog.records]
    assert len(messages) >= 7
    assert not [m for m in messages if aria2_daemon.secret in m]
