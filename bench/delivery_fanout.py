"""Delivery fan-out (issue 6): one ``grab`` event to 50 webhook targets, each answering
after 100 ms (a local sink in its own process), delivered by ONE real Celery worker
(``--pool threads``) on the install's broker: the filesystem broker of the data dir,
or Redis with ``--redis URL``.

Prints the time from ``emit`` to the last ``delivered_at`` (best of 3 events) against
one direct webhook send measured in this run (median of 5). Goal ≤ 3×.

    python bench/delivery_fanout.py                      # concurrency 8 and 32 (make run)
    python bench/delivery_fanout.py --concurrency 8
    python bench/delivery_fanout.py --redis redis://127.0.0.1:6379/14
    python bench/delivery_fanout.py --database postgres://USER@HOST/EMPTY_DB --redis URL

The worker sends an event's deliveries as one batch task whose sends share the worker
process's pool of DELIVERY_CONCURRENCY sender threads, so ``--concurrency`` (the worker's
own threads) no longer bounds one event's fan-out.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from common import ROOT, django_in_tempdir

TARGETS, ANSWER_DELAY, EVENTS = 50, 0.100, 3


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        time.sleep(ANSWER_DELAY)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _SinkServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: a class attribute, read before listen()


def _serve_sink(port_queue) -> None:
    server = _SinkServer(("127.0.0.1", 0), _Sink)
    port_queue.put(server.server_address[1])
    server.serve_forever()


class SinkProcess:
    """The webhook receiver in its own process, so its CPU does not count against us."""

    def __init__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        ports = ctx.Queue()
        self.proc = ctx.Process(target=_serve_sink, args=(ports,), daemon=True)
        self.proc.start()
        self.port = ports.get(timeout=10)

    def close(self):
        self.proc.terminate()
        self.proc.join(5)


class Worker:
    """One ``celery -A idkarr worker`` subprocess on the bench's data dir and broker."""

    def __init__(self, data_dir, concurrency: int):
        self.log = data_dir / f"worker-{concurrency}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "idkarr.settings",
            "PYTHONUNBUFFERED": "1",
            "IDKARR_DATA_DIR": str(data_dir),  # same SQLite file and same file broker
            "IDKARR_SECRET_KEY": "bench-secret-key",
        }
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "idkarr",
                    "worker",
                    "--pool",
                    "threads",
                    "--concurrency",
                    str(concurrency),
                    "--loglevel",
                    "info",
                    "--without-mingle",
                    "--without-gossip",
                ],  # fmt: skip
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.tail()}")
            if "ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"worker not ready in 60 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def direct_send(url: str) -> float:
    """One webhook send as the worker does it: build the provider, send, close."""
    from notifications.providers.webhook import Webhook, WebhookSettings
    from notifications.samples import sample_message

    message = sample_message("grab")
    started = time.perf_counter()
    provider = Webhook(WebhookSettings(url=url), name="baseline")
    try:
        provider.send(message)
    finally:
        provider.close()
    return time.perf_counter() - started


def one_event(payload: dict, timeout: float = 120.0) -> dict | None:
    """Emit one event; poll until every delivery is sent. Returns timings relative to emit."""
    from django.db.models import Count

    from notifications.events import emit
    from notifications.models import Delivery

    t0 = time.time()
    event = emit("grab", payload, source="bench")
    enqueued = time.time() - t0  # emit returns after on_commit has published every message
    rows = Delivery.objects.filter(event=event)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = rows.filter(status__in=["sent", "failed"]).count()
        if done >= TARGETS:
            break
        time.sleep(0.01)
    stats = dict(rows.values_list("status").annotate(n=Count("id")))
    if stats.get("sent", 0) != TARGETS:
        print(f"  !! event {event.pk}: not all delivered within {timeout:.0f} s: {stats}")
        return None
    claims = sorted(c.timestamp() - t0 for c in rows.values_list("claimed_at", flat=True))
    sent = sorted(d.timestamp() - t0 for d in rows.values_list("delivered_at", flat=True))
    waves = [[claims[0]]]  # claims bunch up when the worker fetches a batch of messages
    for c in claims[1:]:
        if c - waves[-1][-1] > 0.05:
            waves.append([])
        waves[-1].append(c)
    return {
        "waves": [(w[0], len(w)) for w in waves],
        "enqueued": enqueued,
        "first_claim": claims[0],
        "last_claim": claims[-1],
        "first_sent": sent[0],
        "last_sent": sent[-1],
    }


