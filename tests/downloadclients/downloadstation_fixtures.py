"""A scripted Synology DSM for Download Station tests, on top of ``responses``.

No NAS or emulator exists for CI, so ``FakeDsm`` answers every ``/webapi/*`` request
by its ``api`` and ``method`` parameters (from the query string, a form body or a
multipart body) with payloads from tests/fixtures/downloadstation, which follow the
shapes of Synology's Download Station Web API guide and captured DSM 6.2 / 7 replies.
Each request is recorded with its path and parameters.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from integrations.downloadclients.providers.downloadstation import (
    DownloadStation,
    DownloadStationSettings,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "downloadstation"
BASE = "http://127.0.0.1:5000"
PASSWORD = "ds-unit-secret-pw"
TASK = "SYNO.DownloadStation.Task"
TASK2 = "SYNO.DownloadStation2.Task"
AUTH = "SYNO.API.Auth"
DS_INFO = "SYNO.DownloadStation.Info"
FS_LIST = "SYNO.FileStation.List"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def error(code: int) -> dict:
    """DSM's failure envelope (HTTP 200)."""
    return {"error": {"code": code}, "success": False}


def sid_of(fixture: str = "auth_ok") -> str:
    return load(fixture)["data"]["sid"]


@dataclass
class Call:
    method: str  # HTTP method
    path: str  # after /webapi/
    query: dict[str, str]
    form: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name → (filename, bytes)
    body: bytes = b""

    @property
    def params(self) -> dict[str, str]:
        return {**self.query, **self.form}

    @property
    def api(self) -> str:
        return self.params.get("api", "")

    @property
    def name(self) -> str:
        return self.params.get("method", "")


def _parse(request) -> Call:
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    ctype = request.headers.get("Content-Type", "")
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if ctype.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if part.get_filename():
                files[name] = (part.get_filename(), payload)
            else:
                form[name] = payload.decode()
    elif body:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    path = parts.path.split("/webapi/", 1)[-1]
    return Call(request.method, path, query, form, files, body)


class FakeDsm:
    """Answers by (api, method). ``on`` queues replies; the last one of a queue repeats."""

    def __init__(self, rsps: responses.RequestsMock, info: str = "info_dsm6", base: str = BASE):
        self.calls: list[Call] = []
        self._replies: dict[tuple[str, str], list] = defaultdict(list)
        self.on("SYNO.API.Info", "query", load(info))
        self.on(AUTH, "login", load("auth_ok"))
        self.on(AUTH, "logout", load("logout_ok"))
        self.on(DS_INFO, "getinfo", load("ds_getinfo"))
        self.on(DS_INFO, "getconfig", load("ds_getconfig"))
        self.on(TASK, "list", load("task_list_empty"))
        self.on(FS_LIST, "getinfo", load("fs_getinfo_share"))
        pattern = re.compile(re.escape(base) + r"/webapi/.*")
        for verb in (responses.GET, responses.POST):
            rsps.add_callback(verb, pattern, callback=self._handle)

    def on(self, api: str, method: str, *replies, replace: bool = True) -> FakeDsm:
        """Queue replies: a dict (JSON, HTTP 200), ``(status, body[, headers])`` or an
        exception instance to raise."""
        if replace:
            self._replies[(api, method)] = []
        self._replies[(api, method)].extend(replies)
        return self

    def _handle(self, request):
        call = _parse(request)
        self.calls.append(call)
        queue = self._replies.get((call.api, call.name))
        if not queue:
            return 200, {"Content-Type": "application/json"}, json.dumps(error(103))
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, tuple):
            status, body, *rest = reply
            headers = rest[0] if rest else {"Content-Type": "text/html"}
            return status, headers, body
        return 200, {"Content-Type": "application/json"}, json.dumps(reply)

    def of(self, api: str, method: str) -> list[Call]:
        return [c for c in self.calls if c.api == api and c.name == method]


def make_ds(**overrides) -> DownloadStation:
    values = {"username": "idkarr", "password": PASSWORD}
    values.update(overrides)
    return DownloadStation(DownloadStationSettings(**values))


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def dsm(rsps) -> FakeDsm:
    """A DSM 6.2 NAS with Download Station 3.8 and File Station."""
    return FakeDsm(rsps)


@pytest.fixture
def dsm7(rsps) -> FakeDsm:
    """A DSM 7 NAS: login through entry.cgi (v6) and SYNO.DownloadStation2.Task."""
    fake = FakeDsm(rsps, info="info_dsm7")
    fake.on(AUTH, "login", load("auth_ok_dsm7"))
    return fake
