"""Custom script notifier: running the script, health, test and the API."""

from __future__ import annotations

import os
import time

import pytest

from integrations.base import HEALTHY, UNHEALTHY
from integrations.errors import ConfigurationError, IntegrationError, RequestTimedOut
from notifications.providers import customscript
from notifications.providers.customscript import (
    CustomScript,
    CustomScriptSettings,
)
from notifications.samples import sample_message
from tests.notifications.customscript_support import (
    notifier,
    scripts,  # noqa: F401
    wait_gone,
    write,
)


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
