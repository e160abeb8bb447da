"""Realistic sample payloads per event type: the Test button's message and the
examples later notification services' tests reuse."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from .base import EventMessage
from .payloads import _check_event_type

# -- samples -------------------------------------------------------------------
_SAMPLE_SERIES = {
    "id": 1,
    "title": "Test Title",
    "titleSlug": "test-title",
    "path": "/tv/Test Title",
    "tvdbId": 1234,
    "type": "standard",
    "year": 2024,
    "genres": ["Drama"],
    "tags": ["test-tag"],
}
_SAMPLE_EPISODES = [
    {"id": 123, "episodeNumber": 1, "seasonNumber": 1, "title": "Test title", "seriesId": 1}
]
_SAMPLE_EPISODE_FILE = {
    "id": 7,
    "relativePath": "Season 01/Test Title - S01E01 - Test title WEBDL-1080p.mkv",
    "path": "/tv/Test Title/Season 01/Test Title - S01E01 - Test title WEBDL-1080p.mkv",
    "quality": "WEBDL-1080p",
    "qualityVersion": 1,
    "releaseGroup": "GROUP",
    "sceneName": "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP",
    "size": 1503238553,
    "dateAdded": "2024-01-01T00:00:00Z",
}
_SAMPLE_MOVIE = {
    "id": 2,
    "title": "Test Movie",
    "titleSlug": "test-movie-2024",
    "year": 2024,
    "path": "/movies/Test Movie (2024)",
    "folderPath": "/movies/Test Movie (2024)",
    "tmdbId": 5678,
    "imdbId": "tt0000001",
    "genres": ["Drama"],
    "tags": ["test-tag"],
}
_SAMPLE_MOVIE_FILE = {
    "id": 9,
    "relativePath": "Test Movie (2024) Bluray-1080p.mkv",
    "path": "/movies/Test Movie (2024)/Test Movie (2024) Bluray-1080p.mkv",
    "quality": "Bluray-1080p",
    "qualityVersion": 1,
    "releaseGroup": "GROUP",
    "size": 8589934592,
    "dateAdded": "2024-01-01T00:00:00Z",
}
_SAMPLE_HEALTH = {
    "level": "warning",
    "message": "Download client qBittorrent is unavailable",
    "type": "DownloadClientCheck",
    "wikiUrl": "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable",
}
_SAMPLE_DOWNLOAD = {
    "downloadClient": "qBittorrent",
    "downloadClientType": "qbittorrent",
    "downloadId": "0123456789ABCDEF0123456789ABCDEF01234567",
}


def sample_payload(event_type: str) -> dict[str, Any]:
    """A realistic payload for ``event_type`` (test sends, previews, fixtures)."""
    series = {"series": _SAMPLE_SERIES, "episodes": _SAMPLE_EPISODES}
    movie = {"movie": _SAMPLE_MOVIE}
    samples: dict[str, dict[str, Any]] = {
        "grab": {
            **series,
            "release": {
                "quality": "WEBDL-1080p",
                "qualityVersion": 1,
                "releaseGroup": "GROUP",
                "releaseTitle": "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP",
                "indexer": "Test Indexer",
                "size": 1503238553,
            },
            **_SAMPLE_DOWNLOAD,
        },
        "download": {**series, "episodeFile": _SAMPLE_EPISODE_FILE, **_SAMPLE_DOWNLOAD},
        "upgrade": {
            **series,
            "episodeFile": _SAMPLE_EPISODE_FILE,
            **_SAMPLE_DOWNLOAD,
            "deletedFiles": [{**_SAMPLE_EPISODE_FILE, "id": 6, "quality": "HDTV-720p"}],
        },
        "rename": {
            "series": _SAMPLE_SERIES,
            "renamedEpisodeFiles": [
                {
                    **_SAMPLE_EPISODE_FILE,
                    "previousRelativePath": "Season 01/test.title.s01e01.mkv",
                    "previousPath": "/tv/Test Title/Season 01/test.title.s01e01.mkv",
                }
            ],
        },
        "series_add": {"series": _SAMPLE_SERIES},
        "series_delete": {"series": _SAMPLE_SERIES, "deletedFiles": True},
        "episode_file_delete": {
            **series,
            "episodeFile": _SAMPLE_EPISODE_FILE,
            "deleteReason": "manual",
        },
        "movie_add": movie,
        "movie_delete": {**movie, "deletedFiles": False},
        "movie_file_delete": {**movie, "movieFile": _SAMPLE_MOVIE_FILE, "deleteReason": "upgrade"},
        "health_issue": _SAMPLE_HEALTH,
        "health_restored": _SAMPLE_HEALTH,
        "app_update": {
            "message": "idkarr updated from 0.1.0 to 0.2.0",
            "previousVersion": "0.1.0",
            "newVersion": "0.2.0",
        },
        "manual_test": series,
    }
    _check_event_type(event_type)
    return copy.deepcopy(samples[event_type])


def _instance() -> tuple[str, str]:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return getattr(settings, "INSTANCE_NAME", "") or "idkarr", getattr(
            settings, "APPLICATION_URL", ""
        )
    except ImproperlyConfigured:
        return "idkarr", ""


def sample_message(event_type: str) -> EventMessage:
    """An EventMessage of ``event_type`` carrying :func:`sample_payload`."""
    name, url = _instance()
    return EventMessage(
        event_type=event_type,
        payload=sample_payload(event_type),
        created_at=datetime.now(UTC),
        instance_name=name,
        application_url=url,
    )


def test_message() -> EventMessage:
    """The ``manual_test`` message a target's Test button sends: Sonarr's Test
    payload (a sample series and episode), from this instance."""
    return sample_message("manual_test")


test_message.__test__ = False  # a builder, not a pytest test
