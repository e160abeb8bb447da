"""Queue poll across the six real daemons, each holding N items (default 500).

qBittorrent, Transmission, Deluge (deluged + deluge-web), rTorrent (SCGI) and aria2
get N paused magnets each, NZBGet N small NZBs added paused (its news server is a
closed loopback port, so it neither downloads nor spins). Each is configured as an
idkarr DownloadClient in a temp SQLite database. Measured, warm (after one initial
poll that creates the Download rows), best of ``--repeat``:

* each client's single poll alone (``queue.poll_client``: network + parsing);
* one full dispatcher round (``queue.dispatch_due()`` with every client due:
  concurrent polls + recording ~6×N rows), plus its parts for reference.

Prints the ratio of the dispatcher round to the slowest single poll (goal ≤ 1.3×);
no assertions (``make bench``). Every daemon is stopped at the end, whatever happens.

    .venv/bin/python bench/queue_round.py [--items 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_in_tempdir  # noqa: E402
from tests.daemons.aria2 import start_aria2  # noqa: E402
from tests.daemons.deluge import start_deluge  # noqa: E402
from tests.daemons.nntp import NzbFile, Segment, make_nzb  # noqa: E402
from tests.daemons.nzbget import start_nzbget  # noqa: E402
from tests.daemons.process import free_port  # noqa: E402
from tests.daemons.qbittorrent import start_qbittorrent  # noqa: E402
from tests.daemons.rtorrent import start_rtorrent  # noqa: E402
from tests.daemons.transmission import start_transmission  # noqa: E402

BATCH = 100
TRACKER = "http%3A%2F%2F127.0.0.1%3A1%2Fannounce"  # rTorrent drops magnets without a tracker


def magnets(prefix: str, count: int) -> list[str]:
    return [
        f"magnet:?xt=urn:btih:{os.urandom(20).hex()}&dn=bench.{prefix}.{n:04d}&tr={TRACKER}"
        for n in range(count)
    ]


def chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


# -- filling each daemon (batched where the API allows) ------------------------------------
def fill_qbittorrent(d, count: int) -> None:
    with session() as s:
        s.post(f"{d.url}/api/v2/auth/login", data={"username": d.username, "password": d.password})
        for batch in chunks(magnets("qb", count)):
            data = {"urls": "\n".join(batch), "paused": "true", "category": "bench"}
            s.post(f"{d.url}/api/v2/torrents/add", data=data, timeout=30).raise_for_status()


def fill_transmission(d, count: int) -> None:  # torrent-add takes one torrent per call
    with session() as s:
        s.auth = (d.username, d.password)
        sid = s.post(d.rpc_url, json={}, timeout=5).headers["X-Transmission-Session-Id"]
        s.headers["X-Transmission-Session-Id"] = sid
        for magnet in magnets("tr", count):
            body = {"method": "torrent-add", "arguments": {"filename": magnet, "paused": True}}
            r = s.post(d.rpc_url, json=body, timeout=10)
            r.raise_for_status()
            assert r.json()["result"] == "success", r.text


def fill_deluge(d, count: int) -> None:
    with session() as s:
        assert d.rpc(s, "auth.login", d.password)["result"] is True
        for batch in chunks(magnets("dg", count)):
            torrents = [{"path": m, "options": {"add_paused": True}} for m in batch]
            answer = d.rpc(s, "web.add_torrents", torrents, timeout=60)
            assert not answer.get("error"), answer


def fill_rtorrent(provider, count: int) -> None:
    api = provider._api()
    for batch in chunks(magnets("rt", count)):
        calls = [
            {"methodName": "load.normal", "params": ["", m, "d.custom1.set=bench"]} for m in batch
        ]
        api.call("system.multicall", calls)


def fill_aria2(d, count: int) -> None:
    token = f"token:{d.secret}"
    with session() as s:
        for batch in chunks(magnets("a2", count)):
            calls = [
                {"methodName": "aria2.addUri", "params": [token, [m], {"pause": "true"}]}
                for m in batch
            ]
            body = {"jsonrpc": "2.0", "id": "b", "method": "system.multicall", "params": [calls]}
            answer = s.post(d.url, json=body, timeout=30).json()
            assert "error" not in answer and all(isinstance(r, list) for r in answer["result"])


def fill_nzbget(d, count: int) -> None:
    """append takes one NZB per call (~0.1 s each: NZBGet saves its queue), so 8 at a time."""

    def append(n: int) -> None:
        nzb = make_nzb([NzbFile(f"bench{n}.bin", [Segment(f"b{n}@bench.invalid", 1000)])])
        content = base64.b64encode(nzb).decode()
        d.rpc("append", f"Bench.{n:04d}.nzb", content, "", 0, False, True, "", 0, "ALL", [])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append, range(count)))


# -- the benchmark ---------------------------------------------------------------------------
def start_all(base: Path, items: int, started: list) -> dict[str, tuple[dict, float]]:
    """Start and fill every daemon; returns kind → (idkarr settings, seconds to fill)."""
    from integrations.downloadclients.providers.rtorrent import RTorrent, RTorrentSettings

    clients = {}

    def timed_fill(kind, fill, *args):
        started_at = time.perf_counter()
        fill(*args)
        return time.perf_counter() - started_at

    qb = start_qbittorrent(base / "qb", refresh_interval_ms=1500)
    started.append(qb)
    settings = {"host": qb.host, "port": qb.port, "username": qb.username, "password": qb.password}
    clients["qbittorrent"] = (settings, timed_fill("qbittorrent", fill_qbittorrent, qb, items))

    tr = start_transmission(base / "tr")
    started.append(tr)
    settings = {"host": tr.host, "port": tr.port, "username": tr.username, "password": tr.password}
    clients["transmission"] = (settings, timed_fill("transmission", fill_transmission, tr, items))

    dg = start_deluge(base / "dg")
    started.append(dg)
    settings = {"host": dg.host, "port": dg.port, "password": dg.password}
    clients["deluge"] = (settings, timed_fill("deluge", fill_deluge, dg, items))

    rt = start_rtorrent(base / "rt")
    started.append(rt)
    settings = {"host": rt.host, "port": rt.port}
    with RTorrent(RTorrentSettings(**settings)) as provider:
        clients["rtorrent"] = (settings, timed_fill("rtorrent", fill_rtorrent, provider, items))

    a2 = start_aria2(base / "a2", extra_args=["--max-concurrent-downloads=1000"])
    started.append(a2)
    settings = {"host": a2.host, "port": a2.port, "secret": a2.secret}
    clients["aria2"] = (settings, timed_fill("aria2", fill_aria2, a2, items))

    nz = start_nzbget(base / "nz", nntp_port=free_port(), keep_history=0)
    started.append(nz)
    settings = {"host": nz.host, "port": nz.port, "username": nz.username, "password": nz.password}
    clients["nzbget"] = (settings, timed_fill("nzbget", fill_nzbget, nz, items))
    return clients


def cpu_of(fn) -> float:
    """CPU seconds this process (idkarr; the daemons are other processes) spent in fn."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure(clients: dict, items: int, repeat: int) -> None:
    from integrations.downloadclients import queue
    from integrations.downloadclients.models import ClientPollState, Download, DownloadClient
    from integrations.manager import manager

    configs = []
    for kind, (settings, _) in clients.items():
        config, _ = manager.register(
            "download_client", name=f"bench-{kind}", kind=kind, settings=settings, test=False
        )
        configs.append(config)

    def all_due():
        ClientPollState.objects.update(next_poll_at=None)

    all_due()
    queue.dispatch_due()  # cold: logins, first full syncs, Download rows created
    errors = dict(
        ClientPollState.objects.exclude(last_error="").values_list("client", "last_error")
    )
    counts = dict(ClientPollState.objects.values_list("client__kind", "item_count"))
    print(f"rows after the first round: {Download.objects.count()}  items per client: {counts}")
    for message in errors.values():
        print(f"  poll error: {message}")

    singles = {}
    for config in configs:
        queue.poll_client(config)  # warm
        wall, result = best(lambda c=config: queue.poll_client(c), repeat)
        singles[config.kind] = wall
        state = "ok" if result.ok else f"ERROR {result.error}"
        print(
            f"  single poll {config.kind:<13} {wall * 1000:8.1f} ms  "
            f"({len(result.items)} items, {state})"
        )
    slowest = max(singles, key=singles.get)

    def concurrent_polls():
        with ThreadPoolExecutor(max_workers=len(configs)) as pool:
            return list(pool.map(queue.poll_client, configs))

    polls_only, _ = best(concurrent_polls, repeat)

    def one_round():
        all_due()
        return queue.dispatch_due()

    one_round()  # warm round
    wall, polled = best(one_round, repeat)
    cpu = min(cpu_of(one_round) for _ in range(repeat))
    enabled = DownloadClient.objects.filter(enabled=True).count()
    print(f"slowest single poll: {slowest} {singles[slowest] * 1000:.1f} ms")
    print(f"concurrent polls only (no recording): {polls_only * 1000:.1f} ms")
    print(
        f"queue round (dispatch_due, {polled}/{enabled} clients, ~{len(configs) * items} items): "
        f"{wall * 1000:.1f} ms (best of {repeat})"
    )
    print(f"queue round / slowest single poll ratio: {wall / singles[slowest]:.2f}x (goal <= 1.3x)")
    serial = sum(singles.values())
    print(
        f"  for reference: the six single polls one after another {serial * 1000:.1f} ms "
        f"(round / serial {wall / serial:.2f}x); idkarr's own CPU in a round {cpu * 1000:.1f} ms "
        f"({cpu / (len(configs) * items) * 1e6:.1f} us per item), which one interpreter "
        "spends in series whatever the number of cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500, help="items per daemon")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    django_in_tempdir()
    started: list = []
    with tempfile.TemporaryDirectory(prefix="idkarr-bench-queue-") as tmp:
        try:
            begun = time.perf_counter()
            clients = start_all(Path(tmp), args.items, started)
            fills = ", ".join(f"{kind} {secs:.1f} s" for kind, (_, secs) in clients.items())
            print(
                f"started 6 daemons, {args.items} items each, in {time.perf_counter() - begun:.1f} s"
            )
            print(f"  filling: {fills}")
            measure(clients, args.items, args.repeat)
        finally:
            from integrations import health

            health.providers.clear()
            for daemon in reversed(started):
                daemon.stop()


if __name__ == "__main__":
    main()
