"""`make bench`: every benchmark, each printing its ratio against a baseline measured in the same run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "health_round.py",
    "qbittorrent_poll.py",
    "queue_round.py",
    "memory_idle.py",
    "delivery_fanout.py",
    "search_fanout.py",
    "feed_parse.py",
    "release_parse.py",
]


def main() -> int:
    failed = 0
    for name in BENCHES:
        print(f"== {name}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / name)], cwd=HERE).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
