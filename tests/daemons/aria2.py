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
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

READY_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Aria2Daemon:
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
        return self.proc is not None and self.proc.poll() is None

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
        log = open(self.base_dir / "aria2c.out", "ab")  # handed to the child; ours is closed below
        try:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.base_dir,
                start_new_session=True,
            )
        finally:
            log.close()
        try:
            self._wait_ready(timeout)
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

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"aria2c exited with rc {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                if self.call("aria2.getVersion", timeout=2).get("version"):
                    return
            except (requests.RequestException, ValueError, RuntimeError) as exc:
                last = f"{type(exc).__name__}: {exc}"[:200]
            time.sleep(0.02)
        raise RuntimeError(f"aria2c not ready after {timeout:g} s ({last}):\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it doesn't exit in time.
        (aria2c exits non-zero when downloads are unfinished; that is expected.)"""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)

    def freeze(self) -> None:
        """SIGSTOP: the daemon keeps its sockets but answers nothing (a hung aria2)."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 20) -> str:
        chunks = []
        for path in (self.base_dir / "aria2c.out", self.log_path):
            try:
                chunks += path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                pass
        return "\n".join(chunks) or "(no log)"


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
