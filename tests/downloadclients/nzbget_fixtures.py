"""NZBGet test fixtures and helpers, imported by name into the NZBGet test modules.

Daemons: ``nzbget_daemon`` downloads from a fake NNTP server (served articles finish
as SUCCESS/HEALTH, missing ones fail as FAILURE/HEALTH, in about a second);
``idle_nzbget_daemon`` keeps its one connection busy with a download that is never
answered, so whatever else it is given stays queued; ``fresh_nzbget_daemon`` is a
test's own. A session daemon starts once per importing module (nzbget is ready in
~30 ms). Replays: ``FakeRpc`` answers JSON-RPC calls through ``responses`` in the
shapes nzbget 21.0 sends (``group()``, ``entry()``, ``config()``).
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid

import pytest
import responses

from integrations.downloadclients.base import AddRequest
from integrations.downloadclients.providers.nzbget import NZBGet, NZBGetSettings
from tests.conftest import free_port, require_binary
from tests.daemons.nntp import FakeNntpServer, NzbFile, Segment, make_nzb
from tests.daemons.nzbget import NzbgetDaemon, start_nzbget
from tests.downloadclients.helpers import wait_for, wait_until  # noqa: F401 (wait_for: for the tests)

URL = "http://127.0.0.1:6789/jsonrpc"
PASSWORD = "unit-secret-pw"
NZB = make_nzb([NzbFile("show.bin", [Segment("a1@test.invalid", 1000)])], title="Show.S01E01")


# -- real daemons ----------------------------------------------------------------------------------
def new_password() -> str:
    return "nz-" + secrets.token_urlsafe(16)


@pytest.fixture(scope="session")
def fake_nntp():
    with FakeNntpServer() as server:
        yield server


@pytest.fixture(scope="session")
def nzbget_daemon(tmp_path_factory, fake_nntp) -> NzbgetDaemon:
    binary = require_binary("nzbget")
    base = tmp_path_factory.mktemp("nzbget")
    with start_nzbget(base, password=new_password(), nntp_port=fake_nntp.port, binary=binary) as d:
        yield d


@pytest.fixture(scope="session")
def idle_nzbget_daemon(tmp_path_factory) -> NzbgetDaemon:
    """An nzbget whose one news-server connection is taken by a sentinel download that its
    fake server never answers, so whatever else it is given stays QUEUED. (With no news
    server at all, nzbget 21 would keep a CPU core busy.)"""
    binary = require_binary("nzbget")
    with FakeNntpServer() as black_hole:
        with start_nzbget(
            tmp_path_factory.mktemp("nzbget-idle"),
            password=new_password(),
            nntp_port=black_hole.port,
            connections=1,
            article_timeout=3600,
            binary=binary,
        ) as d:
            sentinel = make_nzb([black_hole.publish("sentinel.bin", b"s", hold=True)])
            content = base64.b64encode(sentinel).decode()
            d.rpc("append", "idkarr-sentinel.nzb", content, "", 900, False, False, "", 0, "ALL", [])
            assert wait_until(
                lambda: [g["Status"] for g in d.rpc("listgroups", 0)] == ["DOWNLOADING"],
                timeout=5,
                interval=0.02,
            ), d.log_tail()
            yield d


@pytest.fixture
def fresh_nzbget_daemon(tmp_path) -> NzbgetDaemon:
    """An nzbget of the test's own; its news server port is closed (downloads wait)."""
    binary = require_binary("nzbget")
    base = tmp_path / "nzbget"
    with start_nzbget(base, password=new_password(), nntp_port=free_port(), binary=binary) as d:
        yield d


def make_provider(d: NzbgetDaemon, **overrides) -> NZBGet:
    values = {"host": d.host, "port": d.port, "username": d.username, "password": d.password}
    return NZBGet(NZBGetSettings(**(values | overrides)))


@pytest.fixture
def nzbget(nzbget_daemon):
    with make_provider(nzbget_daemon) as provider:
        yield provider


@pytest.fixture
def idle(idle_nzbget_daemon):
    with make_provider(idle_nzbget_daemon) as provider:
        yield provider


@pytest.fixture
def unique() -> str:
    return "c" + uuid.uuid4().hex[:10]


def finished(item) -> bool:
    return "/" in item.raw_state  # history states are KIND/REASON


def add_release(provider, nntp, unique, *, missing=False, hold=False, **request):
    """Publish (or not) one article on the fake server and add its NZB; return id and data."""
    data = unique.encode() * 100
    part = (
        nntp.missing(f"{unique}.bin") if missing else nntp.publish(f"{unique}.bin", data, hold=hold)
    )
    request.setdefault("category", unique)
    download_id = provider.add(AddRequest(nzb=make_nzb([part]), name=f"Show.{unique}", **request))
    return download_id, data, part


