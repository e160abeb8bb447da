"""Custom script notifier: the environment each event gives the script."""

from __future__ import annotations

import pytest

from integrations.errors import IntegrationError
from notifications.base import EVENT_TYPES, EventMessage
from notifications.providers.customscript import (
    SAFE_PATH,
    VALUE_LIMIT,
    script_environment,
)
from notifications.samples import sample_message
from tests.notifications.customscript_support import (
    idkarr_vars,
    notifier,
    run_env,
    scripts,  # noqa: F401
    write,
)


# -- environment per event (real script) -------------------------------------------
def test_grab_script_receives_release_series_and_download_variables(scripts):
    env = run_env(scripts, "grab")
    assert env["idkarr_eventtype"] == "Grab"
    assert env["idkarr_instancename"] == "idkarr"
    assert env["idkarr_series_id"] == "1"
    assert env["idkarr_series_title"] == "Test Title"
    assert env["idkarr_series_titleslug"] == "test-title"
    assert env["idkarr_series_tvdbid"] == "1234"
    assert env["idkarr_series_type"] == "standard"
    assert env["idkarr_series_year"] == "2024"
    assert env["idkarr_series_genres"] == "Drama"
    assert env["idkarr_series_tags"] == "test-tag"
    assert env["idkarr_release_title"] == "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP"
    assert env["idkarr_release_indexer"] == "Test Indexer"
    assert env["idkarr_release_size"] == "1503238553"
    assert env["idkarr_release_quality"] == "WEBDL-1080p"
    assert env["idkarr_release_qualityversion"] == "1"
    assert env["idkarr_release_releasegroup"] == "GROUP"
    assert env["idkarr_release_episodecount"] == "1"
    assert env["idkarr_release_seasonnumber"] == "1"
    assert env["idkarr_release_episodenumbers"] == "1"
    assert env["idkarr_release_episodetitles"] == "Test title"
    assert env["idkarr_download_client"] == "qBittorrent"
    assert env["idkarr_download_client_type"] == "qbittorrent"
    assert env["idkarr_download_id"] == "0123456789ABCDEF0123456789ABCDEF01234567"


def test_download_script_receives_episode_file_variables(scripts):
    env = run_env(scripts, "download")
    assert env["idkarr_eventtype"] == "Download"
    assert env["idkarr_isupgrade"] == "False"
    assert env["idkarr_series_path"] == "/tv/Test Title"
    assert env["idkarr_episodefile_id"] == "7"
    assert env["idkarr_episodefile_episodeids"] == "123"
    assert env["idkarr_episodefile_seasonnumber"] == "1"
    assert env["idkarr_episodefile_episodenumbers"] == "1"
    assert env["idkarr_episodefile_path"].endswith(
        "Season 01/Test Title - S01E01 - Test title WEBDL-1080p.mkv"
    )
    assert env["idkarr_episodefile_relativepath"].startswith("Season 01/")
    assert env["idkarr_episodefile_quality"] == "WEBDL-1080p"
    assert env["idkarr_episodefile_qualityversion"] == "1"
    assert env["idkarr_episodefile_releasegroup"] == "GROUP"
    assert env["idkarr_episodefile_scenename"] == "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP"
    assert env["idkarr_download_client"] == "qBittorrent"
    assert "idkarr_deletedpaths" not in env


def test_download_also_sets_the_seeds_seasonumber_spelling(scripts):
    env = run_env(scripts, "download")
    assert env["idkarr_episodefile_seasonumber"] == env["idkarr_episodefile_seasonnumber"] == "1"


def test_upgrade_script_is_a_download_with_isupgrade_and_deleted_files(scripts):
    env = run_env(scripts, "upgrade")
    assert env["idkarr_eventtype"] == "Download"
    assert env["idkarr_isupgrade"] == "True"
    assert env["idkarr_deletedrelativepaths"].startswith("Season 01/Test Title - S01E01")
    assert env["idkarr_deletedpaths"].startswith("/tv/Test Title/Season 01/")
    assert env["idkarr_deleteddateadded"] == "2024-01-01T00:00:00Z"


def test_health_issue_script_receives_health_variables_only(scripts):
    env = idkarr_vars(run_env(scripts, "health_issue"))
    assert env == {
        "idkarr_eventtype": "HealthIssue",
        "idkarr_instancename": "idkarr",
        "idkarr_applicationurl": "",
        "idkarr_health_issue_level": "warning",
        "idkarr_health_issue_message": "Download client qBittorrent is unavailable",
        "idkarr_health_issue_type": "DownloadClientCheck",
        "idkarr_health_issue_wiki": (
            "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
        ),
    }


def test_manual_test_script_receives_only_the_three_common_variables(scripts, settings):
    settings.APPLICATION_URL = "http://127.0.0.1:8989"
    env = idkarr_vars(run_env(scripts, "manual_test"))
    assert env == {
        "idkarr_eventtype": "Test",
        "idkarr_instancename": "idkarr",
        "idkarr_applicationurl": "http://127.0.0.1:8989",
    }


def test_script_environment_is_only_path_home_lang_and_event_variables(scripts, monkeypatch):
    monkeypatch.setenv("IDKARR_SECRETS_KEY", "leak-me-not-Q7")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "leak-me-not-Z3")
    env = run_env(scripts, "grab")
    assert "IDKARR_SECRETS_KEY" not in env
    assert not any("leak-me-not" in value for value in env.values())
    assert set(env) - set(idkarr_vars(env)) <= {"PATH", "HOME", "LANG", "PWD"}
    assert env["PATH"] == SAFE_PATH


