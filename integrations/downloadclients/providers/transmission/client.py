"""Raw Transmission RPC calls over HTTP (no idkarr semantics here).

RPC versions 14-18 (Transmission 2.40-4.1); tested against transmission-daemon
3.00 (RPC version 16).

Every call is ``POST <base>/rpc`` with ``{"method", "arguments"}`` and HTTP basic
auth; Transmission answers HTTP 200 with ``{"result": "success" | <error text>,
"arguments": {...}}``. Its CSRF guard answers 409 with an
``X-Transmission-Session-Id`` header until a request carries that id: the id is
stored and the request sent again, once; a later 409 (Transmission restarted)
refreshes it the same way.

Transmission locks every client out after 100 failed logins until it is
restarted, so after a 401 this client refuses to send anything for
``AUTH_RETRY_SECONDS``. No message ever contains the password.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import requests
from pydantic import SecretStr

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import HttpClient, excerpt, looks_like_html, raise_for_response, redact

SERVICE = "Transmission"
SESSION_HEADER = "X-Transmission-Session-Id"
AUTH_RETRY_SECONDS = 60.0
LOCKOUT_ATTEMPTS = 100
MIN_RPC = 14  # Transmission 2.40: the status values idkarr maps, and the queue

Args = dict[str, object]


@dataclass
class RpcReply:
    """One RPC answer: Transmission's ``result`` text and its ``arguments``."""

    result: str
    arguments: dict

    @property
    def ok(self) -> bool:
        return self.result == "success"


@dataclass
class SessionInfo:
    version: str  # "3.00"
    build: str  # "3.00 (bb6b5a062e)"
    rpc_version: int
    rpc_version_minimum: int
    download_dir: str


def parse_session(data: dict) -> SessionInfo:
    """session-get arguments → SessionInfo; UnsupportedError below RPC 14."""
    build = str(data.get("version") or "").strip()
    rpc = data.get("rpc-version")
    if rpc is None and build:
        rpc = 0  # before RPC 4 (Transmission 1.50) there was no rpc-version
    if not isinstance(rpc, int) or isinstance(rpc, bool):
        raise ProtocolError(
            "Transmission's session-get did not report an RPC version; "
            "this does not look like Transmission"
        )
    version = build.split()[0] if build else "(unknown version)"
    if rpc < MIN_RPC:
        raise UnsupportedError(
            f"Transmission {version} (RPC version {rpc}) is too old; idkarr needs RPC version "
            f"{MIN_RPC} or newer (Transmission 2.40 or newer)"
        )
    minimum = data.get("rpc-version-minimum")
    return SessionInfo(
        version=version,
        build=build,
        rpc_version=rpc,
        rpc_version_minimum=minimum if isinstance(minimum, int) else 0,
        download_dir=str(data.get("download-dir") or ""),
    )


