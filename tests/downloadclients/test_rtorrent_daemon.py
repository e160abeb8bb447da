"""RTorrent against a real rtorrent (Debian 0.9.8 / libtorrent 0.13.8, XML-RPC API 10) over
SCGI: test(), adding, states and the verbs."""

from __future__ import annotations

import subprocess

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.errors import ConfigurationError, NotFoundError, ProtocolError
from tests.conftest import free_port
from tests.downloadclients import rtorrent_fixtures as fx
from tests.downloadclients.rtorrent_fixtures import (
    add_seeding,
    make_provider,
    wait_for,
)
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import ANNOUNCE, bencode, make_torrent, random_magnet

# The fixtures this module uses (a session daemon per module: rtorrent starts in ~25 ms).
rtorrent_daemon, rt, unique = fx.rtorrent_daemon, fx.rt, fx.unique

daemon = pytest.mark.daemon
S = DownloadStatus


# -- test() ------------------------------------------------------------------------------------
@daemon
def test_test_reports_the_version_the_binary_reports(rt, rtorrent_daemon):
    banner = subprocess.run(
        [rtorrent_daemon.binary, "-h"], capture_output=True, text=True, check=False
    ).stdout
    version = banner.split("version", 1)[1].split()[0].rstrip(".")
    result = rt.run_test()
    assert result.ok, result.message
    assert result.details["version"] == version
    assert result.message.startswith(f"Connected to rTorrent {version} (libtorrent 0.")
    assert result.message.endswith("over SCGI)")


@daemon
def test_test_says_data_deletion_needs_a_directory(rt):
    assert rt.run_test().details["delete_data"] == "unavailable: no download directory configured"


@daemon
def test_wrong_port_fails_the_test_naming_the_scgi_setting(rtorrent_daemon):
    with make_provider(rtorrent_daemon, port=free_port()) as rt:
        result = rt.run_test()
    assert not result.ok
    assert "connection refused" in result.message
    assert "network.scgi.open_port" in result.message
    assert result.details["code"] == "connection_failed"


# -- add ---------------------------------------------------------------------------------------
@daemon
def test_added_torrent_with_local_data_seeds_under_its_label(rt, rtorrent_daemon, unique):
    payload_dir = rtorrent_daemon.download_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    download_id = rt.add(AddRequest(torrent=torrent, category=unique, save_path=str(payload_dir)))
    item = wait_for(rt, download_id, lambda i: i.status == S.SEEDING)
    assert download_id == infohash
    assert (item.category, item.progress, item.size, item.size_left) == (unique, 1.0, 65536, 0)
    assert item.output_path == str(payload_dir / "labfile.bin")
    assert item.save_path == str(payload_dir)
    assert item.completed_on is not None


@daemon
def test_added_magnet_is_downloading_metadata(rt, unique):
    magnet, infohash = random_magnet()
    download_id = rt.add(AddRequest(magnet=magnet, category=unique))
    item = wait_for(rt, download_id, lambda i: i.raw_state == "metadata")
    assert download_id == infohash
    assert item.status == S.DOWNLOADING
    assert item.message == "downloading metadata"
    assert (item.size, item.progress) == (0, 0.0)


@daemon
def test_adding_the_same_torrent_twice_returns_its_hash(rt, rtorrent_daemon, unique):
    download_id, infohash, payload_dir = add_seeding(rt, rtorrent_daemon, unique)
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    assert rt.add(AddRequest(torrent=torrent, category=unique)) == infohash


@daemon
def test_label_with_quotes_commas_and_commands_is_stored_literally(rt, unique):
    label = f'{unique} "x",d.erase=,$d.name=, {{a;b}} \\ ü'
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=label))
    item = wait_for(rt, infohash, lambda i: True)
    assert item.category == label


@daemon
def test_directory_with_a_comma_and_quote_is_used_verbatim(rt, rtorrent_daemon, unique):
    payload_dir = rtorrent_daemon.download_dir / f'{unique} a,b "c"'
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    rt.add(AddRequest(torrent=torrent, category=unique, save_path=str(payload_dir)))
    item = wait_for(rt, infohash, lambda i: i.status == S.SEEDING)
    assert item.output_path == str(payload_dir / "labfile.bin")


@daemon
def test_paused_add_leaves_the_torrent_stopped(rt, unique):
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=unique, paused=True))
    item = wait_for(rt, infohash, lambda i: True)
    assert (item.status, item.raw_state) == (S.PAUSED, "stopped")


@daemon
def test_add_stopped_setting_adds_stopped(rtorrent_daemon, unique):
    with make_provider(rtorrent_daemon, add_stopped=True) as rt:
        magnet, infohash = random_magnet()
        rt.add(AddRequest(magnet=magnet, category=unique))
        item = wait_for(rt, infohash, lambda i: True)
    assert item.status == S.PAUSED


@daemon
def test_category_directory_setting_places_the_download(rtorrent_daemon, unique):
    tv_dir = rtorrent_daemon.download_dir / unique
    with make_provider(rtorrent_daemon, tv_category=unique, tv_directory=str(tv_dir)) as rt:
        torrent, infohash = make_torrent(tv_dir, seed=unique.encode())
        rt.add(AddRequest(torrent=torrent))
        item = wait_for(rt, infohash, lambda i: i.status == S.SEEDING)
    assert (item.category, item.save_path) == (unique, str(tv_dir))


