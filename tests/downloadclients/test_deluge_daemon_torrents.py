"""Deluge against a real deluged + deluge-web 2.0.3 (libtorrent 2.0.8) on loopback:
adding torrents, magnets and URLs, their states, and the verbs on them."""
# ruff: noqa: F811 (test parameters are the fixtures imported from deluge_fixtures)

from __future__ import annotations

import logging

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.errors import IntegrationError, NotFoundError, ProtocolError
from tests.downloadclients.deluge_fixtures import (
    add_seeding,
    deluge_daemon,  # noqa: F401 (fixture)
    dg,  # noqa: F401 (fixture)
    make_provider,
    raw_status,
    unique,  # noqa: F401 (fixture)
    wait_for,
    wait_gone,
)
from tests.downloadclients.helpers import wait_until
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import bencode, make_torrent, random_magnet

daemon = pytest.mark.daemon


# -- adding ----------------------------------------------------------------------------------
@daemon
def test_added_torrent_with_local_data_seeds_under_its_label(dg, deluge_daemon, unique):
    payload_dir = deluge_daemon.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    download_id = dg.add(AddRequest(torrent=torrent, category=unique, save_path=str(payload_dir)))
    item = wait_for(dg, download_id, lambda i: i.status == DownloadStatus.SEEDING)
    assert download_id == infohash
    assert item.category == unique
    assert item.progress == 1.0
    assert item.output_path == str(payload_dir / "labfile.bin")


@daemon
def test_added_magnet_is_downloading_metadata(dg, unique):
    magnet, infohash = random_magnet()
    download_id = dg.add(AddRequest(magnet=magnet, category=unique))
    item = wait_for(dg, download_id, lambda i: i.raw_state == "Downloading")
    assert download_id == infohash
    assert item.status == DownloadStatus.DOWNLOADING
    assert item.message == "downloading metadata"


@daemon
def test_adding_the_same_torrent_twice_returns_its_hash(dg, deluge_daemon, unique):
    download_id, infohash, payload_dir = add_seeding(dg, deluge_daemon, unique)
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    assert dg.add(AddRequest(torrent=torrent, category=unique)) == infohash


@daemon
def test_adding_the_same_magnet_twice_returns_its_hash(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    assert dg.add(AddRequest(magnet=magnet, category=unique)) == infohash


@daemon
def test_add_url_returns_the_hash_of_the_torrent_deluge_fetched(dg, deluge_daemon, unique):
    torrent, infohash = make_torrent(deluge_daemon.save_dir / unique, seed=unique.encode())
    with RecordingServer() as srv:
        srv.script([Reply(200, torrent, {"Content-Type": "application/x-bittorrent"})])
        download_id = dg.add(AddRequest(url=f"{srv.url}/release.torrent", category=unique))
    assert download_id == infohash
    wait_for(dg, download_id, lambda i: i.category == unique)


@daemon
def test_add_url_deluge_cannot_fetch_is_a_transient_error_without_the_url_secret(dg, unique):
    with RecordingServer() as srv:
        srv.script([Reply(close=True)])
        with pytest.raises(IntegrationError, match="Deluge could not add the torrent from") as err:
            dg.add(AddRequest(url=f"{srv.url}/x.torrent?apikey=s3cr3t", category=unique))
    assert err.value.permanent is False
    assert "s3cr3t" not in str(err.value)


@daemon
def test_add_options_reach_deluge(deluge_daemon, unique):
    settings = {
        "add_paused": True,
        "first_and_last_piece_priority": True,
        "sequential_download": True,
        "download_directory": str(deluge_daemon.save_dir / unique),
        "completed_directory": str(deluge_daemon.save_dir / "done"),
    }
    with make_provider(deluge_daemon, **settings) as dg:
        magnet, infohash = random_magnet()
        dg.add(AddRequest(magnet=magnet, category=unique))
        raw = raw_status(
            dg,
            infohash,
            "paused",
            "prioritize_first_last",
            "sequential_download",
            "save_path",
            "move_completed",
            "move_completed_path",
        )
    assert raw == {
        "paused": True,
        "prioritize_first_last": True,
        "sequential_download": True,
        "save_path": settings["download_directory"],
        "move_completed": True,
        "move_completed_path": settings["completed_directory"],
    }


@daemon
def test_torrent_deluge_cannot_parse_is_a_protocol_error(dg, unique):
    bad_pieces = {"name": "x.bin", "length": 10, "piece length": 16384, "pieces": b"short"}
    torrent = bencode({"announce": "http://127.0.0.1:1/announce", "info": bad_pieces})
    with pytest.raises(ProtocolError, match="Deluge says bad.torrent is not a valid torrent file"):
        dg.add(AddRequest(torrent=torrent, name="bad.torrent", category=unique))


# -- verbs -----------------------------------------------------------------------------------
@daemon
def test_pausing_a_complete_torrent_maps_to_completed(dg, deluge_daemon, unique):
    download_id, *_ = add_seeding(dg, deluge_daemon, unique)
    dg.pause(download_id)
    item = wait_for(dg, download_id, lambda i: i.raw_state == "Paused")
    assert item.status == DownloadStatus.COMPLETED


@daemon
def test_pausing_an_incomplete_torrent_maps_to_paused(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    dg.pause(infohash)
    item = wait_for(dg, infohash, lambda i: i.raw_state == "Paused")
    assert item.status == DownloadStatus.PAUSED


@daemon
def test_resume_returns_a_paused_torrent_to_seeding(dg, deluge_daemon, unique):
    download_id, *_ = add_seeding(dg, deluge_daemon, unique)
    dg.pause(download_id)
    wait_for(dg, download_id, lambda i: i.status == DownloadStatus.COMPLETED)
    dg.resume(download_id)
    wait_for(dg, download_id, lambda i: i.status == DownloadStatus.SEEDING)


@daemon
def test_set_priority_top_moves_the_torrent_to_the_head_of_the_queue(dg, unique):
    first, second = random_magnet(), random_magnet()
    dg.add(AddRequest(magnet=first[0], category=unique, paused=True))
    dg.add(AddRequest(magnet=second[0], category=unique, paused=True))
    assert raw_status(dg, second[1], "queue")["queue"] > 0
    dg.set_priority(second[1], Priority.TOP)
    assert raw_status(dg, second[1], "queue") == {"queue": 0}


@daemon
def test_set_priority_low_moves_the_torrent_one_place_down(dg, unique):
    first, second = random_magnet(), random_magnet()
    dg.add(AddRequest(magnet=first[0], category=unique, paused=True))
    dg.add(AddRequest(magnet=second[0], category=unique, paused=True))
    before = raw_status(dg, first[1], "queue")["queue"]
    dg.set_priority(first[1], Priority.LOW)
    assert raw_status(dg, first[1], "queue") == {"queue": before + 1}


@daemon
def test_add_with_top_priority_puts_the_torrent_at_the_head_of_the_queue(dg, unique):
    dg.add(AddRequest(magnet=random_magnet()[0], category=unique, paused=True))
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique, paused=True, priority=Priority.TOP))
    assert raw_status(dg, infohash, "queue") == {"queue": 0}


