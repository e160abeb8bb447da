"""Start a real, hermetic ``aria2c`` (Debian 1.36.0) with its JSON-RPC on loopback.

Flags only, no config file (``--no-conf``): the RPC bound to 127.0.0.1 on a free
port with a known secret, a free BitTorrent port, DHT/LSD/PeX off, integrity
check on (so a torrent whose payload is already on disk seeds at once), and
``--rpc-save-upload-metadata=false`` so aria2 leaves no ``<hash>.torrent`` copies
in the download directories. Seeding has no time limit; a test that wants a
finished, stopped torrent adds it with the per-download option ``seed-time=0``.

Used by the pytest fixtures; it imports nothing from pytest.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.daemons import process
from tests.daemons.process import free_port

READY_TIMEOUT = 15.0


@dataclass
class Aria2Daemon(process.StopOnExit):
    """A running (or stopped) aria2c with its own download directory."""

    binary: str
    base_dir: Path
    host: str
    port: int
    peer_port: int
    secret: str
    save_dir: Path
    log_path: Path
    extra_args: list[str] = field(default_factory=list)
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/jsonrpc"

    def running(self) -> bool:
        return process.is_running(self.proc)

    def command(self) -> list[str]:
        return [
            self.binary,
            "--enable-rpc=true",
            "--rpc-listen-all=false",
            f"--rpc-listen-port={self.port}",
            f"--rpc-secret={self.secret}",
            f"--dir={self.save_dir}",
            "--daemon=false",
            "--no-conf=true",
            "--quiet=true",
            f"--log={self.log_path}",
            "--log-level=notice",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            f"--listen-port={self.peer_port}",
            "--disable-ipv6=true",
            "--check-integrity=true",
            "--rpc-save-upload-metadata=false",
            "--follow-torrent=mem",
            "--auto-save-interval=0",
            *self.extra_args,
        ]

    def start(self, timeout: float = READY_TIMEOUT) -> Aria2Daemon:
        """Start (again, on the same ports and directory) and wait until a real
        authenticated ``aria2.getVersion`` answers."""
        if self.running():
            return self
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base_dir),
            "LANG": "C.UTF-8",
        }
        self.proc = process.spawn(self.command(), self.base_dir / "aria2c.out", env, self.base_dir)
        try:
            process.wait_ready(
                self._not_ready,
                what="aria2c",
                watch=[("aria2c", self.proc, self.log_tail)],
                timeout=timeout,
                interval=0.02,
                log_tail=self.log_tail,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def call(self, method: str, *params, timeout: float = 5.0):
        """A raw JSON-RPC call with the secret (for test set-up); returns ``result``."""
        body = {"jsonrpc": "2.0", "id": "t", "method": method}
        body["params"] = [f"token:{self.secret}", *params]
        with requests.Session() as s:
            s.trust_env = False
            r = s.post(self.url, json=body, timeout=timeout)
        answer = r.json()
        if "error" in answer:
            raise RuntimeError(f"aria2 {method}: {answer['error']}")
        return answer["result"]

    def _not_ready(self) -> str | None:
        try:
            version = self.call("aria2.getVersion", timeout=2).get("version")
        except (requests.RequestException, ValueError, RuntimeError) as exc:
            return f"{type(exc).__name__}: {exc}"[:200]
        return None if version else "aria2.getVersion answered without a version"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it doesn't exit in time.
        (aria2c exits non-zero when downloads are unfinished; that is expected.)"""
        proc, self.proc = self.proc, None
        process.terminate(proc, timeout)

    def freeze(self) -> None:
        """SIGSTOP: the daemon keeps its sockets but answers nothing (a hung aria2)."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 20) -> str:
        return process.log_tail(self.base_dir / "aria2c.out", self.log_path, lines=lines)


def start_aria2(
    base_dir: Path | str,
    *,
    secret: str | None = None,
    binary: str | None = None,
    timeout: float = READY_TIMEOUT,
    extra_args: list[str] | None = None,
) -> Aria2Daemon:
    """Start aria2c on free loopback ports with its downloads under ``base_dir/downloads``.

    Returns the running daemon handle; raises RuntimeError (with the log tail) if it
    does not answer ``aria2.getVersion`` within ``timeout`` seconds. The caller must
    ``stop()`` it.
    """
    binary = binary or shutil.which("aria2c") or "/usr/bin/aria2c"
    base = Path(base_dir)
    save_dir = base / "downloads"
    save_dir.mkdir(parents=True, exist_ok=True)
    daemon = Aria2Daemon(
        binary=binary,
        base_dir=base,
        host="127.0.0.1",
        port=free_port(),
        peer_port=free_port(),
        secret=secret or "a2-" + secrets.token_urlsafe(16),
        save_dir=save_dir,
        log_path=base / "aria2c.log",
        extra_args=list(extra_args or []),
    )
    return daemon.start(timeout)