@daemon
def test_priority_on_add_reaches_rtorrent(rt, unique):
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=unique, priority=Priority.HIGH))
    assert rt._api().d("priority", infohash) == 3


@daemon
def test_torrent_rtorrent_refuses_is_a_protocol_error(rt, unique, monkeypatch):
    monkeypatch.setattr(
        "integrations.downloadclients.providers.rtorrent.provider.ADD_SETTLE_TIMEOUT", 0.3
    )
    bad_pieces = {"name": "x.bin", "length": 10, "piece length": 16384, "pieces": b"short"}
    torrent = bencode({"announce": ANNOUNCE, "info": bad_pieces})
    with pytest.raises(ProtocolError, match=r"did not take the torrent bad\.torrent"):
        rt.add(AddRequest(torrent=torrent, name="bad.torrent", category=unique))


@daemon
def test_add_url_fetches_the_torrent_and_returns_its_hash(rt, rtorrent_daemon, unique):
    payload_dir = rtorrent_daemon.download_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    with RecordingServer() as srv:
        srv.script([Reply(200, torrent, {"Content-Type": "application/x-bittorrent"})])
        download_id = rt.add(
            AddRequest(url=f"{srv.url}/dl/1.torrent", category=unique, save_path=str(payload_dir))
        )
    assert download_id == infohash
    assert wait_for(rt, infohash, lambda i: i.status == S.SEEDING).category == unique


@daemon
def test_add_url_redirecting_to_a_magnet_adds_the_magnet(rt, unique):
    magnet, infohash = random_magnet()
    with RecordingServer() as srv:
        srv.script([Reply(302, b"", {"Location": magnet})])
        assert rt.add(AddRequest(url=f"{srv.url}/dl/2", category=unique)) == infohash
    assert wait_for(rt, infohash, lambda i: True).raw_state == "metadata"


# -- states and verbs --------------------------------------------------------------------------
@daemon
def test_pausing_a_complete_torrent_maps_to_completed(rt, rtorrent_daemon, unique):
    download_id, *_ = add_seeding(rt, rtorrent_daemon, unique)
    rt.pause(download_id)
    item = wait_for(rt, download_id, lambda i: i.raw_state == "stopped_complete")
    assert item.status == S.COMPLETED


@daemon
def test_pausing_an_incomplete_torrent_maps_to_paused(rt, unique):
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=unique))
    rt.pause(infohash)
    item = wait_for(rt, infohash, lambda i: i.raw_state == "stopped")
    assert (item.status, item.message) == (S.PAUSED, "stopped")


@daemon
def test_resume_returns_a_stopped_torrent_to_seeding(rt, rtorrent_daemon, unique):
    download_id, *_ = add_seeding(rt, rtorrent_daemon, unique)
    rt.pause(download_id)
    wait_for(rt, download_id, lambda i: i.status == S.COMPLETED)
    rt.resume(download_id)
    wait_for(rt, download_id, lambda i: i.status == S.SEEDING)


@daemon
def test_torrent_paused_by_d_pause_maps_to_completed_and_resumes(rt, rtorrent_daemon, unique):
    download_id, *_ = add_seeding(rt, rtorrent_daemon, unique)
    rt._api().d("pause", download_id)  # what ruTorrent's "Pause" does
    item = wait_for(rt, download_id, lambda i: i.raw_state == "paused_complete")
    assert item.status == S.COMPLETED
    rt.resume(download_id)
    wait_for(rt, download_id, lambda i: i.status == S.SEEDING)


@daemon
def test_set_category_changes_the_label(rt, unique):
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=unique))
    rt.set_category(infohash, unique + "-moved")
    assert [i.id for i in rt.get_downloads(category=unique + "-moved")] == [infohash]


@daemon
def test_set_category_with_a_control_character_is_a_configuration_error(rt, unique):
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=unique))
    with pytest.raises(ConfigurationError, match="control character"):
        rt.set_category(infohash, "bad\nlabel")
    assert wait_for(rt, infohash, lambda i: True).category == unique


@daemon
def test_set_priority_low_sets_d_priority_1(rt, unique):
    magnet, infohash = random_magnet()
    rt.add(AddRequest(magnet=magnet, category=unique))
    rt.set_priority(infohash, Priority.LOW)
    assert rt._api().d("priority", infohash) == 1


@daemon
@pytest.mark.parametrize(
    "verb",
    [
        lambda rt, h: rt.pause(h),
        lambda rt, h: rt.resume(h),
        lambda rt, h: rt.remove(h),
        lambda rt, h: rt.set_category(h, "x"),
        lambda rt, h: rt.set_priority(h, Priority.HIGH),
    ],
    ids=["pause", "resume", "remove", "set_category", "set_priority"],
)
def test_verb_on_an_unknown_hash_is_not_found(rt, verb):
    unknown = "ab" * 20
    with pytest.raises(NotFoundError, match=f"rTorrent has no download {unknown}"):
        verb(rt, unknown.upper())


@daemon
def test_files_deleted_under_a_finished_torrent_map_to_warning(rt, rtorrent_daemon, unique):
    download_id, _, payload_dir = add_seeding(rt, rtorrent_daemon, unique)
    (payload_dir / "labfile.bin").unlink()
    api = rt._api()
    for command in ("stop", "close", "start"):  # reopening makes rTorrent check the files
        api.d(command, download_id)
    item = wait_for(rt, download_id, lambda i: i.status == S.WARNING)
    assert item.raw_state == "missing_files"
    assert item.message.startswith("files missing or changed on disk")
