"""A SOCKS5 proxy (RFC 1928) with an optional username/password login (RFC 1929),
such as Dante, microsocks, or the SOCKS endpoint of a VPN provider or container.

Traffic goes through it as ``socks5h``: host names are resolved by the proxy, so no
DNS query for an indexer or service leaves this machine directly. The test runs
the greeting and the login, then asks for a connection to the proxy itself.
"""

from __future__ import annotations

import socket
import struct

from integrations.errors import AuthenticationError, ProtocolError, RequestTimedOut
from integrations.proxy_route import SOCKS5_REPLIES

from .base import TIMEOUT_SECONDS, ProxyProvider, read_exactly

NO_AUTH, USER_PASS, NO_ACCEPTABLE = 0x00, 0x02, 0xFF
GREETING_SECONDS = 3.0


class Socks5Proxy(ProxyProvider):
    kind = "socks5"
    label = "SOCKS5 proxy"
    scheme = "socks5h"

    def handshake(self, sock: socket.socket) -> str:
        where = self.describe_route()
        login = self.login()
        methods = bytes([NO_AUTH, USER_PASS]) if login else bytes([NO_AUTH])
        sock.sendall(bytes([5, len(methods)]) + methods)
        # A SOCKS5 server answers the greeting at once; an HTTP proxy waits for a line
        # that never comes, so the wait is short and its end says what is likely wrong.
        sock.settimeout(GREETING_SECONDS)
        try:
            reply = read_exactly(sock, 2, where)
        except RequestTimedOut:
            raise ProtocolError(
                f"{where} did not answer the SOCKS5 greeting within {GREETING_SECONDS:g} s "
                "(is it an HTTP proxy?)"
            ) from None
        sock.settimeout(TIMEOUT_SECONDS)
        if len(reply) < 2 or reply[0] != 5:
            raise ProtocolError(f"{where} did not answer as a SOCKS5 proxy (is it an HTTP proxy?)")
        method = reply[1]
        if method == NO_ACCEPTABLE:
            if not login:
                raise AuthenticationError(
                    f"{where} asks for a login: set its username and password"
                )
            raise AuthenticationError(f"{where} accepts none of the offered logins")
        if method == USER_PASS:
            if not login:
                raise AuthenticationError(
                    f"{where} asks for a login: set its username and password"
                )
            self._authenticate(sock, login, where)
        elif method != NO_AUTH:
            raise ProtocolError(f"{where} chose a login method idkarr does not offer ({method})")
        return self._connect_to_itself(sock, where)

    def _authenticate(self, sock: socket.socket, login: tuple[str, str], where: str) -> None:
        user, password = (part.encode()[:255] for part in login)
        sock.sendall(bytes([1, len(user)]) + user + bytes([len(password)]) + password)
        answer = read_exactly(sock, 2, where)
        if len(answer) < 2 or answer[1] != 0:
            raise AuthenticationError(f"{where} refused the login: check its username and password")

    def _connect_to_itself(self, sock: socket.socket, where: str) -> str:
        host = self.settings.host.encode("idna")[:255]
        request = bytes([5, 1, 0, 3, len(host)]) + host + struct.pack(">H", self.settings.port)
        sock.sendall(request)
        reply = read_exactly(sock, 2, where)
        if len(reply) < 2 or reply[0] != 5:
            raise ProtocolError(f"{where} sent a malformed SOCKS5 reply")
        if reply[1] == 0:
            return ""
        reason = SOCKS5_REPLIES.get(reply[1], f"reply {reply[1]}")
        return f"a connection to itself through it: {reason}"