# -- environment per event (builder) ----------------------------------------------
@pytest.mark.parametrize(
    "event_type, name",
    [
        ("rename", "Rename"),
        ("series_add", "SeriesAdd"),
        ("series_delete", "SeriesDelete"),
        ("episode_file_delete", "EpisodeFileDelete"),
        ("movie_add", "MovieAdded"),
        ("movie_delete", "MovieDelete"),
        ("movie_file_delete", "MovieFileDelete"),
        ("health_restored", "HealthRestored"),
        ("app_update", "ApplicationUpdate"),
    ],
)
def test_event_type_values_follow_sonarr_and_radarr_script_names(event_type, name):
    assert script_environment(sample_message(event_type))["idkarr_eventtype"] == name


def test_every_event_type_builds_an_environment_of_strings():
    for event_type in EVENT_TYPES:
        env = script_environment(sample_message(event_type))
        assert all(isinstance(v, str) for v in env.values()), event_type


def test_lists_join_titles_with_pipe_and_numbers_with_comma():
    message = sample_message("download")
    message.payload["episodes"] = [
        {
            "id": 11,
            "seasonNumber": 1,
            "episodeNumber": 1,
            "title": "Pilot",
            "airDate": "2024-01-01",
        },
        {"id": 12, "seasonNumber": 1, "episodeNumber": 2, "title": "Two", "airDate": "2024-01-08"},
    ]
    env = script_environment(message)
    assert env["idkarr_episodefile_episodeids"] == "11,12"
    assert env["idkarr_episodefile_episodenumbers"] == "1,2"
    assert env["idkarr_episodefile_episodeairdates"] == "2024-01-01,2024-01-08"
    assert env["idkarr_episodefile_episodetitles"] == "Pilot|Two"
    assert env["idkarr_episodefile_episodecount"] == "2"


def test_rename_lists_new_and_previous_paths():
    env = script_environment(sample_message("rename"))
    assert env["idkarr_episodefile_ids"] == "7"
    assert env["idkarr_episodefile_previousrelativepaths"] == "Season 01/test.title.s01e01.mkv"
    assert env["idkarr_episodefile_paths"].startswith("/tv/Test Title/Season 01/")


def test_episode_file_delete_carries_the_delete_reason():
    env = script_environment(sample_message("episode_file_delete"))
    assert env["idkarr_episodefile_deletereason"] == "manual"
    assert env["idkarr_episodefile_path"].startswith("/tv/Test Title/")


def test_series_delete_says_whether_files_were_deleted():
    assert (
        script_environment(sample_message("series_delete"))["idkarr_series_deletedfiles"] == "True"
    )


def test_movie_events_carry_movie_and_movie_file_variables():
    env = script_environment(sample_message("movie_file_delete"))
    assert env["idkarr_movie_title"] == "Test Movie"
    assert env["idkarr_movie_imdbid"] == "tt0000001"
    assert env["idkarr_movie_path"] == "/movies/Test Movie (2024)"
    assert env["idkarr_moviefile_quality"] == "Bluray-1080p"
    assert env["idkarr_moviefile_deletereason"] == "upgrade"


def test_app_update_carries_versions():
    env = script_environment(sample_message("app_update"))
    assert (env["idkarr_update_previousversion"], env["idkarr_update_newversion"]) == (
        "0.1.0",
        "0.2.0",
    )


def test_download_source_folder_is_the_source_paths_directory():
    message = sample_message("download")
    message.payload["episodeFile"]["sourcePath"] = "/downloads/Show.S01E01/show.s01e01.mkv"
    env = script_environment(message)
    assert env["idkarr_episodefile_sourcepath"] == "/downloads/Show.S01E01/show.s01e01.mkv"
    assert env["idkarr_episodefile_sourcefolder"] == "/downloads/Show.S01E01"


def test_over_long_values_are_truncated_at_the_limit():
    message = sample_message("grab")
    message.payload["episodes"][0]["overview"] = "x" * (VALUE_LIMIT * 5)
    value = script_environment(message)["idkarr_release_episodeoverviews"]
    assert len(value) == VALUE_LIMIT
    assert value.endswith("…")


def test_a_script_runs_even_when_a_value_exceeds_the_kernels_limit(scripts):
    write(scripts, "ok.sh", "#!/bin/sh\necho ran\n")
    message = sample_message("grab")
    message.payload["episodes"][0]["overview"] = "x" * 300_000  # > MAX_ARG_STRLEN (128 KiB)
    assert notifier("ok.sh").send(message)["stdout"] == "ran\n"


def test_nul_characters_are_dropped_from_values():
    message = sample_message("series_add")
    message.payload["series"]["title"] = "Bad\x00Title"
    assert script_environment(message)["idkarr_series_title"] == "BadTitle"


def test_unknown_event_type_is_a_permanent_error_and_runs_nothing(scripts):
    write(scripts, "touch.sh", f'#!/bin/sh\ntouch "{scripts.parent}/ran"\n')
    with pytest.raises(IntegrationError, match="unknown event type 'bogus'") as caught:
        notifier("touch.sh").send(EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert not (scripts.parent / "ran").exists()
