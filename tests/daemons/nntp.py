"""A tiny fake NNTP server on loopback, enough for NZBGet 21 to download real articles.

NZBGet (with ``JoinGroup=no`` and no server username) only sends ``BODY <id>``,
one connection per article; the server answers stored articles as single-part
yEnc bodies, unknown ones with ``430 No Such Article``, and *held* ones not at
all until :meth:`FakeNntpServer.release` (so a download stays ``DOWNLOADING``
as long as a test needs it to). ``ARTICLE``/``HEAD``/``STAT``/``GROUP``/
``AUTHINFO``/``MODE READER``/``QUIT`` get minimal answers.

    with FakeNntpServer() as nntp:                       # 127.0.0.1:<free port>
        good = nntp.publish("show.bin", b"payload")      # served
        gone = nntp.missing("other.bin", 1000)           # 430
        nzb = make_nzb([good, gone])                     # NZB XML bytes

Used by the NZBGet fixtures and by ``bench/``; it imports nothing from pytest.
"""

from __future__ import annotations

import secrets
import socketserver
import threading
import zlib
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

LINE_LENGTH = 128
_CRITICAL = {0x00, 0x0A, 0x0D, 0x3D}  # NUL, LF, CR, '=' are always escaped
_EDGE = {0x09, 0x20}  # TAB and SPACE are escaped at the start and end of a line


def yenc_lines(data: bytes, name: str) -> list[bytes]:
    """``data`` as a single-part yEnc body: ``=ybegin``, encoded lines, ``=yend`` with CRC32."""
    lines = [f"=ybegin line={LINE_LENGTH} size={len(data)} name={name}".encode()]
    line = bytearray()
    for i, byte in enumerate(data):
        encoded = (byte + 42) % 256
        at_start = not line
        at_end = len(line) >= LINE_LENGTH - 1 or i == len(data) - 1
        if (
            encoded in _CRITICAL
            or (encoded in _EDGE and (at_start or at_end))
            or (encoded == 0x2E and at_start)
        ):
            line += bytes((0x3D, (encoded + 64) % 256))
        else:
            line.append(encoded)
        if len(line) >= LINE_LENGTH:
            lines.append(bytes(line))
            line = bytearray()
    if line:
        lines.append(bytes(line))
    crc = zlib.crc32(data) & 0xFFFFFFFF
    lines.append(f"=yend size={len(data)} crc32={crc:08x}".encode())
    return lines


@dataclass
class Segment:
    message_id: str
    size: int


@dataclass
class NzbFile:
    """One file of an NZB: its name and the articles it is made of."""

    name: str
    segments: list[Segment] = field(default_factory=list)
    poster: str = "idkarr-tests@example.invalid"
    group: str = "alt.binaries.test"
    date: int = 1700000000

    @property
    def subject(self) -> str:
        return f'idkarr test - "{self.name}" yEnc (1/{len(self.segments)})'


def make_nzb(files: list[NzbFile], title: str = "") -> bytes:
    """An NZB 1.1 document (with the doctype indexers send) listing ``files``."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" '
        '"http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">',
        '<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">',
    ]
    if title:
        out.append(f' <head><meta type="title">{escape(title)}</meta></head>')
    for f in files:
        out.append(
            f" <file poster={quoteattr(f.poster)} date={quoteattr(str(f.date))} "
            f"subject={quoteattr(f.subject)}>"
        )
        out.append(f"  <groups><group>{escape(f.group)}</group></groups>")
        out.append("  <segments>")
        for n, seg in enumerate(f.segments, 1):
            out.append(
                f'   <segment bytes="{seg.size}" number="{n}">{escape(seg.message_id)}</segment>'
            )
        out.append("  </segments>")
        out.append(" </file>")
    out.append("</nzb>")
    return ("\n".join(out) + "\n").encode()


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    timeout = 30

    def send(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        owner = self.server.owner
        try:
            self.send("200 fake-nntp ready (posting not allowed)")
            while not owner.stopping.is_set():
                raw = self.rfile.readline()
                if not raw:
                    return
                words = raw.decode("latin-1").strip().split()
                if not words:
                    continue
                command, args = words[0].upper(), words[1:]
                owner.commands.append(" ".join(words[:2]))
                if command == "QUIT":
                    self.send("205 bye")
                    return
                if command in ("BODY", "ARTICLE", "HEAD", "STAT"):
                    if not self.article(command, args[0] if args else ""):
                        return
                elif command == "GROUP":
                    group = args[0] if args else ""
                    self.send(f"211 1 1 1 {group}")
                elif command == "AUTHINFO":
                    is_user = bool(args) and args[0].upper() == "USER"
                    self.send("381 password required" if is_user else "281 welcome")
                elif command == "MODE":
                    self.send("200 reader mode")
                else:
                    self.send("500 unknown command")
                self.wfile.flush()
        except (ConnectionError, OSError):
            return

    def article(self, command: str, message_id: str) -> bool:
        """Answer one article command; False means the connection is to be dropped."""
        owner = self.server.owner
        mid = message_id.strip("<>")
        if mid in owner.held:
            owner.held[mid].wait()
            if owner.stopping.is_set():
                return False
        body = owner.articles.get(mid)
        if body is None:
            self.send("430 No Such Article")
            return True
        owner.served.append(mid)
        code = {"BODY": 222, "ARTICLE": 220, "HEAD": 221, "STAT": 223}[command]
        self.send(f"{code} 0 <{mid}>")
        if command == "STAT":
            return True
        if command in ("ARTICLE", "HEAD"):
            self.send(f"Message-ID: <{mid}>")
            self.send("Subject: idkarr test")
            if command == "ARTICLE":
                self.send("")
        if command != "HEAD":
            for line in body:
                self.wfile.write((b"." + line if line.startswith(b".") else line) + b"\r\n")
        self.send(".")
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    owner: FakeNntpServer

    def handle_error(self, request, client_address):
        pass  # a client closing mid-answer is expected (NZBGet stopped, test over)


class FakeNntpServer:
    """A threaded fake NNTP server on 127.0.0.1 serving published yEnc articles."""

    def __init__(self) -> None:
        self.articles: dict[str, list[bytes]] = {}
        self.held: dict[str, threading.Event] = {}
        self.stopping = threading.Event()
        self.commands: list[str] = []
        self.served: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> FakeNntpServer:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeNntpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    # -- content -----------------------------------------------------------
    @staticmethod
    def _message_id() -> str:
        return f"{secrets.token_hex(8)}@idkarr.invalid"

    def publish(self, name: str, data: bytes, *, hold: bool = False) -> NzbFile:
        """Store ``data`` as one article; ``hold`` delays its answer until :meth:`release`."""
        mid = self._message_id()
        self.articles[mid] = yenc_lines(data, name)
        if hold:
            self.held[mid] = threading.Event()
        return NzbFile(name, [Segment(mid, len(data))])

    def missing(self, name: str, size: int = 1000) -> NzbFile:
        """A file whose only article the server does not have (``430``)."""
        return NzbFile(name, [Segment(self._message_id(), size)])

    def release(self, *files: NzbFile) -> None:
        """Answer the held articles of ``files`` (of every file when none is given)."""
        mids = {seg.message_id for f in files for seg in f.segments} if files else set(self.held)
        for mid in mids:
            if mid in self.held:
                self.held[mid].set()
