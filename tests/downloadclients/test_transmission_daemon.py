"""Transmission against a real transmission-daemon (Debian 3.00, RPC version 16) on loopback."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import signal
import subprocess
import threading
import time
import uuid
from functools import partial

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.downloadclients.providers.transmission import Transmission
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
)
from tests.conftest import require_binary
from tests.daemons.transmission import TransmissionDaemon, start_transmission
from tests.downloadclients import helpers
from tests.downloadclients.helpers import wait_until
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import bencode, make_torrent, random_magnet

daemon = pytest.mark.daemon
S = DownloadStatus


@pytest.fixture(scope="session")
def transmission_daemon(tmp_path_factory) -> TransmissionDaemon:
    """One transmission-daemon for the module's tests; they use unique categories."""
    binary = require_binary("transmission-daemon")
    with start_transmission(
        tmp_path_factory.mktemp("transmission"),
        password="tr-" + secrets.token_urlsafe(16),
        binary=binary,
    ) as d:
        yield d


@pytest.fixture
def fresh_daemon(tmp_path):
    """``fresh_daemon(**settings)`` → a transmission-daemon of the test's own."""
    binary = require_binary("transmission-daemon")
    started = []

    def start(**settings) -> TransmissionDaemon:
        d = start_transmission(tmp_path / f"tr{len(started)}", binary=binary, settings=settings)
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()


def make_provider(d: TransmissionDaemon, **overrides) -> Transmission:
    values = {"host": d.host, "port": d.port, "username": d.username, "password": d.password}
    return Transmission(Transmission.Settings(**(values | overrides)))


@pytest.fixture
def tr(transmission_daemon):
    provider = make_provider(transmission_daemon)
    yield provider
    provider.close()


@pytest.fixture
def unique() -> str:
    return "t" + uuid.uuid4().hex[:10]


wait_for = partial(helpers.wait_for, lookup=Transmission.get_download)


def raw(d: TransmissionDaemon, torrent_hash: str, *fields: str) -> dict:
    return d.rpc("torrent-get", {"ids": [torrent_hash], "fields": list(fields)})["torrents"][0]


def add_seeding(tr, d, unique):
    torrent, infohash = make_torrent(d.download_dir / unique, seed=unique.encode())
    download_id = tr.add(AddRequest(torrent=torrent, category=unique))
    wait_for(tr, download_id, lambda i: i.status == S.SEEDING)
    return download_id, d.download_dir / unique


