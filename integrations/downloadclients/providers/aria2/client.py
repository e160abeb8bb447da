"""Raw aria2 JSON-RPC 2.0 calls over HTTP (no idkarr semantics here).

Every call is a POST of ``{"jsonrpc": "2.0", "id", "method", "params"}`` to the
``/jsonrpc`` endpoint; the secret token travels as the first parameter
``"token:<secret>"`` (aria2 ignores it when it runs without ``--rpc-secret``).
aria2 answers faults with HTTP 400 and ``{"error": {"code": 1, "message": …}}``;
``system.multicall`` takes one nested list of ``{"methodName", "params"}`` (each
with its own token) and answers ``[[result], {"code", "message"}, …]``.
All numbers come back as strings. Messages never contain the token: it is only
ever in request bodies, and aria2's own texts are passed through ``_scrub``.
"""

from __future__ import annotations

import itertools
import json
import re

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

SERVICE = "aria2"
MIN_VERSION = (1, 34, 0)  # what Sonarr requires; every call used here exists since 1.18
MIN_VERSION_TEXT = ".".join(map(str, MIN_VERSION))


class Aria2Fault(IntegrationError):
    """aria2 refused a call with a message idkarr has no more specific mapping for."""

    def __init__(self, method: str, remote: str):
        super().__init__(f"aria2 refused {method}: {remote}", details={"aria2_message": remote})
        self.method = method
        self.remote = remote


def parse_version(text: str) -> tuple[int, ...]:
    m = re.fullmatch(r"(\d+(?:\.\d+)*)\S*", (text or "").strip())
    if not m:
        raise ProtocolError(
            f"aria2 reported an unreadable version {excerpt(text or '', 40)!r}; "
            "this does not look like aria2's JSON-RPC"
        )
    return tuple(int(p) for p in m.group(1).split("."))


def rpc_path(url_base: str) -> str:
    """The JSON-RPC path for a URL base: ``""`` → ``/jsonrpc``, ``/aria2`` → ``/aria2/jsonrpc``.

    Raises ConfigurationError for ``…/rpc``, aria2's XML-RPC endpoint.
    """
    path = "/".join(p for p in (url_base or "").strip().split("/") if p)
    last = path.rsplit("/", 1)[-1].lower()
    if last == "rpc":
        raise ConfigurationError(
            f"URL base /{path} is aria2's XML-RPC endpoint; idkarr speaks aria2's JSON-RPC, "
            f"set the URL base to /{path[:-3]}jsonrpc"
        )
    if last != "jsonrpc":
        path = f"{path}/jsonrpc" if path else "jsonrpc"
    return "/" + path