class TransmissionRpc:
    """Typed RPC calls. ``rpc_url`` is scheme://host:port<url_base>rpc."""

    def __init__(
        self,
        rpc_url: str,
        username: str = "",
        password: SecretStr | None = None,
        *,
        verify_tls: bool = True,
        read_timeout: float = 30.0,
    ):
        self.rpc_url = rpc_url
        self.http = HttpClient(SERVICE, verify_tls=verify_tls, read_timeout=read_timeout)
        self.http.uncompressed_on_loopback(rpc_url)
        secret = password.get_secret_value() if password else ""
        self._secret = secret
        if username or secret:
            # bytes: requests would encode str credentials as latin-1 and fail on others.
            self.http.session.auth = (username.encode(), secret.encode())
        self.session_id = ""
        self.session_id_fetches = 0  # how often a 409 handed us a new id
        self._auth_failure: tuple[float, AuthenticationError] | None = None

    def close(self) -> None:
        self.http.close()

    # -- the one request path ------------------------------------------------
    def request(self, method: str, arguments: Args | None = None) -> RpcReply:
        """Send one RPC call and return its reply, whatever its ``result`` says.

        Raises the error tree for transport, HTTP and shape problems.
        """
        if self._auth_failure is not None:
            failed_at, error = self._auth_failure
            if time.monotonic() - failed_at < AUTH_RETRY_SECONDS:
                raise error
            self._auth_failure = None
        try:
            return self._request(method, arguments)
        except IntegrationError as exc:
            secret = self._secret
            if secret and secret in exc.message:  # e.g. a proxy echoing the request
                exc.message = exc.message.replace(secret, "***")
                exc.args = (exc.message,)
            raise

    def _request(self, method: str, arguments: Args | None) -> RpcReply:
        body = {"method": method, "arguments": arguments or {}}
        r = self._send(body)
        if r.status_code == 409:
            self._take_session_id(r)
            r = self._send(body)
            if r.status_code == 409:
                raise ProtocolError(
                    "Transmission refused the session id it had just handed out (HTTP 409 twice); "
                    "is a proxy in front of it dropping the X-Transmission-Session-Id header?"
                )
        if r.status_code != 200:
            raise self._http_error(r)
        return self._parse(r, method)

    def call(self, method: str, arguments: Args | None = None) -> dict:
        """Send one RPC call; any ``result`` other than "success" raises IntegrationError."""
        reply = self.request(method, arguments)
        if not reply.ok:
            raise IntegrationError(f"Transmission refused {method}: {excerpt(reply.result, 160)}")
        return reply.arguments

    def _send(self, body: dict) -> requests.Response:
        headers = {SESSION_HEADER: self.session_id} if self.session_id else {}
        try:
            return self.http.post(self.rpc_url, json=body, headers=headers, raise_status=False)
        except ConnectionFailed as exc:
            if "does not speak TLS" in exc.message:
                raise ConnectionFailed(
                    f"{exc.message}. Transmission's RPC speaks plain HTTP: turn off "
                    "'Connect with HTTPS' unless a TLS proxy sits in front of it",
                    permanent=True,
                ) from None
            raise

    def _take_session_id(self, r: requests.Response) -> None:
        new_id = r.headers.get(SESSION_HEADER, "").strip()
        if not new_id:
            raise self._not_transmission(r, "HTTP 409 without a session id")
        self.session_id = new_id
        self.session_id_fetches += 1

    def _http_error(self, r: requests.Response) -> IntegrationError:
        body = r.text or ""
        status = r.status_code
        if status == 401:
            realm = r.headers.get("WWW-Authenticate", "")
            if realm and "transmission" not in realm.lower():
                return AuthenticationError(
                    f"The server at {redact(self.rpc_url)} asks for a login of its own "
                    f"(HTTP 401, {excerpt(realm, 60)}), not Transmission's; is a reverse proxy "
                    "in front of Transmission?"
                )
            m = re.search(r"(\d+) unsuccessful login attempts", body)
            tries = (
                f" ({m.group(1)} failed attempts so far; Transmission locks out all logins "
                f"after {LOCKOUT_ATTEMPTS})"
                if m
                else ""
            )
            error = AuthenticationError(
                f"Transmission rejected the username or password{tries}; "
                f"idkarr waits {AUTH_RETRY_SECONDS:g} s before trying again"
            )
            self._auth_failure = (time.monotonic(), error)
            return error
        if status == 403 and "too many unsuccessful login attempts" in body.lower():
            return AuthenticationError(
                f"Transmission locked out all logins after {LOCKOUT_ATTEMPTS} failed attempts; "
                "fix the username and password, then restart transmission-daemon"
            )
        if status == 403 and "whitelist" in body.lower():
            return AuthenticationError(
                "Transmission refused idkarr's IP address (rpc-whitelist); add the address to "
                "rpc-whitelist in Transmission's settings.json or disable the whitelist"
            )
        if status == 421:
            return ConfigurationError(
                "Transmission refused the host name (DNS-rebinding protection, HTTP 421); "
                "connect by IP address or add the name to rpc-host-whitelist in settings.json"
            )
        if status == 404:
            return self._not_transmission(r, "HTTP 404")
        location = r.headers.get("Location", "")
        if 300 <= status < 400 and "/web" in location:  # 3.00 sends wrong paths to its web UI
            return self._not_transmission(
                r, f"it redirects to its web interface at {redact(location)}"
            )
        try:
            raise_for_response(r, SERVICE)
        except IntegrationError as exc:
            return exc
        return self._not_transmission(r, f"HTTP {status} instead of 200")

    def _not_transmission(self, r: requests.Response, what: str) -> IntegrationError:
        message = (
            f"The server at {redact(self.rpc_url)} does not look like Transmission's RPC ({what}); "
            "check the host, port and URL base (Transmission's default URL base is /transmission/)"
        )
        return NotFoundError(message) if r.status_code == 404 else ProtocolError(message)

    def _parse(self, r: requests.Response, method: str) -> RpcReply:
        if not r.content.strip():
            raise self._not_transmission(r, "it answered an empty body")
        if looks_like_html(r):
            raise self._not_transmission(r, "it answered an HTML page")
        data = self.http.json(r)
        if not isinstance(data, dict) or not isinstance(data.get("result"), str):
            raise self._not_transmission(r, f"{method} answered JSON without a result")
        arguments = data.get("arguments")
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, dict):
            raise ProtocolError(f"Transmission answered {method} with arguments of the wrong shape")
        return RpcReply(data["result"], arguments)

    # -- methods ---------------------------------------------------------------
    def session_get(self) -> dict:
        fields = ["version", "rpc-version", "rpc-version-minimum", "download-dir"]
        return self.call("session-get", {"fields": fields})

    def torrent_get(self, fields: list[str], ids: list[str] | None = None) -> list[dict]:
        arguments: Args = {"fields": fields}
        if ids is not None:
            arguments["ids"] = ids
        torrents = self.call("torrent-get", arguments).get("torrents")
        if not isinstance(torrents, list) or not all(isinstance(t, dict) for t in torrents):
            raise ProtocolError("Transmission sent the torrent list in an unexpected shape")
        return torrents

    def torrent_add(self, arguments: Args) -> RpcReply:
        """``torrent-add``; the caller interprets the result (duplicates, bad files…)."""
        return self.request("torrent-add", arguments)

    def torrent_set(self, ids: list[str], **fields: object) -> None:
        self.call("torrent-set", {"ids": ids, **fields})

    def set_location(self, ids: list[str], location: str, move: bool = True) -> RpcReply:
        return self.request(
            "torrent-set-location", {"ids": ids, "location": location, "move": move}
        )

    def remove(self, ids: list[str], delete_local_data: bool) -> None:
        self.call("torrent-remove", {"ids": ids, "delete-local-data": delete_local_data})

    def stop(self, ids: list[str]) -> None:
        self.call("torrent-stop", {"ids": ids})

    def start(self, ids: list[str]) -> None:
        self.call("torrent-start", {"ids": ids})

    def queue_move(self, where: str, ids: list[str]) -> None:
        """``where``: top, bottom, up or down."""
        self.call(f"queue-move-{where}", {"ids": ids})
