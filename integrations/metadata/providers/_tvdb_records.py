"""TheTVDB v4 records (swagger 4.7.10) mapped to the metadata family's results.

Pure functions, no I/O. A field of the wrong type reads as missing; callers check
the few that must be there (an id). ``langs`` are TVDB language codes, preferred
first (``languages("pt-BR") == ["pt", "por"]``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..base import EpisodeMetadata, ImageInfo, MediaImages, SeriesMetadata

ARTWORK_BASE = "https://artworks.thetvdb.com"
BANNER, POSTER, BACKGROUND, CLEARLOGO = 1, 2, 3, 23  # series ids from /artwork/types
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# ISO 639-1 -> TVDB's codes (ISO 639-2/T); REGIONAL: TVDB's own codes for some regions.
LANGUAGES = dict(
    pair.split(":")
    for pair in "en:eng de:deu fr:fra es:spa it:ita pt:por nl:nld sv:swe da:dan no:nor nb:nor "
    "fi:fin is:isl pl:pol cs:ces sk:slk hu:hun ro:ron bg:bul el:ell tr:tur ru:rus uk:ukr "
    "he:heb ar:ara fa:fas hi:hin ja:jpn ko:kor zh:zho th:tha vi:vie id:ind ms:msa hr:hrv "
    "sr:srp sl:slv et:est lv:lav lt:lit ca:cat".split()
)
REGIONAL = {"pt-BR": "pt", "zh-TW": "zhtw"}
REMOTE_IDS = {"IMDB": "imdb_id", "TheMovieDB.com": "tmdb_id", "TV Maze": "tvmaze_id"}


def at(value, *keys) -> Any:
    """``value[k1][k2]…`` when each level is a dict, else None."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def items(value) -> list:
    return value if isinstance(value, list) else []


def dicts(value) -> list[dict]:
    return [item for item in items(value) if isinstance(item, dict)]


def text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def integer(value) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def day(value) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def image(value) -> str:
    url = text(value)
    return ARTWORK_BASE + url if url.startswith("/") else url


def languages(setting: str) -> list[str]:
    return [c for c in (REGIONAL.get(setting), LANGUAGES.get(setting[:2])) if c]


def lang2(code) -> str:
    """A TVDB language code as ISO 639-1 when known (``eng`` -> ``en``), else as is."""
    return next((k for k, v in LANGUAGES.items() if v == text(code)), text(code))


def pick(texts, langs: list[str]) -> str:
    """The first non-empty text of ``{language: text}`` in a preferred language."""
    return next((text(at(texts, c)) for c in langs if text(at(texts, c))), "")


def status(value) -> str:
    value = text(value).lower()
    return value if value in ("continuing", "ended", "upcoming") else ""


def with_remote_ids(series: SeriesMetadata, entries) -> SeriesMetadata:
    for entry in dicts(entries):
        field, value = REMOTE_IDS.get(text(entry.get("sourceName"))), text(entry.get("id"))
        if field == "imdb_id" and re.fullmatch(r"tt\d+", value):
            series.imdb_id = value
        elif field in ("tmdb_id", "tvmaze_id") and integer(value):
            setattr(series, field, integer(value))
    return series


def search_result(item: dict, langs: list[str]) -> SeriesMetadata | None:
    """A ``SearchResult`` (snake_case; ``id`` is "series-81189"); None without an id."""
    tvdb_id = integer(item.get("tvdb_id")) or integer(text(item.get("id")).rpartition("-")[2])
    if tvdb_id is None or item.get("type", "series") != "series":
        return None
    series = SeriesMetadata(
        id=str(tvdb_id),
        title=pick(item.get("translations"), langs) or text(item.get("name")),
        original_title=text(item.get("name")),
        year=integer(item.get("year")),
        overview=pick(item.get("overviews"), langs) or text(item.get("overview")),
        first_aired=day(item.get("first_air_time")),
        status=status(item.get("status")),
        network=text(item.get("network")),
        genres=[text(g) for g in items(item.get("genres")) if text(g)],
        original_language=lang2(item.get("primary_language")),
        tvdb_id=tvdb_id,
        images=MediaImages(poster=image(item.get("image_url"))),
    )
    return with_remote_ids(series, item.get("remote_ids"))


