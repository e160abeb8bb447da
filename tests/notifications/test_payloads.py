"""The event vocabulary: builders from library rows, validation, webhook body, summaries."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from idkarr.library.models import Episode, EpisodeFile, Movie, MovieFile, Series, Tag
from notifications import samples
from notifications.base import EVENT_TYPES, EventMessage
from notifications.payloads import (
    REQUIRED_KEYS,
    episode_file_info,
    episode_info,
    movie_file_info,
    movie_info,
    series_info,
    summary,
    validate_payload,
    webhook_body,
)
from notifications.samples import sample_message, sample_payload


# -- builders ------------------------------------------------------------------
@pytest.fixture
def expanse(db):
    series = Series.objects.create(
        title="The Expanse",
        year=2015,
        tvdb_id=280619,
        tvmaze_id=1825,
        tmdb_id=63639,
        imdb_id="tt3230854",
        path="/tv/The Expanse",
        genres=["Drama", "Science Fiction"],
        poster_url="https://img.example.org/expanse.jpg",
        original_language="eng",
    )
    series.tags.set(Tag.resolve(["Space", "favourites"]))
    return series


def test_series_info_has_sonarr_keys(expanse):
    assert series_info(expanse) == {
        "id": expanse.pk,
        "title": "The Expanse",
        "titleSlug": "the-expanse-2015",
        "path": "/tv/The Expanse",
        "tvdbId": 280619,
        "tvMazeId": 1825,
        "tmdbId": 63639,
        "imdbId": "tt3230854",
        "type": "standard",
        "year": 2015,
        "genres": ["Drama", "Science Fiction"],
        "images": [
            {
                "coverType": "poster",
                "url": "https://img.example.org/expanse.jpg",
                "remoteUrl": "https://img.example.org/expanse.jpg",
            }
        ],
        "tags": ["favourites", "space"],
        "originalLanguage": {"code": "eng"},
    }


@pytest.mark.django_db
def test_series_info_omits_unset_values():
    series = Series.objects.create(title="Bare", series_type="anime")
    assert series_info(series) == {
        "id": series.pk,
        "title": "Bare",
        "titleSlug": "bare",
        "type": "anime",
        "genres": [],
        "tags": [],
    }


def test_episode_info_has_sonarr_keys(expanse):
    episode = Episode.objects.create(
        series=expanse,
        season_number=1,
        episode_number=2,
        title="The Big Empty",
        overview="Holden's crew drifts.",
        air_date=date(2015, 12, 15),
        air_date_utc=datetime(2015, 12, 15, 22, 0, tzinfo=timezone(timedelta(hours=-5))),
        tvdb_id=5411045,
    )
    assert episode_info(episode) == {
        "id": episode.pk,
        "episodeNumber": 2,
        "seasonNumber": 1,
        "title": "The Big Empty",
        "overview": "Holden's crew drifts.",
        "airDate": "2015-12-15",
        "airDateUtc": "2015-12-16T03:00:00Z",
        "seriesId": expanse.pk,
        "tvdbId": 5411045,
    }


def test_episode_info_omits_unset_values(expanse):
    episode = Episode.objects.create(series=expanse, season_number=0, episode_number=1)
    assert episode_info(episode) == {
        "id": episode.pk,
        "episodeNumber": 1,
        "seasonNumber": 0,
        "seriesId": expanse.pk,
    }


def test_episode_file_info_has_sonarr_keys(expanse):
    ef = EpisodeFile.objects.create(
        series=expanse,
        relative_path="Season 01/The Expanse - S01E02.mkv",
        path="/tv/The Expanse/Season 01/The Expanse - S01E02.mkv",
        size=1503238553,
        quality="WEBDL-1080p",
        quality_version=2,
        release_group="NTb",
        scene_name="The.Expanse.S01E02.1080p.WEB-DL.NTb",
        media_info={"video_codec": "x264", "audioChannels": 5.1},
    )
    info = episode_file_info(ef)
    assert info.pop("dateAdded") == ef.date_added.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert info == {
        "id": ef.pk,
        "relativePath": "Season 01/The Expanse - S01E02.mkv",
        "path": "/tv/The Expanse/Season 01/The Expanse - S01E02.mkv",
        "quality": "WEBDL-1080p",
        "qualityVersion": 2,
        "releaseGroup": "NTb",
        "sceneName": "The.Expanse.S01E02.1080p.WEB-DL.NTb",
        "size": 1503238553,
        "mediaInfo": {"videoCodec": "x264", "audioChannels": 5.1},
    }


def test_episode_file_info_omits_blank_release_group_and_media_info(expanse):
    ef = EpisodeFile.objects.create(series=expanse, relative_path="a.mkv", path="/tv/a.mkv")
    assert not {"releaseGroup", "sceneName", "mediaInfo", "quality"} & episode_file_info(ef).keys()


@pytest.fixture
def inception(db):
    movie = Movie.objects.create(
        title="Inception",
        year=2010,
        tmdb_id=27205,
        imdb_id="tt1375666",
        path="/movies/Inception (2010)",
        overview="A thief who steals secrets.",
        genres=["Action"],
        release_date=date(2010, 7, 16),
    )
    movie.tags.set(Tag.resolve(["4k"]))
    return movie


def test_movie_info_has_radarr_keys(inception):
    assert movie_info(inception) == {
        "id": inception.pk,
        "title": "Inception",
        "titleSlug": "inception-2010",
        "year": 2010,
        "releaseDate": "2010-07-16",
        "path": "/movies/Inception (2010)",
        "folderPath": "/movies/Inception (2010)",
        "tmdbId": 27205,
        "imdbId": "tt1375666",
        "overview": "A thief who steals secrets.",
        "genres": ["Action"],
        "tags": ["4k"],
    }


def test_movie_file_info_has_radarr_keys(inception):
    mf = MovieFile.objects.create(
        movie=inception,
        relative_path="Inception (2010).mkv",
        path="/movies/Inception (2010)/Inception (2010).mkv",
        size=8589934592,
        quality="Bluray-1080p",
        edition="Director's Cut",
    )
    info = movie_file_info(mf)
    assert info.pop("dateAdded").endswith("Z")
    assert info == {
        "id": mf.pk,
        "relativePath": "Inception (2010).mkv",
        "path": "/movies/Inception (2010)/Inception (2010).mkv",
        "quality": "Bluray-1080p",
        "qualityVersion": 1,
        "size": 8589934592,
        "edition": "Director's Cut",
    }


def test_built_payload_passes_validation(expanse):
    ef = EpisodeFile.objects.create(series=expanse, relative_path="a.mkv", path="/tv/a.mkv")
    episode = Episode.objects.create(
        series=expanse, season_number=1, episode_number=1, episode_file=ef
    )
    payload = {
        "series": series_info(expanse),
        "episodes": [episode_info(episode)],
        "episodeFile": episode_file_info(ef),
    }
    assert validate_payload("download", payload) == payload


# -- validate_payload ----------------------------------------------------------
def test_required_keys_cover_every_event_type():
    assert set(REQUIRED_KEYS) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_sample_payload_is_valid(event_type):
    assert validate_payload(event_type, sample_payload(event_type)) == sample_payload(event_type)


def test_grab_needs_release():
    with pytest.raises(ValueError, match="^grab events need 'release'$"):
        validate_payload("grab", {"series": {"id": 1}})


def test_download_needs_series_and_episode_file_or_movie_and_movie_file():
    with pytest.raises(ValueError) as caught:
        validate_payload("download", {"series": {"id": 1}})
    assert str(caught.value) == (
        "download events need 'series' and 'episodeFile', or 'movie' and 'movieFile'"
    )


def test_download_of_a_movie_is_valid():
    payload = {"movie": {"id": 1}, "movieFile": {"id": 2}}
    assert validate_payload("download", payload) == payload


def test_upgrade_with_a_movie_file_but_no_movie_is_rejected():
    with pytest.raises(ValueError, match="upgrade events need"):
        validate_payload("upgrade", {"movieFile": {"id": 2}})


def test_rename_needs_series_or_movie():
    with pytest.raises(ValueError, match="^rename events need 'series' or 'movie'$"):
        validate_payload("rename", {})


@pytest.mark.parametrize("event_type", ["series_add", "series_delete"])
def test_series_events_need_series(event_type):
    with pytest.raises(ValueError, match=f"^{event_type} events need 'series'$"):
        validate_payload(event_type, {"movie": {"id": 1}})


@pytest.mark.parametrize("event_type", ["movie_add", "movie_delete"])
def test_movie_events_need_movie(event_type):
    with pytest.raises(ValueError, match=f"^{event_type} events need 'movie'$"):
        validate_payload(event_type, {"series": {"id": 1}})


def test_movie_file_delete_needs_movie_and_movie_file():
    with pytest.raises(ValueError, match="^movie_file_delete events need 'movie' and 'movieFile'$"):
        validate_payload("movie_file_delete", {"movie": {"id": 1}})


@pytest.mark.parametrize("event_type", ["health_issue", "health_restored"])
@pytest.mark.parametrize("payload", [{}, {"message": ""}, {"message": None}])
def test_health_events_need_a_message(event_type, payload):
    with pytest.raises(ValueError, match=f"^{event_type} events need 'message'$"):
        validate_payload(event_type, payload)


def test_app_update_needs_new_version():
    with pytest.raises(ValueError, match="^app_update events need 'newVersion'$"):
        validate_payload("app_update", {"previousVersion": "0.1.0"})


def test_manual_test_needs_nothing():
    assert validate_payload("manual_test", {}) == {}


def test_unknown_event_type_is_rejected():
    with pytest.raises(ValueError, match="unknown event type 'on_grab'"):
        validate_payload("on_grab", {"release": {}})


@pytest.mark.parametrize("payload", [[], "release", None, 3])
def test_payload_must_be_an_object(payload):
    with pytest.raises(ValueError, match="payload must be a JSON object"):
        validate_payload("manual_test", payload)


@pytest.mark.parametrize("key", ["eventType", "instanceName", "applicationUrl", "isUpgrade"])
def test_keys_idkarr_sets_are_rejected(key):
    with pytest.raises(ValueError, match=f"'{key}' is set by idkarr"):
        validate_payload("manual_test", {key: "x"})


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"release": "Show.S01E01"}, "'release' must be an object"),
        ({"release": {}, "episodes": {"id": 1}}, "'episodes' must be a list of objects"),
        ({"release": {}, "episodes": [1, 2]}, "'episodes' must be a list of objects"),
        ({"release": {}, "downloadClient": 7}, "'downloadClient' must be a string"),
    ],
)
def test_known_keys_must_have_their_type(payload, error):
    with pytest.raises(ValueError, match=error):
        validate_payload("grab", payload)


@pytest.mark.parametrize("bad", [math.nan, {1, 2}, b"bytes"])
def test_values_json_cannot_hold_are_rejected(bad):
    with pytest.raises(ValueError, match="payload is not valid JSON"):
        validate_payload("manual_test", {"extra": bad})


def test_validation_drops_nulls():
    assert validate_payload(
        "grab", {"release": {"indexer": None, "size": 1}, "downloadId": None}
    ) == {"release": {"size": 1}}


# -- webhook_body ----------------------------------------------------------------
def test_webhook_body_cannot_be_overridden_by_the_payload():
    body = webhook_body(EventMessage("download", {"eventType": "Grab", "isUpgrade": True}))
    assert (body["eventType"], body["isUpgrade"]) == ("Download", False)


def test_webhook_body_rejects_an_unknown_event_type():
    with pytest.raises(ValueError, match="unknown event type"):
        webhook_body(EventMessage("bogus", {}))


# -- test_message ------------------------------------------------------------------
def test_test_message_is_a_manual_test_with_a_sample_series_and_episode():
    message = samples.test_message()
    assert message.event_type == "manual_test"
    assert message.payload["series"]["title"] == "Test Title"
    assert message.payload["episodes"][0]["episodeNumber"] == 1


def test_test_message_comes_from_this_instance(settings):
    settings.INSTANCE_NAME = "Basement"
    settings.APPLICATION_URL = "http://idkarr.lan:8000"
    body = webhook_body(samples.test_message())
    assert body["eventType"] == "Test"
    assert (body["instanceName"], body["applicationUrl"]) == ("Basement", "http://idkarr.lan:8000")


def test_test_message_payload_is_a_fresh_copy():
    samples.test_message().payload["series"]["title"] = "changed"
    assert samples.test_message().payload["series"]["title"] == "Test Title"


# -- summary ---------------------------------------------------------------------
SUMMARIES = {
    "grab": (
        "Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Indexer: Test Indexer, Size: 1.4 GB, Client: qBittorrent",
    ),
    "download": (
        "Imported: Test Title S01E01 [WEBDL-1080p]",
        "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\nSize: 1.4 GB, Client: qBittorrent",
    ),
    "upgrade": (
        "Upgraded: Test Title S01E01 [WEBDL-1080p]",
        "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Size: 1.4 GB, Client: qBittorrent\nReplaced 1 file(s)",
    ),
    "rename": ("Renamed: Test Title (2024)", "1 file renamed"),
    "series_add": ("Series added: Test Title (2024)", "Path: /tv/Test Title"),
    "series_delete": ("Series deleted: Test Title (2024)", "Files were deleted"),
    "episode_file_delete": (
        "Episode file deleted: Test Title S01E01",
        "Season 01/Test Title - S01E01 - Test title WEBDL-1080p.mkv\nReason: manual",
    ),
    "movie_add": ("Movie added: Test Movie (2024)", "Path: /movies/Test Movie (2024)"),
    "movie_delete": ("Movie deleted: Test Movie (2024)", "Files were kept"),
    "movie_file_delete": (
        "Movie file deleted: Test Movie (2024)",
        "Test Movie (2024) Bluray-1080p.mkv\nReason: upgrade",
    ),
    "health_issue": (
        "Health issue: Download client qBittorrent is unavailable",
        "Download client qBittorrent is unavailable\nLevel: warning, Check: DownloadClientCheck\n"
        "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable",
    ),
    "health_restored": (
        "Health restored: Download client qBittorrent is unavailable",
        "The following issue is now resolved: Download client qBittorrent is unavailable",
    ),
    "app_update": ("idkarr updated to 0.2.0", "idkarr updated from 0.1.0 to 0.2.0"),
    "manual_test": (
        "Test notification from idkarr",
        "This is a test message from idkarr. If you can read it, this target works.",
    ),
}


def test_summary_table_covers_every_event_type():
    assert set(SUMMARIES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_summary_of_each_event(settings, event_type):
    settings.INSTANCE_NAME = "idkarr"
    settings.APPLICATION_URL = ""
    assert summary(sample_message(event_type)) == SUMMARIES[event_type]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_summary_of_an_empty_payload_does_not_raise(event_type):
    title, _text = summary(EventMessage(event_type, {}))
    assert title and "\n" not in title


def test_summary_names_a_range_of_episodes():
    episodes = [{"seasonNumber": 1, "episodeNumber": n} for n in (3, 1, 2)]
    message = EventMessage(
        "grab", {"series": {"title": "Show"}, "episodes": episodes, "release": {}}
    )
    assert summary(message)[0] == "Grabbed: Show S01E01-E03"


def test_summary_names_scattered_episodes_one_by_one():
    episodes = [{"seasonNumber": 2, "episodeNumber": n} for n in (1, 4)]
    message = EventMessage(
        "grab", {"series": {"title": "Show"}, "episodes": episodes, "release": {}}
    )
    assert summary(message)[0] == "Grabbed: Show S02E01E04"


def test_summary_of_a_daily_show_uses_the_air_date():
    payload = {
        "series": {"title": "The Daily", "type": "daily"},
        "episodes": [{"seasonNumber": 2024, "episodeNumber": 15, "airDate": "2024-03-01"}],
        "release": {"quality": "HDTV-720p"},
    }
    assert summary(EventMessage("grab", payload))[0] == "Grabbed: The Daily 2024-03-01 [HDTV-720p]"


def test_summary_marks_a_proper():
    payload = {
        "movie": {"title": "Inception", "year": 2010},
        "release": {"quality": "Bluray-1080p", "qualityVersion": 2},
    }
    assert (
        summary(EventMessage("grab", payload))[0]
        == "Grabbed: Inception (2010) [Bluray-1080p Proper]"
    )


def test_summary_of_app_update_uses_the_instance_name():
    message = EventMessage("app_update", {"newVersion": "1.0.0"}, instance_name="Basement")
    assert summary(message) == ("Basement updated to 1.0.0", "Basement updated to 1.0.0")


def test_summary_title_is_one_short_line():
    message = EventMessage("health_issue", {"message": "line one\nline two " + "x" * 500})
    title, _text = summary(message)
    assert "\n" not in title and len(title) <= 200