def run_concurrency(data_dir, concurrency: int, payload: dict, baseline: float) -> None:
    worker = Worker(data_dir, concurrency)
    try:
        results = []
        for _ in range(EVENTS):
            r = one_event(payload)
            if r:
                results.append(r)
            time.sleep(0.3)
        if not results:
            print(f"concurrency {concurrency}: no event fully delivered\n{worker.tail()}")
            return
        best = min(results, key=lambda r: r["last_sent"])
        floor = TARGETS / concurrency * ANSWER_DELAY
        print(
            f"concurrency {concurrency}: all {TARGETS} delivered in "
            + ", ".join(f"{r['last_sent']:.3f}" for r in results)
            + " s"
        )
        print(
            f"  best: emit+enqueue {best['enqueued'] * 1000:.0f} ms, first claim "
            f"{best['first_claim'] * 1000:.0f} ms, first sent {best['first_sent'] * 1000:.0f} ms, "
            f"last claim {best['last_claim'] * 1000:.0f} ms, last sent {best['last_sent'] * 1000:.0f} ms"
        )
        print(
            "  claim waves (start ms x claims): "
            + " ".join(f"{t * 1000:.0f}x{n}" for t, n in best["waves"])
        )
        print(
            f"  one task per delivery with {concurrency} threads would need ceil({TARGETS}/"
            f"{concurrency}) x {ANSWER_DELAY * 1000:.0f} ms = "
            f"{-(-TARGETS // concurrency) * ANSWER_DELAY:.3f} s (work floor {floor:.3f} s)"
        )
        print(
            f"delivery fan-out (concurrency {concurrency}) / one send ratio: "
            f"{best['last_sent'] / baseline:.2f}x  (goal <= 3x)"
        )
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[8, 32],
        help="worker thread counts to measure (default: 8, the make run default, and 32)",
    )
    parser.add_argument(
        "--redis", metavar="URL", help="use this Redis as the broker (it is flushed first)"
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an empty database for both processes (default: SQLite in the temp data dir)",
    )
    args = parser.parse_args()

    if args.database:
        os.environ["IDKARR_DATABASE_URL"] = args.database
    else:
        os.environ.pop("IDKARR_DATABASE_URL", None)  # SQLite in the temp data dir
    if args.redis:
        from redis import Redis

        Redis.from_url(args.redis).flushdb()
        os.environ["IDKARR_REDIS_URL"] = args.redis
    else:
        os.environ.pop("IDKARR_REDIS_URL", None)
    data_dir = django_in_tempdir()
    os.chdir(data_dir)  # kombu's file transport may drop a control/ dir in the cwd

    from django.conf import settings
    from django.db import connection

    from integrations.manager import manager
    from notifications.events import DELIVERY_CONCURRENCY
    from notifications.samples import sample_payload

    sink = SinkProcess()
    try:
        base = f"http://127.0.0.1:{sink.port}"
        for i in range(TARGETS):
            manager.register(
                "notification",
                name=f"hook-{i:02d}",
                kind="webhook",
                settings={"url": f"{base}/hook/{i:02d}"},
                test=False,
            )
        sends = [direct_send(f"{base}/hook/baseline") for _ in range(5)]
        baseline = statistics.median(sends)
        broker = settings.CELERY_BROKER_URL.split("@")[-1]  # no credentials in the output
        if broker.startswith("filesystem"):
            poll = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("polling_interval")
            broker = f"filesystem (polling_interval {poll} s)"
        print(
            f"delivery fan-out: 1 event -> {TARGETS} webhook targets answering in "
            f"{ANSWER_DELAY * 1000:.0f} ms, database {connection.vendor}, broker {broker}, "
            f"sender pool {getattr(settings, 'DELIVERY_CONCURRENCY', DELIVERY_CONCURRENCY)}"
        )
        print(
            f"  one direct webhook send (median of 5): {baseline * 1000:.1f} ms   "
            f"[{', '.join(f'{s * 1000:.0f}' for s in sends)}]"
        )
        payload = sample_payload("grab")
        for n in args.concurrency:
            run_concurrency(data_dir, n, payload, baseline)
    finally:
        sink.close()


if __name__ == "__main__":
    main()
