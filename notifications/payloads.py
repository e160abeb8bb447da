"""The event vocabulary every notification target speaks.

An event's ``payload`` is a camelCase dict shaped like Sonarr's webhook objects
(Sonarr v4.0.19.2979 ``Notifications/Webhook/*.cs``; Radarr names for movies):
``series``, ``episodes[]``, ``episodeFile``, ``movie``, ``movieFile``,
``release``, ``downloadClient``…, or ``level/message/type/wikiUrl`` for health
events. Nulls are never sent. This module builds those objects from library
rows, checks the keys an event needs, renders the generic webhook body and the
one-line human summary chat services and the console show.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from .base import EVENT_TYPES, EventMessage

# Our event type -> the PascalCase ``eventType`` a webhook receiver sees (Sonarr's
# WebhookEventType; Radarr's names for the movie events).
WEBHOOK_EVENT_TYPES: dict[str, str] = {
    "grab": "Grab",
    "download": "Download",
    "upgrade": "Download",
    "rename": "Rename",
    "series_add": "SeriesAdd",
    "series_delete": "SeriesDelete",
    "episode_file_delete": "EpisodeFileDelete",
    "movie_add": "MovieAdded",
    "movie_delete": "MovieDelete",
    "movie_file_delete": "MovieFileDelete",
    "health_issue": "Health",
    "health_restored": "HealthRestored",
    "app_update": "ApplicationUpdate",
    "manual_test": "Test",
}

# Per event type: alternative groups of keys; a payload must carry every key of at
# least one group (``()`` accepts anything).
REQUIRED_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "grab": (("release",),),
    "download": (("series", "episodeFile"), ("movie", "movieFile")),
    "upgrade": (("series", "episodeFile"), ("movie", "movieFile")),
    "rename": (("series",), ("movie",)),
    "series_add": (("series",),),
    "series_delete": (("series",),),
    "episode_file_delete": (("series", "episodeFile"),),
    "movie_add": (("movie",),),
    "movie_delete": (("movie",),),
    "movie_file_delete": (("movie", "movieFile"),),
    "health_issue": (("message",),),
    "health_restored": (("message",),),
    "app_update": (("newVersion",),),
    "manual_test": ((),),
}

# Set from the message itself, never from a payload.
RESERVED_KEYS = frozenset({"eventType", "instanceName", "applicationUrl", "isUpgrade"})

HEALTH_EVENTS = frozenset({"health_issue", "health_restored"})

_OBJECT_KEYS = frozenset("series movie release episodeFile movieFile customFormatInfo".split())
_LIST_KEYS = frozenset("episodes episodeFiles renamedEpisodeFiles renamedMovieFiles".split())
_STRING_KEYS = frozenset(
    "message level type wikiUrl newVersion previousVersion downloadClient downloadClientType "
    "downloadId deleteReason".split()
)


# -- helpers -------------------------------------------------------------------
def omit_nulls(value: Any) -> Any:
    """A copy of ``value`` without ``None`` dict values, at every depth (Sonarr's
    ``NullValueHandling.Ignore``; ``None`` items of lists are kept, as there)."""
    if isinstance(value, dict):
        return {k: omit_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [omit_nulls(v) for v in value]
    return value


def iso_datetime(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a ``Z`` (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _blank(value: str | None) -> str | None:
    return value if value else None


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _tag_labels(item) -> list[str]:
    if item.pk is None:
        return []
    return sorted(tag.label for tag in item.tags.all())


def _images(item) -> list[dict[str, str]] | None:
    if not item.poster_url:
        return None
    return [{"coverType": "poster", "url": item.poster_url, "remoteUrl": item.poster_url}]


def _language(code: str) -> dict[str, str] | None:
    # We store only the ISO 639-2 code; Sonarr sends {id, name}.
    return {"code": code} if code else None


def _media_info(info: dict | None) -> dict | None:
    if not info:
        return None
    return {_camel(str(k)): v for k, v in info.items()}


# -- builders from library rows ------------------------------------------------
def series_info(series) -> dict[str, Any]:
    """``series`` object (Sonarr WebhookSeries) for a ``library.Series`` row."""
    return omit_nulls(
        {
            "id": series.pk,
            "title": series.title,
            "titleSlug": _blank(series.title_slug),
            "path": _blank(series.path),
            "tvdbId": series.tvdb_id,
            "tvMazeId": series.tvmaze_id,
            "tmdbId": series.tmdb_id,
            "imdbId": _blank(series.imdb_id),
            "type": series.series_type,
            "year": series.year,
            "genres": list(series.genres or []),
            "images": _images(series),
            "tags": _tag_labels(series),
            "originalLanguage": _language(series.original_language),
        }
    )


def episode_info(episode) -> dict[str, Any]:
    """One ``episodes[]`` item (Sonarr WebhookEpisode) for a ``library.Episode`` row."""
    return omit_nulls(
        {
            "id": episode.pk,
            "episodeNumber": episode.episode_number,
            "seasonNumber": episode.season_number,
            "title": _blank(episode.title),
            "overview": _blank(episode.overview),
            "airDate": _iso_date(episode.air_date),
            "airDateUtc": iso_datetime(episode.air_date_utc),
            "seriesId": episode.series_id,
            "tvdbId": episode.tvdb_id,
        }
    )


def _file_info(f) -> dict[str, Any]:
    return {
        "id": f.pk,
        "relativePath": f.relative_path,
        "path": f.path,
        "quality": _blank(f.quality),
        "qualityVersion": f.quality_version,
        "releaseGroup": _blank(f.release_group),
        "sceneName": _blank(f.scene_name),
        "size": f.size,
        "dateAdded": iso_datetime(f.date_added),
        "mediaInfo": _media_info(f.media_info),
    }


def episode_file_info(episode_file) -> dict[str, Any]:
    """``episodeFile`` object (Sonarr WebhookEpisodeFile) for a ``library.EpisodeFile``."""
    return omit_nulls(_file_info(episode_file))


def movie_info(movie) -> dict[str, Any]:
    """``movie`` object for a ``library.Movie`` row: Radarr's WebhookMovie keys
    (``folderPath``) plus ``path`` and ``titleSlug`` like a series."""
    path = _blank(movie.path)
    return omit_nulls(
        {
            "id": movie.pk,
            "title": movie.title,
            "titleSlug": _blank(movie.title_slug),
            "year": movie.year,
            "releaseDate": _iso_date(movie.release_date),
            "path": path,
            "folderPath": path,
            "tmdbId": movie.tmdb_id,
            "imdbId": _blank(movie.imdb_id),
            "overview": _blank(movie.overview),
            "genres": list(movie.genres or []),
            "images": _images(movie),
            "tags": _tag_labels(movie),
            "originalLanguage": _language(movie.original_language),
        }
    )


def movie_file_info(movie_file) -> dict[str, Any]:
    """``movieFile`` object (Radarr WebhookMovieFile) for a ``library.MovieFile``."""
    info = _file_info(movie_file)
    info["edition"] = _blank(movie_file.edition)
    return omit_nulls(info)


# -- validation ----------------------------------------------------------------
def _check_event_type(event_type: str) -> None:
    if event_type not in WEBHOOK_EVENT_TYPES:
        raise ValueError(
            f"unknown event type {event_type!r}; expected one of: {', '.join(EVENT_TYPES)}"
        )


def _quote(keys: tuple[str, ...]) -> str:
    return " and ".join(f"'{k}'" for k in keys)


def _need_message(event_type: str, groups: tuple[tuple[str, ...], ...]) -> str:
    sep = " or " if all(len(g) == 1 for g in groups) else ", or "
    return f"{event_type} events need {sep.join(_quote(g) for g in groups)}"


def _present(payload: dict, key: str) -> bool:
    value = payload.get(key)
    return value is not None and value != ""


def validate_payload(event_type: str, payload: Any) -> dict[str, Any]:
    """Check a payload for ``event_type`` and return it without nulls.

    Raises ValueError naming what is wrong: an unknown event type, a payload that
    is not a JSON object, a missing required key (``REQUIRED_KEYS``), a known key
    of the wrong type, a reserved key (``eventType``…) or a value JSON can't hold.
    """
    _check_event_type(event_type)
    if not isinstance(payload, dict):
        raise ValueError("payload must be a JSON object")
    reserved = sorted(RESERVED_KEYS & payload.keys())
    if reserved:
        raise ValueError(f"'{reserved[0]}' is set by idkarr and cannot be part of the payload")
    for key, value in payload.items():
        if value is None:
            continue
        if key in _OBJECT_KEYS and not isinstance(value, dict):
            raise ValueError(f"'{key}' must be an object")
        if key in _LIST_KEYS and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            raise ValueError(f"'{key}' must be a list of objects")
        if key in _STRING_KEYS and not isinstance(value, str):
            raise ValueError(f"'{key}' must be a string")
    groups = REQUIRED_KEYS[event_type]
    if not any(all(_present(payload, k) for k in group) for group in groups):
        raise ValueError(_need_message(event_type, groups))
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"payload is not valid JSON: {exc}") from None
    return omit_nulls(payload)


# -- renderings ------------------------------------------------------------------
def webhook_body(message: EventMessage) -> dict[str, Any]:
    """The JSON body of the generic webhook (Sonarr's shape): ``eventType``
    (PascalCase), ``instanceName``, ``applicationUrl`` (not on health events),
    the payload, and ``isUpgrade`` on imports. Nulls omitted at every depth."""
    event_type = message.event_type
    _check_event_type(event_type)
    body: dict[str, Any] = {
        "eventType": WEBHOOK_EVENT_TYPES[event_type],
        "instanceName": message.instance_name,
    }
    if event_type not in HEALTH_EVENTS:
        body["applicationUrl"] = message.application_url
    for key, value in (message.payload or {}).items():
        if key not in RESERVED_KEYS:
            body[key] = value
    if event_type in ("download", "upgrade"):
        body["isUpgrade"] = event_type == "upgrade"
    return omit_nulls(body)


def format_size(size: Any) -> str:
    """Bytes as a short base-1024 size: ``1.4 GB``."""
    try:
        value = float(size)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""  # pragma: no cover


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _titled(item: dict) -> str:
    title = str(item.get("title") or "")
    year = item.get("year")
    return f"{title} ({year})" if title and year else title


def _episode_code(episodes: Any, series: dict) -> str:
    eps = [
        e
        for e in (episodes if isinstance(episodes, list) else [])
        if isinstance(e, dict)
        and isinstance(e.get("seasonNumber"), int)
        and isinstance(e.get("episodeNumber"), int)
    ]
    if not eps:
        return ""
    if series.get("type") == "daily" and all(e.get("airDate") for e in eps):
        return ", ".join(dict.fromkeys(str(e["airDate"]) for e in eps))
    seasons: dict[int, list[int]] = {}
    for e in sorted(eps, key=lambda e: (e["seasonNumber"], e["episodeNumber"])):
        numbers = seasons.setdefault(e["seasonNumber"], [])
        if e["episodeNumber"] not in numbers:
            numbers.append(e["episodeNumber"])
    parts = []
    for season, numbers in seasons.items():
        if len(numbers) == 1:
            parts.append(f"S{season:02d}E{numbers[0]:02d}")
        elif numbers == list(range(numbers[0], numbers[-1] + 1)):
            parts.append(f"S{season:02d}E{numbers[0]:02d}-E{numbers[-1]:02d}")
        else:
            parts.append(f"S{season:02d}" + "".join(f"E{n:02d}" for n in numbers))
    return ", ".join(parts)


def _subject(payload: dict) -> str:
    """``The Series S01E02`` or ``The Movie (2024)``: what the event is about."""
    series = _dict(payload.get("series"))
    if series:
        code = _episode_code(payload.get("episodes"), series)
        title = str(series.get("title") or "")
        return f"{title} {code}".strip()
    movie = _dict(payload.get("movie"))
    if movie:
        return _titled(movie)
    return str(_dict(payload.get("release")).get("releaseTitle") or "unknown")


def _quality(item: dict, series: dict) -> str:
    quality = str(item.get("quality") or "")
    version = item.get("qualityVersion")
    if quality and isinstance(version, int) and version > 1:
        quality += f" v{version}" if series.get("type") == "anime" else " Proper"
    return f" [{quality}]" if quality else ""


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(*lines: str | None) -> str:
    return "\n".join(line for line in lines if line)


def _pairs(**pairs: Any) -> str:
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in pairs.items() if v not in (None, ""))


def _episode_titles(payload: dict) -> str:
    episodes = payload.get("episodes")
    titles = [str(e.get("title")) for e in episodes or [] if isinstance(e, dict) and e.get("title")]
    return " + ".join(titles)


def _summary_texts(m: EventMessage, p: dict) -> tuple[str, str]:
    event, subject, series = m.event_type, _subject(p), _dict(p.get("series"))
    release = _dict(p.get("release"))
    media = series or _dict(p.get("movie"))
    file = _dict(p.get("episodeFile")) or _dict(p.get("movieFile"))
    app = m.instance_name or "idkarr"
    if event == "grab":
        return f"Grabbed: {subject}{_quality(release, series)}", _lines(
            _episode_titles(p),
            str(release.get("releaseTitle") or ""),
            _pairs(
                Indexer=release.get("indexer"),
                Size=format_size(release["size"]) if "size" in release else "",
                Client=p.get("downloadClient"),
            ),
        )
    if event in ("download", "upgrade"):
        verb = "Upgraded" if event == "upgrade" else "Imported"
        replaced = p.get("deletedFiles")
        return f"{verb}: {subject}{_quality(file or release, series)}", _lines(
            _episode_titles(p),
            str(file.get("sceneName") or file.get("relativePath") or ""),
            _pairs(
                Size=format_size(file["size"]) if "size" in file else "",
                Client=p.get("downloadClient"),
            ),
            f"Replaced {len(replaced)} file(s)" if isinstance(replaced, list) and replaced else "",
        )
    if event == "rename":
        files = p.get("renamedEpisodeFiles") or p.get("renamedMovieFiles")
        count = len(files) if isinstance(files, list) else 0
        text = f"{count} file{'s' if count != 1 else ''} renamed" if count else "Files renamed"
        return f"Renamed: {_titled(media)}", text
    kind = "Series" if event.startswith(("series", "episode")) else "Movie"
    if event in ("series_add", "movie_add"):
        return f"{kind} added: {_titled(media)}", _pairs(Path=media.get("path"))
    if event in ("series_delete", "movie_delete"):
        files = "Files were deleted" if p.get("deletedFiles") is True else "Files were kept"
        return f"{kind} deleted: {_titled(media)}", files
    if event in ("episode_file_delete", "movie_file_delete"):
        kind = "Episode" if kind == "Series" else kind
        return f"{kind} file deleted: {subject}", _lines(
            str(file.get("relativePath") or file.get("path") or ""),
            _pairs(Reason=p.get("deleteReason")),
        )
    if event in ("health_issue", "health_restored"):
        message = _one_line(str(p.get("message") or "unknown issue"))
        if event == "health_restored":
            return f"Health restored: {message}", f"The following issue is now resolved: {message}"
        details = _pairs(Level=p.get("level"), Check=p.get("type"))
        return f"Health issue: {message}", _lines(message, details, p.get("wikiUrl"))
    if event == "app_update":
        new, old, note = p.get("newVersion") or "?", p.get("previousVersion"), p.get("message")
        default = f"{app} updated from {old} to {new}" if old else f"{app} updated to {new}"
        return f"{app} updated to {new}", _lines(default, note if note != default else None)
    where = f" ({m.application_url})" if m.application_url else ""
    return (
        f"Test notification from {app}",
        f"This is a test message from {app}{where}. If you can read it, this target works.",
    )


def summary(message: EventMessage) -> tuple[str, str]:
    """``(title, text)``: a one-line human title such as ``Grabbed: The Series
    S01E02 [WEBDL-1080p]`` and a short plain text. Never raises on a sparse payload."""
    _check_event_type(message.event_type)
    title, text = _summary_texts(message, _dict(message.payload))
    return _one_line(title), text
