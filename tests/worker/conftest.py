"""A real Celery worker (with embedded beat) in a subprocess, on the test database.

The broker is Redis when IDKARR_TEST_REDIS_URL is set (CI), else the filesystem
broker in a temp dir: the same two brokers idkarr runs on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, data_dir: Path, env: dict, extra_args: tuple[str, ...] = ()):
        self.data_dir, self.env, self.proc = data_dir, env, None
        self.extra_args = extra_args
        self.log = data_dir / "worker.log"

    def start(self) -> Worker:
        log = self.log.open("a")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "idkarr",
                "worker",
                "--embedded-beat",
                "--pool",
                "threads",
                "--concurrency",
                "4",
                "--loglevel",
                "info",
                "--without-mingle",
                "--without-gossip",
                "--schedule",
                str(self.data_dir / "beat-schedule"),
                *self.extra_args,
            ],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.tail()}")
            if "ready." in self.log.read_text(errors="replace"):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in 30 s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown handlers, no acks."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


@pytest.fixture
def worker_env(transactional_db, tmp_path):
    redis_url = os.environ.get("IDKARR_TEST_REDIS_URL")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "idkarr.settings",
        "PYTHONUNBUFFERED": "1",
        "IDKARR_DATA_DIR": str(tmp_path),
        "IDKARR_DATABASE_URL": database_url(),
        "IDKARR_SECRETS_KEY": os.environ["IDKARR_SECRETS_KEY"],
        "IDKARR_SECRET_KEY": "worker-test-secret-key",
        "IDKARR_DELIVERY_SWEEP_SECONDS": "1",
        "IDKARR_DELIVERY_STALE_SECONDS": "3",
        "IDKARR_DELIVERY_SWEEP_GRACE_SECONDS": "1",
        "IDKARR_HEALTH_DISPATCH_SECONDS": "3600",
    }
    env.pop("IDKARR_REDIS_URL", None)
    if redis_url:
        env["IDKARR_REDIS_URL"] = redis_url
    return env


@pytest.fixture
def sender(worker_env, tmp_path, monkeypatch):
    """A Celery client on the worker's broker, to enqueue tasks from the test process."""
    monkeypatch.chdir(tmp_path)  # kombu's file transport may drop a control/ dir in the cwd
    if "IDKARR_REDIS_URL" in worker_env:
        app = Celery("sender", broker=worker_env["IDKARR_REDIS_URL"], set_as_current=False)
        from redis import Redis

        Redis.from_url(worker_env["IDKARR_REDIS_URL"]).flushdb()
    else:
        queue = tmp_path / "broker" / "queue"
        queue.mkdir(parents=True, exist_ok=True)
        (tmp_path / "broker" / "processed").mkdir(exist_ok=True)
        app = Celery("sender", broker="filesystem://", set_as_current=False)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
        }
    app.conf.task_serializer = "json"
    yield app
    app.close()


@pytest.fixture
def worker(worker_env, tmp_path):
    workers = []

    def start(*extra_args: str, **env: str) -> Worker:
        w = Worker(tmp_path, {**worker_env, **env}, extra_args).start()
        workers.append(w)
        return w

    yield start
    for w in workers:
        w.stop()
