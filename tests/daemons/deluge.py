"""Start a real, hermetic ``deluged`` + ``deluge-web`` pair (Debian 2.0.3) on loopback.

deluged gets its own config dir with an ``auth`` file (a known admin account),
a ``core.conf`` binding everything to 127.0.0.1 on free ports with DHT, LSD,
UPnP, NAT-PMP and PeX off, unlimited active torrents (so a stalled magnet is
never ``Queued`` behind others), and optionally the Label plugin enabled.
deluge-web gets a separate config dir (sharing deluged's makes it exit 1) with
a ``web.conf`` holding a known web password (Deluge's salted SHA-1) and a
``hostlist.conf`` naming the daemon, so the Web UI's Connection Manager knows
it but is not attached to it until someone calls ``web.connect``.

deluge-web is always served at the root: its ``-b``/``base`` setting only
changes the cookie path and page links for a reverse proxy that strips the
prefix (2.0.3 on this Twisted does not serve under the base itself).

Both processes run in the foreground (``-d``), quiet (``-q``: Deluge 2.0.3 on
Python 3.11 floods its log with harmless logging tracebacks otherwise), each in
its own session so teardown can signal its whole process group.

Used by the pytest fixtures and by ``bench/``; it imports nothing from pytest.
"""

from __future__ import annotations

import hashlib
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

READY_TIMEOUT = 20.0


def deluge_config(version: int, values: dict) -> str:
    """Deluge's config file format: a version header object followed by the values."""
    return json.dumps({"file": version, "format": 1}) + json.dumps(values, indent=4)


def web_password_fields(password: str) -> dict[str, str]:
    """``pwd_salt``/``pwd_sha1`` for web.conf: sha1(salt + password), as deluge-web checks it."""
    salt = hashlib.sha1(os.urandom(32), usedforsecurity=False).hexdigest()
    digest = hashlib.sha1((salt + password).encode(), usedforsecurity=False).hexdigest()
    return {"pwd_salt": salt, "pwd_sha1": digest}


