"""Start a real, hermetic ``nzbget`` (Debian 21.0) on loopback.

The config is written from scratch into a temp dir: JSON-RPC on 127.0.0.1 at a
free port with a known control user, every directory under the temp dir, no
update checks, the log on stdout, ``ParCheck=manual`` and ``Unpack=no`` (no
par2/unrar work: post-processing takes milliseconds), and optionally one news
server: a :class:`tests.daemons.nntp.FakeNntpServer`, which makes downloads
really finish — ``SUCCESS/HEALTH`` for served articles, ``FAILURE/HEALTH`` for
missing ones — within about a second.

Used by the pytest fixtures and by ``bench/``; it imports nothing from pytest.
"""

from __future__ import annotations

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
WEB_DIR = "/usr/share/nzbget/webui"

# A post-processing script that always fails (exit 94 = POSTPROCESS_ERROR), for WARNING/SCRIPT.
FAILING_SCRIPT = """#!/bin/sh
### NZBGET POST-PROCESSING SCRIPT                                          ###
# Always reports a failure (idkarr tests).
### NZBGET POST-PROCESSING SCRIPT                                          ###
echo "[ERROR] idkarr test script fails on purpose"
exit 94
"""


def _config(
    *,
    main_dir: Path,
    port: int,
    username: str,
    password: str,
    categories: list[str],
    nntp_port: int | None,
    keep_history: int,
    script_category: str,
    connections: int,
    article_timeout: int,
) -> str:
    lines = [
        f"MainDir={main_dir}",
        "DestDir=${MainDir}/complete",
        "InterDir=${MainDir}/intermediate",
        "NzbDir=${MainDir}/nzb",
        "QueueDir=${MainDir}/queue",
        "TempDir=${MainDir}/tmp",
        "ScriptDir=${MainDir}/scripts",
        "LockFile=${MainDir}/nzbget.lock",
        "LogFile=${MainDir}/nzbget-file.log",
        "WriteLog=none",
        f"WebDir={WEB_DIR}",
        f"ConfigTemplate={WEB_DIR}/nzbget.conf",
        "ControlIP=127.0.0.1",
        f"ControlPort={port}",
        f"ControlUsername={username}",
        f"ControlPassword={password}",
        "RestrictedUsername=",
        "AddUsername=",
        "FormAuth=no",
        "SecureControl=no",
        "UpdateCheck=none",
        "OutputMode=log",
        "CrashTrace=no",
        "CrashDump=no",
        "NzbDirInterval=0",
        "AppendCategoryDir=yes",
        f"KeepHistory={keep_history}",
        "DiskSpace=0",
        "ParCheck=manual",
        "ParRename=no",
        "Unpack=no",
        "DirectUnpack=no",
        "ArticleRetries=0",
        "ArticleInterval=1",
        f"ArticleTimeout={article_timeout}",
        "UrlTimeout=10",
        "UrlRetries=0",
    ]
    for n, name in enumerate([*categories, script_category], 1):
        lines.append(f"Category{n}.Name={name}")
        if name == script_category:
            lines.append(f"Category{n}.Extensions=fail.sh")
    if nntp_port is not None:
        lines += [
            "Server1.Active=yes",
            "Server1.Name=fake",
            "Server1.Level=0",
            "Server1.Host=127.0.0.1",
            f"Server1.Port={nntp_port}",
            "Server1.Encryption=no",
            f"Server1.Connections={connections}",
            "Server1.JoinGroup=no",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class NzbgetDaemon(process.StopOnExit):
    """A running (or stopped) nzbget server with its own config and directories."""

    binary: str
    base_dir: Path
    host: str
    port: int
    username: str
    password: str
    config_path: Path
    dest_dir: Path
    log_path: Path
    categories: list[str]
    script_category: str
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def running(self) -> bool:
        return process.is_running(self.proc)

    def start(self, timeout: float = READY_TIMEOUT) -> NzbgetDaemon:
        """Start (again) on the same config and wait until an authenticated call answers."""
        if self.running():
            return self
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base_dir),
            "LANG": "C.UTF-8",
        }
        self.proc = process.spawn(
            [self.binary, "-c", str(self.config_path), "-s"], self.log_path, env
        )
        try:
            process.wait_ready(
                self._not_ready,
                what="nzbget",
                watch=[("nzbget", self.proc, self.log_tail)],
                timeout=timeout,
                interval=0.03,
                log_tail=self.log_tail,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def rpc(self, method: str, *params, timeout: float = 5.0):
        """One JSON-RPC call with the control credentials (for test setup and checks)."""
        with requests.Session() as s:
            s.trust_env = False
            r = s.post(
                f"{self.url}/jsonrpc",
                json={"method": method, "params": list(params), "id": 1},
                auth=(self.username, self.password),
                timeout=timeout,
            )
        r.raise_for_status()
        data = r.json()
        if data.get("error"):
            raise RuntimeError(f"nzbget {method} failed: {data['error']}")
        return data["result"]

    def _not_ready(self) -> str | None:
        try:
            version = self.rpc("version", timeout=2)
        except (requests.RequestException, ValueError, RuntimeError) as exc:
            return type(exc).__name__
        if isinstance(version, str) and version:
            return None
        return f"version answered {version!r}"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it doesn't exit in time."""
        proc, self.proc = self.proc, None
        process.terminate(proc, timeout)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, not a shutdown)."""
        proc, self.proc = self.proc, None
        process.kill(proc)

    def log_tail(self, lines: int = 20) -> str:
        return process.log_tail(self.log_path, lines=lines)


def start_nzbget(
    base_dir: Path | str,
    *,
    username: str = "idkarr",
    password: str | None = None,
    categories: list[str] | None = None,
    nntp_port: int | None = None,
    keep_history: int = 30,
    connections: int = 4,
    article_timeout: int = 30,
    binary: str | None = None,
    timeout: float = READY_TIMEOUT,
) -> NzbgetDaemon:
    """Write a config under ``base_dir`` and start nzbget on a free loopback port.

    ``categories`` are configured as Category1..N (plus ``idkarr-script-fail``,
    whose post-processing script always fails); ``nntp_port`` adds a news server
    there with ``connections`` connections. Without a news server nzbget 21 keeps
    a CPU core busy (its queue loop never sleeps), so long-lived daemons should
    have one — a closed port will do. Returns the running daemon; raises RuntimeError (with the log tail) if
    it does not answer within ``timeout`` seconds. The caller must ``stop()`` it.
    """
    binary = binary or shutil.which("nzbget") or "/usr/bin/nzbget"
    base = Path(base_dir)
    main_dir = base / "main"
    for sub in ("complete", "intermediate", "nzb", "queue", "tmp", "scripts"):
        (main_dir / sub).mkdir(parents=True, exist_ok=True)
    script = main_dir / "scripts" / "fail.sh"
    script.write_text(FAILING_SCRIPT)
    script.chmod(0o755)
    password = password or "pw-" + secrets.token_urlsafe(12)
    categories = list(categories if categories is not None else ["tv-idkarr", "movies-idkarr"])
    daemon = NzbgetDaemon(
        binary=binary,
        base_dir=base,
        host="127.0.0.1",
        port=free_port(),
        username=username,
        password=password,
        config_path=base / "nzbget.conf",
        dest_dir=main_dir / "complete",
        log_path=base / "nzbget.log",
        categories=categories,
        script_category="idkarr-script-fail",
    )
    daemon.config_path.write_text(
        _config(
            main_dir=main_dir,
            port=daemon.port,
            username=username,
            password=password,
            categories=categories,
            nntp_port=nntp_port,
            keep_history=keep_history,
            script_category=daemon.script_category,
            connections=connections,
            article_timeout=article_timeout,
        )
    )
    return daemon.start(timeout)
