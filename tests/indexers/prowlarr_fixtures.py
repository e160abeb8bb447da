"""A fake Prowlarr for the tests: ``responses`` serving ``tests/fixtures/indexers/prowlarr/``.

The JSON is shaped like Prowlarr 1.x/2.x answers (``SystemResource``, ``IndexerResource``
with ``IndexerCapabilityResource``, ``TagResource``, ``AppProfileResource``,
``ReleaseResource``; camelCase, enums as camelCase strings, nulls omitted). Auth is the
``X-Api-Key`` header; a wrong or missing key gets Prowlarr's bare HTTP 401.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from integrations.indexers.providers.prowlarr import Prowlarr, ProwlarrSettings
from integrations.indexers.registry import registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "indexers" / "prowlarr"
API_KEY = "6d1f0c4e8b7a4f2e9c3d5b1a0f9e8d7c"  # 32 hex, like Prowlarr's
BASE = "http://127.0.0.1:9696"
ENDPOINTS = ("system/status", "indexer", "tag", "appprofile", "search")


def load(name: str) -> Any:
    """A fresh copy of ``tests/fixtures/indexers/prowlarr/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def settings(**overrides) -> ProwlarrSettings:
    values = {"base_url": BASE, "api_key": API_KEY}
    values.update(overrides)
    return ProwlarrSettings(**values)


def make(**overrides) -> Prowlarr:
    return Prowlarr(settings(**overrides), name="Prowlarr")


@dataclass
class Failure:
    status: int
    body: bytes | str = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeProwlarr:
    """Answers like Prowlarr. Tests edit ``data`` (by endpoint), or set ``failures``."""

    mock: responses.RequestsMock
    data: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)

    def indexer(self, remote_id: int) -> dict:
        return next(i for i in self.data["indexer"] if i["id"] == remote_id)

    def calls_to(self, endpoint: str) -> list[dict[str, list[str]]]:
        """The query parameters of each call to ``endpoint``."""
        return [query for name, query, _ in self.calls if name == endpoint]

    def _answer(self, request):
        parts = urlsplit(request.url)
        endpoint = parts.path.removeprefix("/api/v1/")
        self.calls.append(
            (endpoint, parse_qs(parts.query, keep_blank_values=True), dict(request.headers))
        )
        if request.headers.get("X-Api-Key") != API_KEY:
            return 401, {}, b""
        failure = self.failures.get(endpoint)
        if failure is not None:
            return (
                failure.status,
                {"Content-Type": failure.content_type, **failure.headers},
                failure.body,
            )
        if endpoint not in self.data:
            return 404, {"Content-Type": "application/json"}, b'{"message": "NotFound"}'
        body = json.dumps(self.data[endpoint]).encode()
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body


def fake_prowlarr():
    """Generator for a fixture: a started FakeProwlarr with the recorded data."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeProwlarr(
            mock,
            data={
                "system/status": load("system_status"),
                "indexer": load("indexers"),
                "tag": load("tags"),
                "appprofile": load("appprofiles"),
                "search": load("search_tv"),
            },
        )
        mock.add_callback(
            responses.GET, re.compile(re.escape(BASE) + r"/api/v1/[a-z/]+"), fake._answer
        )
        yield fake


@pytest.fixture
def prowlarr_registered():
    """The Prowlarr provider in the indexer registry for one test (the lead registers it
    in ``providers/__init__.py``; this keeps the tests independent of that)."""
    added = "prowlarr" not in registry
    if added:
        registry.register(Prowlarr)
    yield
    if added:
        registry._kinds.pop("prowlarr", None)


def release(**overrides) -> dict:
    """One ReleaseResource like the first of ``search_tv.json``, with changes."""
    item = copy.deepcopy(load("search_tv")[0])
    item.update(overrides)
    return item
