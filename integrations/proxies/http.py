"""An HTTP proxy (Squid, tinyproxy, Privoxy, a VPN container's proxy).

Plain-HTTP services are fetched through it by absolute URL, HTTPS ones through a
``CONNECT`` tunnel, with Basic ``Proxy-Authorization`` when a login is set. The
test opens a tunnel to the proxy's own address: enough to check that it speaks
HTTP and takes the login, without leaving this network.
"""

from __future__ import annotations

import base64
import socket

from integrations.errors import AuthenticationError, ProtocolError, ServerError

from .base import ProxyProvider, read_until

MAX_HEADER_BYTES = 16 * 1024


class HttpProxy(ProxyProvider):
    kind = "http"
    label = "HTTP proxy"
    scheme = "http"

    def handshake(self, sock: socket.socket) -> str:
        where = self.describe_route()
        target = self.address()
        lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
        login = self.login()
        if login:
            token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode("ascii")
            lines.append(f"Proxy-Authorization: Basic {token}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = _status_line(sock, where)
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ProtocolError(f"{where} did not answer as an HTTP proxy (is it a SOCKS proxy?)")
        status = int(parts[1])
        if status in (401, 407):
            if not login:
                raise AuthenticationError(
                    f"{where} asks for a login (HTTP {status}): set its username and password"
                )
            raise AuthenticationError(
                f"{where} refused the login (HTTP {status}): check its username and password"
            )
        if 200 <= status < 300:
            return ""
        if status == 501:
            raise ProtocolError(
                f"{where} does not open CONNECT tunnels (HTTP 501), which HTTPS indexers need"
            )
        if status >= 500:
            raise ServerError(f"{where} failed to open a tunnel to its own address (HTTP {status})")
        # It answered as a proxy and did not ask for a login; its rules may forbid a
        # tunnel to its own port, which says nothing about the indexers behind it.
        return f"it answered HTTP {status} to a tunnel to itself"


def _status_line(sock: socket.socket, where: str) -> str:
    data = read_until(sock, where, lambda data: b"\r\n" in data, MAX_HEADER_BYTES)
    if not data:
        raise ProtocolError(f"{where} closed the connection without an answer")
    return data.split(b"\r\n", 1)[0].decode("latin-1")
