"""Shared helpers for the SABnzbd tests: the recorded-shape replies under
``tests/fixtures/sabnzbd/`` and a ``responses``-backed fake that answers by ``mode``.

SABnzbd can't run here (not in Debian main, not on PyPI), so the replies are
shaped exactly like SABnzbd 4.5.1's (``api.py`` ``report()``/``build_queue()``/
``build_history()``, ``interface.py`` key checks).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import responses

from integrations.downloadclients.providers.sabnzbd import SABnzbd, SABnzbdSettings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sabnzbd"
API_KEY = "0123456789abcdef0123456789abcdef"  # 32 hex, like SABnzbd's
NZB_KEY = "fedcba9876543210fedcba9876543210"
BASE = "http://127.0.0.1:8080/api"

NZB = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">
<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">
 <head><meta type="title">TV.Show.S04E11.720p.HDTV.x264</meta></head>
 <file poster="poster@example.invalid" date="1700000000"
       subject="TV.Show.S04E11 [1/1] - &quot;show.mkv&quot; yEnc (1/1)">
  <groups><group>alt.binaries.teevee</group></groups>
  <segments><segment bytes="739811" number="1">part1of1.abc@example.invalid</segment></segments>
 </file>
</nzb>
"""


def load(name: str):
    """A fresh copy of ``tests/fixtures/sabnzbd/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def text_reply(name: str) -> dict:
    """A non-JSON SABnzbd answer: ``{"status", "content_type", "body"}``."""
    return load("text_replies")[name]


def make(**overrides) -> SABnzbd:
    values = {"host": "127.0.0.1", "port": 8080, "api_key": API_KEY}
    values.update(overrides)
    return SABnzbd(SABnzbdSettings(**values))


@dataclass
class Call:
    method: str
    params: dict[str, str]  # the query string, one value per key
    body: bytes
    headers: dict

    @property
    def key(self) -> tuple[str, str]:
        return self.params.get("mode", ""), _sub(self.params)


def _sub(params: dict[str, str]) -> str:
    return (
        params.get("name")
        if params.get("mode") in ("queue", "history")
        else params.get("section", "") or ""
    )


class FakeSabnzbd:
    """Answers ``{BASE}?mode=…`` from scripted replies keyed by (mode, name|section).

    A reply is a fixture name, a dict (JSON), or ``text_reply(...)``-style dict with a
    ``content_type``. The last reply of a route repeats; earlier ones are used once.
    """

    def __init__(self, rsps: responses.RequestsMock, base: str = BASE):
        self.routes: dict[tuple[str, str], list] = {}
        self.calls: list[Call] = []
        pattern = re.compile(re.escape(base) + r"(\?.*)?$")
        for method in (responses.GET, responses.POST):
            rsps.add_callback(method, pattern, callback=self._handle)
        self.on("version", "version")
        self.on("get_config", "get_config_categories", sub="categories")
        self.on("get_config", "get_config_sorters_none", sub="sorters")
        self.on("queue", "queue_empty")
        self.on("history", "history_empty")

    def on(self, mode: str, *replies, sub: str = "") -> FakeSabnzbd:
        self.routes[(mode, sub)] = list(replies)
        return self

    def calls_to(self, mode: str, sub: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.key[0] == mode and (sub is None or c.key[1] == sub)]

    def _handle(self, request):
        query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
        params = {k: v[0] for k, v in query.items()}
        body = request.body or b""
        call = Call(
            request.method,
            params,
            body if isinstance(body, bytes) else body.encode(),
            dict(request.headers),
        )
        self.calls.append(call)
        replies = self.routes.get(call.key) or self.routes.get((call.key[0], ""))
        if not replies:
            return (
                200,
                {"Content-Type": "application/json;charset=UTF-8"},
                json.dumps({"status": False, "error": "not implemented"}),
            )
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, str):
            reply = load(reply)
        if isinstance(reply, dict) and "content_type" in reply and "body" in reply:
            return reply["status"], {"Content-Type": reply["content_type"]}, reply["body"]
        headers = {"Content-Type": "application/json;charset=UTF-8", "Pragma": "no-cache"}
        return 200, headers, json.dumps(reply)


def fake_sabnzbd():
    """Generator behind each test module's ``sab`` fixture: a FakeSabnzbd on ``BASE``."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeSabnzbd(rsps)
