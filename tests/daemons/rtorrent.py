"""Start a real, hermetic ``rtorrent`` (Debian 0.9.8 / libtorrent 0.13.8) on loopback.

The config is written to a temp dir and loaded with ``-n -o import=FILE`` so no
``~/.rtorrent.rc`` is read: XML-RPC on an SCGI port on 127.0.0.1, the peer port
and bind address on loopback, DHT/PeX/UDP trackers off, and
``system.daemon.set = true`` — without it (and without a terminal) rTorrent
crashes at start (epoll cannot watch /dev/null). Readiness is a real
``system.client_version`` call over SCGI.

Used by the pytest fixtures; it imports nothing from pytest.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.daemons import process
from tests.daemons.process import free_port

READY_TIMEOUT = 15.0


def _config(*, base: Path, scgi_port: int, peer_port: int) -> str:
    return "\n".join(
        [
            f"directory.default.set = {base / 'downloads'}",
            f"session.path.set = {base / 'session'}",
            f"network.scgi.open_port = 127.0.0.1:{scgi_port}",
            f"network.port_range.set = {peer_port}-{peer_port}",
            "network.port_random.set = no",
            "network.bind_address.set = 127.0.0.1",
            "dht.mode.set = disable",
            "protocol.pex.set = no",
            "trackers.use_udp.set = no",
            "pieces.hash.on_completion.set = no",
            "system.daemon.set = true",
            f'log.open_file = "main", {base / "rtorrent.log"}',
            'log.add_output = "info", "main"',
            "",
        ]
    )


def scgi_call(host: str, port: int, method: str, timeout: float = 2.0) -> bytes:
    """A raw parameterless XML-RPC call over SCGI; returns the whole answer (headers + XML)."""
    body = (
        f'<?xml version="1.0"?><methodCall><methodName>{method}</methodName>'
        "<params></params></methodCall>"
    ).encode()
    headers = [("CONTENT_LENGTH", str(len(body))), ("SCGI", "1"), ("REQUEST_METHOD", "POST")]
    block = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in headers)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(str(len(block)).encode() + b":" + block + b"," + body)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class RTorrentDaemon(process.StopOnExit):
    """A running (or stopped) rtorrent with its own config, session and download dirs."""

    binary: str
    base_dir: Path
    host: str
    port: int
    peer_port: int
    download_dir: Path
    session_dir: Path
    config_path: Path
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"scgi://{self.host}:{self.port}"

    def running(self) -> bool:
        return process.is_running(self.proc)

    def start(self, timeout: float = READY_TIMEOUT) -> RTorrentDaemon:
        """Start (again) on the same session dir and wait for a real XML-RPC answer."""
        if self.running():
            return self
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base_dir / "home"),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
        }
        argv = [self.binary, "-n", "-o", f"import={self.config_path}"]
        self.proc = process.spawn(argv, self.base_dir / "stdout.log", env, cwd=self.base_dir)
        try:
            process.wait_ready(
                self._not_ready,
                what="rtorrent",
                watch=[("rtorrent", self.proc, self.log_tail)],
                timeout=timeout,
                interval=0.02,
                log_tail=self.log_tail,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _not_ready(self) -> str | None:
        try:
            answer = scgi_call(self.host, self.port, "system.client_version")
        except OSError as exc:
            return type(exc).__name__
        if b"Status: 200" in answer and b"<string>" in answer:
            return None
        return repr(answer[:80])

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it doesn't exit in time."""
        proc, self.proc = self.proc, None
        process.terminate(proc, timeout)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, not a shutdown)."""
        proc, self.proc = self.proc, None
        process.kill(proc)

    def log_tail(self, lines: int = 20) -> str:
        return process.log_tail(self.log_path, self.base_dir / "stdout.log", lines=lines)


def start_rtorrent(
    base_dir: Path | str, *, binary: str | None = None, timeout: float = READY_TIMEOUT
) -> RTorrentDaemon:
    """Write a config under ``base_dir`` and start rtorrent on free loopback ports.

    Returns the running daemon handle; raises RuntimeError (with the log tail) if it
    does not answer XML-RPC within ``timeout`` seconds. The caller must ``stop()`` it.
    """
    binary = binary or shutil.which("rtorrent") or "/usr/bin/rtorrent"
    base = Path(base_dir)
    for sub in ("downloads", "session", "home"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    daemon = RTorrentDaemon(
        binary=binary,
        base_dir=base,
        host="127.0.0.1",
        port=free_port(),
        peer_port=free_port(),
        download_dir=base / "downloads",
        session_dir=base / "session",
        config_path=base / "rtorrent.rc",
        log_path=base / "rtorrent.log",
    )
    daemon.config_path.write_text(
        _config(base=base, scgi_port=daemon.port, peer_port=daemon.peer_port)
    )
    return daemon.start(timeout)
