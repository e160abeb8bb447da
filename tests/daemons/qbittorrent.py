"""Start a real, hermetic ``qbittorrent-nox`` (Debian 4.5.2) on loopback.

The profile is pre-written: a known user with a PBKDF2 password, the WebUI and
the torrent port bound to 127.0.0.1 on free ports, DHT/LSD/PeX/UPnP off, the
brute-force ban disabled (``MaxAuthenticationFailCount=0``) so wrong-password
tests can't lock later logins out, and the legal notice accepted.

Used by the pytest fixtures and by ``bench/``; it imports nothing from pytest.
"""

from __future__ import annotations

import base64
import hashlib
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


def pbkdf2_value(password: str, salt: bytes | None = None) -> str:
    """qBittorrent's ``WebUI\\Password_PBKDF2`` value (PBKDF2-SHA512, 100000 rounds)."""
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000)
    return f'"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"'


def _config(
    *,
    username: str,
    password: str,
    web_port: int,
    peer_port: int,
    save_dir: Path,
    refresh_interval_ms: int,
) -> str:
    return "\n".join(
        [
            "[LegalNotice]",
            "Accepted=true",
            "",
            "[BitTorrent]",
            f"Session\\Port={peer_port}",
            f"Session\\DefaultSavePath={save_dir}",
            "Session\\TempPathEnabled=false",
            "Session\\DHTEnabled=false",
            "Session\\LSDEnabled=false",
            "Session\\PeXEnabled=false",
            "Session\\Interface=lo",
            "Session\\InterfaceName=lo",
            "Session\\InterfaceAddress=127.0.0.1",
            "Session\\QueueingSystemEnabled=false",
            f"Session\\RefreshInterval={refresh_interval_ms}",
            "",
            "[Network]",
            "PortForwardingEnabled=false",
            "",
            "[Preferences]",
            "WebUI\\Address=127.0.0.1",
            f"WebUI\\Port={web_port}",
            f"WebUI\\Username={username}",
            f"WebUI\\Password_PBKDF2={pbkdf2_value(password)}",
            "WebUI\\LocalHostAuth=true",
            "WebUI\\CSRFProtection=true",
            "WebUI\\HostHeaderValidation=true",
            "WebUI\\UseUPnP=false",
            "WebUI\\MaxAuthenticationFailCount=0",
            "General\\Locale=en",
            "",
        ]
    )


@dataclass
class QBittorrentDaemon(process.StopOnExit):
    """A running (or stopped) qbittorrent-nox with its own profile directory."""

    binary: str
    base_dir: Path
    host: str
    port: int
    peer_port: int
    username: str
    password: str
    profile_dir: Path
    save_dir: Path
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def running(self) -> bool:
        return process.is_running(self.proc)

    def start(self, timeout: float = READY_TIMEOUT) -> QBittorrentDaemon:
        """Start (again) on the same profile and wait until a real login succeeds."""
        if self.running():
            return self
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base_dir),
            "XDG_CONFIG_HOME": str(self.base_dir / "xdg-config"),
            "XDG_DATA_HOME": str(self.base_dir / "xdg-data"),
            "XDG_CACHE_HOME": str(self.base_dir / "xdg-cache"),
            "LANG": "C.UTF-8",
        }
        self.proc = process.spawn(
            [self.binary, f"--profile={self.profile_dir}"], self.log_path, env
        )
        try:
            with requests.Session() as s:
                s.trust_env = False
                process.wait_ready(
                    lambda: self._not_ready(s),
                    what="qbittorrent-nox",
                    watch=[("qbittorrent-nox", self.proc, self.log_tail)],
                    timeout=timeout,
                    interval=0.03,
                    log_tail=self.log_tail,
                )
        except BaseException:
            self.stop()
            raise
        return self

    def _not_ready(self, s: requests.Session) -> str | None:
        try:
            r = s.post(
                f"{self.url}/api/v2/auth/login",
                data={"username": self.username, "password": self.password},
                timeout=2,
            )
        except requests.RequestException as exc:
            return type(exc).__name__
        if r.status_code == 200 and r.text == "Ok.":
            return None
        return f"HTTP {r.status_code} {r.text[:80]!r}"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it doesn't exit in time."""
        proc, self.proc = self.proc, None
        process.terminate(proc, timeout)

    def log_tail(self, lines: int = 20) -> str:
        return process.log_tail(self.log_path, lines=lines)


def start_qbittorrent(
    base_dir: Path | str,
    *,
    username: str = "idkarr",
    password: str | None = None,
    binary: str | None = None,
    timeout: float = READY_TIMEOUT,
    refresh_interval_ms: int = 100,
) -> QBittorrentDaemon:
    """Write a profile under ``base_dir`` and start qbittorrent-nox on free loopback ports.

    Returns the running daemon handle; raises RuntimeError (with the log tail) if it
    does not accept a login within ``timeout`` seconds. The caller must ``stop()`` it.
    ``refresh_interval_ms`` is how often qBittorrent refreshes torrent states (its
    default is 1500 ms; tests use 100 ms so a seeded torrent shows as seeding in ~0.5 s).
    """
    binary = binary or shutil.which("qbittorrent-nox") or "/usr/bin/qbittorrent-nox"
    base = Path(base_dir)
    profile = base / "profile"
    save_dir = base / "downloads"
    conf_dir = profile / "qBittorrent" / "config"
    conf_dir.mkdir(parents=True, exist_ok=True)
    save_dir.mkdir(parents=True, exist_ok=True)
    password = password or "pw-" + secrets.token_urlsafe(12)
    daemon = QBittorrentDaemon(
        binary=binary,
        base_dir=base,
        host="127.0.0.1",
        port=free_port(),
        peer_port=free_port(),
        username=username,
        password=password,
        profile_dir=profile,
        save_dir=save_dir,
        log_path=base / "qbittorrent.log",
    )
    (conf_dir / "qBittorrent.conf").write_text(
        _config(
            username=username,
            password=password,
            web_port=daemon.port,
            peer_port=daemon.peer_port,
            save_dir=save_dir,
            refresh_interval_ms=refresh_interval_ms,
        )
    )
    return daemon.start(timeout)
