"""Shared helpers for benchmarks: a throw-away Django setup and qBittorrent-shaped stubs."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def django_in_tempdir() -> Path:
    """Configure Django on a fresh SQLite database in a temp dir and migrate it."""
    data = Path(tempfile.mkdtemp(prefix="idkarr-bench-"))
    os.environ["IDKARR_DATA_DIR"] = str(data)
    os.environ.setdefault("IDKARR_SECRETS_KEY", "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDA=")
    os.environ["DJANGO_SETTINGS_MODULE"] = "idkarr.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data


QBIT_ANSWERS = {
    "/api/v2/auth/login": ("text/plain", "Ok."),
    "/api/v2/app/version": ("text/plain", "v4.5.2"),
    "/api/v2/app/webapiVersion": ("text/plain", "2.8.19"),
    "/api/v2/torrents/categories": ("application/json", "{}"),
    "/api/v2/transfer/info": ("application/json", json.dumps({"connection_status": "connected"})),
}


class _QbitStub(BaseHTTPRequestHandler):
    hang = False

    def log_message(self, *args):
        pass

    def _answer(self):
        if self.server.hang:
            self.server.released.wait(60)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        ctype, body = QBIT_ANSWERS.get(self.path.split("?")[0], ("application/json", "[]"))
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if self.path.startswith("/api/v2/auth/login"):
            self.send_header("Set-Cookie", "SID=benchsid; HttpOnly; path=/")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the listen backlog: must be set before the socket listens


class QbitStub:
    """A loopback server answering like qBittorrent 4.5.2, or never answering (``hang``)."""

    def __init__(self, hang: bool = False):
        self.server = _Server(("127.0.0.1", 0), _QbitStub)
        self.server.hang = hang
        self.server.released = threading.Event()
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.released.set()
        self.server.shutdown()
        self.server.server_close()


def _serve_stub(hang: bool, port_queue) -> None:
    stub = QbitStub(hang=hang)
    port_queue.put(stub.port)
    threading.Event().wait()


class StubProcess:
    """A QbitStub in its own process, so its CPU does not count against the benchmark."""

    def __init__(self, hang: bool = False):
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        ports = ctx.Queue()
        self.proc = ctx.Process(target=_serve_stub, args=(hang, ports), daemon=True)
        self.proc.start()
        self.port = ports.get(timeout=10)

    def close(self):
        self.proc.terminate()
        self.proc.join(5)


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best
