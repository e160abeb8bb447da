"""The local indexer server: HTTP handling, faults, fixtures and the bench helpers."""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.httpserver import LoopbackServer, OwnedHTTPServer

from .documents import (
    LOGIN_PAGE,
    caps_document,
    error_document,
    feed_document,
    int_param,
    matches_query,
    nzb_document,
)
from .items import DEFAULT_CATEGORIES, DEFAULT_KEY, Item, make_items


@dataclass
class ServedRequest:
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter
    raw_path: str
    headers: dict[str, str]

    @property
    def t(self) -> str:
        return self.query.get("t", "")


@dataclass
class _Fault:
    kind: str
    times: int | None
    on: str
    only_t: str | None
    options: dict = field(default_factory=dict)


class IndexerServer(LoopbackServer):
    """A threaded HTTP server that answers like a Torznab/Newznab indexer."""

    def __init__(
        self,
        *,
        protocol: str = "torrent",
        items: int = 25,
        api_key: str | None = DEFAULT_KEY,
        api_path: str = "/api",
        delay: float = 0.0,
        title: str = "idkarr test indexer",
        search_params: str | None = "q",
        tv_params: str | None = "q,season,ep,tvdbid,imdbid,tvmazeid,rid",
        movie_params: str | None = "q,imdbid,tmdbid",
        categories: dict[int, str] | None = None,
        limit_max: int = 100,
        limit_default: int = 100,
        caps_xml: bytes | None = None,
        feed_xml: bytes | None = None,
        caps_needs_key: bool = True,
        filter_queries: bool = False,
        magnets: bool = False,
        first_id: int = 1,
    ):
        if protocol not in ("torrent", "usenet"):
            raise ValueError("protocol is 'torrent' or 'usenet'")
        super().__init__()
        self.protocol = protocol
        self.items = make_items(items, first_id=first_id)
        self.api_key = api_key
        self.api_path = "/" + api_path.strip("/")
        self.delay = delay
        self.title = title
        self.search_params = search_params
        self.tv_params = tv_params
        self.movie_params = movie_params
        self.categories = dict(categories or DEFAULT_CATEGORIES)
        self.limit_max = limit_max
        self.limit_default = limit_default
        self.caps_xml = caps_xml
        self.feed_xml = feed_xml
        self.caps_needs_key = caps_needs_key
        self.filter_queries = filter_queries
        self.magnets = magnets
        self.requests: list[ServedRequest] = []
        self._feeds: dict[tuple, bytes] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------
    def start(self) -> IndexerServer:
        super().start()
        self.feed_document(self.select({}))  # render the default page before anyone waits
        return self

    # -- addresses -------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.url + self.api_path

    def download_url(self, item_id: int, suffix: str | None = None) -> str:
        """The link the feed gives for item ``item_id`` (with ``?apikey=`` when keyed)."""
        suffix = suffix or (".torrent" if self.protocol == "torrent" else ".nzb")
        url = f"{self.url}/download/{item_id}{suffix}"
        return url + (f"?apikey={quote(self.api_key)}" if self.api_key else "")

    def item(self, item_id: int) -> Item:
        return self.items[item_id - 1]

    # -- scripting -------------------------------------------------------
    def fault(
        self,
        kind: str,
        *,
        times: int | None = None,
        on: str = "api",
        only_t: str | None = None,
        **options,
    ) -> None:
        """Misbehave on the next ``times`` matching requests (see the module docstring)."""
        if kind not in ("error", "http", "html", "close", "hang", "huge", "body"):
            raise ValueError(f"unknown fault {kind!r}")
        if on not in ("api", "download", "all"):
            raise ValueError("on is 'api', 'download' or 'all'")
        with self._lock:
            self._faults.append(_Fault(kind, times, on, only_t, options))

    def clear_fault(self) -> None:
        with self._lock:
            self._faults.clear()

    def release(self) -> None:
        """Let every hanging answer go (now and from now on)."""
        self._released.set()

    def api_requests(self, t: str | None = None) -> list[ServedRequest]:
        return [r for r in self.requests if r.path == self.api_path and (t is None or r.t == t)]

    # -- used by the handler ---------------------------------------------
    def _record(self, request: ServedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _take_fault(self, area: str, t: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.on not in (area, "all"):
                    continue
                if fault.only_t is not None and (area != "api" or fault.only_t != t):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def _key_error(self, query: dict[str, str]) -> bytes | None:
        if self.api_key is None:
            return None
        given = query.get("apikey")
        if given is None:
            return error_document(200, "Missing parameter")
        if given != self.api_key:
            return error_document(100, "Incorrect user credentials")
        return None

    # -- documents -------------------------------------------------------
    def caps_document(self) -> bytes:
        if self.caps_xml is not None:
            return self.caps_xml
        return caps_document(
            title=self.title,
            search_params=self.search_params,
            tv_params=self.tv_params,
            movie_params=self.movie_params,
            categories=self.categories,
            limit_max=self.limit_max,
            limit_default=self.limit_default,
        )

    def select(self, query: dict[str, str]) -> list[Item]:
        items = self.items
        if self.filter_queries:
            items = [i for i in items if matches_query(i, query)]
        limit = int_param(query.get("limit"), self.limit_default)
        limit = max(0, min(limit, self.limit_max))
        offset = max(0, int_param(query.get("offset"), 0))
        return items[offset : offset + limit]

    def feed_document(self, items: list[Item]) -> bytes:
        """The feed for ``items``, cached: a bench's in-process servers must not spend
        the GIL re-rendering the same page (items never change once generated)."""
        if self.feed_xml is not None:
            return self.feed_xml
        key = (self.protocol, self.magnets, self.title, self.api_key, tuple(i.id for i in items))
        body = self._feeds.get(key)
        if body is None:
            body = self._feeds[key] = feed_document(self, items)
        return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OwnedHTTPServer
    timeout = 10

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass

    def do_GET(self) -> None:  # noqa: N802 (name fixed by the base class)
        owner = self.server.owner
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        owner._record(
            ServedRequest(self.command, parts.path, query, self.path, dict(self.headers.items()))
        )
        self.close_connection = True
        area = "api" if parts.path.rstrip("/") == owner.api_path else "download"
        if owner.delay:
            owner._stopping.wait(owner.delay)
        fault = owner._take_fault(area, query.get("t", ""))
        if owner._stopping.is_set():
            return
        if fault is not None and fault.kind == "hang":
            owner._released.wait()
            fault = None
        if owner._stopping.is_set():
            return
        try:
            if fault is not None:
                self._misbehave(fault)
            elif area == "api":
                self._api(query)
            else:
                self._download(parts.path, query)
        except OSError:
            pass  # the client went away

    do_HEAD = do_GET

    # -- answers ---------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _xml(self, body: bytes, status: int = 200) -> None:
        self._send(status, body, "application/xml; charset=utf-8")

    def _api(self, query: dict[str, str]) -> None:
        owner = self.server.owner
        t = query.get("t")
        if not t:
            return self._xml(error_document(200, "Missing parameter (t)"))
        if t != "caps" or owner.caps_needs_key:
            key_error = owner._key_error(query)
            if key_error is not None:
                return self._xml(key_error)
        if t == "caps":
            return self._xml(owner.caps_document())
        modes = {
            "search": owner.search_params,
            "tvsearch": owner.tv_params,
            "movie": owner.movie_params,
        }
        if t not in modes:
            return self._xml(error_document(202, "No such function"))
        if modes[t] is None:
            return self._xml(error_document(203, "Function not available"))
        self._send(200, owner.feed_document(owner.select(query)))

    def _download(self, path: str, query: dict[str, str]) -> None:
        owner = self.server.owner
        name = path.removeprefix("/download/")
        stem, _, suffix = name.partition(".")
        stem, _, action = stem.partition("/")
        if not path.startswith("/download/") or not stem.isdigit():
            return self._send(404, b"not found", "text/plain")
        number = int(stem)
        if not 1 <= number <= len(owner.items):
            return self._xml(error_document(300, "No such item"), 404)
        key_error = owner._key_error(query)
        if key_error is not None:
            return self._xml(key_error)
        item = owner.item(number)
        if action == "magnet":
            return self._send(302, b"", "text/plain", {"Location": item.magnet})
        if action == "redirect":
            return self._send(302, b"", "text/plain", {"Location": owner.download_url(number)})
        disposition = {"Content-Disposition": f'attachment; filename="{item.title}.{suffix}"'}
        if suffix == "torrent":
            return self._send(200, item.torrent, "application/x-bittorrent", disposition)
        if suffix == "nzb":
            return self._send(200, nzb_document(item), "application/x-nzb", disposition)
        self._send(404, b"not found", "text/plain")

    def _misbehave(self, fault: _Fault) -> None:
        opts = fault.options
        if fault.kind == "close":
            return
        if fault.kind == "error":
            body = error_document(opts.get("code", 100), opts.get("description", "Error"))
            return self._xml(body, opts.get("status", 200))
        if fault.kind == "http":
            headers = {}
            if opts.get("retry_after") is not None:
                headers["Retry-After"] = str(opts["retry_after"])
            body = opts.get("body", b"")
            body = body.encode() if isinstance(body, str) else body
            content_type = opts.get("content_type", "text/plain; charset=utf-8")
            return self._send(opts.get("status", 500), body, content_type, headers)
        if fault.kind == "html":
            return self._send(opts.get("status", 200), LOGIN_PAGE, "text/html; charset=utf-8")
        if fault.kind == "body":
            data = opts.get("data", b"")
            data = data.encode() if isinstance(data, str) else data
            headers = {}
            if opts.get("gzip"):
                data = gzip_module.compress(data)
                headers["Content-Encoding"] = "gzip"
            content_type = opts.get("content_type", "application/xml; charset=utf-8")
            return self._send(opts.get("status", 200), data, content_type, headers)
        if fault.kind == "huge":
            return self._huge(int(opts.get("size", 50 * 2**20)))

    def _huge(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.send_header("Connection", "close")
        self.end_headers()
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>'
        self.wfile.write(head)
        sent, chunk = len(head), b"A" * 65536
        while sent < size and not self.server.owner._stopping.is_set():
            piece = chunk[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)


IndexerServer.handler = _Handler


@dataclass
class RemoteServer:
    """Address of a server running in a child process (``indexer_servers(process=True)``)."""

    url: str
    api_path: str
    api_key: str | None

    @property
    def api_url(self) -> str:
        return self.url + self.api_path


def _serve_in_child(count: int, options: dict, conn) -> None:
    with indexer_servers(count, **options) as servers:
        conn.send([(s.url, s.api_path, s.api_key) for s in servers])
        conn.recv()  # anything (or EOF) means stop


@contextlib.contextmanager
def indexer_servers(count: int, *, process: bool = False, **options):
    """``count`` started :class:`IndexerServer` instances, stopped on exit.

    ``process=True`` runs them in one child process and yields :class:`RemoteServer`
    addresses instead (no request log, no faults): a bench then measures its client
    without the servers competing for the same GIL."""
    if process:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        worker = context.Process(target=_serve_in_child, args=(count, options, child), daemon=True)
        worker.start()
        try:
            if not parent.poll(30):
                raise RuntimeError("the indexer server process did not start")
            yield [RemoteServer(*address) for address in parent.recv()]
        finally:
            with contextlib.suppress(OSError):
                parent.send("stop")
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
        return
    servers: list[IndexerServer] = []
    try:
        for _ in range(count):
            servers.append(IndexerServer(**options).start())
        yield servers
    finally:
        for srv in servers:
            srv.stop()


@pytest.fixture
def indexer_server():
    """Factory: ``indexer_server(**options)`` → a started server, stopped after the test."""
    started: list[IndexerServer] = []

    def start(**options) -> IndexerServer:
        srv = IndexerServer(**options).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes (for hang tests)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
