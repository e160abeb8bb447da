"""Shared fixtures and helpers for the custom script notifier tests."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from notifications.providers.customscript import (
    CustomScript,
    CustomScriptSettings,
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