class Aria2Rpc:
    """Typed JSON-RPC calls to one aria2 endpoint URL."""

    def __init__(
        self,
        url: str,
        secret: SecretStr | None = None,
        *,
        verify_tls: bool = True,
        read_timeout: float = 30.0,
    ):
        self.url = url
        self._secret = secret.get_secret_value() if secret else ""
        self.http = HttpClient(SERVICE, verify_tls=verify_tls, read_timeout=read_timeout)
        self.http.uncompressed_on_loopback(url)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self.http.close()

    def _params(self, params: tuple | list) -> list:
        return ([f"token:{self._secret}"] if self._secret else []) + list(params)

    # -- the one request path ------------------------------------------------
    def call(self, method: str, *params):
        """Call ``method`` and return its ``result``; faults raise the error tree."""
        return self._request(method, self._params(params))

    def _request(self, method: str, params: list):
        request_id = str(next(self._ids))
        body = self._post({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        if "error" in body:
            raise self._fault(method, body["error"])
        if "result" not in body or str(body.get("id")) != request_id:
            raise self._not_aria2_shape(method)
        return body["result"]

    def multicall(self, calls: list[tuple[str, list]]) -> list:
        """Several calls in one round trip (``system.multicall``); returns their results in
        order, raising the mapped error of the first call that failed."""
        batch = [{"methodName": m, "params": self._params(p)} for m, p in calls]
        results = self._request("system.multicall", [batch])  # tokens go inside, not here
        if not isinstance(results, list) or len(results) != len(calls):
            raise self._not_aria2_shape("system.multicall")
        out = []
        for (method, _), result in zip(calls, results, strict=True):
            if isinstance(result, dict):
                raise self._fault(method, result)
            if not isinstance(result, list) or len(result) != 1:
                raise self._not_aria2_shape("system.multicall")
            out.append(result[0])
        return out

    def _post(self, payload: dict) -> dict:
        try:
            r = self.http.post(
                self.url,
                data=json.dumps(payload),
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                raise_status=False,
            )
        except ConnectionFailed as exc:
            if exc.message.startswith("TLS handshake") and "not trusted" not in exc.message:
                raise ConnectionFailed(
                    "TLS handshake with aria2 failed: aria2 speaks plain HTTP unless it runs "
                    "with --rpc-secure; turn off HTTPS, or check the port",
                    permanent=True,
                ) from None
            raise
        try:
            body = r.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and ("result" in body or "error" in body):
            return body
        if r.status_code in (401, 403):
            raise AuthenticationError(
                f"aria2 (or a proxy in front of it) asked for HTTP authentication "
                f"(HTTP {r.status_code}); aria2 itself only uses the secret token, so check "
                "the reverse proxy's login"
            )
        if 300 <= r.status_code < 400 or (r.status_code >= 500 and r.status_code != 501):
            raise_for_response(r, SERVICE)
        raise self._not_aria2(r)

    def _not_aria2(self, r: requests.Response) -> IntegrationError:
        text = r.text or ""
        if looks_like_html(r):
            what = "an HTML page"
        elif not text.strip():
            what = "an empty body"
        elif text.lstrip()[:1] in "{[":
            what = "JSON that is not a JSON-RPC answer (truncated or another service)"
        else:
            what = repr(excerpt(text, 60))
        message = (
            f"The server at {redact(self.url)} does not look like aria2's JSON-RPC: it answered "
            f"{what} (HTTP {r.status_code}); check the host, port and URL base (aria2 serves "
            "/jsonrpc on its --rpc-listen-port, 6800 by default)"
        )
        return (NotFoundError if r.status_code == 404 else ProtocolError)(message)

    def _not_aria2_shape(self, method: str) -> ProtocolError:
        return ProtocolError(
            f"aria2 answered {method} in an unexpected shape; is {redact(self.url)} aria2's JSON-RPC?"
        )

    def _scrub(self, text: str) -> str:
        text = excerpt(str(text), 200)
        return text.replace(self._secret, "***") if self._secret else text

    def _fault(self, method: str, error) -> IntegrationError:
        if not isinstance(error, dict):
            return self._not_aria2_shape(method)
        remote = self._scrub(error.get("message") or error.get("faultString") or "")
        code = error.get("code", error.get("faultCode"))
        if remote == "Unauthorized":
            if not self._secret:
                return AuthenticationError(
                    "aria2 requires a secret token (it runs with --rpc-secret); set it in idkarr"
                )
            return AuthenticationError(
                "aria2 rejected the secret token (Unauthorized); it must match aria2's "
                "--rpc-secret (rpc-secret in aria2.conf)"
            )
        if remote.startswith("No such method"):
            return UnsupportedError(
                f"aria2 does not know {method}; it is probably too old "
                f"(idkarr needs aria2 {MIN_VERSION_TEXT} or newer)"
            )
        if re.search(r"GID\s*#?\s*[0-9a-fA-F]{16} is not found", remote):
            return NotFoundError(f"aria2 has no such download ({remote})")
        if "processing the option" in remote:
            return ConfigurationError(f"aria2 rejected an option of {method}: {remote}")
        if code in (-32700, -32600, -32602):
            return ProtocolError(f"aria2 could not parse idkarr's {method} request: {remote}")
        return Aria2Fault(method, remote)

    # -- endpoints -------------------------------------------------------------
    def get_version(self) -> tuple[str, list[str]]:
        """``(version, enabledFeatures)``; raises UnsupportedError below the minimum."""
        result = self.call("aria2.getVersion")
        if not isinstance(result, dict) or not isinstance(result.get("version"), str):
            raise self._not_aria2_shape("aria2.getVersion")
        version = result["version"]
        if parse_version(version) < MIN_VERSION:
            raise UnsupportedError(
                f"aria2 {version} is too old; idkarr needs aria2 {MIN_VERSION_TEXT} or newer"
            )
        features = [str(f) for f in result.get("enabledFeatures") or []]
        return version, features

    def global_options(self) -> dict[str, str]:
        result = self.call("aria2.getGlobalOption")
        if not isinstance(result, dict):
            raise self._not_aria2_shape("aria2.getGlobalOption")
        return {str(k): str(v) for k, v in result.items()}

    def global_stat(self) -> dict[str, str]:
        result = self.call("aria2.getGlobalStat")
        return result if isinstance(result, dict) else {}

    def add_torrent(self, torrent_b64: str, options: dict[str, str]) -> str:
        return self._gid(
            "aria2.addTorrent", self.call("aria2.addTorrent", torrent_b64, [], options)
        )

    def add_uri(self, uri: str, options: dict[str, str]) -> str:
        return self._gid("aria2.addUri", self.call("aria2.addUri", [uri], options))

    def _gid(self, method: str, value) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{16}", value):
            raise self._not_aria2_shape(method)
        return value.lower()

    def tell_status(self, gid: str, keys: list[str]) -> dict:
        result = self.call("aria2.tellStatus", gid, keys)
        if not isinstance(result, dict):
            raise self._not_aria2_shape("aria2.tellStatus")
        return result

    def list_all(self, keys: list[str], page: int = 1000) -> list[dict]:
        """Active, waiting (incl. paused) and stopped downloads, in one round trip for up
        to ``page`` waiting and stopped ones (more pages are fetched as needed)."""
        active, waiting, stopped = self.multicall(
            [
                ("aria2.tellActive", [keys]),
                ("aria2.tellWaiting", [0, page, keys]),
                ("aria2.tellStopped", [0, page, keys]),
            ]
        )
        for name, batch in (("aria2.tellWaiting", waiting), ("aria2.tellStopped", stopped)):
            more = batch
            while isinstance(more, list) and len(more) == page:
                more = self.call(name, len(batch), page, keys)
                if isinstance(more, list):
                    batch.extend(more)
        entries = [active, waiting, stopped]
        if not all(isinstance(b, list) and all(isinstance(e, dict) for e in b) for b in entries):
            raise ProtocolError("aria2 sent the download list in an unexpected shape")
        return active + waiting + stopped

    def pause(self, gid: str) -> None:
        self.call("aria2.pause", gid)

    def unpause(self, gid: str) -> None:
        self.call("aria2.unpause", gid)

    def remove(self, gid: str, force: bool = False) -> None:
        self.call("aria2.forceRemove" if force else "aria2.remove", gid)

    def remove_result(self, gid: str) -> None:
        self.call("aria2.removeDownloadResult", gid)

    def change_position(self, gid: str, pos: int, how: str) -> int:
        result = self.call("aria2.changePosition", gid, pos, how)
        return int(result) if isinstance(result, int | str) and str(result).isdigit() else -1
