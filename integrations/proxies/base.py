"""What every proxy kind shares: where it is, its login, and its route."""

from __future__ import annotations

import socket
import time
from typing import ClassVar
from urllib.parse import quote

from pydantic import Field, SecretStr, field_validator

from integrations.base import Provider, ProviderSettings, TestResult
from integrations.errors import ConnectionFailed, RequestTimedOut, UnsupportedError
from integrations.proxy_route import ProxyRoute

FAMILY = "proxy"
TIMEOUT_SECONDS = 10.0


class ProxySetting(ProviderSettings):
    """The ``proxy_id`` field, for the settings of integrations that may go through a
    proxy (their provider passes ``self.proxy`` to its ``HttpClient``)."""

    proxy_id: int | None = Field(
        None,
        ge=1,
        title="Proxy",
        description=(
            "Send this integration's requests through this proxy (empty: connect "
            "directly). If the proxy is disabled or deleted, they fail instead of "
            "connecting directly"
        ),
        json_schema_extra={"choices_from": "proxies", "fieldset": "Connection"},
    )


class ProxySettings(ProviderSettings):
    host: str = Field(..., description="The proxy's host name or IP address, e.g. 10.0.0.2")
    port: int = Field(..., ge=1, le=65535, description="The proxy's port")
    username: str | None = Field(None, description="Login, if the proxy asks for one")
    password: SecretStr | None = Field(None, description="Password of that login")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        value = value.strip().strip("[]")
        if not value or "://" in value or "/" in value or any(c.isspace() for c in value):
            raise ValueError("A host name or IP address only, without scheme, port or path")
        return value


class ProxyProvider(Provider):
    """Base of the proxy kinds: ``scheme`` is what ``requests`` needs in the proxy URL;
    ``handshake`` checks reachability and the login over a raw socket."""

    family = FAMILY
    scheme: ClassVar[str] = ""
    Settings = ProxySettings
    settings: ProxySettings

    def route(self) -> ProxyRoute:
        """The route an integration's HTTP client takes through this proxy."""
        s = self.settings
        login = ""
        if s.username:
            password = s.password.get_secret_value() if s.password else ""
            login = f"{quote(s.username, safe='')}:{quote(password, safe='')}@"
        return ProxyRoute(f"{self.scheme}://{login}{self.address()}", self.describe_route())

    def address(self) -> str:
        host = self.settings.host
        host = f"[{host}]" if ":" in host else host
        return f"{host}:{self.settings.port}"

    def describe_route(self) -> str:
        return f"proxy '{self.name}' ({self.kind} {self.address()})"

    def login(self) -> tuple[str, str] | None:
        s = self.settings
        if not s.username:
            return None
        return s.username, s.password.get_secret_value() if s.password else ""

    def test(self) -> TestResult:
        started = time.monotonic()
        with self.connect() as sock:
            note = self.handshake(sock)
        latency = int((time.monotonic() - started) * 1000)
        message = f"Connected to {self.describe_route()}"
        message += "; login accepted" if self.settings.username else ""
        if note:
            message += f" ({note})"
        return TestResult(True, message, latency_ms=latency)

    def connect(self) -> socket.socket:
        where = self.describe_route()
        try:
            sock = socket.create_connection(
                (self.settings.host, self.settings.port), timeout=TIMEOUT_SECONDS
            )
        except TimeoutError:
            raise RequestTimedOut(f"Connecting to {where} timed out") from None
        except socket.gaierror:
            raise ConnectionFailed(f"Cannot reach {where}: host name not found") from None
        except ConnectionRefusedError:
            raise ConnectionFailed(
                f"Cannot reach {where}: connection refused (is it running, and is the port right?)"
            ) from None
        except OSError as exc:
            raise ConnectionFailed(f"Cannot reach {where}: {exc.strerror or 'failed'}") from None
        return sock

    def handshake(self, sock: socket.socket) -> str:
        """Speak the proxy protocol far enough to check the login. Returns a note for
        the test message; raises the error tree when the proxy refuses."""
        raise UnsupportedError(f"{self.label} has no handshake")


def read_exactly(sock: socket.socket, count: int, where: str) -> bytes:
    """``count`` bytes, or fewer when the proxy hangs up first."""
    return read_until(sock, where, lambda data: len(data) >= count, count)


def read_until(sock: socket.socket, where: str, done, max_bytes: int) -> bytes:
    """What the proxy sends until ``done(data)``, it hangs up, or ``max_bytes`` came;
    a timeout or a socket error becomes the error tree's exception naming ``where``."""
    data = b""
    try:
        while not done(data) and len(data) < max_bytes:
            chunk = sock.recv(max_bytes - len(data))
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        raise RequestTimedOut(f"{where} did not answer within {TIMEOUT_SECONDS:g} s") from None
    except OSError:
        raise ConnectionFailed(f"{where} closed the connection") from None
    return data
