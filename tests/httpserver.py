"""A real HTTP server on 127.0.0.1 for tests: records requests, answers as scripted.

    from tests.httpserver import RecordingServer, Reply

    with RecordingServer() as srv:                  # listens on 127.0.0.1:<free port>
        srv.script([Reply(500, "boom"), Reply(200, {"ok": True})])
        client.post(srv.url + "/hook", ...)         # srv.url == "http://127.0.0.1:<port>"
        req = srv.requests[0]                        # method, path, query, headers, body, json()

* ``srv.script([...])`` queues replies, used one per request in order; when the
  queue is empty ``srv.default_response`` answers (``Reply(200)`` unless changed).
  An ``int`` is shorthand for ``Reply(status)``.
* ``Reply(status, body, headers, delay=s)`` answers after ``delay`` seconds;
  ``Reply(hang=True)`` waits until ``srv.release()`` (or shutdown) and then
  answers; ``Reply(close=True)`` closes the connection without answering.
  ``body`` may be bytes, str, or a dict/list (sent as JSON).
* Every request is recorded *before* it is answered, so a request that hangs or
  is dropped is still in ``srv.requests``. ``srv.wait_for_requests(n)`` blocks
  until ``n`` arrived.
* Shutdown is fast even while handlers hang: handler threads are daemons and
  ``stop()`` releases every waiting reply.

The ``recording_server`` fixture yields a started server; import it into a test
module or conftest to use it. ``RecordingLoopback`` is the same without the script:
a subclass answers with ``answer(request) -> Reply`` (``tests.fakeservice`` builds
stateful fakes of services on it).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    close: bool = False

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return body, headers


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: HTTPMessage  # case-insensitive: headers["content-type"]
    body: bytes
    raw_path: str  # as sent, with the query string

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OwnedHTTPServer
    timeout = 10  # a client that connects and never sends must not keep a thread forever

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=self._read_body(),
            raw_path=self.path,
        )
        owner._record(request)
        reply = owner.answer(request)
        self.close_connection = True
        if reply.hang:
            owner._released.wait()
        elif reply.delay:
            owner._stopping.wait(reply.delay)
        if reply.close or owner._stopping.is_set():
            return  # finish() closes the socket: the client sees EOF, no status line
        body, headers = reply.encoded()
        try:
            self.send_response(reply.status, _reason(reply.status))
            for name, value in headers.items():
                self.send_header(name, value)
            if "content-length" not in {k.lower() for k in headers}:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout): nothing to answer

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Custom"


class OwnedHTTPServer(ThreadingHTTPServer):
    """The HTTP server of a ``LoopbackServer``, which handlers reach as ``owner``."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # a burst of concurrent clients must not overflow the backlog
    owner: LoopbackServer

    def handle_error(self, request, client_address):
        pass  # broken pipes from clients that timed out are expected in tests


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 (a free port), its handler ``handler`` with
    the server's ``owner`` set to this object. Stopping sets ``_stopping`` and
    ``_released``, so handlers that hang or delay are cut short."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self):
        self._released = threading.Event()
        self._stopping = threading.Event()
        self._httpd: OwnedHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self):
        self._httpd = OwnedHTTPServer(("127.0.0.1", 0), self.handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving. Hanging and delayed replies are cut short (connection closed)."""
        self._stopping.set()
        self._released.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Base URL without a trailing slash: ``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"


class RecordingLoopback(LoopbackServer):
    """A ``LoopbackServer`` that records every request in ``requests`` before it asks
    ``answer(request)`` for the ``Reply`` to send; subclasses say what ``answer`` is."""

    handler = _Handler

    def __init__(self):
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    def release(self) -> None:
        """Let every ``Reply(hang=True)`` answer (now and from now on)."""
        self._released.set()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until ``count`` requests arrived; AssertionError after ``timeout`` s."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    @property
    def last_request(self) -> RecordedRequest:
        assert self.requests, "no request received"
        return self.requests[-1]

    # -- used by the handler ---------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._arrived:
            self.requests.append(request)
            self._arrived.notify_all()

    def answer(self, request: RecordedRequest) -> Reply:
        """The reply to ``request`` (recorded already); runs in the request's thread."""
        raise NotImplementedError


class RecordingServer(RecordingLoopback):
    """A threaded HTTP/1.1 server on 127.0.0.1 that records and answers as scripted."""

    def __init__(self, default_response: Reply | int | None = None):
        super().__init__()
        self.default_response = _as_reply(default_response if default_response is not None else 200)
        self._queue: deque[Reply] = deque()

    # -- scripting -------------------------------------------------------
    def script(self, replies: list[Reply | int]) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self._queue.extend(_as_reply(r) for r in replies)

    # -- used by the handler ---------------------------------------------
    def answer(self, request: RecordedRequest) -> Reply:
        return self._next_reply()

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default_response


def _as_reply(value: Reply | int) -> Reply:
    return value if isinstance(value, Reply) else Reply(status=int(value))


@pytest.fixture
def recording_server():
    """A started :class:`RecordingServer`, stopped after the test."""
    with RecordingServer() as srv:
        yield srv
