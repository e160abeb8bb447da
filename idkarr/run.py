"""``make run``: the embedded default in one command.

Migrates the SQLite database under IDKARR_DATA_DIR, creates the first admin,
collects static files, then runs one Celery worker on the filesystem broker
that also serves the web console and runs beat, in threads (one process).
``IDKARR_WEB_SERVER=gunicorn`` runs gunicorn and the worker as two processes
instead. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)


def _pump(proc: subprocess.Popen, log_path: Path, prefix: str) -> None:
    with log_path.open("a", buffering=1) as log:
        for line in proc.stdout:
            log.write(line)
            sys.stdout.write(f"{prefix} {line}")
            sys.stdout.flush()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idkarr.settings")
    os.environ["PYTHONUNBUFFERED"] = "1"  # children's logs reach the console as they happen
    data_dir = Path(os.environ.setdefault("IDKARR_DATA_DIR", str(Path.cwd() / "data"))).resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    bind = os.environ.get("IDKARR_BIND", "127.0.0.1")
    port = os.environ.get("IDKARR_PORT", "8000")

    _manage("migrate", "--noinput", "-v", "0")
    _manage("ensure_admin")
    _manage("collectstatic", "--noinput", "-v", "0")

    bin_dir = Path(sys.executable).parent
    worker = [
        str(bin_dir / "celery"), "-A", "idkarr", "worker", "--embedded-beat",
        "--pool", "threads", "--concurrency", os.environ.get("IDKARR_WORKER_CONCURRENCY", "32"),
        "--loglevel", os.environ.get("IDKARR_LOG_LEVEL", "INFO").lower(),
        "--schedule", str(data_dir / "celerybeat-schedule"),
    ]  # fmt: skip
    if os.environ.get("IDKARR_WEB_SERVER", "embedded") == "gunicorn":
        commands = {
            "web": [
                str(bin_dir / "gunicorn"), "idkarr.wsgi", "--bind", f"{bind}:{port}",
                "--workers", os.environ.get("IDKARR_WEB_WORKERS", "1"), "--threads", "8",
                "--access-logfile", "-", "--error-logfile", "-",
            ],
            "worker": worker,
        }  # fmt: skip
    else:
        # One process: web console, worker and beat in threads (the lightest default).
        commands = {"idkarr": [*worker, "--embedded-web"]}
    procs: dict[str, subprocess.Popen] = {}
    for name, cmd in commands.items():
        procs[name] = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        threading.Thread(
            target=_pump, args=(procs[name], logs / f"{name}.log", f"[{name}]"), daemon=True
        ).start()
    print(
        f"idkarr is running: console http://{bind}:{port}/  API http://{bind}:{port}/api/v1/docs  (Ctrl-C stops)"
    )

    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping.is_set():
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"[{name}] exited with code {proc.returncode}; stopping", file=sys.stderr)
                exit_code = proc.returncode or 1
                stopping.set()
        stopping.wait(0.5)

    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print("idkarr stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