def tracker_torrent(directory, announce: str, name: str) -> tuple[bytes, str]:
    """A one-piece torrent announcing to ``announce``, its payload written to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    payload = hashlib.sha256(name.encode()).digest() * 512
    (directory / name).write_bytes(payload)
    info = {
        "name": name,
        "length": len(payload),
        "piece length": 16384,
        "pieces": hashlib.sha1(payload, usedforsecurity=False).digest(),
    }
    infohash = hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()
    return bencode({"announce": announce, "info": info}), infohash


# -- test() ----------------------------------------------------------------------------------
@daemon
def test_test_reports_the_version_the_binary_reports(tr, transmission_daemon):
    out = subprocess.run(
        [transmission_daemon.binary, "--version"], capture_output=True, text=True, check=True
    )
    build = (out.stdout + out.stderr).strip().split(" ", 1)[1]  # "3.00 (bb6b5a062e)"
    result = tr.run_test()
    assert result.ok, result.message
    assert result.details["build"] == build
    assert result.message == f"Connected to Transmission {build.split()[0]} (RPC version 16)"
    assert result.details["download_dir"] == str(transmission_daemon.download_dir)


@daemon
def test_wrong_password_fails_once_and_is_not_retried_at_once(transmission_daemon):
    with make_provider(transmission_daemon, password="not-the-password") as wrong:
        first = wrong.run_test()
        with pytest.raises(AuthenticationError):
            wrong.get_downloads()  # refused locally: no second failed login
    with make_provider(transmission_daemon, password="still-wrong") as other:
        second = other.run_test()
    assert "rejected the username or password" in first.message
    failures = [int(r.message.split("(")[1].split()[0]) for r in (first, second)]
    assert failures[1] == failures[0] + 1


@daemon
def test_wrong_url_base_is_not_transmissions_rpc(transmission_daemon):
    with make_provider(transmission_daemon, url_base="") as tr:
        result = tr.run_test()
    assert not result.ok
    assert (
        "does not look like Transmission's RPC (it redirects to its web interface" in result.message
    )
    assert "default URL base is /transmission/" in result.message


@daemon
def test_https_to_the_http_port_says_transmission_speaks_http(transmission_daemon):
    with make_provider(transmission_daemon, use_ssl=True) as tr:
        with pytest.raises(ConnectionFailed, match="RPC speaks plain HTTP"):
            tr.get_downloads()


# -- add -------------------------------------------------------------------------------------
@daemon
def test_added_torrent_with_local_data_seeds_under_its_category(tr, transmission_daemon, unique):
    d = transmission_daemon
    torrent, infohash = make_torrent(d.download_dir / unique, seed=unique.encode())
    download_id = tr.add(AddRequest(torrent=torrent, category=unique))
    item = wait_for(tr, download_id, lambda i: i.status == S.SEEDING)
    assert download_id == infohash
    assert (item.category, item.progress, item.raw_state) == (unique, 1.0, "seed")
    assert item.output_path == str(d.download_dir / unique / "labfile.bin")
    assert raw(d, infohash, "labels")["labels"] == [unique]
    assert [i.id for i in tr.get_downloads(category=unique)] == [infohash]


@daemon
def test_added_magnet_is_downloading_metadata(tr, unique):
    magnet, infohash = random_magnet()
    assert tr.add(AddRequest(magnet=magnet, category=unique)) == infohash
    item = wait_for(tr, infohash, lambda i: i.raw_state == "download")
    assert (item.status, item.message, item.eta) == (S.DOWNLOADING, "downloading metadata", None)


@daemon
def test_adding_the_same_torrent_twice_returns_its_hash(tr, transmission_daemon, unique):
    download_id, payload_dir = add_seeding(tr, transmission_daemon, unique)
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    assert tr.add(AddRequest(torrent=torrent, category=unique)) == download_id


@daemon
def test_add_url_returns_the_hash_of_the_torrent_transmission_fetched(
    tr, transmission_daemon, unique
):
    torrent, infohash = make_torrent(transmission_daemon.download_dir / unique, seed=b"url")
    with RecordingServer() as srv:
        srv.script([Reply(200, torrent, {"Content-Type": "application/x-bittorrent"})])
        download_id = tr.add(AddRequest(url=f"{srv.url}/get?id=1&apikey=k", category=unique))
    assert download_id == infohash
    assert wait_for(tr, infohash, lambda i: i.status == S.SEEDING).category == unique


@daemon
def test_url_answering_404_is_a_permanent_error(tr, unique):
    with RecordingServer() as srv:
        srv.script([Reply(404, "gone")])
        with pytest.raises(IntegrationError, match="http error 404") as err:
            tr.add(AddRequest(url=f"{srv.url}/x.torrent", category=unique))
    assert err.value.permanent is True


@daemon
def test_torrent_transmission_cannot_parse_is_a_protocol_error(tr, unique):
    bad = {"name": "x.bin", "length": 10, "piece length": 16384, "pieces": b"short"}
    torrent = bencode({"announce": "http://127.0.0.1:1/announce", "info": bad})
    with pytest.raises(ProtocolError, match="bad.torrent is not a valid torrent file"):
        tr.add(AddRequest(torrent=torrent, name="bad.torrent", category=unique))


@daemon
def test_relative_download_directory_is_refused_by_transmission(transmission_daemon, unique):
    with make_provider(transmission_daemon, directory="relative/dir") as tr:
        with pytest.raises(ConfigurationError, match="must be an absolute path"):
            tr.add(AddRequest(magnet=random_magnet()[0], category=unique))


@daemon
def test_add_paused_setting_adds_the_torrent_stopped(transmission_daemon, unique):
    with make_provider(transmission_daemon, add_paused=True) as tr:
        magnet, infohash = random_magnet()
        tr.add(AddRequest(magnet=magnet, category=unique))
        item = wait_for(tr, infohash, lambda i: i.status != S.CHECKING)  # check-wait first
    assert (item.status, item.raw_state) == (S.PAUSED, "stopped")


@daemon
def test_tags_and_priority_reach_transmission(tr, transmission_daemon, unique):
    magnet, infohash = random_magnet()
    tr.add(AddRequest(magnet=magnet, category=unique, tags=["hd"], priority=Priority.LOW))
    got = raw(transmission_daemon, infohash, "labels", "bandwidthPriority")
    assert got == {"labels": [unique, "hd"], "bandwidthPriority": -1}
    assert tr.get_download(infohash).tags == ["hd"]


# -- states ----------------------------------------------------------------------------------
@daemon
def test_stopping_a_complete_torrent_maps_to_completed(tr, transmission_daemon, unique):
    download_id, _ = add_seeding(tr, transmission_daemon, unique)
    tr.pause(download_id)
    item = wait_for(tr, download_id, lambda i: i.raw_state == "stopped")
    assert item.status == S.COMPLETED


@daemon
def test_stopping_an_incomplete_torrent_maps_to_paused(tr, unique):
    magnet, infohash = random_magnet()
    tr.add(AddRequest(magnet=magnet, category=unique))
    tr.pause(infohash)
    assert wait_for(tr, infohash, lambda i: i.raw_state == "stopped").status == S.PAUSED


@daemon
def test_resume_returns_a_stopped_torrent_to_seeding(tr, transmission_daemon, unique):
    download_id, _ = add_seeding(tr, transmission_daemon, unique)
    tr.pause(download_id)
    wait_for(tr, download_id, lambda i: i.status == S.COMPLETED)
    tr.resume(download_id)
    wait_for(tr, download_id, lambda i: i.status == S.SEEDING)


@daemon
def test_deleted_data_maps_to_a_missing_files_warning(tr, transmission_daemon, unique):
    download_id, payload_dir = add_seeding(tr, transmission_daemon, unique)
    (payload_dir / "labfile.bin").unlink()
    transmission_daemon.rpc("torrent-verify", {"ids": [download_id]})
    item = wait_for(tr, download_id, lambda i: i.status == S.WARNING)
    assert item.message.startswith("missing files: No data found!")


@daemon
def test_tracker_error_maps_to_warning(tr, transmission_daemon, unique):
    with RecordingServer() as tracker:
        tracker.default_response = Reply(200, bencode({"failure reason": "unregistered torrent"}))
        torrent, infohash = tracker_torrent(
            transmission_daemon.download_dir / unique, f"{tracker.url}/announce", "err.bin"
        )
        tr.add(AddRequest(torrent=torrent, category=unique))
        item = wait_for(tr, infohash, lambda i: i.status == S.WARNING)
    assert item.message == "tracker error: unregistered torrent"


@daemon
def test_tracker_warning_keeps_seeding_with_a_message(tr, transmission_daemon, unique):
    answer = {"warning message": "slow down", "interval": 1800, "peers": b""}
    with RecordingServer() as tracker:
        tracker.default_response = Reply(200, bencode(answer))
        torrent, infohash = tracker_torrent(
            transmission_daemon.download_dir / unique, f"{tracker.url}/announce", "warn.bin"
        )
        tr.add(AddRequest(torrent=torrent, category=unique))
        item = wait_for(tr, infohash, lambda i: "tracker" in i.message)
    assert (item.status, item.message) == (S.SEEDING, "tracker warning: slow down")


@daemon
def test_torrent_behind_the_download_queue_maps_to_queued(fresh_daemon):
    d = fresh_daemon(**{"download-queue-enabled": True, "download-queue-size": 1})
    with make_provider(d) as tr:
        first, second = random_magnet(), random_magnet()
        tr.add(AddRequest(magnet=first[0]))
        tr.add(AddRequest(magnet=second[0]))
        item = wait_for(tr, second[1], lambda i: i.raw_state == "download-wait")
    assert (item.status, item.message) == (S.QUEUED, "queued for download")


# -- verbs -----------------------------------------------------------------------------------
@daemon
def test_set_category_moves_the_data_and_the_label(tr, transmission_daemon, unique):
    download_id, payload_dir = add_seeding(tr, transmission_daemon, unique)
    moved = unique + "-moved"
    tr.set_category(download_id, moved)
    item = wait_for(tr, download_id, lambda i: i.category == moved)
    assert (transmission_daemon.download_dir / moved / "labfile.bin").exists()
    assert not (payload_dir / "labfile.bin").exists()
    assert raw(transmission_daemon, download_id, "labels")["labels"] == [moved]
    assert item.output_path == str(transmission_daemon.download_dir / moved / "labfile.bin")


@daemon
def test_set_priority_high_sets_the_bandwidth_priority(tr, transmission_daemon, unique):
    magnet, infohash = random_magnet()
    tr.add(AddRequest(magnet=magnet, category=unique))
    tr.set_priority(infohash, Priority.HIGH)
    assert raw(transmission_daemon, infohash, "bandwidthPriority")["bandwidthPriority"] == 1


@daemon
def test_set_priority_top_and_bottom_move_in_the_queue(tr, transmission_daemon, unique):
    first, second = random_magnet(), random_magnet()
    tr.add(AddRequest(magnet=first[0], category=unique))
    tr.add(AddRequest(magnet=second[0], category=unique))
    tr.set_priority(second[1], Priority.TOP)
    assert raw(transmission_daemon, second[1], "queuePosition")["queuePosition"] == 0
    tr.set_priority(second[1], Priority.BOTTOM)
    everything = transmission_daemon.rpc("torrent-get", {"fields": ["id"]})["torrents"]
    position = raw(transmission_daemon, second[1], "queuePosition")["queuePosition"]
    assert position == len(everything) - 1


@daemon
def test_verbs_on_a_torrent_transmission_does_not_have_are_not_found(tr):
    _, infohash = random_magnet()
    with pytest.raises(NotFoundError, match="has no torrent"):
        tr.pause(infohash)


@daemon
def test_remove_drops_the_torrent_and_keeps_its_data(tr, transmission_daemon, unique):
    download_id, payload_dir = add_seeding(tr, transmission_daemon, unique)
    tr.remove(download_id)
    assert tr.get_download(download_id) is None
    assert (payload_dir / "labfile.bin").exists()


@daemon
def test_remove_with_delete_data_deletes_the_file(tr, transmission_daemon, unique):
    download_id, payload_dir = add_seeding(tr, transmission_daemon, unique)
    tr.remove(download_id, delete_data=True)
    wait_until(lambda: not (payload_dir / "labfile.bin").exists())
    assert tr.get_download(download_id) is None
    assert not (payload_dir / "labfile.bin").exists()


# -- failures --------------------------------------------------------------------------------
@daemon
def test_daemon_killed_mid_poll_is_a_transient_failure_until_restarted(fresh_daemon):
    d = fresh_daemon()
    with make_provider(d) as tr:
        assert tr.run_test().ok
        fetches = tr._client.session_id_fetches
        os.killpg(d.proc.pid, signal.SIGSTOP)  # frozen: the next poll waits for an answer
        failure: list[BaseException] = []
        poll = threading.Thread(target=lambda: _capture(tr.get_downloads, failure))
        poll.start()
        time.sleep(0.3)
        d.kill()
        poll.join(10)
        assert not poll.is_alive()
        assert isinstance(failure[0], ConnectionFailed), failure
        assert failure[0].permanent is False

        d.start()
        assert tr.get_downloads() == []
        assert tr._client.session_id_fetches == fetches + 1  # the restarted daemon's new id


def _capture(fn, into: list) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread
        into.append(exc)


@daemon
def test_password_never_appears_in_messages(tr, transmission_daemon, unique, caplog):
    caplog.set_level(logging.DEBUG)
    magnet, infohash = random_magnet()
    tr.add(AddRequest(magnet=magnet, category=unique))
    tr.add(AddRequest(magnet=magnet, category=unique))  # duplicate: logged, not raised
    messages = [tr.run_test().message]
    for provoke in (
        lambda: tr.set_category(infohash, "bad/name"),
        lambda: tr.pause(random_magnet()[1]),
        lambda: tr.add(AddRequest(magnet="magnet:?dn=no-hash")),
    ):
        with pytest.raises(IntegrationError) as failure:
            provoke()
        messages.append(str(failure.value))
    with make_provider(transmission_daemon, port=1) as unreachable:
        messages.append(unreachable.run_test().message)
    messages += [r.getMessage() for r in caplog.records]
    assert len(messages) >= 5
    assert not [m for m in messages if transmission_daemon.password in m]
