"""Custom script notifier: path safety at save and at run."""

from __future__ import annotations

import pytest

from integrations.errors import ConfigurationError
from notifications.providers.customscript import (
    CustomScriptSettings,
)
from notifications.samples import sample_message
from tests.notifications.customscript_support import (
    notifier,
    scripts,  # noqa: F401
    settings_error,
    write,
)


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
