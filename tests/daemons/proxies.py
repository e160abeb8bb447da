"""Start real proxy daemons on loopback: tinyproxy (HTTP, Debian 1.11) and
microsocks (SOCKS5, Debian 1.0), each with a login.

tinyproxy runs in the foreground from a config file of its own (no system config,
no pid file, the ``Via`` header kept so a test can see that a request came through
it); microsocks takes flags only and logs every connection it opens. Readiness is a
TCP connect. Used by the pytest fixtures; imports nothing from pytest.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.daemons import process
from tests.daemons.process import free_port

READY_TIMEOUT = 10.0


@dataclass
class ProxyDaemon(process.StopOnExit):
    """A running (or stopped) proxy daemon listening on ``host:port``."""

    argv: list[str]
    port: int
    username: str
    password: str
    log_path: Path
    host: str = "127.0.0.1"
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> ProxyDaemon:
        self.proc = process.spawn(self.argv, self.log_path, dict(os.environ))
        process.wait_ready(
            self._not_ready,
            what=self.argv[0],
            watch=[(self.argv[0], self.proc, self.log)],
            timeout=READY_TIMEOUT,
            interval=0.05,
            log_tail=self.log,
        )
        return self

    def stop(self) -> None:
        process.terminate(self.proc)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        process.kill(self.proc)

    def running(self) -> bool:
        return process.is_running(self.proc)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _not_ready(self) -> str | None:
        try:
            socket.create_connection((self.host, self.port), timeout=0.5).close()
        except OSError as exc:
            return str(exc)
        return None


def start_tinyproxy(base: Path, *, username: str, password: str, binary: str) -> ProxyDaemon:
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = base / "tinyproxy.conf"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "Listen 127.0.0.1",
                "Timeout 30",
                "MaxClients 64",
                "LogLevel Connect",
                "Allow 127.0.0.1",
                f"BasicAuth {username} {password}",
                "DisableViaHeader No",
                "",
            ]
        )
    )
    daemon = ProxyDaemon(
        [binary, "-d", "-c", str(config)], port, username, password, base / "tinyproxy.log"
    )
    return daemon.start()


def start_microsocks(base: Path, *, username: str, password: str, binary: str) -> ProxyDaemon:
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [binary, "-i", "127.0.0.1", "-p", str(port), "-u", username, "-P", password]
    return ProxyDaemon(argv, port, username, password, base / "microsocks.log").start()
