"""Custom script notifier with real /bin/sh scripts in a temporary scripts directory."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from integrations.base import HEALTHY, UNHEALTHY
from integrations.errors import ConfigurationError, IntegrationError, RequestTimedOut
from notifications.base import EVENT_TYPES, EventMessage
from notifications.providers import customscript
from notifications.providers.customscript import (
    SAFE_PATH,
    VALUE_LIMIT,
    CustomScript,
    CustomScriptSettings,
    script_environment,
)
from notifications.samples import sample_message

DUMP_ENV = '#!/bin/sh\nenv -0 > "$1"\n'


@pytest.fixture
def scripts(tmp_path, settings):
    directory = tmp_path / "scripts"
    directory.mkdir()
    settings.IDKARR_SCRIPTS_DIR = str(directory)
    return directory


def write(directory: Path, name: str, body: str, mode: int = 0o755) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    path.chmod(mode)
    return path


def notifier(path: str, **settings) -> CustomScript:
    return CustomScript(CustomScriptSettings(path=path, **settings))


def run_env(scripts: Path, event_type: str) -> dict[str, str]:
    """Run a script that dumps its environment for ``event_type``; return that environment."""
    write(scripts, "dump.sh", DUMP_ENV)
    out = scripts.parent / "env.out"
    notifier("dump.sh", arguments=str(out)).send(sample_message(event_type))
    entries = out.read_bytes().decode().split("\0")
    return dict(entry.split("=", 1) for entry in entries if entry)


def idkarr_vars(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("idkarr_")}


def settings_error(**fields) -> str:
    with pytest.raises(ValidationError) as caught:
        CustomScriptSettings(**fields)
    return str(caught.value)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


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


# -- running ------------------------------------------------------------------------
def test_arguments_are_split_like_a_shell_without_expansion(scripts):
    write(scripts, "args.sh", '#!/bin/sh\nfor a in "$@"; do echo "[$a]"; done\n')
    details = notifier("args.sh", arguments="one 'two words' \"$HOME\" a;b").send(
        sample_message("grab")
    )
    assert details["stdout"] == "[one]\n[two words]\n[$HOME]\n[a;b]\n"


def test_no_shell_interprets_the_arguments(scripts):
    write(scripts, "noop.sh", "#!/bin/sh\nexit 0\n")
    marker = scripts.parent / "pwned"
    notifier("noop.sh", arguments=f"x; touch {marker}").send(sample_message("grab"))
    assert not marker.exists()


def test_stdout_and_stderr_are_captured_into_the_details(scripts):
    write(scripts, "talk.sh", "#!/bin/sh\necho to-out\necho to-err >&2\n")
    details = notifier("talk.sh").send(sample_message("download"))
    assert details["exit_code"] == 0
    assert details["stdout"] == "to-out\n"
    assert details["stderr"] == "to-err\n"
    assert details["script"] == "talk.sh"
    assert details["duration_ms"] >= 0


def test_output_is_bounded_keeping_head_and_tail(scripts):
    write(
        scripts,
        "loud.sh",
        "#!/bin/sh\necho START\nhead -c 300000 /dev/zero | tr '\\0' 'x'\necho\necho END\n",
    )
    out = notifier("loud.sh").send(sample_message("grab"))["stdout"]
    assert len(out.encode()) < 64 * 1024 + 100
    assert out.startswith("START\n")
    assert out.endswith("END\n")
    assert "bytes omitted" in out


def test_undecodable_output_is_decoded_with_replacement(scripts):
    write(scripts, "bin.sh", "#!/bin/sh\nprintf 'ok \\377\\n'\n")
    assert notifier("bin.sh").send(sample_message("grab"))["stdout"] == "ok \ufffd\n"


def test_stdin_is_dev_null(scripts):
    write(scripts, "cat.sh", "#!/bin/sh\ncat\necho done\n")
    details = notifier("cat.sh", timeout_seconds=5).send(sample_message("grab"))
    assert details["stdout"] == "done\n"


def test_script_runs_in_its_own_session_and_process_group(scripts):
    write(scripts, "pg.sh", "#!/bin/sh\necho $$; cut -d' ' -f5,6 /proc/$$/stat\n")
    pid, ids = notifier("pg.sh").send(sample_message("grab"))["stdout"].split("\n")[:2]
    assert ids.split() == [pid, pid]


def test_default_working_directory_is_the_scripts_own_directory(scripts):
    write(scripts, "sub/pwd.sh", "#!/bin/sh\npwd\n")
    out = notifier("sub/pwd.sh").send(sample_message("grab"))["stdout"]
    assert out == f"{(scripts / 'sub').resolve()}\n"


def test_configured_working_directory_is_used(scripts):
    write(scripts, "pwd.sh", "#!/bin/sh\npwd\n")
    (scripts / "work").mkdir()
    out = notifier("pwd.sh", working_directory="work").send(sample_message("grab"))["stdout"]
    assert out == f"{(scripts / 'work').resolve()}\n"


def test_non_zero_exit_is_a_permanent_error_with_code_and_stderr(scripts):
    write(scripts, "fail.sh", "#!/bin/sh\necho partial\necho boom happened >&2\nexit 3\n")
    with pytest.raises(IntegrationError) as caught:
        notifier("fail.sh").send(sample_message("grab"))
    assert caught.value.message == "Script exited with code 3: boom happened"
    assert caught.value.permanent is True
    assert caught.value.details["stdout"] == "partial\n"


def test_script_killed_by_a_signal_names_the_signal(scripts):
    write(scripts, "die.sh", "#!/bin/sh\nkill -KILL $$\n")
    with pytest.raises(IntegrationError, match="killed by signal SIGKILL"):
        notifier("die.sh").send(sample_message("grab"))


def test_script_that_cannot_start_is_a_configuration_error(scripts):
    write(scripts, "bad.sh", "#!/nonexistent/interpreter\n")
    with pytest.raises(ConfigurationError, match="cannot be started"):
        notifier("bad.sh").send(sample_message("grab"))


def test_hanging_script_is_killed_with_its_child_at_the_timeout(scripts):
    pidfile = scripts.parent / "child.pid"
    write(scripts, "hang.sh", f'#!/bin/sh\nsleep 100 &\necho $! > "{pidfile}"\nsleep 100\n')
    started = time.monotonic()
    with pytest.raises(RequestTimedOut, match="did not finish within 1 s") as caught:
        notifier("hang.sh", timeout_seconds=1).send(sample_message("grab"))
    assert time.monotonic() - started < 4
    assert caught.value.permanent is True
    assert wait_gone(int(pidfile.read_text()))


def test_a_group_ignoring_sigterm_is_killed_after_the_grace_period(scripts, monkeypatch):
    monkeypatch.setattr(customscript, "KILL_GRACE_SECONDS", 0.5)
    pidfile = scripts.parent / "child.pid"
    write(
        scripts,
        "stubborn.sh",
        f"#!/bin/sh\ntrap '' TERM\nsleep 100 &\necho $! > \"{pidfile}\"\n"
        "while :; do sleep 0.1; done\n",
    )
    with pytest.raises(RequestTimedOut):
        notifier("stubborn.sh", timeout_seconds=1).send(sample_message("grab"))
    assert wait_gone(int(pidfile.read_text()))


def test_children_left_holding_the_output_are_stopped_at_the_timeout(scripts):
    pidfile = scripts.parent / "child.pid"
    write(scripts, "bg.sh", f'#!/bin/sh\nsleep 100 &\necho $! > "{pidfile}"\necho bye\n')
    details = notifier("bg.sh", timeout_seconds=1).send(sample_message("grab"))
    assert details["exit_code"] == 0
    assert details["stdout"] == "bye\n"
    assert details["stopped_leftover_processes"] is True
    assert wait_gone(int(pidfile.read_text()))


# -- path safety at save --------------------------------------------------------------
def test_relative_path_inside_the_scripts_directory_is_accepted(scripts):
    write(scripts, "sub/ok.sh", "#!/bin/sh\n")
    assert CustomScriptSettings(path="sub/ok.sh").path == "sub/ok.sh"


def test_absolute_path_inside_the_scripts_directory_is_accepted(scripts):
    path = write(scripts, "ok.sh", "#!/bin/sh\n")
    assert CustomScriptSettings(path=str(path)).path == str(path)


def test_absolute_path_outside_the_scripts_directory_is_refused(scripts, tmp_path):
    outside = write(tmp_path, "evil.sh", "#!/bin/sh\n")
    assert "is outside the scripts directory" in settings_error(path=str(outside))


def test_dot_dot_path_is_refused(scripts, tmp_path):
    write(tmp_path, "evil.sh", "#!/bin/sh\n")
    message = settings_error(path="../evil.sh")
    assert "is outside the scripts directory" in message
    assert "'..' is not allowed" in message


def test_dot_dot_is_refused_even_when_it_stays_inside(scripts):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    (scripts / "sub").mkdir()
    assert "'..' is not allowed" in settings_error(path="sub/../ok.sh")


def test_symlink_escaping_the_scripts_directory_is_refused(scripts, tmp_path):
    outside = write(tmp_path, "evil.sh", "#!/bin/sh\n")
    (scripts / "link.sh").symlink_to(outside)
    message = settings_error(path="link.sh")
    assert "is outside the scripts directory" in message
    assert "resolves to" in message


def test_symlinked_directory_escaping_the_scripts_directory_is_refused(scripts, tmp_path):
    write(tmp_path / "elsewhere", "evil.sh", "#!/bin/sh\n")
    (scripts / "dir").symlink_to(tmp_path / "elsewhere")
    assert "is outside the scripts directory" in settings_error(path="dir/evil.sh")


def test_symlink_to_a_script_inside_the_directory_is_accepted(scripts):
    write(scripts, "real.sh", "#!/bin/sh\n")
    (scripts / "alias.sh").symlink_to(scripts / "real.sh")
    assert CustomScriptSettings(path="alias.sh").path == "alias.sh"


def test_non_executable_file_is_refused(scripts):
    write(scripts, "plain.sh", "#!/bin/sh\n", mode=0o644)
    assert "is not executable" in settings_error(path="plain.sh")


def test_world_writable_script_is_refused(scripts):
    write(scripts, "open.sh", "#!/bin/sh\n", mode=0o777)
    assert "writable by every user" in settings_error(path="open.sh")


def test_directory_is_refused_as_a_script(scripts):
    (scripts / "adir").mkdir()
    assert "is not a regular file" in settings_error(path="adir")


def test_missing_script_is_refused(scripts):
    assert "does not exist" in settings_error(path="nope.sh")


def test_empty_path_is_refused(scripts):
    assert "path is required" in settings_error(path="")


def test_unset_scripts_directory_is_refused(settings):
    settings.IDKARR_SCRIPTS_DIR = ""
    assert "set IDKARR_SCRIPTS_DIR" in settings_error(path="x.sh")


def test_missing_scripts_directory_is_refused(settings, tmp_path):
    settings.IDKARR_SCRIPTS_DIR = str(tmp_path / "absent")
    assert "(IDKARR_SCRIPTS_DIR) is missing" in settings_error(path="x.sh")


def test_working_directory_outside_the_scripts_directory_is_refused(scripts, tmp_path):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    message = settings_error(path="ok.sh", working_directory=str(tmp_path))
    assert "Working directory" in message
    assert "is outside the scripts directory" in message


def test_working_directory_must_be_a_directory(scripts):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    assert "is not a directory" in settings_error(path="ok.sh", working_directory="ok.sh")


def test_unbalanced_quotes_in_arguments_are_refused(scripts):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    assert "arguments cannot be split" in settings_error(path="ok.sh", arguments="'open")


@pytest.mark.parametrize("timeout", [0, 601])
def test_timeout_must_be_between_1_and_600_seconds(scripts, timeout):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    assert "timeout_seconds" in settings_error(path="ok.sh", timeout_seconds=timeout)


def test_timeout_defaults_to_30_seconds(scripts):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    assert CustomScriptSettings(path="ok.sh").timeout_seconds == 30


def test_unknown_settings_are_refused(scripts):
    write(scripts, "ok.sh", "#!/bin/sh\n")
    assert "extra" in settings_error(path="ok.sh", use_shell=True).lower()


def test_every_setting_has_a_description():
    fields = CustomScriptSettings.model_fields
    assert all(fields[name].description for name in fields)


# -- path safety at run -----------------------------------------------------------------
def test_script_replaced_by_an_escaping_symlink_after_saving_is_refused_at_run(scripts, tmp_path):
    write(scripts, "s.sh", "#!/bin/sh\n")
    target = notifier("s.sh")
    marker = tmp_path / "ran"
    write(tmp_path, "evil.sh", f'#!/bin/sh\ntouch "{marker}"\n')
    (scripts / "s.sh").unlink()
    (scripts / "s.sh").symlink_to(tmp_path / "evil.sh")
    with pytest.raises(ConfigurationError, match="is outside the scripts directory"):
        target.send(sample_message("grab"))
    assert not marker.exists()


def test_script_made_non_executable_after_saving_is_refused_at_run(scripts):
    path = write(scripts, "s.sh", "#!/bin/sh\n")
    target = notifier("s.sh")
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="is not executable") as caught:
        target.send(sample_message("grab"))
    assert caught.value.permanent is True


# -- health, test, kind -------------------------------------------------------------------
def test_health_is_healthy_without_running_the_script(scripts):
    marker = scripts.parent / "ran"
    write(scripts, "s.sh", f'#!/bin/sh\ntouch "{marker}"\n')
    result = notifier("s.sh").health()
    assert result.status == HEALTHY
    assert not marker.exists()


def test_health_is_unhealthy_when_the_script_is_gone(scripts):
    path = write(scripts, "s.sh", "#!/bin/sh\n")
    target = notifier("s.sh")
    path.unlink()
    result = target.health()
    assert result.status == UNHEALTHY
    assert "does not exist" in result.message


def test_test_runs_the_script_with_the_test_event(scripts):
    write(scripts, "t.sh", '#!/bin/sh\necho "$idkarr_eventtype"\n')
    result = notifier("t.sh").run_test()
    assert result.ok
    assert result.details["stdout"] == "Test\n"


def test_failing_test_reports_the_exit_code(scripts):
    write(scripts, "t.sh", "#!/bin/sh\necho nope >&2\nexit 2\n")
    result = notifier("t.sh").run_test()
    assert not result.ok
    assert result.message == "Script exited with code 2: nope"


def test_kind_is_admin_only_and_has_no_secret_fields():
    described = CustomScript.describe()
    assert (described["kind"], described["admin_only"]) == ("customscript", True)
    assert described["secret_fields"] == []
    assert os.path.basename(customscript.__file__) == "customscript.py"


# -- through the API (admin) ----------------------------------------------------------------
@pytest.fixture
def registered():
    from notifications.registry import registry

    added = CustomScript.kind not in registry
    if added:
        registry.register(CustomScript)
    yield
    if added:
        registry._kinds.pop(CustomScript.kind, None)


def api_create(client, **settings):
    import json

    body = {"name": "script", "kind": "customscript", "settings": settings}
    return client.post(
        "/api/v1/notifications/?force=true", data=json.dumps(body), content_type="application/json"
    )


@pytest.mark.django_db
def test_api_refuses_a_script_outside_the_directory_with_the_reason(
    scripts, tmp_path, registered, api_client_for
):
    outside = write(tmp_path, "evil.sh", "#!/bin/sh\n")
    response = api_create(api_client_for("admin"), path=str(outside))
    assert response.status_code == 422
    assert "is outside the scripts directory" in response.content.decode()


@pytest.mark.django_db
def test_api_test_of_a_saved_target_runs_the_script(scripts, registered, api_client_for):
    write(scripts, "t.sh", '#!/bin/sh\necho "ran $idkarr_eventtype"\n')
    client = api_client_for("admin")
    target_id = api_create(client, path="t.sh").json()["id"]
    response = client.post(f"/api/v1/notifications/{target_id}/test")
    assert response.status_code == 200
    assert "ran Test" in response.content.decode()


def test_loading_stored_settings_skips_the_file_checks_and_send_refuses_instead(scripts):
    # For the lead: ProviderConfig.validated_settings may pass context={"stored": True}
    # so a script deleted after saving fails its deliveries permanently instead of crashing.
    stored = CustomScriptSettings.model_validate({"path": "gone.sh"}, context={"stored": True})
    with pytest.raises(ConfigurationError, match="does not exist") as caught:
        CustomScript(stored).send(sample_message("grab"))
    assert caught.value.permanent is True
