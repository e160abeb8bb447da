"""Process plumbing shared by the daemon launchers in this package.

Each daemon runs in a session of its own (so teardown can signal its whole process
group) with stdin closed and stdout/stderr appended to a log file; readiness is a
real call polled until it answers, failing fast with the log tail if the process
exits. Imports nothing from pytest.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(
    argv: list[str], log_path: Path, env: dict[str, str], cwd: Path | None = None
) -> subprocess.Popen:
    """Start ``argv`` in a new session, stdin closed, stdout and stderr appended to ``log_path``."""
    log = open(log_path, "ab")  # handed to the child; our copy is closed below
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    finally:
        log.close()


def is_running(proc: subprocess.Popen | None) -> bool:
    return proc is not None and proc.poll() is None


def wait_ready(
    not_ready: Callable[[], str | None],
    *,
    what: str,
    watch: Iterable[tuple[str, subprocess.Popen | None, Callable[[], str]]],
    timeout: float,
    interval: float,
    log_tail: Callable[[], str],
) -> None:
    """Poll ``not_ready()`` (why the daemon is not ready yet, or None once it is) every
    ``interval`` seconds for up to ``timeout`` seconds.

    Raises RuntimeError with the log tail as soon as one of the ``watch`` processes
    (name, process, its log tail) has exited, or with ``log_tail()`` and the last reason
    when time runs out.
    """
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        for name, proc, tail in watch:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with rc {proc.returncode}:\n{tail()}")
        reason = not_ready()
        if reason is None:
            return
        last = reason
        time.sleep(interval)
    raise RuntimeError(f"{what} not ready after {timeout:g} s ({last}):\n{log_tail()}")


def terminate(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it doesn't exit in time."""
    if not is_running(proc):
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)


def kill(proc: subprocess.Popen | None) -> None:
    """SIGKILL the process group at once (a crash, not a shutdown)."""
    if is_running(proc):
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(5)


def log_tail(*paths: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of each readable log in ``paths``, or ``(no log)``."""
    parts: list[str] = []
    for path in paths:
        try:
            parts += path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            pass
    return "\n".join(parts) or "(no log)"


class StopOnExit:
    """For the launchers' handles: ``with start_x(...) as daemon:`` stops it at the end."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
