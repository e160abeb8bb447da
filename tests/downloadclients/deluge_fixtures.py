"""Deluge test support.

Real daemons: a deluged + deluge-web pair on loopback started once per session
(Label plugin on, Web UI attached), throw-away pairs for tests that stop a process
or need another starting state, and helpers to drive them. Without a daemon:
``FakeWeb``, a scripted deluge-web ``/json`` (via ``responses``) answering in the
shapes 2.0.3 sends. Test modules import the fixtures they use (their parameters then
shadow the imports, hence ``# ruff: noqa: F811`` there).
"""

from __future__ import annotations

import json
import secrets
import uuid
from functools import partial

import pytest
import responses

from integrations.downloadclients.base import AddRequest, DownloadStatus
from integrations.downloadclients.providers.deluge import Deluge, DelugeSettings
from tests.conftest import require_binary
from tests.daemons.deluge import DelugeDaemon, start_deluge
from tests.downloadclients import helpers
from tests.downloadclients.helpers import wait_gone  # noqa: F401 (for the test modules)
from tests.torrentdata import make_torrent

URL = "http://127.0.0.1:8112/json"
PASSWORD = "unit-secret-pw"
HASH = "8f9f71f9706ebf21e50d688503749c707982778c"


# -- real daemons ----------------------------------------------------------------------------
def _binaries() -> dict[str, str]:
    return {
        "deluged_binary": require_binary("deluged"),
        "web_binary": require_binary("deluge-web"),
    }


def _unique_password() -> str:
    return "dw-" + secrets.token_urlsafe(16)


_session_daemon: DelugeDaemon | None = None


@pytest.fixture(scope="session")
def deluge_daemon(tmp_path_factory, request) -> DelugeDaemon:
    """One deluged + deluge-web for the session; tests use unique labels.

    Each test module binds this fixture by importing it, which makes a separate fixture
    definition per module; the pair is kept here so they all share one, and the
    definition that started it stops it at the end of the session.
    """
    global _session_daemon
    if _session_daemon is None:
        binaries = _binaries()
        _session_daemon = start_deluge(
            tmp_path_factory.mktemp("deluge"), password=_unique_password(), **binaries
        )
        request.addfinalizer(_stop_session_daemon)
    return _session_daemon


def _stop_session_daemon() -> None:
    global _session_daemon
    daemon, _session_daemon = _session_daemon, None
    if daemon is not None:
        daemon.stop()


@pytest.fixture
def fresh_deluge(tmp_path):
    """``fresh_deluge(**start_deluge_kwargs)`` → a pair of the test's own, free to be
    stopped and restarted; every pair started is stopped after the test."""
    binaries = _binaries()
    started: list[DelugeDaemon] = []

    def start(**kwargs) -> DelugeDaemon:
        base = tmp_path / f"deluge-{len(started)}"
        daemon = start_deluge(base, password=_unique_password(), **binaries, **kwargs)
        started.append(daemon)
        return daemon

    try:
        yield start
    finally:
        for daemon in started:
            daemon.stop()


def make_provider(d, **overrides) -> Deluge:
    values = {"host": d.host, "port": d.port, "password": d.password}
    values.update(overrides)
    return Deluge(DelugeSettings(**values))


@pytest.fixture
def dg(deluge_daemon):
    provider = make_provider(deluge_daemon)
    yield provider
    provider.close()


@pytest.fixture
def unique() -> str:
    return "t" + uuid.uuid4().hex[:10]


wait_for = partial(helpers.wait_for, interval=0.1)


def add_seeding(dg, d, unique):
    payload_dir = d.save_dir / unique
    torrent, infohash = make_torrent(payload_dir, seed=unique.encode())
    download_id = dg.add(AddRequest(torrent=torrent, category=unique, save_path=str(payload_dir)))
    wait_for(dg, download_id, lambda i: i.status == DownloadStatus.SEEDING)
    return download_id, infohash, payload_dir


def raw_status(dg, torrent_hash, *keys):
    """One torrent's fields straight from the daemon (not cached, unlike the list)."""
    return dg._api().call("core.get_torrent_status", torrent_hash, list(keys))


# -- a scripted deluge-web ------------------------------------------------------------------
def torrent(**fields) -> dict:
    """A core.get_torrents_status entry as 2.0.3 sends it (the keys the provider asks for)."""
    base = {
        "name": "Show.S01E01.1080p",
        "state": "Downloading",
        "message": "OK",
        "progress": 50.0,
        "is_finished": False,
        "total_size": 2000,
        "total_wanted": 1000,
        "total_done": 500,
        "download_payload_rate": 10,
        "upload_payload_rate": 2,
        "eta": 50,
        "ratio": 0.25,
        "save_path": "/downloads",
        "time_added": 1700000000,
        "completed_time": 0,
        "seeding_time": 0,
        "num_seeds": 3,
        "num_peers": 4,
        "queue": 0,
        "label": "tv",
    }
    return base | fields


def failure_text(cls: str, message: str) -> str:
    return (
        "Failure: [Failure instance: Traceback (failure with no frames): "
        f"<class 'deluge.error.{cls}'>: {message}\nTraceback (most recent call last):\n  File x\n]"
    )


class Err:
    def __init__(self, code: int, message: str):
        self.error = {"code": code, "message": message}


def failure(cls: str, message: str) -> Err:
    return Err(4, failure_text(cls, message))


UNKNOWN = Err(2, "Unknown method")


class Seq:
    """Answers in turn; the last one repeats."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def next(self):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class FakeWeb:
    """deluge-web's /json, answering each method from ``answers`` (unknown: code 2)."""

    def __init__(self, rsps, **answers):
        self.answers = {
            "auth.login": True,
            "web.connected": True,
            "web.get_hosts": [["h1", "127.0.0.1", 58846, "idkarr"]],
            "web.get_host_status": ["h1", "Connected", "2.0.3"],
            "daemon.get_version": "2.0.3",
            "core.get_libtorrent_version": "2.0.8.0",
            "core.get_enabled_plugins": ["Label"],
            "core.get_available_plugins": ["Label", "Stats"],
            "label.get_labels": ["tv-idkarr", "movies-idkarr"],
            "label.add": None,
            "label.set_torrent": None,
            "core.get_torrents_status": {},
        }
        self.answers.update({k.replace("__", "."): v for k, v in answers.items()})
        self.calls: list[tuple[str, list, str]] = []
        rsps.add_callback(responses.POST, URL, callback=self)

    def __call__(self, request):
        body = json.loads(request.body)
        method, params = body["method"], body["params"]
        self.calls.append((method, params, request.headers.get("Cookie", "")))
        answer = self.answers.get(method, UNKNOWN)
        if isinstance(answer, Seq):
            answer = answer.next()
        if isinstance(answer, BaseException):
            raise answer
        headers = {"Content-Type": "application/json"}
        if method == "auth.login" and answer is True:
            headers["Set-Cookie"] = "_session_id=0123abcd4242; Path=/elsewhere/json"
        if isinstance(answer, Err):
            reply = {"result": None, "error": answer.error, "id": body["id"]}
        else:
            reply = {"result": answer, "error": None, "id": body["id"]}
        return 200, headers, json.dumps(reply)

    def methods(self) -> list[str]:
        return [m for m, *_ in self.calls]

    def params(self, method: str) -> list[list]:
        return [p for m, p, _ in self.calls if m == method]


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def provider(**overrides) -> Deluge:
    return Deluge(DelugeSettings(**({"password": PASSWORD} | overrides)))
