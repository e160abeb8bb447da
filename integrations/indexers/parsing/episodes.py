"""Season, episode, absolute (anime) and air-date numbering found in a release title.

``parse_episodes`` returns where the numbering starts, so the caller can take the text before
it as the series title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_F = re.IGNORECASE | re.ASCII

# S01E02, S01E01E02, S01E01-E03, S01E01-03, S01E01.S01E02, S01 E02, S2024E01
_SXXEYY = re.compile(
    r"(?<![a-z0-9])S(?P<season>\d{1,4})[-. ]{0,3}EP?[. ]?(?P<first>\d{1,4})(?![0-9])"
    r"(?P<more>(?:[-. +]{0,3}(?:S\d{1,4}[-. ]?)?E\d{1,4}(?![0-9])|-\d{1,4}(?![0-9a-z]))*)",
    _F,
)
# 1x02, 1x01-1x02, 1x01x02, 01x02-03, 1x01-x03 (not 1920x1080, not "5.1x264")
_NXN = re.compile(
    r"(?<![a-z0-9])(?<![0-9][.,])(?P<season>\d{1,2})x(?P<first>\d{1,3})(?![0-9])"
    r"(?P<more>(?:(?:[-. ]?\d{1,2}x|-?x)\d{1,3}(?![0-9])|-\d{1,3}(?![0-9a-z]))*)(?![a-z])",
    _F,
)
_SEASON_WORD = r"(?:Season|Series|Saison|Staffel|Temporada|Stagione)"
# Season 1 Episode 5, Season 2 Ep 3-4
_WORDS_EPISODE = re.compile(
    r"(?<![a-z])" + _SEASON_WORD + r"[-. ]?(?P<season>\d{1,3})[-. ]{0,3}"
    r"(?:Episode|Episodio|Folge|Ep|E)[-. ]?(?P<first>\d{1,4})(?![0-9])"
    r"(?P<more>(?:[-. ]{0,3}(?:-|&|and|to)[-. ]{0,3}(?:Episode|Ep|E)?[-. ]?\d{1,4}(?![0-9a-z]))*)",
    _F,
)
_MORE_NUMBER = re.compile(
    r"(?:E|x|-|&|and|to)[-. ]{0,3}(?:Episode|Ep|E)?[-. ]?(\d{1,4})(?![0-9x])", _F
)

# Anime season + episode: "[Group] Show S2 - 05"
_SEASON_DASH_EPISODE = re.compile(
    r"(?<![a-z0-9])S(?P<season>\d{1,2}) - (?:(?:Episode|EP?)[. ]?)?(?P<first>\d{1,4})(?:v\d)?"
    r"(?:-(?P<last>\d{1,4}))?"
    r"(?![0-9a-z])",
    _F,
)
# Season packs: S02, S01-S03, S01-03, Season 2, Seasons 1-3, Series 4
_SEASON_TOKEN = re.compile(
    r"(?<![a-z0-9])S(?P<s1>\d{1,4})(?:[-. ]?-?[-. ]?S(?P<s2>\d{1,2})|-(?P<s3>\d{1,2}))?"
    r"(?![0-9a-z])",
    _F,
)
_SEASON_WORDS = re.compile(
    r"(?<![a-z])" + _SEASON_WORD + r"s?[-. ]?(?P<s1>\d{1,2})"
    r"(?:[-. ]{0,3}(?:-|to|&|and)[-. ]{0,3}(?:" + _SEASON_WORD + r"[-. ]?)?(?P<s2>\d{1,2}))?"
    r"(?![0-9])",
    _F,
)
_COMPLETE_SERIES = re.compile(r"\bComplete[-. ](?:Series|Collection|Box[-. ]?Set|Seasons)\b", _F)

# Daily: 2024.03.15, 2024-03-15, 15.03.2024 / 03.15.2024
_DATE_YMD = re.compile(
    r"(?<![0-9a-z])(?P<y>(?:19|20)\d{2})[-. ](?P<m>[01]\d)[-. ](?P<d>[0-3]\d)(?![0-9a-z])", _F
)
_DATE_XXY = re.compile(
    r"(?<![0-9a-z])(?P<a>[0-3]\d)[-. ](?P<b>[0-3]\d)[-. ](?P<y>(?:19|20)\d{2})(?![0-9a-z])", _F
)

# yymmdd (Korean broadcasts): "Show.E07.180612.1080p"
_DATE_COMPACT = re.compile(
    r"(?<![0-9a-z])(?P<c>19|20)?(?P<y>\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?![0-9a-z])", _F
)

# Anime absolute numbering: "Show - 1071 (1080p)", "Show - 12v2 [720p]", "Show - 01-02"; the
# number must be followed by a bracket, the end, another " - " or a technical word.
_ABSOLUTE_DASH = re.compile(
    r"(?<=[\s.])-[\s.](?:(?:Episode|Ep|E)[ .]?)?(?P<first>\d{1,4})(?:v\d)?"
    r"(?:-(?P<last>\d{1,4})(?:v\d)?)?"
    r"(?=[\s.]*(?:[\[(]|$|-[\s.])|[\s.]+(?:END|Final|VOSTFR|RAW|\d{3,4}p|\d{3,4}x\d{3,4}|HEVC"
    r"|[xh]26[45]|Multi|Dual|DVD|BD|Blu-?Ray|WEB|HDTV)\b)",
    _F,
)
# "[Group] Show Name 05 [720p]" (only trusted after a fansub [Group] prefix)
_ABSOLUTE_BARE = re.compile(
    r"(?<=[A-Za-z)\]!?:][ .])(?P<first>\d{2,4})(?:v\d)?(?:-(?P<last>\d{2,4})(?:v\d)?)?"
    r"(?=[ .]?[\[(]|$)"
)
# "Show.E05.720p", "Show Ep 12", "Show Episode 5"
_ABSOLUTE_E = re.compile(
    r"(?<![a-z0-9])(?:Episode|Episodio|EP|E)[. ]?(?P<first>\d{1,4})(?:v\d)?"
    r"(?:-(?:E|EP)?(?P<last>\d{1,4}))?(?![0-9a-z])",
    _F,
)
# Absolute number next to an SxxEyy: "S01E05 - 005", "- 005 (S01E05)"
# (after: only trusted after a fansub [Group] prefix: "[K-F] Show S10E14 214")
_ABSOLUTE_AFTER = re.compile(
    r"[\s.]?(?:-\s?)?(?P<first>\d{2,4})(?:v\d)?(?:-(?P<last>\d{2,4}))?(?![0-9a-z]|\.\d|-[a-z])", _F
)
_ABSOLUTE_BEFORE = re.compile(
    r"(?<=[\s.])-[\s.](?P<first>\d{2,4})(?:v\d)?(?:-(?P<last>\d{2,4}))?"
    r"[\s.]{0,3}(?:-[\s.]{0,3})?[\[(]?$",
    _F,
)

_MAX_RANGE = 100


@dataclass(slots=True)
class Episodes:
    start: int = -1  # index in the text where the numbering starts; -1 when there is none
    end: int = -1
    season: int | None = None
    seasons: tuple[int, ...] = ()
    episodes: tuple[int, ...] = ()
    absolute: tuple[int, ...] = ()
    air_date: str | None = None
    full_season: bool = False
    anime_style: bool = False  # numbered the way fansub groups do ("Show - 05", "S01E05 - 005")


def _span(numbers: list[int]) -> tuple[int, ...]:
    """Episodes from first to last, as Sonarr fills "E01-E03" and "E01E03"."""
    low, high = min(numbers), max(numbers)
    if high - low <= _MAX_RANGE:
        return tuple(range(low, high + 1))
    return tuple(sorted(set(numbers)))


def _numbers(m: re.Match) -> list[int]:
    first = int(m.group("first"))
    found = [first]
    more = m.group("more")
    if more:  # a smaller number after a dash is an episode title ("S12E13-3 Acts"), not a range
        found.extend(n for n in map(int, _MORE_NUMBER.findall(more)) if n >= first)
    return found


def _pair(m: re.Match) -> tuple[int, ...]:
    first = int(m.group("first"))
    last = m.group("last")
    if last is None:
        return (first,)
    return _span([first, int(last)])


def _is_year(m: re.Match) -> bool:
    value = m.group("first")
    return len(value) == 4 and 1900 <= int(value) <= 2099


def _first(*matches: re.Match | None) -> re.Match | None:
    found = [m for m in matches if m is not None]
    return min(found, key=lambda m: m.start()) if found else None


def _valid_date(year: int, month: int, day: int) -> str | None:
    if not 1950 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _air_date(text: str) -> tuple[re.Match, str] | None:
    for m in _DATE_YMD.finditer(text):
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if month > 12:  # yyyy.dd.mm
            month, day = day, month
        iso = _valid_date(year, month, day)
        if iso:
            return m, iso
    for m in _DATE_XXY.finditer(text):
        a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y"))
        # dd.mm.yyyy when the first number cannot be a month, else mm.dd.yyyy (US order)
        month, day = (b, a) if a > 12 else (a, b)
        iso = _valid_date(year, month, day)
        if iso:
            return m, iso
    return None


def _absolute(text: str, fansub: bool) -> tuple[re.Match, bool] | None:
    """The absolute number and whether its shape is a fansub one ("Show - 05")."""
    for m in _ABSOLUTE_DASH.finditer(text):
        if not _is_year(m):
            return m, True
    for m in _ABSOLUTE_E.finditer(text):
        if not _is_year(m):
            return m, False
    if fansub:
        for m in _ABSOLUTE_BARE.finditer(text):
            if not _is_year(m):
                return m, True
    return None


def parse_episodes(text: str, fansub: bool = False) -> Episodes:
    """Numbering in ``text`` (a cleaned title without its release group)."""
    m = _first(_SXXEYY.search(text), _NXN.search(text), _WORDS_EPISODE.search(text))
    if m is not None:
        season = int(m.group("season"))
        out = Episodes(m.start(), m.end(), season, (season,), _span(_numbers(m)))
        after = _ABSOLUTE_AFTER.match(text, m.end()) if fansub else None
        before = _ABSOLUTE_BEFORE.search(text, 0, m.start())
        if after is not None:
            out.absolute, out.end, out.anime_style = _pair(after), after.end(), True
        elif before is not None:
            out.absolute, out.start, out.anime_style = _pair(before), before.start(), True
        return out

    m = _SEASON_DASH_EPISODE.search(text)
    if m is not None:
        season = int(m.group("season"))
        return Episodes(m.start(), m.end(), season, (season,), _pair(m), anime_style=True)

    token, words = _SEASON_TOKEN.search(text), _SEASON_WORDS.search(text)
    if token is not None and words is not None and words.group().lower().startswith("series"):
        m = token  # "Mobile Series 00 S1": "Series 00" is part of the title
    else:
        m = _first(token, words)
    if m is not None:
        first = int(m.group("s1"))
        last = m.groupdict().get("s2") or m.groupdict().get("s3")
        seasons = _span([first, int(last)]) if last else (first,)
        return Episodes(m.start(), m.end(), first, seasons, full_season=True)

    m = _COMPLETE_SERIES.search(text)
    if m is not None:
        return Episodes(m.start(), m.end(), full_season=True)

    daily = _air_date(text)
    if daily is not None:
        m, iso = daily
        return Episodes(m.start(), m.end(), air_date=iso)

    found = _absolute(text, fansub)
    if found is not None:
        m, anime = found
        return Episodes(m.start(), m.end(), absolute=_pair(m), anime_style=anime)

    for m in _DATE_COMPACT.finditer(text):  # yymmdd or yyyymmdd
        century = int(m.group("c") or 20) * 100
        iso = _valid_date(century + int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if iso:
            return Episodes(m.start(), m.end(), air_date=iso)
    return Episodes()
