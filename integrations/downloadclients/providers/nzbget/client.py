"""Raw NZBGet JSON-RPC calls (API of NZBGet 21; no idkarr semantics here).

Every call is ``POST {base}/jsonrpc`` with HTTP basic auth (ControlUsername /
ControlPassword). NZBGet answers ``{"version": "1.1", "id": …, "result": …}``
or ``{"error": {"name": "JSONRPCError", "code": N, "message": …}}``; a wrong
password is HTTP 401 with an empty body. Requests are sent as UTF-8 JSON
*without* ``\\uXXXX`` escapes: NZBGet 21 decodes those wrongly (``ï`` → ``ü``),
raw UTF-8 arrives intact. Failures are ``integrations.errors`` exceptions whose
messages never contain the password.
"""

from __future__ import annotations

import base64
import itertools
import json
import re

import requests
from pydantic import SecretStr

from integrations.errors import (
    AuthenticationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import HttpClient, excerpt, looks_like_html, raise_for_response, redact

SERVICE = "NZBGet"
MIN_VERSION = (21, 0)
DUPE_MODE = "ALL"  # like Sonarr: NZBGet's duplicate check must not drop a release we picked

_VERSION_RE = re.compile(r"(\d+)\.(\d+)")


def parse_version(text: object) -> tuple[int, int]:
    """``"21.0"`` / ``"21.1-testing-r2220"`` → ``(21, 0)`` / ``(21, 1)``; ProtocolError otherwise."""
    m = _VERSION_RE.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise ProtocolError(
            f"NZBGet reported an unreadable version {excerpt(str(text), 40)!r}; "
            "this does not look like NZBGet's JSON-RPC API"
        )
    return int(m.group(1)), int(m.group(2))


_SPLIT_KEYS: dict[str, tuple[str, str]] = {}  # "FileSize" → ("FileSizeLo", "FileSizeHi")


def join64(entry: dict, name: str) -> int:
    """NZBGet splits its signed 64-bit sizes into ``<name>Lo`` and ``<name>Hi`` (unsigned
    32 bit each). A negative size (NZBGet's remaining size of a job in post-processing
    whose articles were smaller than the NZB said) comes back negative, not as 2**64 - n."""
    keys = _SPLIT_KEYS.get(name)
    if keys is None:
        keys = _SPLIT_KEYS[name] = (f"{name}Lo", f"{name}Hi")
    lo, hi = entry.get(keys[0], 0), entry.get(keys[1], 0)
    if not isinstance(lo, int) or not isinstance(hi, int) or lo < 0 or hi < 0:
        raise ProtocolError(f"NZBGet sent {name} in an unexpected shape")
    value = (hi << 32) | lo
    return value - (1 << 64) if value >= 1 << 63 else value


class NZBGetApi:
    """Typed JSON-RPC calls. ``base_url`` is scheme://host:port[/url_base]."""

    def __init__(
        self,
        base_url: str,
        username: str = "",
        password: SecretStr | None = None,
        *,
        verify_tls: bool = True,
        read_timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.http = HttpClient(SERVICE, verify_tls=verify_tls, read_timeout=read_timeout)
        self.http.uncompressed_on_loopback(self.base_url)
        # NZBGet 21 answers every request after the first on a kept-open connection
        # about 44 ms late; a fresh connection per call answers in about 1 ms.
        self.http.session.headers["Connection"] = "close"
        self._ids = itertools.count(1)
        self.app_version = ""

    def close(self) -> None:
        self.http.close()

    @property
    def url(self) -> str:
        return f"{self.base_url}/jsonrpc"

    # -- the one request path ------------------------------------------------
    def call(self, method: str, *params: object) -> object:
        """Call ``method``; return its ``result`` or raise the error tree."""
        password = self._password.get_secret_value() if self._password else ""
        body = {"version": "1.1", "method": method, "params": list(params), "id": next(self._ids)}
        try:
            r = self.http.post(
                self.url,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
                auth=(self.username, password),
                raise_status=False,
            )
        except ConnectionFailed as exc:
            # NZBGet resets a TLS handshake on its plain ControlPort instead of answering.
            if self.base_url.startswith("https:") and "closed before an answer" in exc.message:
                raise ConnectionFailed(
                    f"NZBGet at {redact(self.base_url)} reset the HTTPS connection; NZBGet only "
                    "speaks HTTPS on its SecurePort (with SecureControl on): turn off HTTPS or "
                    "use that port"
                ) from None
            raise
        if r.status_code == 401:
            raise AuthenticationError(
                "NZBGet rejected the username or password (HTTP 401); use the ControlUsername "
                "and ControlPassword from NZBGet's Settings → Security"
            )
        if r.status_code == 404:
            raise self._not_nzbget(r)
        if not 200 <= r.status_code < 300:
            raise_for_response(r, SERVICE)
        try:
            data = json.loads(r.content)
        except ValueError:
            raise self._not_nzbget(r) from None
        if not isinstance(data, dict) or not ("result" in data or "error" in data):
            raise self._not_nzbget(r)
        error = data.get("error")
        if error:
            raise self._fault(method, error)
        return data["result"]

    def _not_nzbget(self, r: requests.Response) -> IntegrationError:
        ctype = r.headers.get("Content-Type", "")
        text = r.text.strip()
        if looks_like_html(r):
            what = "an HTML page"
        elif not text:
            what = "an empty body"
        elif "json" in ctype or text[:1] in "{[":
            what = f"invalid or unexpected JSON ({excerpt(text, 60)!r})"
        else:
            what = repr(excerpt(text, 60))
        message = (
            f"The server at {redact(self.base_url)} does not look like NZBGet's JSON-RPC API: "
            f"/jsonrpc answered {what} (HTTP {r.status_code}); check the host, port and URL base"
        )
        return (NotFoundError if r.status_code == 404 else ProtocolError)(message)

    def _fault(self, method: str, error: object) -> IntegrationError:
        if not isinstance(error, dict):
            return ProtocolError(f"NZBGet answered {method} with a malformed error")
        code, message = error.get("code"), str(error.get("message") or "")
        if code == 401:
            return AuthenticationError(
                f"NZBGet user {self.username!r} may not call {method} (Access denied); it is "
                "probably NZBGet's add-only user (AddUsername): use the ControlUsername"
            )
        if message == "Invalid procedure":
            return UnsupportedError(
                f"NZBGet does not know the method {method}; idkarr needs NZBGet "
                f"{MIN_VERSION[0]}.{MIN_VERSION[1]} or newer"
            )
        return ProtocolError(
            f"NZBGet rejected {method}: {excerpt(message, 120) or 'no reason given'} "
            f"(JSON-RPC error {code})"
        )

    def _list(self, method: str, *params: object) -> list[dict]:
        data = self.call(method, *params)
        if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
            raise ProtocolError(f"NZBGet sent the {method} answer in an unexpected shape")
        return data

    # -- methods ---------------------------------------------------------------
    def version(self) -> str:
        version = self.call("version")
        parse_version(version)
        return str(version).strip()

    def check_version(self) -> str:
        """Fetch ``version``; raise UnsupportedError below NZBGet 21.0."""
        text = self.version()
        if parse_version(text) < MIN_VERSION:
            raise UnsupportedError(
                f"NZBGet {text} is too old; idkarr needs NZBGet "
                f"{MIN_VERSION[0]}.{MIN_VERSION[1]} or newer"
            )
        self.app_version = text
        return text

    def status(self) -> dict:
        data = self.call("status")
        if not isinstance(data, dict):
            raise ProtocolError("NZBGet sent the status answer in an unexpected shape")
        return data

    def config(self) -> dict[str, str]:
        """The running configuration as ``{option: value}`` (``Category1.Name`` …)."""
        return {str(x.get("Name")): str(x.get("Value", "")) for x in self._list("config")}

    def listgroups(self) -> list[dict]:
        """The download queue (items being downloaded or post-processed)."""
        return self._list("listgroups", 0)

    def history(self) -> list[dict]:
        """The history without hidden entries (finished, failed and deleted items)."""
        return self._list("history", False)

    def append(
        self,
        name: str,
        content: bytes | str,
        *,
        category: str,
        priority: int,
        add_to_top: bool,
        add_paused: bool,
    ) -> int:
        """Queue NZB bytes, or a URL (``str``) NZBGet fetches itself. Returns the NZBID;
        NZBGet answers 0 or less when it did not queue anything."""
        payload = content if isinstance(content, str) else base64.b64encode(content).decode()
        result = self.call(
            "append",
            name,
            payload,
            category,
            priority,
            add_to_top,
            add_paused,
            "",  # DupeKey
            0,  # DupeScore
            DUPE_MODE,
            [],  # PPParameters
        )
        if not isinstance(result, int) or isinstance(result, bool):
            raise ProtocolError(f"NZBGet answered append with {excerpt(repr(result), 40)}")
        return result

    def editqueue(self, command: str, ids: list[int], param: str = "") -> bool:
        """``editqueue(Command, Param, IDs)`` (API v18+). False: no such id in queue/history."""
        result = self.call("editqueue", command, param, ids)
        if not isinstance(result, bool):
            raise ProtocolError(
                f"NZBGet answered editqueue {command} with {excerpt(repr(result), 40)}"
            )
        return result