def queued_release(provider, unique, **request) -> str:
    """An NZB whose article nobody serves (for the idle daemon, where it stays queued)."""
    part = FakeNntpServer().missing(f"{unique}.bin")
    request.setdefault("category", unique)
    return provider.add(AddRequest(nzb=make_nzb([part]), name=f"Show.{unique}", **request))


def raw_groups(d: NzbgetDaemon) -> list[dict]:
    return d.rpc("listgroups", 0)


def raw_history(d: NzbgetDaemon, hidden: bool = False) -> dict[str, str]:
    return {str(h["NZBID"]): h["Status"] for h in d.rpc("history", hidden)}


# -- replays ----------------------------------------------------------------------------------
def group(**fields) -> dict:
    """A listgroups entry as nzbget 21.0 sends it (trimmed to the fields we read)."""
    base = {
        "NZBID": 7,
        "NZBName": "Show.S01E01",
        "Kind": "NZB",
        "Status": "DOWNLOADING",
        "Category": "tv",
        "DestDir": "/nzbget/intermediate/Show.S01E01.#7",
        "FinalDir": "",
        "FileSizeLo": 1000,
        "FileSizeHi": 0,
        "RemainingSizeLo": 600,
        "RemainingSizeHi": 0,
        "PausedSizeLo": 0,
        "PausedSizeHi": 0,
        "ActiveDownloads": 0,
        "Health": 1000,
        "CriticalHealth": 1000,
        "DeleteStatus": "NONE",
    }
    return base | fields


def entry(**fields) -> dict:
    """A history entry as nzbget 21.0 sends it (trimmed)."""
    base = {
        "NZBID": 8,
        "ID": 8,
        "Name": "Show.S01E02",
        "Kind": "NZB",
        "Status": "SUCCESS/HEALTH",
        "Category": "tv",
        "DestDir": "/nzbget/complete/tv/Show.S01E02",
        "FinalDir": "",
        "FileSizeLo": 2000,
        "FileSizeHi": 0,
        "HistoryTime": 1700000000,
        "TotalArticles": 4,
        "SuccessArticles": 4,
        "Health": 1000,
        "CriticalHealth": 1000,
        "DeleteStatus": "NONE",
        "ParStatus": "NONE",
        "UnpackStatus": "NONE",
    }
    return base | fields


class Raw:
    def __init__(self, status=200, body="", ctype="text/plain"):
        self.status, self.body, self.ctype = status, body, ctype


class Fault:
    def __init__(self, code, message):
        self.code, self.message = code, message


class FakeRpc:
    """Answers NZBGet JSON-RPC calls from ``results`` (value, callable, Raw or Fault)."""

    def __init__(self, rsps, url: str = URL, **results):
        self.results = {
            "version": "21.0",
            "status": {"DownloadRate": 0, "DownloadPaused": False, "NewsServers": []},
            "listgroups": [],
            "history": [],
            "config": [],
            "editqueue": True,
        } | results
        self.calls: list[tuple[str, list]] = []
        self.bodies: list[bytes] = []
        rsps.add_callback(responses.POST, url, callback=self._answer)

    def _answer(self, request):
        self.bodies.append(request.body)
        body = json.loads(request.body)
        method, params = body["method"], body["params"]
        self.calls.append((method, params))
        result = self.results[method]
        if callable(result):
            result = result(*params)
        if isinstance(result, Raw):
            return result.status, {"Content-Type": result.ctype}, result.body
        payload = {"version": "1.1", "id": body["id"]}
        if isinstance(result, Fault):
            payload["error"] = {
                "name": "JSONRPCError",
                "code": result.code,
                "message": result.message,
            }
        else:
            payload["result"] = result
        return 200, {"Content-Type": "application/json"}, json.dumps(payload)

    def called(self, method: str) -> list[list]:
        return [p for m, p in self.calls if m == method]


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def provider(**overrides) -> NZBGet:
    """An NZBGet provider for the replayed daemon at 127.0.0.1:6789."""
    return NZBGet(NZBGetSettings(**({"password": PASSWORD} | overrides)))


def config(**options) -> list[dict]:
    values = {
        "KeepHistory": "30",
        "ParCheck": "auto",
        "Category1.Name": "tv-idkarr",
        "Category2.Name": "movies-idkarr",
    } | options
    return [{"Name": k, "Value": v} for k, v in values.items()]
