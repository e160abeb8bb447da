"""Aria2 against a real aria2c (Debian 1.36.0, JSON-RPC) on loopback: test() and add."""

from __future__ import annotations

import subprocess

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.errors import (
    AuthenticationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
)
from tests.downloadclients import aria2_fixtures as fx
from tests.downloadclients.aria2_fixtures import (
    add_seeding,
    make_provider,
    raw_entries,
    wait_for,
)
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import bencode, make_torrent, random_magnet

daemon = pytest.mark.daemon
S = DownloadStatus
# fixtures used by this module
a2, unique, aria2_daemon = fx.a2, fx.unique, fx.aria2_daemon
aria2_seeder, fresh_aria2_daemon, tracker = fx.aria2_seeder, fx.fresh_aria2_daemon, fx.tracker


# -- test() -------------------------------------------------------------------------------
@daemon
def test_test_reports_the_version_the_binary_reports(a2, aria2_daemon):
    out = subprocess.run([aria2_daemon.binary, "--version"], capture_output=True, text=True)
    version = out.stdout.splitlines()[0].split()[-1]
    result = a2.run_test()
    assert result.ok, result.message
    assert result.message == f"Connected to aria2 {version} (JSON-RPC, BitTorrent enabled)"
    assert result.details["directory"] == str(aria2_daemon.save_dir)
    assert result.details["category_directories"]["tv-idkarr"] == str(
        aria2_daemon.save_dir / "tv-idkarr"
    )


@daemon
def test_wrong_secret_fails_the_test_naming_the_secret(aria2_daemon):
    with make_provider(aria2_daemon, secret="not-the-secret") as a2:
        result = a2.run_test()
    assert not result.ok
    assert "rejected the secret token" in result.message
    assert result.details["code"] == "authentication_failed"


@daemon
def test_missing_secret_fails_the_test_asking_for_it(aria2_daemon):
    with make_provider(aria2_daemon, secret=None) as a2:
        with pytest.raises(AuthenticationError, match="requires a secret token"):
            a2.test()


@daemon
def test_wrong_url_base_is_not_found_naming_the_url_base(aria2_daemon):
    with make_provider(aria2_daemon, url_base="/elsewhere/jsonrpc") as a2:
        with pytest.raises(NotFoundError, match="check the host, port and URL base"):
            a2.test()


@daemon
def test_https_to_the_http_port_is_a_tls_connection_failure(aria2_daemon):
    with make_provider(aria2_daemon, use_ssl=True) as a2:
        with pytest.raises(
            ConnectionFailed, match="aria2 speaks plain HTTP unless it runs with --rpc-secure"
        ) as err:
            a2.test()
    assert err.value.permanent is True


# -- add ----------------------------------------------------------------------------------
@daemon
def test_added_torrent_with_local_data_seeds_in_its_category_directory(a2, aria2_daemon, unique):
    torrent, infohash = make_torrent(aria2_daemon.save_dir / unique, seed=unique.encode())
    download_id = a2.add(AddRequest(torrent=torrent, category=unique))
    item = wait_for(a2, download_id, lambda i: i.status == S.SEEDING)
    assert download_id == infohash
    assert (item.category, item.progress, item.size_left) == (unique, 1.0, 0)
    assert item.output_path == str(aria2_daemon.save_dir / unique / "labfile.bin")


@daemon
def test_get_downloads_filters_by_category(a2, aria2_daemon, unique):
    download_id, _ = add_seeding(a2, aria2_daemon, unique)
    a2.add(AddRequest(magnet=random_magnet()[0], category=unique + "-other"))
    assert [i.id for i in a2.get_downloads(category=unique)] == [download_id]


@daemon
def test_added_magnet_is_downloading_metadata(a2, unique):
    magnet, infohash = random_magnet()
    download_id = a2.add(AddRequest(magnet=magnet, category=unique))
    item = wait_for(a2, download_id, lambda i: True)
    assert download_id == infohash
    assert (item.status, item.message, item.title) == (
        S.DOWNLOADING,
        "downloading metadata",
        "labmagnet",
    )
    assert (item.size, item.progress) == (0, 0.0)


