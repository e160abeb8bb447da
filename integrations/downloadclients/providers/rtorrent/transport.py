"""The two ways to reach rTorrent's XML-RPC: SCGI over TCP, and HTTP through a web server.

* ``ScgiTransport`` speaks SCGI to ``network.scgi.open_port`` (``scgi://host:port``):
  a netstring of headers (``CONTENT_LENGTH`` first, ``SCGI=1``, ``REQUEST_METHOD``,
  ``REQUEST_URI``), then the body; rTorrent answers CGI-style
  (``Status: 200 OK``, ``Content-Type``, ``Content-Length``, blank line, XML) and
  closes the connection. SCGI has no authentication and no TLS.
* ``HttpTransport`` POSTs to ``http(s)://host:port/RPC2`` as served by ruTorrent's
  nginx/lighttpd (``scgi_pass``), with HTTP basic auth, through ``HttpClient``.

Both return the raw XML body and raise the error tree for transport failures;
they never read more than ``MAX_RESPONSE_BYTES``. ``fetch_release`` downloads a
release URL's .torrent here, so the infohash is known before rTorrent sees it.
"""

from __future__ import annotations

import socket
from urllib.parse import urljoin

import requests
from pydantic import SecretStr

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from integrations.http import (
    HttpClient,
    excerpt,
    parse_retry_after,
    raise_for_response,
    redact,
)

from .xmlrpc import MAX_RESPONSE_BYTES

SERVICE = "rTorrent"
CONNECT_TIMEOUT = 5.0
MAX_TORRENT_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5


