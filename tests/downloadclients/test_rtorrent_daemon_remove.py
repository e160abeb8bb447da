"""RTorrent against a real rtorrent (Debian 0.9.8) over SCGI: removing (with and without
data) and daemon restarts (killed mid-poll, closed downloads after a restart)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.errors import ConnectionFailed, IntegrationError, UnsupportedError
from tests.downloadclients import rtorrent_fixtures as fx
from tests.downloadclients.rtorrent_fixtures import (
    add_seeding,
    listed,
    make_provider,
    multi_file_torrent,
    wait_for,
)
from tests.torrentdata import make_torrent, random_magnet

# The fixtures this module uses (a session daemon per module: rtorrent starts in ~25 ms).
rtorrent_daemon, fresh_rtorrent_daemon, rt, unique = (
    fx.rtorrent_daemon,
    fx.fresh_rtorrent_daemon,
    fx.rt,
    fx.unique,
)

daemon = pytest.mark.daemon
S = DownloadStatus


# -- remove ------------------------------------------------------------------------------------
@daemon
def test_remove_drops_the_torrent_and_keeps_its_data(rt, rtorrent_daemon, unique):
    download_id, _, payload_dir = add_seeding(rt, rtorrent_daemon, unique)
    rt.remove(download_id)
    assert not listed(rt, download_id)
    assert (payload_dir / "labfile.bin").exists()


@daemon
def test_remove_with_delete_data_deletes_the_file_inside_the_directory(rtorrent_daemon, unique):
    with make_provider(rtorrent_daemon, directory=str(rtorrent_daemon.download_dir)) as rt:
        download_id, _, payload_dir = add_seeding(rt, rtorrent_daemon, unique)
        rt.remove(download_id, delete_data=True)
        assert not listed(rt, download_id)
    assert not (payload_dir / "labfile.bin").exists()
    assert payload_dir.is_dir()


@daemon
def test_remove_with_delete_data_deletes_a_multi_file_folder(rtorrent_daemon, unique):
    base = rtorrent_daemon.download_dir / unique
    torrent, infohash = multi_file_torrent(base, "Show.S01", {"e1.mkv": 20000, "e2.mkv": 30000})
    with make_provider(rtorrent_daemon, directory=str(rtorrent_daemon.download_dir)) as rt:
        rt.add(AddRequest(torrent=torrent, category=unique, save_path=str(base)))
        item = wait_for(rt, infohash, lambda i: i.status == S.SEEDING)
        assert (item.output_path, item.save_path) == (str(base / "Show.S01"), str(base))
        rt.remove(infohash, delete_data=True)
    assert not (base / "Show.S01").exists()
    assert base.is_dir()


@daemon
def test_remove_with_delete_data_outside_the_directory_is_refused_before_erasing(
    rtorrent_daemon, unique, tmp_path
):
    elsewhere = tmp_path / "library"
    elsewhere.mkdir()
    with make_provider(rtorrent_daemon, directory=str(elsewhere)) as rt:
        download_id, _, payload_dir = add_seeding(rt, rtorrent_daemon, unique)
        with pytest.raises(UnsupportedError, match="outside rTorrent's configured download"):
            rt.remove(download_id, delete_data=True)
        assert listed(rt, download_id)
    assert (payload_dir / "labfile.bin").exists()


@daemon
def test_remove_with_delete_data_never_deletes_the_download_directory_itself(
    rtorrent_daemon, unique, tmp_path
):
    root = tmp_path / "downloads"
    torrent, infohash = multi_file_torrent(root / unique, "Show.S02", {"e1.mkv": 20000})
    with make_provider(rtorrent_daemon, directory=str(root)) as rt:
        rt.add(AddRequest(torrent=torrent, category=unique, paused=True))
        # ruTorrent's "don't add the torrent name": the content folder is the root itself.
        rt._api().d("directory_base.set", infohash, str(root))
        assert wait_for(rt, infohash, lambda i: True).output_path == str(root)
        with pytest.raises(UnsupportedError, match="is a configured download directory itself"):
            rt.remove(infohash, delete_data=True)
        assert listed(rt, infohash)
    assert (root / unique / "Show.S02" / "e1.mkv").exists()


@daemon
def test_remove_with_delete_data_without_a_directory_is_unsupported(rt, rtorrent_daemon, unique):
    download_id, _, payload_dir = add_seeding(rt, rtorrent_daemon, unique)
    with pytest.raises(UnsupportedError, match="set the download directory"):
        rt.remove(download_id, delete_data=True)
    assert listed(rt, download_id)


@daemon
def test_remove_with_delete_data_of_a_directory_idkarr_cannot_see_is_unsupported(
    rtorrent_daemon, unique
):
    with make_provider(rtorrent_daemon, directory="/nonexistent/rtorrent/downloads") as rt:
        magnet, infohash = random_magnet()
        rt.add(
            AddRequest(magnet=magnet, category=unique, save_path=str(rtorrent_daemon.download_dir))
        )
        with pytest.raises(UnsupportedError, match="cannot see /nonexistent/rtorrent/downloads"):
            rt.remove(infohash, delete_data=True)


# -- restarts ----------------------------------------------------------------------------------
@daemon
def test_daemon_killed_mid_poll_is_a_transient_failure_until_restarted(fresh_rtorrent_daemon):
    d = fresh_rtorrent_daemon
    with make_provider(d) as rt:
        magnet, infohash = random_magnet()
        rt.add(AddRequest(magnet=magnet, category="killed"))
        os.kill(d.proc.pid, signal.SIGSTOP)  # frozen: the poll connects and waits for an answer
        failures = []

        def poll():
            try:
                rt.get_downloads()
            except IntegrationError as exc:
                failures.append(exc)

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.3)
        assert poller.is_alive()  # really mid-poll
        d.kill()
        poller.join(5)

        assert [type(f) for f in failures] == [ConnectionFailed]
        assert failures[0].permanent is False
        result = rt.run_test()
        assert not result.ok and "Cannot reach rTorrent" in result.message
        d.start()
        assert [i.id for i in rt.get_downloads()] == [infohash]


@daemon
def test_stopped_download_after_a_restart_still_reports_its_content_path(fresh_rtorrent_daemon):
    d = fresh_rtorrent_daemon
    payload_dir = d.download_dir / "kept"
    torrent, infohash = make_torrent(payload_dir, seed=b"kept")
    with make_provider(d) as rt:
        rt.add(AddRequest(torrent=torrent, category="kept", save_path=str(payload_dir)))
        wait_for(rt, infohash, lambda i: i.status == S.SEEDING)
        rt.pause(infohash)
        rt._api().d("close", infohash)
        d.stop()
        d.start()
        assert rt._api().d("base_path", infohash) == ""  # rTorrent forgets it for closed items
        item = wait_for(rt, infohash, lambda i: True)
    assert item.output_path == str(payload_dir / "labfile.bin")
    assert item.status == S.COMPLETED
