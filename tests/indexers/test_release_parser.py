"""Release title parsing: a table of real-world-shaped titles plus focused edge cases."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from integrations.indexers.parsing import ParsedRelease, parse_release, parse_release_uncached

TABLE = Path(__file__).resolve().parents[1] / "fixtures" / "releases" / "titles.tsv"

INT_FIELDS = {"resolution", "revision", "real", "bit_depth", "year", "season"}
LIST_FIELDS = {"seasons", "episodes", "absolute_episodes"}
BOOL_FIELDS = {"proper", "repack", "hdr", "full_season", "is_daily", "is_anime", "internal"}
RENAMED = {"series_title": "title"}  # the table's "title" column is the release title


def _decode(field: str, cell: str):
    if cell == "null":
        return None
    if field in BOOL_FIELDS:
        return {"true": True, "false": False}[cell]
    if field in INT_FIELDS:
        return int(cell)
    if field in LIST_FIELDS:
        return [] if cell == "[]" else [int(n) for n in cell.split()]
    if field == "languages":
        return [] if cell == "[]" else cell.split()
    return cell


def load_table() -> list[tuple[str, dict]]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = []
        for record in reader:
            title = record.pop("title")
            expected = {
                RENAMED.get(field, field): _decode(field, cell)
                for field, cell in record.items()
                if cell != ""
            }
            rows.append((title, expected))
    return rows


ROWS = load_table()
QUALITY_NAMES = [
    "Unknown", "SDTV", "DVD", "WEBDL-480p", "WEBRip-480p", "Bluray-480p", "Bluray-576p",
    "HDTV-720p", "HDTV-1080p", "HDTV-2160p", "WEBDL-720p", "WEBRip-720p", "Bluray-720p",
    "WEBDL-1080p", "WEBRip-1080p", "Bluray-1080p", "Bluray-1080p Remux", "WEBDL-2160p",
    "WEBRip-2160p", "Bluray-2160p", "Bluray-2160p Remux", "Raw-HD",
]  # fmt: skip


# --------------------------------------------------------------------------- the table


def test_table_has_at_least_300_titles():
    assert len(ROWS) >= 300


def test_table_covers_every_quality_name():
    covered = {expected["name"] for _, expected in ROWS}
    assert set(QUALITY_NAMES) <= covered


@pytest.mark.parametrize(
    "kind, check",
    [
        ("proper", lambda e: e.get("proper") is True),
        ("repack", lambda e: e.get("repack") is True),
        ("multi-episode", lambda e: len(e.get("episodes") or []) > 1),
        ("season pack", lambda e: e.get("full_season") is True),
        ("daily", lambda e: bool(e.get("air_date"))),
        ("anime absolute", lambda e: bool(e.get("absolute_episodes"))),
    ],
)
def test_table_covers_release_shape(kind, check):
    assert sum(1 for _, expected in ROWS if check(expected)) >= 5, kind


def test_every_row_checks_quality_and_numbering_or_movie_fields():
    numbering = {"title", "year", "season", "episodes", "absolute_episodes", "air_date"}
    for title, expected in ROWS:
        assert "name" in expected, title
        assert numbering & set(expected) or "full_season" in expected, title


@pytest.mark.parametrize("title, expected", ROWS, ids=[f"{i:03d}" for i in range(len(ROWS))])
def test_parses_table_row(title, expected):
    got = parse_release_uncached(title).to_dict()
    wrong = {field: (value, got[field]) for field, value in expected.items() if got[field] != value}
    assert not wrong, f"{title!r}: field: (expected, got) {wrong}"


# --------------------------------------------------------------------------- result shape


def test_to_dict_is_json_ready_with_lists():
    data = parse_release("Show.Name.S01E01E02.720p.HDTV.x264-GROUP").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["episodes"] == [1, 2]
    assert data["seasons"] == [1]


def test_to_dict_has_the_documented_keys():
    keys = set(parse_release("x").to_dict())
    assert {
        "name", "source", "resolution", "modifier", "proper", "repack", "revision", "codec",
        "title", "year", "season", "episodes", "absolute_episodes", "air_date", "full_season",
        "release_group", "is_daily", "is_anime",
    } <= keys  # fmt: skip


def test_parse_is_cached_and_immutable():
    first = parse_release("Show.Name.S02E03.1080p.WEB.H264-GRP")
    assert parse_release("Show.Name.S02E03.1080p.WEB.H264-GRP") is first
    with pytest.raises(AttributeError):
        first.season = 9  # type: ignore[misc]


def test_weight_ranks_qualities_like_sonarr():
    names = ["SDTV", "HDTV-720p", "WEBDL-1080p", "Bluray-1080p Remux", "Bluray-2160p Remux"]
    weights = [ParsedRelease(name=n).weight for n in names]
    assert weights == sorted(weights)
    assert len(set(weights)) == len(weights)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_empty_title_gives_unknown(title):
    parsed = parse_release(title)
    assert parsed.name == "Unknown"
    assert parsed.title is None
    assert parsed.episodes == ()


@pytest.mark.parametrize("value", [None, 42, b"Show.S01E01.720p.HDTV.x264-GRP", ["a"]])
def test_non_string_input_does_not_raise(value):
    parsed = parse_release(value)
    assert isinstance(parsed, ParsedRelease)


def test_bytes_title_is_decoded():
    assert parse_release(b"Show.S01E01.720p.HDTV.x264-GRP").name == "HDTV-720p"


@pytest.mark.parametrize(
    "title",
    [
        "!!!???...---___",
        "[[[[[]]]]]((((()))))",
        "-" * 50,
        "S" * 40,
        "\x00\x01\x02 garbage \x7f",
        "1x" * 30,
        "S01E" * 20,
        "2024.13.45.99.00",
        "[] - [] - [] -",
    ],
)
def test_garbage_never_raises_and_finds_nothing_silly(title):
    parsed = parse_release(title)
    assert parsed.name == "Unknown"
    assert all(0 <= n < 10000 for n in parsed.episodes + parsed.absolute_episodes)


def test_invalid_calendar_date_is_not_a_daily_episode():
    parsed = parse_release("The.Daily.Show.2024.02.30.720p.WEB.h264-EDITH")
    assert parsed.air_date is None
    assert parsed.is_daily is False


def test_unicode_title_is_kept():
    parsed = parse_release("Касл.S02E05.1080p.WEB-DL.H.264-GRP")
    assert parsed.title == "Касл"
    assert (parsed.season, parsed.episodes, parsed.name) == (2, (5,), "WEBDL-1080p")


def test_cjk_fansub_title():
    parsed = parse_release("[Lilith-Raws] 葬送的芙莉蓮 - 05 [Baha][WEB-DL][1080p][AVC AAC][CHT]")
    assert parsed.absolute_episodes == (5,)
    assert parsed.title == "葬送的芙莉蓮"
    assert parsed.release_group == "Lilith-Raws"
    assert parsed.name == "WEBDL-1080p"


def test_unicode_digits_are_not_episode_numbers():
    parsed = parse_release("Show.S٠١E٠٢.720p.HDTV.x264-GRP")  # Arabic-Indic digits
    assert parsed.season is None
    assert parsed.name == "HDTV-720p"


def test_very_long_title_parses_correctly():
    title = "Show.Name." + "x." * 5000 + "S01E02.720p.HDTV.x264-GROUP"
    assert len(title) > 10000
    parsed = parse_release_uncached(title)
    assert (parsed.season, parsed.episodes) == (1, (2,))
    assert parsed.name == "HDTV-720p"
    assert parsed.release_group == "GROUP"


@pytest.mark.parametrize(
    "chunk",
    [".", " ", "-", "[", "]", "(", "1", "a", "S01", "S01E01-", "2019.", " - 1", "1x01-", "a.",
     "E01-", "[a]", "-a", "1v", "BD", "WEB-"],
)  # fmt: skip
def test_repeated_chunk_of_10k_chars_finishes_and_stays_sane(chunk):
    title = chunk * (10000 // len(chunk))
    parsed = parse_release_uncached(title)  # a catastrophic regex would hang here
    assert isinstance(parsed, ParsedRelease)
    assert len(parsed.episodes) <= 101


def test_parser_bug_gives_empty_parse_not_exception(monkeypatch):
    import integrations.indexers.parsing as parsing

    def boom(_title):
        raise RuntimeError("bug")

    monkeypatch.setattr(parsing, "_parse", boom)
    parsed = parsing.parse_release_uncached("Show.S01E01.720p.HDTV.x264-GRP")
    assert parsed == ParsedRelease()


# --------------------------------------------------------------------------- focused rules


def test_repack_number_counts_from_the_original():
    assert parse_release("Show.S01E01.REPACK2.720p.HDTV.x264-GRP").revision == 3


def test_anime_version_sets_revision():
    parsed = parse_release("[Group] Show - 05v3 [1080p]")
    assert (parsed.revision, parsed.proper, parsed.repack) == (3, False, False)


def test_real_is_case_sensitive():
    assert parse_release("Show.S01E01.REAL.PROPER.720p.HDTV.x264-GRP").real == 1
    assert parse_release("The.Real.World.S01E01.720p.HDTV.x264-GRP").real == 0


def test_proper_inside_the_title_is_not_a_flag():
    parsed = parse_release("Proper.Manors.S01E01.720p.HDTV.x264-GRP")
    assert parsed.proper is False
    assert parsed.title == "Proper Manors"


def test_codec_names_are_normalised():
    assert parse_release("Show.S01E01.1080p.WEB-DL.H.264-GRP").codec == "x264"
    assert parse_release("Show.S01E01.1080p.WEB-DL.AVC-GRP").codec == "x264"
    assert parse_release("Show.S01E01.1080p.WEB-DL.HEVC-GRP").codec == "x265"
    assert parse_release("Show.S01E01.1080p.WEB-DL.h265-GRP").codec == "x265"
    assert parse_release("Show.S01E01.1080p.WEB-DL.AV1-GRP").codec == "av1"


def test_resolution_is_not_read_as_episode():
    parsed = parse_release("Movie.Title.1920x1080.BluRay.x264-GRP")
    assert parsed.season is None
    assert parsed.name == "Bluray-1080p"


def test_audio_channels_are_not_read_as_episode():
    parsed = parse_release("Movie.Title.2019.1080p.WEB-DL.DD5.1x264-GRP")
    assert parsed.season is None
    assert parsed.year == 2019


def test_year_in_movie_title_is_not_an_absolute_episode():
    parsed = parse_release("Movie - 2019 - 1080p BluRay x264")
    assert parsed.absolute_episodes == ()


def test_fansub_checksum_is_not_a_release_group():
    parsed = parse_release("Show Name - 05 [1080p] [ABCDEF12]")
    assert parsed.release_group is None


def test_languages_are_read_after_the_title_only():
    assert parse_release("The.French.Connection.1971.1080p.BluRay.x264-GRP").languages == ()
    assert parse_release("Show.S01E01.FRENCH.720p.HDTV.x264-GRP").languages == ("french",)
