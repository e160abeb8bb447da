"""Start a real, hermetic ``transmission-daemon`` (Debian 3.00, RPC version 16) on loopback.

``settings.json`` is pre-written: a known RPC user and password (plain text;
Transmission stores it hashed on exit and accepts the hash on the next start),
RPC and peer port on free loopback ports, the RPC whitelist limited to
127.0.0.1, DHT/LPD/PEX/uTP/port forwarding off and the download queue off (so a
test's magnet is never "queued" behind another test's). ``settings`` overrides
any key.

Readiness is a real authenticated RPC call (409 then 200): an unauthenticated
poll would count towards Transmission's lockout after 100 failed logins.

Used by the pytest fixtures; it imports nothing from pytest.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.daemons import process
from tests.daemons.process import free_port

READY_TIMEOUT = 15.0


@dataclass
class TransmissionDaemon(process.StopOnExit):
    """A running (or stopped) transmission-daemon with its own config directory."""

    binary: str
    base_dir: Path
    host: str
    port: int
    peer_port: int
    username: str
    password: str
    config_dir: Path
    download_dir: Path
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.port}/transmission/rpc"

    def running(self) -> bool:
        return process.is_running(self.proc)

    def start(self, timeout: float = READY_TIMEOUT) -> TransmissionDaemon:
        """Start (again) on the same config and wait until an authenticated RPC call works."""
        if self.running():
            return self
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base_dir),
            "LANG": "C.UTF-8",
        }
        argv = [self.binary, "--foreground", "--config-dir", str(self.config_dir)]
        self.proc = process.spawn(argv, self.log_path, env)
        try:
            process.wait_ready(
                self._not_ready,
                what="transmission-daemon",
                watch=[("transmission-daemon", self.proc, self.log_tail)],
                timeout=timeout,
                interval=0.03,
                log_tail=self.log_tail,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def rpc(self, method: str, arguments: dict | None = None) -> dict:
        """One raw RPC call with the daemon's credentials (for test set-up and checks)."""
        with requests.Session() as s:
            s.trust_env = False
            s.auth = (self.username, self.password)
            body = {"method": method, "arguments": arguments or {}}
            r = s.post(self.rpc_url, json=body, timeout=5)
            if r.status_code == 409:
                sid = r.headers["X-Transmission-Session-Id"]
                r = s.post(
                    self.rpc_url, json=body, headers={"X-Transmission-Session-Id": sid}, timeout=5
                )
            r.raise_for_status()
            data = r.json()
        if data.get("result") != "success":
            raise RuntimeError(f"{method}: {data.get('result')}")
        return data.get("arguments") or {}

    def _not_ready(self) -> str | None:
        try:
            self.rpc("session-get", {"fields": ["version"]})
        except (requests.RequestException, RuntimeError, ValueError, KeyError) as exc:
            return f"{type(exc).__name__}: {str(exc)[:80]}"
        return None

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, as seen from a client)."""
        proc, self.proc = self.proc, None
        process.kill(proc)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it doesn't exit in time."""
        proc, self.proc = self.proc, None
        process.terminate(proc, timeout)

    def log_tail(self, lines: int = 20) -> str:
        return process.log_tail(self.log_path, lines=lines)


def start_transmission(
    base_dir: Path | str,
    *,
    username: str = "idkarr",
    password: str | None = None,
    binary: str | None = None,
    timeout: float = READY_TIMEOUT,
    settings: dict | None = None,
) -> TransmissionDaemon:
    """Write ``settings.json`` under ``base_dir`` and start transmission-daemon on free
    loopback ports. Returns the running daemon handle; raises RuntimeError (with the
    log tail) if no authenticated RPC call works within ``timeout`` seconds. The caller
    must ``stop()`` it.
    """
    binary = binary or shutil.which("transmission-daemon") or "/usr/bin/transmission-daemon"
    base = Path(base_dir)
    config_dir = base / "config"
    download_dir = base / "downloads"
    config_dir.mkdir(parents=True, exist_ok=True)
    download_dir.mkdir(parents=True, exist_ok=True)
    password = password or "pw-" + secrets.token_urlsafe(12)
    daemon = TransmissionDaemon(
        binary=binary,
        base_dir=base,
        host="127.0.0.1",
        port=free_port(),
        peer_port=free_port(),
        username=username,
        password=password,
        config_dir=config_dir,
        download_dir=download_dir,
        log_path=base / "transmission.log",
    )
    values = {
        "rpc-enabled": True,
        "rpc-bind-address": "127.0.0.1",
        "rpc-port": daemon.port,
        "rpc-authentication-required": True,
        "rpc-username": username,
        "rpc-password": password,
        "rpc-whitelist-enabled": True,
        "rpc-whitelist": "127.0.0.1",
        "download-dir": str(download_dir),
        "incomplete-dir-enabled": False,
        "peer-port": daemon.peer_port,
        "peer-port-random-on-start": False,
        "bind-address-ipv4": "127.0.0.1",
        "bind-address-ipv6": "::1",
        "dht-enabled": False,
        "lpd-enabled": False,
        "pex-enabled": False,
        "utp-enabled": False,
        "port-forwarding-enabled": False,
        "download-queue-enabled": False,
        "seed-queue-enabled": False,
        "message-level": 1,
    }
    values.update(settings or {})
    (config_dir / "settings.json").write_text(json.dumps(values, indent=2))
    return daemon.start(timeout)
