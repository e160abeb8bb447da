"""Raw Deluge Web UI JSON-RPC calls over one cookie session (no idkarr semantics here).

Everything goes to ``POST {base}/json`` as ``{"method", "params", "id"}``; the
answer is ``{"result", "error", "id"}`` with ``error`` = ``{"message", "code"}``:
code 1 "Not authenticated", 2 "Unknown method", 3 a deluge-web exception, 4 a
daemon exception (its message is a Twisted ``Failure`` dump naming the remote
exception class), 5 an unreadable request.

``auth.login`` (the Web UI password) sets the ``_session_id`` cookie, which is
sent back on every request whatever path deluge-web scoped it to. The Web UI
forwards ``core.*``/``daemon.*``/``label.*`` calls to the deluged it is attached
to; until then they are "Unknown method", so the client attaches it through
``web.connected``/``web.get_hosts``/``web.connect`` first. deluge-web 2.0.3
never answers a call forwarded to a daemon that has gone away, so the
attachment is re-checked before calls (at most every ``CONNECTED_TTL`` seconds).
"""

from __future__ import annotations

import itertools
import re
import time

import requests
from pydantic import SecretStr

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RequestTimedOut,
    UnsupportedError,
)
from integrations.http import (
    CONNECT_TIMEOUT,
    HttpClient,
    excerpt,
    looks_like_html,
    raise_for_response,
    redact,
)

SERVICE = "Deluge"
SESSION_COOKIE = "_session_id"
CONNECTED_TTL = 2.0  # seconds a successful web.connected check is trusted
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_FAILURE = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>: ([^\n]*)")
_LOCAL = re.compile(r"^(\w+): (.*)$", re.S)
_HASH = re.compile(r"[0-9a-f]{40}")


class UnknownMethod(UnsupportedError):
    """The Web UI does not offer the method (plugin disabled, or another Deluge version)."""

    def __init__(self, method: str):
        super().__init__(
            f"Deluge does not offer {method} (a plugin is disabled, or this Deluge "
            "version lacks it)"
        )
        self.method = method


def sanitize(text: str, limit: int = 200) -> str:
    """A remote message fit for users: no magnet parameters or URL secrets, one line."""
    text = re.sub(r"magnet:\?[^\s'\"]*", "[magnet link]", text or "")
    text = re.sub(r"https?://[^\s'\"]+", lambda m: redact(m.group(0)), text)
    return excerpt(text.rstrip(" .]"), limit)


def parse_remote(message: str) -> tuple[str, str]:
    """``(exception type, first line of its message)`` from a Deluge error message."""
    m = _FAILURE.search(message or "")
    if m:
        return m.group(1), m.group(2).strip()
    m = _LOCAL.match((message or "").strip())
    if m:
        return m.group(1), m.group(2).strip().splitlines()[0] if m.group(2).strip() else ""
    return "", (message or "").strip()


def remote_error(method: str, error: dict) -> IntegrationError:
    """The error-tree exception for a JSON-RPC error object."""
    code = error.get("code")
    rtype, text = parse_remote(str(error.get("message") or ""))
    details = {"deluge_error": rtype, "deluge_message": sanitize(text, 300), "rpc_code": code}
    if code == 1:
        return AuthenticationError(f"Deluge refused {method}: not authenticated", details=details)
    if code == 2:
        return UnknownMethod(method)
    if rtype == "AttributeError" and "send_request" in text:
        return ConnectionFailed(
            "Deluge's Web UI has lost its connection to the Deluge daemon", details=details
        )
    missing = rtype == "InvalidTorrentError" or text == "Unknown Torrent"
    if rtype == "WrappedException" and re.fullmatch(r"'[0-9a-fA-F]{40}'", text):
        missing = True  # a KeyError on the torrent id, as pause/resume/queue raise it
    if missing:
        found = _HASH.search(text.lower())
        which = f" {found.group(0)}" if found else ""
        return NotFoundError(f"Deluge has no torrent{which}", details=details)
    if code == 5:
        return ProtocolError(
            f"Deluge's Web UI could not read the request: {sanitize(text)}", details=details
        )
    return IntegrationError(f"Deluge failed {method}: {sanitize(text)}", details=details)


def parse_version(text: str) -> tuple[int, ...]:
    """``"2.0.3"`` / ``"2.1.1.dev0"`` → ``(2, 0, 3)``; ProtocolError for anything else."""
    m = re.match(r"v?(\d+(?:\.\d+)*)", str(text or "").strip())
    if not m:
        raise ProtocolError(
            f"Deluge reported an unreadable version {excerpt(str(text or ''), 40)!r}"
        )
    return tuple(int(p) for p in m.group(1).split("."))


