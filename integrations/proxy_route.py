"""A proxy that an integration's HTTP traffic goes through, and what its failures mean.

``ProxyRoute`` is what ``HttpClient`` needs of a configured proxy: the URL handed to
``requests`` (credentials inside, never shown) and a label for messages, such as
``proxy 'VPN' (socks5 10.0.0.2:1080)``. ``proxy_failure`` turns the exceptions that
``requests``/PySocks raise when the proxy, not the service, is the problem into the
error tree, naming the proxy and what to fix, without its password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import requests

from .errors import AuthenticationError, ConnectionFailed, IntegrationError

# The reply codes of a SOCKS5 server (RFC 1928 §6) that PySocks puts in its messages.
SOCKS5_REPLIES = {
    1: "general SOCKS server failure",
    2: "connection not allowed by the proxy's rules",
    3: "network unreachable from the proxy",
    4: "host unreachable from the proxy",
    5: "connection refused",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}
_SOCKS_REPLY = re.compile(r"\b0x0([1-8]):")
_TUNNEL = re.compile(r"Tunnel connection failed: (\d{3})")
_CLOSED = re.compile(r"RemoteDisconnected|Connection aborted|reset by peer|Connection broken")


@dataclass(frozen=True)
class ProxyRoute:
    url: str = field(repr=False)  # scheme://user:password@host:port, for requests only
    label: str  # "proxy 'VPN' (socks5 10.0.0.2:1080)", for messages

    @property
    def is_socks(self) -> bool:
        return self.url.startswith("socks")


def proxy_failure(
    exc: requests.exceptions.RequestException, route: ProxyRoute, service: str
) -> IntegrationError | None:
    """The error for a request that failed at ``route``'s proxy, or None when the
    failure lies beyond it (the caller maps those as usual)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.ProxyError):
        tunnel = _TUNNEL.search(text)
        if tunnel:
            return _tunnel_refused(int(tunnel.group(1)), route, service)
        return ConnectionFailed(f"Cannot reach {route.label} for {service}: {_proxy_reason(text)}")
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return None
    if _CLOSED.search(text):  # mid-request: the proxy or the service behind it hung up
        return ConnectionFailed(
            f"The connection to {service} through {route.label} was closed before the answer"
        )
    if not route.is_socks:
        return None
    if "authentication failed" in text.lower() or "SOCKS5AuthError" in text:
        return AuthenticationError(
            f"{route.label} refused the login for {service}: check the proxy's username and "
            "password"
        )
    if "auth" in text.lower() and "SOCKS" in text:
        return AuthenticationError(
            f"{route.label} asks for a login that is not set, or does not accept it: "
            "set the proxy's username and password"
        )
    reply = _SOCKS_REPLY.search(text)
    if reply:
        return ConnectionFailed(
            f"{route.label} could not connect to {service}: {SOCKS5_REPLIES[int(reply.group(1))]}"
        )
    if "Request rejected" in text or "0x5b" in text.lower():
        return ConnectionFailed(f"{route.label} rejected the connection to {service}")
    # Anything else at the SOCKS layer (refused, reset, no route) is the proxy itself.
    return ConnectionFailed(f"Cannot reach {route.label} for {service}: {_proxy_reason(text)}")


def _tunnel_refused(status: int, route: ProxyRoute, service: str) -> IntegrationError:
    if status in (401, 407):
        return AuthenticationError(
            f"{route.label} refused the login (HTTP {status}) for {service}: check the "
            "proxy's username and password"
        )
    return ConnectionFailed(
        f"{route.label} could not open a connection to {service} (HTTP {status})"
    )


def _proxy_reason(text: str) -> str:
    return "timed out" if "timed out" in text.lower() else connection_reason(text)


def connection_reason(text: str) -> str:
    """Why a connection failed, in words, from a requests/urllib3/PySocks message
    (shared with ``http``: the service itself, or the proxy in front of it)."""
    if "Connection refused" in text:
        return "connection refused (is it running, and is the port right?)"
    if (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or "getaddrinfo" in text
    ):
        return "host name not found"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "reset by peer" in text:
        return "the connection was closed before an answer"
    if "No route to host" in text:
        return "no route to host"
    return "connection failed"
