"""Release-title parsing throughput: ``parse_release`` against guessit on the same titles
(the test table, tests/fixtures/releases/titles.tsv), and agreement on resolution and source.

Prints titles/s for both and the ratio (goal >= 50x guessit), then, among titles where
guessit's resolution and source match the table's expectation, the share where ours match too
(goal >= 98%). Without guessit installed it prints "skipped" and exits 0.
"""

from __future__ import annotations

import csv
import sys
import time

from common import ROOT

TABLE = ROOT / "tests" / "fixtures" / "releases" / "titles.tsv"
OUR_ROUNDS = 30  # our parser is timed on the table repeated this many times (cache bypassed)


def load_table() -> list[dict]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def guessit_resolution(guess: dict) -> int | None:
    size = str(guess.get("screen_size") or "")
    digits = size[:-1] if size[-1:] in ("p", "i") else ""
    if not digits.isdigit():
        return None
    value = int(digits)
    if value >= 2160:
        return 2160
    if value >= 1080:
        return 1080
    if value >= 720:
        return 720
    return 576 if value == 576 else 480


def guessit_source(guess: dict) -> str | None:
    source = guess.get("source")
    if isinstance(source, list):
        source = source[-1]
    other = guess.get("other") or []
    other = other if isinstance(other, list) else [other]
    if source in ("HDTV", "Ultra HDTV"):
        return "hdtv"
    if source == "Web":
        return "webrip" if "Rip" in other else "webdl"
    if source in ("Blu-ray", "Ultra HD Blu-ray", "HD-DVD"):
        return "bluray"
    if source == "DVD":
        return "dvd"
    if source in ("TV", "Digital TV", "Satellite", "Digital Satellite"):
        return "television"
    return None


def throughput(parse, titles: list[str], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for title in titles:
            parse(title)
    return rounds * len(titles) / (time.perf_counter() - started)


def main() -> int:
    try:
        from guessit import guessit
    except ImportError:
        print("release parse vs guessit: guessit is not installed - skipped")
        return 0
    from integrations.indexers.parsing import parse_release_uncached

    rows = load_table()
    titles = [row["title"] for row in rows]
    for title in titles[:20]:  # warm both up (guessit builds its rules on first use)
        guessit(title)
        parse_release_uncached(title)

    ours = throughput(parse_release_uncached, titles, OUR_ROUNDS)
    theirs = throughput(guessit, titles, 1)

    judged = agreed = both = same = 0
    misses = []
    for row in rows:
        expected = (row["source"], None if row["resolution"] == "null" else int(row["resolution"]))
        guess = guessit(row["title"])
        theirs_pair = (guessit_source(guess), guessit_resolution(guess))
        parsed = parse_release_uncached(row["title"])
        if None not in theirs_pair:
            both += 1
            same += (parsed.source, parsed.resolution) == theirs_pair
        if (guessit_source(guess), guessit_resolution(guess)) != expected or None in expected:
            continue
        judged += 1
        if (parsed.source, parsed.resolution) == expected:
            agreed += 1
        else:
            misses.append((row["title"], expected, (parsed.source, parsed.resolution)))

    print(f"release parse: {len(titles)} table titles (ours x{OUR_ROUNDS}, uncached; guessit x1)")
    print(f"  parse_release: {ours:,.0f} titles/s")
    print(f"  guessit:       {theirs:,.0f} titles/s")
    print(f"parse_release / guessit throughput: {ours / theirs:.0f}x  (goal >= 50x)")
    share = agreed / judged if judged else 0.0
    print(
        f"agreement on resolution+source where guessit matches the table: "
        f"{agreed}/{judged} = {share:.1%}  (goal >= 98%)"
    )
    print(f"  (raw: same resolution+source as guessit on {same}/{both} titles guessit fully reads)")
    for title, expected, got in misses[:10]:
        print(f"  differs: {title!r}: table {expected}, ours {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
