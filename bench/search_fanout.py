"""Search fan-out (issue 5): 20 local Torznab indexers, each answering after 200 ms
with 100 items (no release shared between indexers: the worst case for parsing), searched at once through ``integrations.indexers.search.search``
(fan-out, parsing of every feed, merge, de-duplication, release parsing, sorting).

Baseline, measured in the same run: the same search against the slowest indexer
alone (each indexer alone, best of ``--repeat``, the slowest of those). Prints the
ratio of the full fan-out (best of ``--repeat``) to that baseline. Goal ≤ 1.2×.

    .venv/bin/python bench/search_fanout.py [--indexers 20] [--items 100] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import sys
import time

from common import ROOT, django_in_tempdir, timed

sys.path.insert(0, str(ROOT))


def serve(count: int, items: int, delay: float, conn) -> None:
    """Child process: the indexers live here, so their work does not share our GIL."""
    sys.path.insert(0, str(ROOT))
    from tests.indexerserver import IndexerServer

    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(IndexerServer(items=items, delay=delay, first_id=1 + n * items))
            for n in range(count)
        ]
        conn.send([(srv.url, srv.api_key) for srv in servers])
        conn.recv()  # until the parent is done


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indexers", type=int, default=20)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    django_in_tempdir()
    from integrations.indexers import search
    from integrations.indexers.base import QueryType, SearchQuery
    from integrations.indexers.models import Indexer

    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(
        target=serve, args=(args.indexers, args.items, args.delay, child), daemon=True
    )
    proc.start()
    try:
        servers = parent.recv()
        configs = []
        for n, (url, api_key) in enumerate(servers):
            config = Indexer(name=f"bench-{n:02d}", kind="torznab")
            config.apply_settings(
                config.settings_model().model_validate(
                    {"base_url": url, "api_key": api_key, "timeout_seconds": 10}
                )
            )
            config.save()
            configs.append(config)
        query = SearchQuery(type=QueryType.SEARCH, search_term="show")

        first = search.search(query)  # caps fetched and stored, sessions open
        bad = [o for o in first.indexers if not o.ok]
        if bad:
            print(f"indexer failures: {bad[:3]}", file=sys.stderr)
            return 1
        measured = {}
        for parse in (False, True):
            alone = {
                c.name: timed(
                    lambda c=c, parse=parse: search.search(query, [c.pk], parse=parse),
                    args.repeat,
                )
                for c in configs
            }
            slowest_name, slowest = max(alone.items(), key=lambda kv: kv[1])
            holder = {}

            def fan_out(parse=parse, holder=holder):
                holder["response"] = search.search(query, parse=parse)

            full = timed(fan_out, args.repeat)
            cpu = float("inf")
            for _ in range(args.repeat):
                started = time.process_time()
                fan_out()
                cpu = min(cpu, time.process_time() - started)
            measured[parse] = (slowest_name, slowest, full, holder["response"], cpu)
    finally:
        parent.send("stop")
        proc.join(10)

    for parse, label in (
        (False, "fan-out, feeds parsed, merged, sorted"),
        (True, "the same plus release-title parsing of every result"),
    ):
        slowest_name, slowest, full, response, cpu = measured[parse]
        print(f"-- {label}")
        print(
            f"{args.indexers} indexers × {args.items} items, {args.delay * 1000:.0f} ms each: "
            f"{len(response.results)} merged results"
        )
        print(f"slowest indexer alone ({slowest_name}): {slowest * 1000:.1f} ms")
        print(f"fan-out over all {args.indexers}:        {full * 1000:.1f} ms")
        goal = " (goal ≤ 1.2×)" if not parse else ""
        print(f"ratio fan-out / slowest alone: {full / slowest:.2f}×{goal}")
        print(
            f"  idkarr CPU for the fan-out: {cpu * 1000:.1f} ms "
            f"({cpu / args.indexers * 1000:.2f} ms per indexer answer: request, parse, "
            "merge); one interpreter runs it in series, so what comes after the answers "
            "arrive together adds to the wall time whatever the number of cores"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
