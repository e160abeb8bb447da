"""A base for stateful fakes of HTTP services on 127.0.0.1 (Plex, Jellyfin, TMDB, …).

    class FakeThing(FakeService):
        failures = {**FakeService.failures, "malformed": Reply(200, '{"things": [', JSON)}

        def route(self, request: RecordedRequest) -> Reply:
            ...  # the service's own answers, from the fake's state

The handler is ``tests.httpserver``'s: every request is recorded in ``requests``
(``last_request``, ``requests_to(path)``, ``wait_for_requests(n)``) before it is
answered, and the answer is a ``Reply`` (``Reply(hang=True)``: no answer until the
server stops). ``answer`` gives an injected failure for the request's path if there is
one, else ``route(request)``; both run under the server's lock, so routes may change
the fake's state.

* ``fail(mode, path=None, times=None, after=0)``: requests to ``path`` (to every path
  when None) answer the failure that ``mode`` names in ``failures``: ``"500"`` (an HTML
  error page), ``"429"`` (``Retry-After: 30``), ``"html"`` (a sign-in page with 200),
  ``"malformed"`` (cut-off JSON), ``"redirect"`` (302 to ``/moved``), ``"echo"`` (a
  proxy's 502 page quoting the request line, query string included) or ``"hang"``;
  ``times`` of them (no end when None), once ``after`` of them were answered normally.
  A fake changes what a mode sends, or adds modes, in its own ``failures``.
* ``inject(reply, path=None, times=None, after=0)``: the same with a ``Reply``, or a
  function of the request that returns one.
* Which failure answers: one for the exact path before one for every path, then the
  first set; a spent one is dropped; one set with neither ``times`` nor ``after``
  replaces what was set for the same path before.
* ``replace(path, payload)``: ``replacement(path)`` is then ``payload`` as JSON (with
  the fake's ``json_type``); the fake's ``route`` says where it applies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from tests.httpserver import RecordedRequest, RecordingLoopback, Reply

Failure = Reply | Callable[[RecordedRequest], Reply]

HTML = {"Content-Type": "text/html"}
JSON = {"Content-Type": "application/json"}
ERROR_PAGE = (
    "<html><head><title>Internal Server Error</title></head><body><h1>500</h1></body></html>"
)
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Proxy</body></html>"


def json_reply(
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Reply:
    """``payload`` as JSON (whatever its type: a str is sent as a JSON string)."""
    return Reply(status, json.dumps(payload), {"Content-Type": content_type, **(headers or {})})


def first_value(query: dict[str, list[str]], name: str) -> str | None:
    """The first value of the query parameter ``name``, None without one."""
    values = query.get(name)
    return values[0] if values else None


def echo_request_line(request: RecordedRequest) -> Reply:
    """A proxy's 502 page that quotes the request line, query string included."""
    line = f"{request.method} {request.raw_path}"
    return Reply(502, f"<html><body><h1>502 Bad Gateway</h1><p>{line}</p></body></html>", HTML)


@dataclass
class _Injected:
    reply: Failure
    path: str | None  # None: every path
    times: int | None  # answers left; None: no end
    after: int  # normal answers to let through first


class FakeService(RecordingLoopback):
    """A fake HTTP service: records, injects failures and replacements, then ``route``s."""

    failures: ClassVar[dict[str, Failure]] = {
        "500": Reply(500, ERROR_PAGE, HTML),
        "429": Reply(429, b"", {"Retry-After": "30"}),
        "html": Reply(200, LOGIN_PAGE, HTML),
        "malformed": Reply(200, '{"data": [', JSON),
        "redirect": Reply(302, b"", {**HTML, "Location": "/moved"}),
        "echo": echo_request_line,
        "hang": Reply(hang=True),
    }
    json_type = "application/json"  # the Content-Type of a replacement

    def __init__(self):
        super().__init__()
        self._injected: list[_Injected] = []
        self._replacements: dict[str, Any] = {}

    # -- telling it what to do -------------------------------------------
    def fail(
        self, mode: str, path: str | None = None, times: int | None = None, after: int = 0
    ) -> None:
        """Answer requests (to ``path``) with the failure ``mode``: the next ``times`` of
        them (all when None), once ``after`` of them were answered normally."""
        assert mode in self.failures, mode
        self.inject(self.failures[mode], path, times, after)

    def inject(
        self, reply: Failure, path: str | None = None, times: int | None = None, after: int = 0
    ) -> None:
        """Answer requests (to ``path``) with ``reply`` (or what it makes of the request)."""
        with self._lock:
            if times is None and not after:
                self._injected = [i for i in self._injected if i.path != path]
            self._injected.append(_Injected(reply, path, times, after))

    def replace(self, path: str, payload: Any) -> None:
        """Make ``replacement(path)`` answer ``payload`` as JSON."""
        self._replacements[path] = payload

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and method in (None, r.method)]

    # -- answering -------------------------------------------------------
    def answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            return self.injected(request, request.path) or self.route(request)

    def route(self, request: RecordedRequest) -> Reply:
        """The service's own answer to ``request``."""
        raise NotImplementedError

    def injected(self, request: RecordedRequest, path: str) -> Reply | None:
        """The injected failure that answers ``request`` (as if to ``path``), if any.
        Call it with the lock held."""
        for injected in sorted(self._injected, key=lambda i: i.path is None):
            if injected.path not in (None, path) or injected.times == 0:
                continue
            if injected.after:
                injected.after -= 1
                continue
            if injected.times is not None:
                injected.times -= 1
                if injected.times == 0:
                    self._injected.remove(injected)
            reply = injected.reply
            return reply if isinstance(reply, Reply) else reply(request)
        return None

    def replacement(self, path: str) -> Reply | None:
        """The replacement for ``path`` as a JSON reply, None without one."""
        if path not in self._replacements:
            return None
        return json_reply(self._replacements[path], content_type=self.json_type)
