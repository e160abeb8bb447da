"""Benchmark: cost of polling an unchanged qBittorrent queue of 2,000 torrents.

Compares the provider's incremental poll (``sync/maindata`` with the last rid)
with a full ``torrents/info`` fetch and parse (what Sonarr does every poll),
against a real qbittorrent-nox on loopback. Prints both timings and the ratio;
no assertions (``make bench``).

The wall-clock ratio is bounded by qBittorrent itself: 4.5.2 serializes and
diffs every torrent server-side on each ``sync/maindata`` call, which costs
about as much as answering ``torrents/info``. What the incremental poll saves
is the transfer and idkarr's own parsing and mapping, reported as CPU time of
this process.

    .venv/bin/python bench/qbittorrent_poll.py [--torrents 2000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integrations.downloadclients.providers.qbittorrent import (  # noqa: E402
    QBittorrent,
    QBittorrentSettings,
)
from tests.daemons.qbittorrent import start_qbittorrent  # noqa: E402

BATCH = 200


def add_magnets(qb: QBittorrent, count: int) -> None:
    api = qb._api()
    for start in range(0, count, BATCH):
        magnets = [
            f"magnet:?xt=urn:btih:{os.urandom(20).hex()}&dn=bench{n}"
            for n in range(start, min(count, start + BATCH))
        ]
        result = api.add({"urls": "\n".join(magnets), "paused": "true", "category": "bench"})
        if not result.accepted:
            raise SystemExit("qBittorrent refused a batch of magnets")


def wait_listed(qb: QBittorrent, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(qb._api().info()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"qBittorrent did not list {count} torrents within {timeout:g} s")
        time.sleep(0.2)


def timed(fn, repeat: int) -> tuple[float, float, int]:
    """Median wall time, median CPU time of this process (idkarr's share), item count."""
    walls, cpus, size = [], [], 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        size = len(fn())
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torrents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--refresh-interval", type=int, default=1500, help="qBittorrent refresh ms")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="idkarr-bench-qbt-") as tmp:
        daemon = start_qbittorrent(tmp, refresh_interval_ms=args.refresh_interval)
        try:
            settings = QBittorrentSettings(
                host=daemon.host,
                port=daemon.port,
                username=daemon.username,
                password=daemon.password,
            )
            with QBittorrent(settings) as qb:
                started = time.perf_counter()
                add_magnets(qb, args.torrents)
                wait_listed(qb, args.torrents)
                print(
                    f"added {args.torrents} paused magnets in {time.perf_counter() - started:.1f} s"
                )

                first = time.perf_counter()
                items = qb.get_downloads()  # rid=0: the full snapshot, once
                print(
                    f"initial full sync: {len(items)} items in "
                    f"{(time.perf_counter() - first) * 1000:.1f} ms"
                )
                qb.get_downloads()  # settle: the first incremental answer may carry stragglers

                inc_wall, inc_cpu, n_inc = timed(qb.get_downloads, args.repeat)
                unchanged = qb.last_sync_keys == {"rid"}
                full_wall, full_cpu, n_full = timed(qb.get_downloads_full, args.repeat)

                print(
                    f"incremental poll (sync/maindata, rid): wall {inc_wall * 1000:8.2f} ms, "
                    f"idkarr CPU {inc_cpu * 1000:7.2f} ms (median of {args.repeat}, {n_inc} items, "
                    f"answer was only a rid: {unchanged})"
                )
                print(
                    f"full poll (torrents/info + parse):     wall {full_wall * 1000:8.2f} ms, "
                    f"idkarr CPU {full_cpu * 1000:7.2f} ms (median of {args.repeat}, {n_full} items)"
                )
                print(f"qbittorrent incremental/full poll ratio: {inc_wall / full_wall:.3f}")
                print(
                    "qbittorrent incremental/full idkarr CPU ratio: "
                    f"{inc_cpu / full_cpu if full_cpu else 0:.3f}"
                )
        finally:
            daemon.stop()


if __name__ == "__main__":
    main()