def series_record(data: dict, langs: list[str]) -> SeriesMetadata | None:
    """A ``SeriesExtendedRecord`` (with ``meta=translations``); None without an id."""
    tvdb_id = integer(data.get("id"))
    if tvdb_id is None:
        return None

    def translated(key: str) -> str:
        entries = dicts(at(data, "translations", f"{key}Translations"))
        return pick({text(e.get("language")): e.get(key) for e in entries}, langs)

    order = integer(data.get("defaultSeasonType")) or 1
    seasons = {
        integer(s.get("number"))
        for s in dicts(data.get("seasons"))
        if integer(at(s, "type", "id")) == order
    }
    network = at(data, "originalNetwork", "name") or at(data, "latestNetwork", "name")
    series = SeriesMetadata(
        id=str(tvdb_id),
        title=translated("name") or text(data.get("name")),
        original_title=text(data.get("name")),
        year=integer(data.get("year")),
        overview=translated("overview") or text(data.get("overview")),
        first_aired=day(data.get("firstAired")),
        status=status(at(data, "status", "name")),
        runtime=integer(data.get("averageRuntime")),
        network=text(network),
        air_time=text(data.get("airsTime")),
        air_days=[d for d in WEEKDAYS if at(data, "airsDays", d) is True],
        genres=[text(g.get("name")) for g in dicts(data.get("genres")) if text(g.get("name"))],
        original_language=lang2(data.get("originalLanguage")),
        tvdb_id=tvdb_id,
        images=images(data, langs),
        season_count=len(seasons - {None, 0}),  # of the default order, without specials
    )
    return with_remote_ids(series, data.get("remoteIds"))


def episode(series_id: str, item: dict) -> EpisodeMetadata | None:
    """An ``EpisodeBaseRecord``; None without a season, a number or an id."""
    season, number, ep_id = (integer(item.get(k)) for k in ("seasonNumber", "number", "id"))
    if season is None or number is None or ep_id is None:
        return None
    return EpisodeMetadata(
        id=str(ep_id),
        series_id=series_id,
        season_number=season,
        episode_number=number,
        title=text(item.get("name")),
        absolute_number=integer(item.get("absoluteNumber")) or None,
        overview=text(item.get("overview")),
        air_date=day(item.get("aired")),
        runtime=integer(item.get("runtime")),
        image=image(item.get("image")),
        tvdb_id=ep_id,
    )


def images(data: dict, langs: list[str]) -> MediaImages:
    """A record's ``artworks`` by type, best first: in a preferred language, in none,
    in English, in others; then by score. The record's ``image`` stands in for a poster."""

    def rank(art: dict):
        lang, score = text(art.get("language")), art.get("score")
        first = 3 if lang in langs else 2 if not lang else int(lang == "eng")
        return first, score if isinstance(score, int | float) else 0

    def resolution(art: dict) -> str:
        width, height = integer(art.get("width")), integer(art.get("height"))
        return f"{width}x{height}" if width and height else ""

    arts = [a for a in dicts(data.get("artworks")) if image(a.get("image"))]
    by_type: dict[int, list[ImageInfo]] = {}
    for art in sorted(arts, key=rank, reverse=True):
        info = ImageInfo(image(art["image"]), resolution(art), lang2(art.get("language")))
        by_type.setdefault(integer(art.get("type")) or 0, []).append(info)
    posters, fanarts = by_type.get(POSTER, []), by_type.get(BACKGROUND, [])
    banners, logos = by_type.get(BANNER, []), by_type.get(CLEARLOGO, [])
    return MediaImages(
        poster=posters[0].url if posters else image(data.get("image")),
        fanart=fanarts[0].url if fanarts else "",
        banner=banners[0].url if banners else "",
        clearlogo=logos[0].url if logos else "",
        posters=posters,
        fanarts=fanarts,
        banners=banners,
    )
