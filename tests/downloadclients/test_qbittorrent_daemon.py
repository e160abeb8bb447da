"""QBittorrent against a real qbittorrent-nox (Debian 4.5.2, Web API 2.8.19) on loopback."""

from __future__ import annotations

import logging
import subprocess
import threading
import uuid
from functools import partial
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import responses

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.downloadclients.providers.qbittorrent import QBittorrent, QBittorrentSettings
from integrations.errors import (
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.downloadclients import helpers
from tests.downloadclients.helpers import wait_gone, wait_until
from tests.torrentdata import bencode, make_torrent, random_magnet

daemon = pytest.mark.daemon


def make_provider(d, **overrides) -> QBittorrent:
    values = {"host": d.host, "port": d.port, "username": d.username, "password": d.password}
    values.update(overrides)
    return QBittorrent(QBittorrentSettings(**values))


@pytest.fixture
def qb(qbittorrent_daemon):
    provider = make_provider(qbittorrent_daemon)
    yield provider
    provider.close()


@pytest.fixture
def unique() -> str:
    return "t" + uuid.uuid4().hex[:10]


wait_for = partial(helpers.wait_for, interval=0.1)


def add_seeding(qb, d, unique):
    payload_dir = d.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    download_id = qb.add(AddRequest(torrent=torrent, category=unique, save_path=str(payload_dir)))
    wait_for(qb, download_id, lambda i: i.status == DownloadStatus.SEEDING)
    return download_id, infohash, payload_dir


@daemon
def test_test_reports_the_version_the_binary_reports(qb, qbittorrent_daemon):
    version = (
        subprocess.run(
            [qbittorrent_daemon.binary, "--version"], capture_output=True, text=True, check=True
        )
        .stdout.split()[-1]
        .lstrip("v")
    )
    result = qb.run_test()
    assert result.ok, result.message
    assert result.details["version"] == version
    assert result.message.startswith(f"Connected to qBittorrent {version} (Web API 2.")


@daemon
def test_wrong_password_fails_the_test_naming_the_credentials(qbittorrent_daemon):
    with make_provider(qbittorrent_daemon, password="not-the-password") as qb:
        result = qb.run_test()
    assert not result.ok
    assert "username or password" in result.message
    assert result.details["code"] == "authentication_failed"


@daemon
def test_added_torrent_with_local_data_seeds_under_its_category(qb, qbittorrent_daemon, unique):
    payload_dir = qbittorrent_daemon.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    download_id = qb.add(AddRequest(torrent=torrent, category=unique, save_path=str(payload_dir)))
    item = wait_for(qb, download_id, lambda i: i.status == DownloadStatus.SEEDING)
    assert download_id == infohash
    assert item.category == unique
    assert item.progress == 1.0
    assert item.output_path == str(payload_dir / "labfile.bin")


@daemon
def test_added_magnet_is_downloading_metadata(qb, unique):
    magnet, infohash = random_magnet()
    download_id = qb.add(AddRequest(magnet=magnet, category=unique))
    item = wait_for(qb, download_id, lambda i: i.raw_state == "metaDL")
    assert download_id == infohash
    assert item.status == DownloadStatus.DOWNLOADING
    assert item.message == "downloading metadata"


@daemon
def test_adding_the_same_torrent_twice_returns_its_hash(qb, qbittorrent_daemon, unique):
    download_id, infohash, payload_dir = add_seeding(qb, qbittorrent_daemon, unique)
    torrent, _ = make_torrent(payload_dir, seed=unique.encode())
    assert qb.add(AddRequest(torrent=torrent, category=unique)) == infohash


@daemon
def test_add_url_returns_the_hash_of_the_torrent_qbittorrent_fetched(
    qb, qbittorrent_daemon, unique
):
    torrent, infohash = make_torrent(qbittorrent_daemon.save_dir / unique, seed=unique.encode())
    with serve(lambda handler: handler.reply(200, torrent, "application/x-bittorrent")) as url:
        download_id = qb.add(AddRequest(url=f"{url}/release.torrent", category=unique))
    assert download_id == infohash
    item = wait_for(qb, download_id, lambda i: i.category == unique)
    assert not any(tag.startswith("idkarr-add-") for tag in item.tags)


@daemon
def test_second_poll_without_changes_is_incremental_and_returns_the_same_items(qb, unique):
    magnet, infohash = random_magnet()
    qb.add(AddRequest(magnet=magnet, category=unique, paused=True))
    wait_for(qb, infohash, lambda i: i.status == DownloadStatus.PAUSED)
    before = qb.get_downloads(category=unique)
    rid = qb._rid

    after = qb.get_downloads(category=unique)

    assert [(i.id, i.status) for i in after] == [(infohash, DownloadStatus.PAUSED)]
    assert after == before
    assert qb._rid > rid
    assert not qb.last_sync_full
    # Some poll in a quiet moment is the bare {"rid": N} answer.
    keys = set()
    for _ in range(20):
        qb.get_downloads()
        keys = qb.last_sync_keys
        if keys == {"rid"}:
            break
    assert keys == {"rid"}


@daemon
def test_pausing_a_complete_torrent_maps_to_completed(qb, qbittorrent_daemon, unique):
    download_id, *_ = add_seeding(qb, qbittorrent_daemon, unique)
    qb.pause(download_id)
    item = wait_for(qb, download_id, lambda i: i.raw_state == "pausedUP")
    assert item.status == DownloadStatus.COMPLETED


@daemon
def test_pausing_an_incomplete_torrent_maps_to_paused(qb, unique):
    magnet, infohash = random_magnet()
    qb.add(AddRequest(magnet=magnet, category=unique))
    qb.pause(infohash)
    item = wait_for(qb, infohash, lambda i: i.raw_state == "pausedDL")
    assert item.status == DownloadStatus.PAUSED


@daemon
def test_resume_returns_a_paused_torrent_to_seeding(qb, qbittorrent_daemon, unique):
    download_id, *_ = add_seeding(qb, qbittorrent_daemon, unique)
    qb.pause(download_id)
    wait_for(qb, download_id, lambda i: i.status == DownloadStatus.COMPLETED)
    qb.resume(download_id)
    wait_for(qb, download_id, lambda i: i.status == DownloadStatus.SEEDING)


@daemon
def test_set_category_creates_a_missing_category(qb, unique):
    magnet, infohash = random_magnet()
    qb.add(AddRequest(magnet=magnet, category=unique))
    new_category = unique + "-moved"
    qb.set_category(infohash, new_category)
    assert new_category in qb._api().categories()
    wait_for(qb, infohash, lambda i: i.category == new_category)


@daemon
def test_set_category_with_a_name_qbittorrent_rejects_is_a_configuration_error(qb, unique):
    magnet, infohash = random_magnet()
    qb.add(AddRequest(magnet=magnet, category=unique))
    with pytest.raises(ConfigurationError, match="category name"):
        qb.set_category(infohash, "bad\\name")


@daemon
def test_set_priority_without_queueing_is_unsupported(qb, unique):
    magnet, infohash = random_magnet()
    qb.add(AddRequest(magnet=magnet, category=unique))
    with pytest.raises(UnsupportedError, match="queueing is disabled"):
        qb.set_priority(infohash, Priority.TOP)


@daemon
def test_set_priority_top_moves_the_torrent_to_the_head_of_the_queue(fresh_qbittorrent_daemon):
    with make_provider(fresh_qbittorrent_daemon) as qb:
        api = qb._api()
        api.call("POST", "app/setPreferences", data={"json": '{"queueing_enabled": true}'})
        first, second = random_magnet(), random_magnet()
        qb.add(AddRequest(magnet=first[0], paused=True))
        qb.add(AddRequest(magnet=second[0], paused=True))
        wait_for(qb, second[1], lambda i: True)
        assert api.info(hashes=second[1])[0]["priority"] == 2

        qb.set_priority(second[1], Priority.TOP)

        wait_until(lambda: api.info(hashes=second[1])[0]["priority"] == 1)
        assert api.info(hashes=second[1])[0]["priority"] == 1


@daemon
def test_force_start_initial_state_force_starts_the_new_torrent(qbittorrent_daemon, unique):
    with make_provider(qbittorrent_daemon, initial_state="force_start") as qb:
        magnet, infohash = random_magnet()
        qb.add(AddRequest(magnet=magnet, category=unique))
        item = wait_for(qb, infohash, lambda i: i.raw_state == "forcedMetaDL")
    assert item.status == DownloadStatus.DOWNLOADING


@daemon
def test_force_start_reaches_torrent_files_qbittorrent_has_not_listed_yet(
    qbittorrent_daemon, unique
):
    # qBittorrent answers torrents/add before it lists a .torrent (most of the time, in the
    # lab), and silently ignores setForceStart for a hash it doesn't list yet.
    hashes = []
    with make_provider(qbittorrent_daemon, initial_state="force_start") as qb:
        for n in range(10):
            seed = f"{unique}-{n}".encode()
            torrent, _ = make_torrent(qbittorrent_daemon.save_dir / unique, size=16384, seed=seed)
            hashes.append(qb.add(AddRequest(torrent=torrent, category=unique)))
        raw = qb._api().info(hashes="|".join(hashes))
    assert len(raw) == 10
    assert all(t["force_start"] for t in raw)


@daemon
def test_pause_initial_state_adds_the_torrent_paused(qbittorrent_daemon, unique):
    with make_provider(qbittorrent_daemon, initial_state="pause") as qb:
        magnet, infohash = random_magnet()
        qb.add(AddRequest(magnet=magnet, category=unique))
        item = wait_for(qb, infohash, lambda i: i.raw_state == "pausedDL")
    assert item.status == DownloadStatus.PAUSED


@daemon
def test_add_options_reach_qbittorrent(qbittorrent_daemon, unique):
    settings = {"first_and_last_piece_priority": True, "sequential_download": True}
    with make_provider(qbittorrent_daemon, **settings) as qb:
        torrent, infohash = make_torrent(qbittorrent_daemon.save_dir / unique, seed=b"opts")
        qb.add(AddRequest(torrent=torrent, category=unique, paused=True, tags=["x1", "y2"]))
        item = wait_for(qb, infohash, lambda i: True)
        raw = qb._api().info(hashes=infohash)[0]
    assert item.tags == ["x1", "y2"]
    assert raw["seq_dl"] is True
    assert raw["f_l_piece_prio"] is True


@daemon
def test_subfolder_content_layout_puts_a_single_file_in_a_folder(qbittorrent_daemon, unique):
    with make_provider(qbittorrent_daemon, content_layout="subfolder") as qb:
        save_path = qbittorrent_daemon.save_dir / unique
        torrent, infohash = make_torrent(save_path, seed=b"layout")
        qb.add(AddRequest(torrent=torrent, category=unique, save_path=str(save_path), paused=True))
        item = wait_for(qb, infohash, lambda i: i.output_path.startswith("/"))
    assert item.output_path == str(save_path / "labfile" / "labfile.bin")


@daemon
def test_remove_drops_the_torrent_and_keeps_its_data(qb, qbittorrent_daemon, unique):
    download_id, _, payload_dir = add_seeding(qb, qbittorrent_daemon, unique)
    qb.remove(download_id)
    wait_gone(qb, download_id)
    assert (payload_dir / "labfile.bin").exists()


@daemon
def test_remove_with_delete_data_deletes_the_file(qb, qbittorrent_daemon, unique):
    download_id, _, payload_dir = add_seeding(qb, qbittorrent_daemon, unique)
    qb.remove(download_id, delete_data=True)
    wait_gone(qb, download_id)
    wait_until(lambda: not (payload_dir / "labfile.bin").exists())
    assert not (payload_dir / "labfile.bin").exists()


@daemon
def test_torrent_qbittorrent_cannot_parse_is_a_protocol_error(qb, unique):
    bad_pieces = {"name": "x.bin", "length": 10, "piece length": 16384, "pieces": b"short"}
    torrent = bencode({"announce": "http://127.0.0.1:1/announce", "info": bad_pieces})
    with pytest.raises(ProtocolError, match="not a valid torrent file"):
        qb.add(AddRequest(torrent=torrent, name="bad.torrent", category=unique))


@daemon
def test_stopped_daemon_is_a_transient_connection_failure_until_restarted(
    fresh_qbittorrent_daemon,
):
    d = fresh_qbittorrent_daemon
    with make_provider(d) as qb:
        assert qb.run_test().ok
        qb.get_downloads()
        d.stop()

        with pytest.raises(ConnectionFailed) as failure:
            qb.get_downloads()
        assert failure.value.permanent is False
        result = qb.run_test()
        assert not result.ok
        assert "Cannot reach" in result.message

        d.start()
        logins = []
        api = qb._client
        real_login = api.login
        api.login = lambda: (logins.append(1), real_login())[1]
        assert qb.get_downloads() == []
        assert qb.last_sync_full
        assert logins == [1]


@daemon
def test_password_never_appears_in_messages(qb, qbittorrent_daemon, unique, caplog):
    caplog.set_level(logging.DEBUG)
    magnet, infohash = random_magnet()
    qb.add(AddRequest(magnet=magnet, category=unique))
    qb.add(AddRequest(magnet=magnet, category=unique))  # duplicate: logged, not raised
    messages = [qb.run_test().message]
    for provoke in (
        lambda: qb.set_priority(infohash, Priority.TOP),
        lambda: qb.set_category(infohash, "bad\\name"),
        lambda: qb.add(AddRequest(magnet="magnet:?dn=no-hash")),
    ):
        with pytest.raises(IntegrationError) as failure:
            provoke()
        messages.append(str(failure.value))
    with make_provider(qbittorrent_daemon, port=1) as unreachable:
        messages.append(unreachable.run_test().message)
    messages += [r.getMessage() for r in caplog.records]
    assert len(messages) >= 5
    assert not [m for m in messages if qbittorrent_daemon.password in m]


# -- not qBittorrent / too old --------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    respond = None

    def reply(self, status, body: bytes, ctype: str):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self.respond(self)

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.respond(self)

    def log_message(self, *args):
        pass


class serve:  # noqa: N801 - used as a context manager
    """A loopback HTTP server answering every request with ``respond(handler)``."""

    def __init__(self, respond):
        handler = type("H", (_Handler,), {"respond": staticmethod(respond)})
        self.server = HTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


HTML = b"<!DOCTYPE html><html><head><title>Router</title></head><body>Welcome</body></html>"


def _provider_at(url: str, **overrides) -> QBittorrent:
    port = int(url.rsplit(":", 1)[1])
    values = {"port": port, "username": "admin", "password": "secret-pw"} | overrides
    return QBittorrent(QBittorrentSettings(**values))


def test_html_server_is_not_mistaken_for_qbittorrent():
    with serve(lambda h: h.reply(200, HTML, "text/html")) as url, _provider_at(url) as qb:
        with pytest.raises(ProtocolError, match="does not look like qBittorrent's Web API") as err:
            qb.get_downloads()
        result = qb.run_test()
    assert "an HTML page" in str(err.value)
    assert "check the host, port and URL base" in str(err.value)
    assert not result.ok and "does not look like qBittorrent" in result.message


def test_server_answering_404_is_not_found_naming_the_url_base():
    with serve(lambda h: h.reply(404, b"Not here", "text/plain")) as url, _provider_at(url) as qb:
        with pytest.raises(NotFoundError, match="does not look like qBittorrent's Web API"):
            qb.test()


def test_old_web_api_version_is_unsupported_with_both_versions_named():
    base = "http://127.0.0.1:8080/api/v2"
    with responses.RequestsMock() as rsps:
        rsps.post(f"{base}/auth/login", body="Ok.")
        rsps.get(f"{base}/app/version", body="v4.1.9")
        rsps.get(f"{base}/app/webapiVersion", body="2.2.0")
        qb = QBittorrent(QBittorrentSettings(username="admin", password="pw"))
        with pytest.raises(UnsupportedError) as err:
            qb.get_downloads()
    assert str(err.value) == (
        "qBittorrent 4.1.9 (Web API 2.2.0) is too old; idkarr needs Web API 2.8 or newer "
        "(qBittorrent 4.3.4 or newer)"
    )