@daemon
def test_magnet_keeps_its_infohash_id_from_metadata_to_seeding(
    a2, aria2_daemon, aria2_seeder, tracker, unique
):
    magnet, infohash = fx.seeded_magnet(aria2_seeder, tracker, unique)

    download_id = a2.add(AddRequest(magnet=magnet, category=unique))
    item = wait_for(a2, download_id, lambda i: i.status == S.SEEDING, timeout=20)

    assert download_id == infohash
    assert item.output_path == str(aria2_daemon.save_dir / unique / "labfile.bin")
    assert [i.id for i in a2.get_downloads(category=unique)] == [infohash]
    # aria2 really ran two downloads: the finished metadata one and its seeding follow-up.
    statuses = sorted(e["status"] for e in raw_entries(aria2_daemon, value=infohash))
    assert statuses == ["active", "complete"]


@daemon
def test_adding_the_same_torrent_twice_returns_its_hash_and_leaves_no_error(
    a2, aria2_daemon, unique
):
    download_id, payload_dir = add_seeding(a2, aria2_daemon, unique)
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    assert a2.add(AddRequest(torrent=torrent, category=unique)) == download_id
    assert [e["status"] for e in raw_entries(aria2_daemon, value=download_id)] == ["active"]
    assert a2.get_download(download_id).status == S.SEEDING


@daemon
def test_adding_the_same_magnet_twice_returns_its_hash_and_leaves_no_error(
    a2, aria2_daemon, unique
):
    magnet, infohash = random_magnet()
    a2.add(AddRequest(magnet=magnet, category=unique))
    assert a2.add(AddRequest(magnet=magnet, category=unique)) == infohash
    assert [e["status"] for e in raw_entries(aria2_daemon, value=infohash)] == ["active"]


@daemon
def test_add_url_returns_the_infohash_of_the_torrent_aria2_fetched(a2, aria2_daemon, unique):
    torrent, infohash = make_torrent(aria2_daemon.save_dir / unique, seed=unique.encode())
    reply = Reply(200, torrent, {"Content-Type": "application/x-bittorrent"})
    with RecordingServer(default_response=reply) as srv:
        download_id = a2.add(AddRequest(url=f"{srv.url}/get?apikey=k1", category=unique))
    assert download_id == infohash
    item = wait_for(a2, download_id, lambda i: i.status == S.SEEDING)
    assert [i.id for i in a2.get_downloads(category=unique)] == [infohash]
    assert not list((aria2_daemon.save_dir / unique).glob("*.torrent"))
    assert item.title == "labfile.bin"


@daemon
def test_add_url_of_a_plain_file_returns_the_gid_and_completes(a2, aria2_daemon, unique):
    reply = Reply(200, b"x" * 1000, {"Content-Type": "application/octet-stream"})
    with RecordingServer(default_response=reply) as srv:
        download_id = a2.add(AddRequest(url=f"{srv.url}/file.bin", category=unique))
    item = wait_for(a2, download_id, lambda i: i.status == S.COMPLETED)
    assert len(download_id) == 16
    assert (item.title, item.size, item.category) == ("file.bin", 1000, unique)
    assert (aria2_daemon.save_dir / unique / "file.bin").read_bytes() == b"x" * 1000


@daemon
def test_add_url_nobody_answers_is_a_transient_error_without_leftovers(a2, unique):
    with pytest.raises(IntegrationError, match="aria2 could not download") as err:
        a2.add(AddRequest(url="http://127.0.0.1:1/x.torrent?apikey=secretkey", category=unique))
    assert err.value.permanent is False
    assert "secretkey" not in str(err.value)
    assert a2.get_downloads(category=unique) == []


@daemon
def test_torrent_aria2_cannot_parse_is_a_protocol_error(a2, unique):
    bad_pieces = {"name": "x.bin", "length": 10, "piece length": 16384, "pieces": b"short"}
    torrent = bencode({"announce": "http://127.0.0.1:1/announce", "info": bad_pieces})
    with pytest.raises(ProtocolError, match="aria2 could not read bad.torrent: Too few/many piece"):
        a2.add(AddRequest(torrent=torrent, name="bad.torrent", category=unique))


@daemon
def test_directory_aria2_cannot_create_maps_to_warning(a2, aria2_daemon, unique):
    (aria2_daemon.save_dir / unique).write_text("a file where the category directory should be")
    torrent, infohash = make_torrent(aria2_daemon.save_dir / (unique + "-src"), seed=b"blocked")
    a2.add(AddRequest(torrent=torrent, category=unique))
    item = wait_for(a2, infohash, lambda i: i.raw_state == "error")
    assert item.status == S.WARNING
    assert "Not a directory" in item.message