@daemon
def test_remove_drops_the_torrent_and_keeps_its_data(dg, deluge_daemon, unique):
    download_id, _, payload_dir = add_seeding(dg, deluge_daemon, unique)
    dg.remove(download_id)
    wait_gone(dg, download_id)
    assert (payload_dir / "labfile.bin").exists()


@daemon
def test_remove_with_delete_data_deletes_the_file(dg, deluge_daemon, unique):
    download_id, _, payload_dir = add_seeding(dg, deluge_daemon, unique)
    dg.remove(download_id, delete_data=True)
    wait_gone(dg, download_id)
    wait_until(lambda: not (payload_dir / "labfile.bin").exists())
    assert not (payload_dir / "labfile.bin").exists()


@daemon
@pytest.mark.parametrize(
    "verb",
    [
        lambda dg, h: dg.remove(h),
        lambda dg, h: dg.pause(h),
        lambda dg, h: dg.resume(h),
        lambda dg, h: dg.set_priority(h, Priority.TOP),
        lambda dg, h: dg.set_category(h, "tv-idkarr"),
    ],
    ids=["remove", "pause", "resume", "set_priority", "set_category"],
)
def test_verb_on_an_unknown_torrent_is_not_found(dg, verb):
    unknown = "ab" * 20
    with pytest.raises(NotFoundError, match=f"Deluge has no torrent {unknown}"):
        verb(dg, unknown)


@daemon
def test_password_never_appears_in_messages(dg, deluge_daemon, unique, caplog):
    caplog.set_level(logging.DEBUG)
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    dg.add(AddRequest(magnet=magnet, category=unique))  # duplicate: logged, not raised
    messages = [dg.run_test().message]
    for provoke in (
        lambda: dg.set_category(infohash, "Bad Label"),
        lambda: dg.remove("cd" * 20),
        lambda: dg.add(AddRequest(magnet="magnet:?dn=no-hash")),
    ):
        with pytest.raises(IntegrationError) as failure:
            provoke()
        messages.append(str(failure.value))
    with make_provider(deluge_daemon, password="wrong-" + deluge_daemon.password) as wrong:
        messages.append(wrong.run_test().message)
    messages += [r.getMessage() for r in caplog.records]
    assert len(messages) >= 5
    assert not [m for m in messages if deluge_daemon.password in m]