class DelugeApi:
    """Typed JSON-RPC calls to deluge-web. ``base_url`` is scheme://host:port[/url_base]."""

    def __init__(
        self,
        base_url: str,
        password: SecretStr | None = None,
        *,
        verify_tls: bool = True,
        read_timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self._password = password
        self.http = HttpClient(
            SERVICE,
            verify_tls=verify_tls,
            connect_timeout=min(CONNECT_TIMEOUT, read_timeout),
            read_timeout=read_timeout,
        )
        self._ids = itertools.count(1)
        self._authenticated = False
        self._connected_at: float | None = None
        self.daemon_host = ""  # host:port of the daemon the Web UI is attached to, when known

    @property
    def url(self) -> str:
        return f"{self.base_url}/json"

    def close(self) -> None:
        self.http.close()

    # -- the one request path ------------------------------------------------
    def _post(self, method: str, params: list) -> dict:
        """One POST; returns the answer object. Raises for HTTP trouble and bad shapes."""
        return self._answer(self._send(method, params))

    def _send(self, method: str, params: list) -> requests.Response:
        body = {"method": method, "params": params, "id": next(self._ids)}
        return self.http.post(self.url, json=body, raise_status=False)

    def _answer(self, r: requests.Response) -> dict:
        if r.status_code == 404:
            raise NotFoundError(
                f"No Deluge Web UI at {redact(self.url)} (HTTP 404); check the port and the URL base"
            )
        if not 200 <= r.status_code < 300:
            raise_for_response(r, SERVICE)
        if looks_like_html(r):
            raise self._not_deluge(r, "an HTML page")
        answer = self.http.json(r)
        if not isinstance(answer, dict) or not ({"result", "error"} & set(answer)):
            raise self._not_deluge(r, "JSON without a result or an error")
        return answer

    def _not_deluge(self, r: requests.Response, what: str) -> ProtocolError:
        return ProtocolError(
            f"The server at {redact(self.base_url)} does not look like Deluge's Web UI: "
            f"/json answered {what} (HTTP {r.status_code}); check the host, port and URL base"
        )

    def _invoke(self, method: str, params: list) -> dict:
        """POST with a session: logs in first, and again once if the session expired."""
        if not self._authenticated:
            self.login()
        answer = self._post(method, params)
        if _code(answer) == 1:
            self.login()  # session expired, or deluge-web restarted
            answer = self._post(method, params)
            if _code(answer) == 1:
                raise AuthenticationError(f"Deluge refused {method} right after a successful login")
        return answer

    def call(self, method: str, *params):
        """Call a JSON-RPC method and return its result; raises the error tree."""
        daemon = not method.startswith(("web.", "auth."))
        if daemon:
            self.ensure_connected()
        try:
            answer = self._invoke(method, list(params))
            if daemon and _code(answer) == 2:
                # The Web UI lost (or was restarted without) its daemon: attach and retry once.
                self.ensure_connected(force=True)
                answer = self._invoke(method, list(params))
        except RequestTimedOut:
            self._connected_at = None
            if not daemon:
                raise
            raise RequestTimedOut(
                f"Deluge did not answer {method} within {self.http.timeout[1]:g} s; "
                "its Web UI holds calls while the Deluge daemon is unreachable"
            ) from None
        if answer.get("error"):
            error = answer["error"]
            raise remote_error(method, error if isinstance(error, dict) else {})
        return answer.get("result")

    # -- session and daemon attachment -----------------------------------------
    def login(self) -> None:
        """auth.login with the Web UI password. Raises AuthenticationError or ProtocolError."""
        password = self._password.get_secret_value() if self._password else ""
        self._authenticated = False
        self._connected_at = None
        self.http.session.cookies.clear()
        try:
            r = self._send("auth.login", [password])
        except RequestTimedOut as exc:
            if not self.base_url.startswith("https:"):
                raise
            raise RequestTimedOut(
                f"{exc}; if Deluge's Web UI does not use HTTPS (Preferences → Interface), "
                "turn off 'Connect with HTTPS'"
            ) from None
        answer = self._answer(r)
        result = answer.get("result")
        if result is True and not answer.get("error"):
            # deluge-web scopes the cookie to {its base}/json; behind a reverse proxy whose
            # prefix differs from that base it would never be sent back. Like Sonarr, send
            # it on every request to this server whatever its path.
            session_id = r.cookies.get(SESSION_COOKIE)
            if session_id:
                self.http.session.cookies.clear()
                self.http.session.cookies.set(SESSION_COOKIE, session_id, path="/")
            self._authenticated = True
            return
        if result is False:
            hint = "" if password else "; set the Web UI password (Deluge's default is 'deluge')"
            raise AuthenticationError(f"Deluge rejected the Web UI password{hint}")
        raise ProtocolError(
            f"Deluge answered auth.login with {excerpt(str(answer), 80)!r}; "
            "this does not look like Deluge's Web UI"
        )

    def ensure_connected(self, force: bool = False) -> None:
        """Make sure the Web UI is attached to a daemon, attaching it if not.

        Prefers a daemon on the Web UI's own machine when several are listed (as Sonarr
        does). Raises ConfigurationError when none is configured, ConnectionFailed when
        none can be reached.
        """
        now = time.monotonic()
        if (
            not force
            and self._connected_at is not None
            and now - self._connected_at < CONNECTED_TTL
        ):
            return
        if self._web("web.connected") is True:
            self._connected_at = time.monotonic()
            return
        hosts = self._web("web.get_hosts") or []
        if not isinstance(hosts, list) or not all(
            isinstance(h, list) and len(h) >= 3 for h in hosts
        ):
            raise ProtocolError("Deluge sent its host list in an unexpected shape")
        if not hosts:
            raise ConfigurationError(
                "Deluge's Web UI has no daemon in its Connection Manager; add the deluged "
                "host there (Connection Manager → Add)"
            )
        hosts.sort(key=lambda h: str(h[1]) not in _LOOPBACK)
        tried = []
        for host_id, host, port, *_ in hosts:
            self._web("web.connect", host_id)
            if self._web("web.connected") is True:
                self._connected_at = time.monotonic()
                self.daemon_host = f"{host}:{port}"
                return
            status = self._web("web.get_host_status", host_id)
            state = status[1] if isinstance(status, list) and len(status) > 1 else "unknown"
            tried.append(
                f"{host}:{port} ({'wrong daemon credentials?' if state == 'Online' else state})"
            )
        raise ConnectionFailed(
            f"Deluge's Web UI cannot connect to its daemon at {', '.join(tried)}; start "
            "deluged, or fix the host in the Web UI's Connection Manager"
        )

    def connected_daemon(self) -> str:
        """``host:port`` of the daemon the Web UI is attached to ("" when unknown)."""
        for host_id, host, port, *_ in self._web("web.get_hosts") or []:
            status = self._web("web.get_host_status", host_id)
            if isinstance(status, list) and len(status) > 1 and status[1] == "Connected":
                self.daemon_host = f"{host}:{port}"
        return self.daemon_host

    def _web(self, method: str, *params):
        answer = self._invoke(method, list(params))
        if answer.get("error"):
            error = answer["error"]
            raise remote_error(method, error if isinstance(error, dict) else {})
        return answer.get("result")

    # -- endpoints -------------------------------------------------------------
    def daemon_version(self) -> str:
        """The daemon's version; Deluge 1.3 only has daemon.info."""
        try:
            return str(self.call("daemon.get_version"))
        except UnknownMethod:
            return str(self.call("daemon.info"))

    def libtorrent_version(self) -> str:
        return str(self.call("core.get_libtorrent_version") or "")

    def enabled_plugins(self) -> list[str]:
        return [str(p) for p in self.call("core.get_enabled_plugins") or []]

    def available_plugins(self) -> list[str]:
        return [str(p) for p in self.call("core.get_available_plugins") or []]

    def enable_plugin(self, name: str) -> bool:
        return bool(self.call("core.enable_plugin", name))

    def labels(self) -> list[str]:
        return [str(label) for label in self.call("label.get_labels") or []]

    def add_label(self, name: str) -> None:
        self.call("label.add", name)

    def set_label(self, torrent_id: str, label: str) -> None:
        self.call("label.set_torrent", torrent_id, label)

    def torrents(self, filters: dict, keys: list[str]) -> dict[str, dict]:
        data = self.call("core.get_torrents_status", filters, keys)
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ProtocolError("Deluge sent the torrent list in an unexpected shape")
        return data

    def add_file(self, filename: str, b64: str, options: dict) -> str | None:
        return self.call("core.add_torrent_file", filename, b64, options)

    def add_magnet(self, uri: str, options: dict) -> str | None:
        return self.call("core.add_torrent_magnet", uri, options)

    def add_url(self, url: str, options: dict) -> str | None:
        return self.call("core.add_torrent_url", url, options)

    def set_torrent_options(self, torrent_ids: list[str], options: dict) -> None:
        """Per-torrent options (``stop_at_ratio``, ``stop_ratio`` …, deluge.core.torrent's
        TorrentOptions keys); an unknown id is a KeyError on the daemon."""
        self.call("core.set_torrent_options", torrent_ids, options)

    def remove(self, torrent_id: str, remove_data: bool) -> bool:
        return bool(self.call("core.remove_torrent", torrent_id, remove_data))

    def pause(self, torrent_ids: list[str]) -> None:
        self.call("core.pause_torrents", torrent_ids)

    def resume(self, torrent_ids: list[str]) -> None:
        self.call("core.resume_torrents", torrent_ids)

    def queue(self, action: str, torrent_ids: list[str]) -> None:
        """queue_top / queue_bottom / queue_up / queue_down."""
        self.call(f"core.{action}", torrent_ids)


def _code(answer: dict):
    error = answer.get("error")
    return error.get("code") if isinstance(error, dict) else None