@dataclass
class DelugeDaemon(process.StopOnExit):
    """A running (or stopped) deluged + deluge-web pair with their own config dirs."""

    deluged_binary: str
    web_binary: str
    base_dir: Path
    host: str
    port: int  # deluge-web (what the provider talks to)
    daemon_port: int  # deluged RPC
    peer_port: int
    password: str  # web UI password
    daemon_username: str
    daemon_password: str
    host_id: str  # the daemon's id in deluge-web's host list
    daemon_config_dir: Path
    web_config_dir: Path
    save_dir: Path
    daemon_proc: subprocess.Popen | None = field(default=None, repr=False)
    web_proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def daemon_log(self) -> Path:
        return self.base_dir / "deluged.log"

    @property
    def web_log(self) -> Path:
        return self.base_dir / "deluge-web.log"

    def running(self) -> bool:
        return self.daemon_running() and self.web_running()

    def daemon_running(self) -> bool:
        return process.is_running(self.daemon_proc)

    def web_running(self) -> bool:
        return process.is_running(self.web_proc)

    def _env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base_dir),
            "XDG_CONFIG_HOME": str(self.base_dir / "xdg-config"),
            "XDG_DATA_HOME": str(self.base_dir / "xdg-data"),
            "XDG_CACHE_HOME": str(self.base_dir / "xdg-cache"),
            "TMPDIR": str(self.base_dir / "tmp"),  # deluged leaves failed URL fetches there
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def start(self, timeout: float = READY_TIMEOUT, *, attach: bool = True) -> DelugeDaemon:
        """Start (again) whatever is not running and wait until a real web login succeeds
        and deluge-web sees the daemon online. ``attach`` also connects the Web UI to the
        daemon (an authenticated daemon login) before returning."""
        try:
            if not self.daemon_running():
                self.daemon_proc = process.spawn(
                    [
                        self.deluged_binary,
                        "-d",
                        "-q",
                        "-c",
                        str(self.daemon_config_dir),
                        "-u",
                        self.host,
                        "-p",
                        str(self.daemon_port),
                        "-i",
                        self.host,
                    ],
                    self.daemon_log,
                    self._env(),
                )
            if not self.web_running():
                argv = [
                    self.web_binary,
                    "-d",
                    "-q",
                    "-c",
                    str(self.web_config_dir),
                    "-i",
                    self.host,
                    "-p",
                    str(self.port),
                ]
                self.web_proc = process.spawn(argv, self.web_log, self._env())
            self._wait_ready(timeout, attach=attach)
        except BaseException:
            self.stop()
            raise
        return self

    def rpc(self, session: requests.Session, method: str, *params, timeout: float = 5.0):
        """One raw JSON-RPC call on ``session``; returns the whole answer object."""
        r = session.post(
            f"{self.url}/json",
            json={"method": method, "params": list(params), "id": 1},
            timeout=timeout,
        )
        r.raise_for_status()
        return r.json()

    def _wait_ready(self, timeout: float, *, attach: bool) -> None:
        with requests.Session() as s:
            s.trust_env = False
            process.wait_ready(
                lambda: self._not_ready(s, attach=attach),
                what="deluged/deluge-web",
                watch=[
                    ("deluged", self.daemon_proc, lambda: self.log_tail(self.daemon_log)),
                    ("deluge-web", self.web_proc, lambda: self.log_tail(self.web_log)),
                ],
                timeout=timeout,
                interval=0.05,
                log_tail=lambda: (
                    f"deluged: {self.log_tail(self.daemon_log)}\n"
                    f"deluge-web: {self.log_tail(self.web_log)}"
                ),
            )

    def _not_ready(self, s: requests.Session, *, attach: bool) -> str | None:
        try:
            if self.rpc(s, "auth.login", self.password).get("result") is not True:
                raise RuntimeError("deluge-web rejected the fixture's web password")
            status = self.rpc(s, "web.get_host_status", self.host_id).get("result")
            if status and status[1] in ("Online", "Connected"):
                if attach:
                    self.rpc(s, "web.connect", self.host_id, timeout=10)
                    if self.rpc(s, "web.connected").get("result") is not True:
                        raise RuntimeError(
                            "deluge-web could not log in to deluged with the fixture's "
                            f"daemon account:\n{self.log_tail(self.web_log)}"
                        )
                return None
            return f"daemon status {status!r}"
        except requests.RequestException as exc:
            return type(exc).__name__

    def stop_daemon(self, timeout: float = 10.0) -> None:
        proc, self.daemon_proc = self.daemon_proc, None
        process.terminate(proc, timeout)

    def stop_web(self, timeout: float = 10.0) -> None:
        proc, self.web_proc = self.web_proc, None
        process.terminate(proc, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop both processes (web first, so it doesn't log a lost daemon)."""
        try:
            self.stop_web(timeout)
        finally:
            self.stop_daemon(timeout)

    @staticmethod
    def log_tail(path: Path, lines: int = 20) -> str:
        return process.log_tail(path, lines=lines)


def start_deluge(
    base_dir: Path | str,
    *,
    password: str | None = None,
    label_plugin: bool = True,
    deluged_binary: str | None = None,
    web_binary: str | None = None,
    timeout: float = READY_TIMEOUT,
    attach: bool = True,
    core_options: dict | None = None,
) -> DelugeDaemon:
    """Write both config dirs under ``base_dir`` and start deluged + deluge-web on free
    loopback ports.

    Returns the running handle; raises RuntimeError (with the log tails) if they do not
    answer within ``timeout`` seconds. The caller must ``stop()`` it. ``label_plugin``
    pre-enables Deluge's Label plugin; ``attach`` leaves the Web UI connected to the
    daemon (otherwise only deluge-web's own methods work until ``web.connect``).
    """
    deluged_binary = deluged_binary or shutil.which("deluged") or "/usr/bin/deluged"
    web_binary = web_binary or shutil.which("deluge-web") or "/usr/bin/deluge-web"
    base = Path(base_dir)
    daemon_dir = base / "deluged"
    web_dir = base / "deluge-web"
    save_dir = base / "downloads"
    for d in (daemon_dir / "plugins", web_dir, save_dir, base / "tmp"):
        d.mkdir(parents=True, exist_ok=True)
    daemon = DelugeDaemon(
        deluged_binary=deluged_binary,
        web_binary=web_binary,
        base_dir=base,
        host="127.0.0.1",
        port=free_port(),
        daemon_port=free_port(),
        peer_port=free_port(),
        password=password or "web-" + secrets.token_urlsafe(12),
        daemon_username="idkarr",
        daemon_password="daemon-" + secrets.token_urlsafe(12),
        host_id=secrets.token_hex(16),
        daemon_config_dir=daemon_dir,
        web_config_dir=web_dir,
        save_dir=save_dir,
    )
    (daemon_dir / "auth").write_text(f"{daemon.daemon_username}:{daemon.daemon_password}:10\n")
    core = {
        "download_location": str(save_dir),
        "move_completed_path": str(save_dir),
        "torrentfiles_location": str(save_dir),
        "plugins_location": str(daemon_dir / "plugins"),
        "listen_ports": [daemon.peer_port, daemon.peer_port],
        "random_port": False,
        "listen_interface": "127.0.0.1",
        "outgoing_interface": "",
        "dht": False,
        "upnp": False,
        "natpmp": False,
        "lsd": False,
        "utpex": False,
        "new_release_check": False,
        "send_info": False,
        "allow_remote": False,
        "daemon_port": daemon.daemon_port,
        "enabled_plugins": ["Label"] if label_plugin else [],
        "max_active_limit": -1,
        "max_active_downloading": -1,
        "max_active_seeding": -1,
        "pre_allocate_storage": False,
    }
    core.update(core_options or {})
    (daemon_dir / "core.conf").write_text(deluge_config(1, core))
    web = {
        **web_password_fields(daemon.password),
        "port": daemon.port,
        "interface": daemon.host,
        "https": False,
        "default_daemon": "",
        "first_login": False,
    }
    (web_dir / "web.conf").write_text(deluge_config(2, web))
    hosts = [
        [
            daemon.host_id,
            daemon.host,
            daemon.daemon_port,
            daemon.daemon_username,
            daemon.daemon_password,
        ]
    ]
    (web_dir / "hostlist.conf").write_text(deluge_config(3, {"hosts": hosts}))
    return daemon.start(timeout, attach=attach)
