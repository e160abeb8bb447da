"""Raw qBittorrent Web API v2 calls over one cookie session (no idkarr semantics here).

Login is lazy; a 403 from any call means the SID expired (or qBittorrent
restarted), so the client logs in again once and retries. Every failure is an
``integrations.errors`` exception whose message never contains the password or
the SID. No Referer/Origin header is ever sent: qBittorrent's CSRF check
answers 401 when their host differs from the request's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import requests
from pydantic import SecretStr

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import HttpClient, excerpt, looks_like_html, raise_for_response, redact

SERVICE = "qBittorrent"
MIN_API = (2, 8)
DEFAULT_BAN_SECONDS = 3600

Params = dict[str, str | int]


def parse_version(text: str) -> tuple[int, ...]:
    """``"v4.5.2"`` / ``"2.8.19"`` → ``(4, 5, 2)``; raises ProtocolError for anything else."""
    m = re.fullmatch(r"v?(\d+(?:\.\d+)*)\S*", (text or "").strip())
    if not m:
        raise ProtocolError(
            f"qBittorrent reported an unreadable version {excerpt(text or '', 40)!r}; "
            "this does not look like qBittorrent's Web API"
        )
    return tuple(int(p) for p in m.group(1).split("."))


@dataclass
class AddResult:
    """What ``torrents/add`` answered: accepted or not, and ids if the API names them (2.13+)."""

    accepted: bool
    ids: list[str] = field(default_factory=list)


class QBittorrentApi:
    """Typed Web API v2 calls. ``base_url`` is scheme://host:port[/url_base]."""

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
        self._authenticated = False
        self._stop_start: bool | None = None  # qBittorrent 5 renamed pause/resume to stop/start
        self.app_version = ""
        self.api_version = ""

    def close(self) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v2/{path}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.username or (self._password and self._password.get_secret_value()))

    # -- session ---------------------------------------------------------------
    def login(self) -> None:
        """POST auth/login. Raises AuthenticationError, ProtocolError or NotFoundError."""
        password = self._password.get_secret_value() if self._password else ""
        self._authenticated = False
        self.http.session.cookies.clear()
        r = self.http.post(
            self.url("auth/login"),
            data={"username": self.username, "password": password},
            raise_status=False,
        )
        body = r.text.strip()
        if r.status_code == 200 and body == "Ok.":
            self._authenticated = True
            return
        if r.status_code == 200 and body == "Fails.":
            raise AuthenticationError("qBittorrent rejected the username or password")
        if r.status_code == 403 and "banned" in body.lower():
            raise self._banned()
        if r.status_code in (401, 403):
            raise AuthenticationError(
                f"qBittorrent refused the login (HTTP {r.status_code}): {excerpt(body, 80)}; "
                "if it sits behind a reverse proxy, check that the proxy passes the Host header through"
            )
        if r.status_code >= 500 and r.status_code not in (501, 505):
            raise_for_response(r, SERVICE)
        raise self._not_qbittorrent(r, "auth/login")

    def _not_qbittorrent(self, r: requests.Response, path: str) -> IntegrationError:
        if looks_like_html(r):
            what = "an HTML page"
        else:
            what = repr(excerpt(r.text, 60)) if r.text.strip() else "an empty body"
        message = (
            f"The server at {redact(self.base_url)} does not look like qBittorrent's Web API: "
            f"{path} answered {what} (HTTP {r.status_code}); check the host, port and URL base"
        )
        cls = NotFoundError if r.status_code == 404 else ProtocolError
        return cls(message)

    @staticmethod
    def _banned() -> AuthenticationError:
        return AuthenticationError(
            "qBittorrent has banned this IP address after too many failed logins "
            f"(for {DEFAULT_BAN_SECONDS // 3600} hour by default, WebUI\\BanDuration); "
            "fix the username and password, then wait for the ban to expire or restart qBittorrent"
        )

    def check_version(self) -> tuple[str, str]:
        """Fetch app/version and app/webapiVersion; raise UnsupportedError below Web API 2.8."""
        app = self.call("GET", "app/version").text.strip()
        api = self.call("GET", "app/webapiVersion").text.strip()
        app_v, api_v = parse_version(app), parse_version(api)
        app_text = ".".join(map(str, app_v))
        if api_v < MIN_API:
            raise UnsupportedError(
                f"qBittorrent {app_text} (Web API {api}) is too old; idkarr needs "
                "Web API 2.8 or newer (qBittorrent 4.3.4 or newer)"
            )
        self.app_version, self.api_version = app_text, api
        return app_text, api

    # -- the one request path ------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        data: Params | None = None,
        files: dict | None = None,
        ok: tuple[int, ...] = (),
    ) -> requests.Response:
        """Send one API request, logging in first/again as needed.

        Returns the response for 2xx and for the statuses in ``ok`` (the caller
        interprets those); every other status raises the error tree.
        """
        if not self._authenticated and self.has_credentials:
            self.login()
        r = self._send(method, path, params, data, files)
        if r.status_code == 403:
            if "banned" in r.text.lower():
                raise self._banned()
            if not self.has_credentials:
                raise AuthenticationError(
                    "qBittorrent requires a login; set the username and password "
                    "(or enable authentication bypass for this host in qBittorrent)"
                )
            self.login()  # SID expired or qBittorrent restarted
            r = self._send(method, path, params, data, files)
            if r.status_code == 403:
                raise AuthenticationError(
                    f"qBittorrent refused {path} (HTTP 403) right after a successful login"
                )
        if 200 <= r.status_code < 300 or r.status_code in ok:
            return r
        if r.status_code == 404 and path.startswith("app/"):
            raise self._not_qbittorrent(r, path)
        raise_for_response(r, SERVICE)
        return r  # unreachable: raise_for_response raised

    def _send(self, method, path, params, data, files) -> requests.Response:
        return self.http.request(
            method, self.url(path), params=params, data=data, files=files, raise_status=False
        )

    def json(self, r: requests.Response) -> object:
        return self.http.json(r)

    # -- endpoints -------------------------------------------------------------
    def categories(self) -> dict[str, dict]:
        data = self.json(self.call("GET", "torrents/categories"))
        if not isinstance(data, dict):
            raise ProtocolError("qBittorrent sent categories in an unexpected shape")
        return data

    def create_category(self, name: str, save_path: str = "") -> bool:
        """Create a category. Returns False when it already exists.

        Raises ConfigurationError for a name qBittorrent rejects.
        """
        r = self.call(
            "POST",
            "torrents/createCategory",
            data={"category": name, "savePath": save_path},
            ok=(400, 409),
        )
        if r.status_code == 200:
            return True
        if r.status_code == 409 and "unable to create" in r.text.lower():
            return False  # qBittorrent's answer for an existing category
        raise ConfigurationError(
            f"qBittorrent rejected the category name {name!r}: {excerpt(r.text, 80)}"
        )

    def set_category(self, hashes: str, category: str) -> bool:
        """Returns False when qBittorrent does not know the category (409)."""
        r = self.call(
            "POST", "torrents/setCategory", data={"hashes": hashes, "category": category}, ok=(409,)
        )
        return r.status_code != 409

    def add(self, data: Params, files: dict | None = None, *, name: str = "") -> AddResult:
        r = self.call("POST", "torrents/add", data=data, files=files, ok=(415,))
        if r.status_code == 415:
            raise ProtocolError(
                f"qBittorrent says {name or 'the file'} is not a valid torrent file"
            )
        body = r.text.strip()
        if body == "Ok.":
            return AddResult(True)
        if body == "Fails.":
            return AddResult(False)
        if body.startswith(
            "{"
        ):  # Web API 2.13+: {"success_count", "failure_count", "added_torrent_ids", …}
            try:
                result = json.loads(body)
            except ValueError:
                result = None
            if isinstance(result, dict):
                ids = [str(i).lower() for i in result.get("added_torrent_ids") or []]
                accepted = bool(ids or result.get("success_count") or result.get("pending_count"))
                return AddResult(accepted, ids)
        raise ProtocolError(f"qBittorrent answered torrents/add with {excerpt(body, 80)!r}")

    def info(self, **filters: str) -> list[dict]:
        params = {k: v for k, v in filters.items() if v}
        data = self.json(self.call("GET", "torrents/info", params=params))
        if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
            raise ProtocolError("qBittorrent sent the torrent list in an unexpected shape")
        return data

    def maindata(self, rid: int) -> dict:
        data = self.json(self.call("GET", "sync/maindata", params={"rid": rid}))
        if not isinstance(data, dict) or not isinstance(data.get("rid"), int):
            raise ProtocolError("qBittorrent sent a sync update without a response id")
        return data

    def transfer_info(self) -> dict:
        data = self.json(self.call("GET", "transfer/info"))
        return data if isinstance(data, dict) else {}

    def delete(self, hashes: str, delete_files: bool) -> None:
        self.call(
            "POST",
            "torrents/delete",
            data={"hashes": hashes, "deleteFiles": "true" if delete_files else "false"},
        )

    def pause(self, hashes: str) -> None:
        self._renamed("pause", "stop", hashes)

    def resume(self, hashes: str) -> None:
        self._renamed("resume", "start", hashes)

    def _renamed(self, old: str, new: str, hashes: str) -> None:
        if self._stop_start:
            self.call("POST", f"torrents/{new}", data={"hashes": hashes})
            return
        r = self.call("POST", f"torrents/{old}", data={"hashes": hashes}, ok=(404,))
        if r.status_code == 404:
            self.call("POST", f"torrents/{new}", data={"hashes": hashes})
            self._stop_start = True

    def set_force_start(self, hashes: str, value: bool = True) -> None:
        self.call(
            "POST", "torrents/setForceStart", data={"hashes": hashes, "value": str(value).lower()}
        )

    def queue(self, action: str, hashes: str) -> None:
        """topPrio / bottomPrio / increasePrio / decreasePrio."""
        r = self.call("POST", f"torrents/{action}", data={"hashes": hashes}, ok=(409,))
        if r.status_code == 409:
            raise UnsupportedError(
                "torrent queueing is disabled in qBittorrent; enable it to use priorities"
            )

    def add_tags(self, hashes: str, tags: str) -> None:
        self.call("POST", "torrents/addTags", data={"hashes": hashes, "tags": tags})

    def remove_tags(self, hashes: str, tags: str) -> None:
        self.call("POST", "torrents/removeTags", data={"hashes": hashes, "tags": tags})

    def delete_tags(self, tags: str) -> None:
        self.call("POST", "torrents/deleteTags", data={"tags": tags})
