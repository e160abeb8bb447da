"""Deluge against a real deluged + deluge-web 2.0.3 (libtorrent 2.0.8) on loopback:
connecting, the session, losing and regaining the daemon or the Web UI, and labels."""
# ruff: noqa: F811 (test parameters are the fixtures imported from deluge_fixtures)

from __future__ import annotations

import http.client
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from integrations.downloadclients.base import AddRequest
from integrations.downloadclients.providers.deluge.labels import check_label
from integrations.errors import (
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    RequestTimedOut,
)
from tests.downloadclients.deluge_fixtures import (
    deluge_daemon,  # noqa: F401 (fixture)
    dg,  # noqa: F401 (fixture)
    fresh_deluge,  # noqa: F401 (fixture)
    make_provider,
    raw_status,
    unique,  # noqa: F401 (fixture)
    wait_for,
)
from tests.torrentdata import make_torrent, random_magnet

daemon = pytest.mark.daemon


# -- connecting ------------------------------------------------------------------------------
@daemon
def test_test_reports_the_daemon_and_libtorrent_versions_the_binary_reports(dg, deluge_daemon):
    out = subprocess.run(
        [deluge_daemon.deluged_binary, "--version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    version = out[0].split()[-1]
    libtorrent = next(line.split()[-1] for line in out if line.startswith("libtorrent"))
    result = dg.run_test()
    assert result.ok, result.message
    assert result.message == (
        f"Connected to Deluge {version} (libtorrent {libtorrent}, Web UI JSON-RPC)"
    )
    assert result.details["daemon"] == f"127.0.0.1:{deluge_daemon.daemon_port}"


@daemon
def test_wrong_password_fails_the_test_naming_the_web_ui_password(deluge_daemon):
    with make_provider(deluge_daemon, password="not-the-password") as dg:
        result = dg.run_test()
    assert not result.ok
    assert result.message == "Deluge rejected the Web UI password"
    assert result.details["code"] == "authentication_failed"


@daemon
def test_wrong_url_base_is_not_found_naming_the_url_base(deluge_daemon):
    with make_provider(deluge_daemon, url_base="/wrong") as dg:
        with pytest.raises(NotFoundError, match="check the port and the URL base") as err:
            dg.test()
    assert "/wrong/json" in str(err.value)


@daemon
def test_https_to_the_http_port_says_to_turn_off_https(deluge_daemon):
    with make_provider(deluge_daemon, use_ssl=True, timeout_seconds=1) as dg:
        with pytest.raises(RequestTimedOut, match="turn off 'Connect with HTTPS'"):
            dg.test()


@daemon
@pytest.mark.parametrize("proxy_sets_base", [True, False], ids=["base-set", "base-not-set"])
def test_works_behind_a_reverse_proxy_under_a_url_base(deluge_daemon, unique, proxy_sets_base):
    # With X-Deluge-Base deluge-web scopes its cookie to /deluge/json, without it to /json.
    headers = {"X-Deluge-Base": "/deluge/"} if proxy_sets_base else {}
    with PrefixProxy("/deluge", deluge_daemon.port, headers) as port:
        with make_provider(deluge_daemon, port=port, url_base="/deluge/") as dg:
            assert dg.run_test().ok
            magnet, infohash = random_magnet()
            dg.add(AddRequest(magnet=magnet, category=unique))
            assert [i.id for i in dg.get_downloads(category=unique)] == [infohash]


@daemon
def test_detached_web_ui_is_attached_to_its_daemon(fresh_deluge):
    d = fresh_deluge(attach=False)
    with requests.Session() as s, make_provider(d) as dg:
        s.trust_env = False
        d.rpc(s, "auth.login", d.password)
        assert d.rpc(s, "web.connected")["result"] is False
        assert dg.get_downloads() == []
        assert d.rpc(s, "web.connected")["result"] is True


@daemon
def test_unreachable_daemon_fails_the_test_naming_it(fresh_deluge):
    d = fresh_deluge(attach=False)
    d.stop_daemon()
    with make_provider(d) as dg:
        result = dg.run_test()
    assert not result.ok
    assert result.details["code"] == "connection_failed"
    assert f"cannot connect to its daemon at 127.0.0.1:{d.daemon_port} (Offline)" in result.message


@daemon
def test_expired_session_logs_in_again_once(dg, unique):
    api = dg._api()
    dg.get_downloads()
    api._web("auth.delete_session")  # what deluge-web does when the session times out
    logins = []
    real_login = api.login
    api.login = lambda: (logins.append(1), real_login())[1]
    magnet, infohash = random_magnet()
    assert dg.add(AddRequest(magnet=magnet, category=unique)) == infohash
    assert logins == [1]


@daemon
def test_stopped_daemon_is_a_transient_connection_failure_until_restarted(fresh_deluge):
    d = fresh_deluge()
    with make_provider(d) as dg:
        # A .torrent: Deluge 2.0.3 does not keep magnets without metadata over a restart.
        torrent, infohash = make_torrent(d.save_dir, seed=b"kept")
        dg.add(AddRequest(torrent=torrent, category="kept", save_path=str(d.save_dir)))
        assert [i.id for i in dg.get_downloads()] == [infohash]
        d.stop_daemon()

        with pytest.raises(ConnectionFailed, match="cannot connect to its daemon") as failure:
            dg.get_downloads()
        assert failure.value.permanent is False

        d.start(attach=False)
        wait_for(dg, infohash, lambda i: i.category == "kept")


@daemon
def test_stopped_web_ui_is_a_transient_connection_failure_until_restarted(fresh_deluge):
    d = fresh_deluge()
    with make_provider(d) as dg:
        dg.get_downloads()
        d.stop_web()
        with pytest.raises(ConnectionFailed, match="Cannot reach Deluge") as failure:
            dg.get_downloads()
        assert failure.value.permanent is False
        d.start(attach=False)
        assert dg.get_downloads() == []


# -- labels ----------------------------------------------------------------------------------
@daemon
def test_label_plugin_that_is_off_is_turned_on_by_the_test(fresh_deluge):
    d = fresh_deluge(label_plugin=False)
    with make_provider(d) as dg:
        result = dg.run_test()
        assert result.ok, result.message
        assert result.details["label_plugin_enabled_now"] is True
        assert dg._api().enabled_plugins() == ["Label"]


@daemon
def test_label_plugin_that_is_off_fails_the_test_when_enabling_is_not_allowed(fresh_deluge):
    d = fresh_deluge(label_plugin=False)
    with make_provider(d, enable_label_plugin=False) as dg:
        result = dg.run_test()
    assert not result.ok
    assert "enable the Label plugin in Deluge" in result.message


@daemon
def test_set_category_creates_a_missing_label(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    new_label = unique + "-moved"
    dg.set_category(infohash, new_label)
    assert new_label in dg._api().labels()
    wait_for(dg, infohash, lambda i: i.category == new_label)


@daemon
def test_set_category_to_empty_clears_the_label(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    dg.set_category(infohash, "")
    assert raw_status(dg, infohash, "label") == {"label": ""}


@daemon
def test_uppercase_label_is_a_configuration_error_naming_the_rule(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    with pytest.raises(ConfigurationError, match="use lowercase letters a-z, digits 0-9"):
        dg.set_category(infohash, "TV")


@daemon
@pytest.mark.parametrize("name", ["a.b", "x_y-z0", "bad label", "bad/label", "ümlaut", "a+b"])
def test_label_rule_agrees_with_what_deluge_accepts(dg, unique, name):
    name = f"{unique}{name}"
    try:
        check_label(name)
        ours = True
    except ConfigurationError:
        ours = False
    try:
        dg._api().add_label(name)
        theirs = True
    except IntegrationError as exc:
        assert "Invalid label" in exc.details["deluge_message"]
        theirs = False
    assert ours == theirs


@daemon
def test_get_downloads_filters_by_label(dg, unique):
    magnet, infohash = random_magnet()
    dg.add(AddRequest(magnet=magnet, category=unique))
    dg.add(AddRequest(magnet=random_magnet()[0], category=unique + "-other"))
    assert [i.id for i in dg.get_downloads(category=unique)] == [infohash]


# -- a reverse proxy that strips a path prefix -----------------------------------------------
class PrefixProxy:
    """Forwards ``{prefix}/…`` on a loopback port to deluge-web's ``/…`` (like nginx's
    ``location /deluge/ { proxy_pass http://deluge-web/; }``), adding ``headers``."""

    def __init__(self, prefix: str, upstream_port: int, headers: dict[str, str]):
        prefix = prefix.rstrip("/")

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                if not self.path.startswith(prefix + "/"):
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                forward = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=10)
                try:
                    conn.request("POST", self.path[len(prefix) :], body, forward | headers)
                    r = conn.getresponse()
                    data = r.read()
                finally:
                    conn.close()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self) -> int:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self.server.server_port

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