class ScgiTransport:
    """One TCP connection per call to rTorrent's SCGI port."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        uri: str = "/RPC2",
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = 30.0,
    ):
        self.host, self.port, self.uri = host.strip("[]"), port, uri
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        host_text = f"[{self.host}]" if ":" in self.host else self.host
        self.endpoint = f"scgi://{host_text}:{port}"

    def close(self) -> None:
        """Nothing to release: every call has its own connection."""

    def request_bytes(self, body: bytes) -> bytes:
        """The SCGI request: netstring-framed headers, then the body."""
        headers = (
            ("CONTENT_LENGTH", str(len(body))),
            ("SCGI", "1"),
            ("REQUEST_METHOD", "POST"),
            ("REQUEST_URI", self.uri),
        )
        block = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in headers)
        return str(len(block)).encode() + b":" + block + b"," + body

    def post(self, body: bytes) -> bytes:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except TimeoutError:
            raise RequestTimedOut(f"Connecting to rTorrent at {self.endpoint} timed out") from None
        except socket.gaierror:
            raise ConnectionFailed(
                f"Cannot reach rTorrent at {self.endpoint}: host name not found"
            ) from None
        except ConnectionRefusedError:
            raise ConnectionFailed(
                f"Cannot reach rTorrent at {self.endpoint}: connection refused (is rTorrent "
                "running, and is network.scgi.open_port set to this host and port?)"
            ) from None
        except OSError as exc:
            raise ConnectionFailed(
                f"Cannot reach rTorrent at {self.endpoint}: {exc.strerror or 'connection failed'}"
            ) from None
        with sock:
            try:
                sock.settimeout(self.read_timeout)
                sock.sendall(self.request_bytes(body))
                raw = _read_all(sock)
            except TimeoutError:
                raise RequestTimedOut(
                    f"rTorrent did not answer within {self.read_timeout:g} s"
                ) from None
            except OSError:
                raise ConnectionFailed(
                    f"rTorrent at {self.endpoint} closed the connection before an answer"
                ) from None
        return self.parse_answer(raw)

    def parse_answer(self, raw: bytes) -> bytes:
        """The XML body of an SCGI answer; the error tree for anything else."""
        if not raw:
            raise ConnectionFailed(
                f"rTorrent at {self.endpoint} closed the connection without an answer (was it "
                "stopped, or is this port not rTorrent's SCGI port?)"
            )
        if raw.startswith(b"HTTP/") or raw.lstrip()[:1] == b"<":  # an HTML error page
            raise ConfigurationError(
                f"The server at {self.endpoint} answered with HTTP, not SCGI: for a web server "
                "in front of rTorrent (ruTorrent, nginx) choose the HTTP transport, otherwise "
                "use the port from rTorrent's network.scgi.open_port"
            )
        if raw[:1] == b"\x15" and raw[1:2] == b"\x03":
            raise ConfigurationError(
                f"The server at {self.endpoint} speaks TLS, not SCGI; choose the HTTP "
                "transport with HTTPS for it"
            )
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ProtocolError(
                f"rTorrent's answer is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB"
            )
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = raw.partition(b"\n\n")
        if not sep:
            raise ProtocolError(
                f"The server at {self.endpoint} does not answer like rTorrent's SCGI "
                f"interface (no header block): {excerpt(raw[:120].decode('latin-1'), 80)!r}"
            )
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = headers.get("status", "200")
        code = status.split()[0] if status.split() else ""
        if not code.isdigit():
            raise ProtocolError(f"rTorrent sent an unreadable SCGI status {status[:40]!r}")
        if not 200 <= int(code) < 300:
            raise ServerError(f"rTorrent's SCGI interface answered {status[:60]}")
        length = headers.get("content-length")
        if length is not None and length.isdigit() and len(body) < int(length):
            raise ConnectionFailed(
                f"rTorrent at {self.endpoint} closed the connection after {len(body)} of "
                f"{length} bytes of its answer"
            )
        return body


def _read_all(sock: socket.socket) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return b"".join(chunks)  # parse_answer reports it as too large


class HttpTransport:
    """XML-RPC POSTs to a web server that passes them on to rTorrent (ruTorrent's /RPC2)."""

    def __init__(
        self,
        url: str,
        username: str = "",
        password: SecretStr | None = None,
        *,
        verify_tls: bool = True,
        read_timeout: float = 30.0,
    ):
        self.url = url
        self.endpoint = redact(url)
        secret = password.get_secret_value() if password else ""
        self._auth = (username, secret) if (username or secret) else None
        self.http = HttpClient(SERVICE, verify_tls=verify_tls, read_timeout=read_timeout)

    def close(self) -> None:
        self.http.close()

    def post(self, body: bytes) -> bytes:
        r = self.http.post(
            self.url,
            data=body,
            headers={"Content-Type": "text/xml", "Accept": "text/xml"},
            auth=self._auth,
            raise_status=False,
            stream=True,
        )
        with r:
            data = self._read(r)
        status = r.status_code
        if 200 <= status < 300:
            ctype = r.headers.get("Content-Type", "").lower()
            if "html" in ctype and not data.lstrip().startswith(b"<?xml"):
                raise ProtocolError(
                    f"{self.endpoint} answered with an HTML page instead of XML-RPC (a login "
                    f"page, or the ruTorrent web UI?): {excerpt(_text(data), 80)!r}; check the "
                    "URL base (usually /RPC2) and the credentials"
                )
            return data
        raise self._status_error(r, data)

    def _read(self, r: requests.Response) -> bytes:
        chunks, size = [], 0
        try:
            for chunk in r.iter_content(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise ProtocolError(
                        f"rTorrent's answer is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB"
                    )
        except requests.exceptions.RequestException as exc:
            if "timed out" in str(exc).lower():
                raise RequestTimedOut(
                    f"rTorrent did not finish its answer within {self.http.timeout[1]:g} s"
                ) from None
            raise ConnectionFailed(
                f"The connection to rTorrent at {self.endpoint} broke during the answer"
            ) from None
        return b"".join(chunks)

    def _status_error(self, r: requests.Response, data: bytes) -> IntegrationError:
        status, body = r.status_code, excerpt(_text(data), 120)
        suffix = f": {body}" if body else ""
        if status in (401, 403):
            if self._auth is None:
                return AuthenticationError(
                    f"The web server at {self.endpoint} requires a login (HTTP {status}); set "
                    "the username and password"
                )
            return AuthenticationError(
                f"The web server at {self.endpoint} refused the username or password "
                f"(HTTP {status})"
            )
        if status == 404:
            return NotFoundError(
                f"No XML-RPC endpoint at {self.endpoint} (HTTP 404); check the URL base "
                "(ruTorrent setups usually pass /RPC2 to rTorrent)"
            )
        if 300 <= status < 400:
            where = redact(r.headers.get("Location", "")) or "another URL"
            return ConfigurationError(
                f"{self.endpoint} redirected the request (HTTP {status}) to {where}; use that "
                "URL (or switch HTTPS on) instead"
            )
        if status in (405, 501):
            return ConfigurationError(
                f"{self.endpoint} does not accept XML-RPC POSTs (HTTP {status}); check the URL "
                "base (usually /RPC2)"
            )
        if status == 429:
            return RateLimited(
                f"The web server at {self.endpoint} is rate limiting requests (HTTP 429)",
                retry_after=parse_retry_after(r.headers.get("Retry-After")),
            )
        if status in (502, 503, 504):
            return ServerError(
                f"The web server at {self.endpoint} could not reach rTorrent (HTTP {status}); "
                "is rTorrent running and its SCGI socket where the web server expects it?"
            )
        if status >= 500:
            return ServerError(f"rTorrent's web server had a server error (HTTP {status}){suffix}")
        return IntegrationError(
            f"rTorrent's web server rejected the request (HTTP {status}){suffix}"
        )


def _text(data: bytes) -> str:
    return data[:4096].decode("utf-8", "replace")


def fetch_release(url: str, *, verify_tls: bool = True) -> bytes | str:
    """Download a release URL here (rTorrent would fetch it silently, with no hash and no
    error to report). Returns the .torrent bytes, or the magnet the URL redirected to."""
    http = HttpClient("the release URL", verify_tls=verify_tls)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            r = http.get(url, allow_redirects=False, raise_status=False, stream=True)
            with r:
                if r.is_redirect and r.headers.get("Location"):
                    url = urljoin(url, r.headers["Location"])
                    if url.lower().startswith("magnet:"):
                        return url
                    continue
                raise_for_response(r, f"The release URL {redact(url)}")
                data = _read_torrent(r, url)
            if data[:1] != b"d":
                raise ProtocolError(
                    f"{redact(url)} did not return a .torrent file (not bencoded): "
                    f"{excerpt(data[:200].decode('utf-8', 'replace'), 60)!r}"
                )
            return data
        raise ConfigurationError(f"{redact(url)} redirected more than {MAX_REDIRECTS} times")
    finally:
        http.close()


def _read_torrent(r: requests.Response, url: str) -> bytes:
    chunks, size = [], 0
    try:
        for chunk in r.iter_content(65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_TORRENT_BYTES:
                raise ProtocolError(
                    f"{redact(url)} sent more than {MAX_TORRENT_BYTES // 1048576} MiB; "
                    "that is not a .torrent file"
                )
    except requests.exceptions.RequestException:
        raise ConnectionFailed(f"The download from {redact(url)} broke off") from None
    return b"".join(chunks)
