"""Benchmark: parse and normalise a 100-item Torznab feed vs a raw lxml parse.

``parse_feed`` (hardened parser, DOCTYPE/HTML checks, ``<error>`` lookup, one pass
over each item's children, every attr into a ``SearchResult``) against a bare
``lxml.etree.fromstring`` of the same bytes. The release-title parser is not
called. Prints both per-feed times and the ratio (goal: at most 2x), plus the floor
any lxml-based normaliser pays: the parse plus one touch of every item child.

    .venv/bin/python bench/feed_parse.py [--rounds 100] [--repeats 15] [--items 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idkarr.settings")

import django  # noqa: E402

django.setup()

from lxml import etree  # noqa: E402

from integrations.indexers.base import Protocol  # noqa: E402
from integrations.indexers.newznab_xml import NS_NEWZNAB, NS_TORZNAB, parse_feed  # noqa: E402
from tests.indexers.feeds import torznab_feed  # noqa: E402


def interleaved(fns, rounds: int, repeats: int) -> list[float]:
    """Best mean seconds per call of each function, alternating batches of ``rounds``
    calls so that noise from other processes hits both sides alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(rounds):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / rounds)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--items", type=int, default=100)
    args = parser.parse_args()

    data = torznab_feed(args.items)
    feed = parse_feed(
        data, protocol=Protocol.TORRENT, indexer_id=1, indexer_name="bench", service="bench"
    )
    assert len(feed.results) == args.items, "the feed must parse completely"

    def raw():
        etree.fromstring(data)

    def full():
        parse_feed(
            data, protocol=Protocol.TORRENT, indexer_id=1, indexer_name="bench", service="bench"
        )

    attr_tags = {f"{{{NS_TORZNAB}}}attr", f"{{{NS_NEWZNAB}}}attr"}

    def walk():  # the floor: parse, then touch every item child once, convert nothing
        root = etree.fromstring(data)
        seen = []
        for item in root.find("channel").iterchildren("item"):
            for child in item:
                if child.tag in attr_tags:
                    seen.append((child.get("name"), child.get("value")))
                else:
                    seen.append(child.text)
        return seen

    interleaved([raw, walk, full], 20, 1)  # warm up
    raw_s, walk_s, full_s = interleaved([raw, walk, full], args.rounds, args.repeats)
    ratio = full_s / raw_s
    print(
        f"feed: {args.items} Torznab items, {len(data) / 1024:.0f} KiB, "
        f"best of {args.repeats} x {args.rounds} rounds"
    )
    print(f"raw lxml.etree.fromstring : {raw_s * 1000:8.3f} ms/feed")
    print(
        f"parse + bare child walk  : {walk_s * 1000:8.3f} ms/feed "
        f"({walk_s / raw_s:.2f}x, the floor of any lxml item walk)"
    )
    print(f"parse_feed (normalised)  : {full_s * 1000:8.3f} ms/feed")
    print(f"ratio                    : {ratio:8.2f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
