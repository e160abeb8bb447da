"""Raw Synology DSM Web API calls for Download Station (no idkarr semantics here).

Every call is ``/webapi/<path>?api=<name>&version=<n>&method=<m>``; only the path of
``SYNO.API.Info`` (``query.cgi``) is fixed, every other path comes from its ``query``.
Replies are ``{"success": true, "data": …}`` or ``{"success": false, "error":
{"code": N}}`` with HTTP 200, and a code means something different per API (400 is
"wrong password" on SYNO.API.Auth but "file upload failed" on the task API).

Login is lazy (``SYNO.API.Auth`` session ``DownloadStation``, ``format=sid``); the sid
goes out as ``_sid`` (query string on GET, form field on POST). On a session error
(105/106/107/119) the client logs in again once and retries. The sid and the password
are secrets: they never appear in a message or a log line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import requests
from pydantic import SecretStr

from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import HttpClient, excerpt, raise_for_response, redact

from .codes import AUTH, DS_INFO, FS_LIST, INFO, TASK, TASK2, api_error

log = logging.getLogger(__name__)

SERVICE = "Download Station"
SESSION = "DownloadStation"
QUERY = (AUTH, TASK, TASK2, DS_INFO, FS_LIST)
SESSION_ERRORS = frozenset({105, 106, 107, 119})
MIN_TASK_VERSION = 2  # create with a destination
MIN_AUTH_VERSION = 2  # format=sid


class _Failed(Exception):
    """An HTTP-200 ``success: false`` reply, before it becomes an error-tree exception."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ApiInfo:
    name: str
    path: str
    min_version: int
    max_version: int

    def pick(self, wanted: int) -> int:
        """``wanted`` clamped to what this DSM offers."""
        return max(self.min_version, min(wanted, self.max_version))


class DownloadStationApi:
    """Typed DSM Web API calls. ``base_url`` is scheme://host:port[/url_base]."""

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
        self._sid: str | None = None
        self.apis: dict[str, ApiInfo] = {}

    def close(self) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}/webapi/{path}"

    # -- discovery -------------------------------------------------------------
    def discover(self) -> dict[str, ApiInfo]:
        """``SYNO.API.Info query`` for the APIs we use; checks Auth and Task versions."""
        where = redact(self.url("query.cgi"))
        try:
            data = self._send(
                INFO, "query.cgi", "query", 1, {"query": ",".join(QUERY)}, post=False, sid=False
            )
        except ProtocolError as exc:
            raise ProtocolError(
                f"The server at {where} does not look like a Synology NAS ({exc}); check the "
                "host, port and URL base"
            ) from None
        except NotFoundError:
            raise NotFoundError(
                f"No Synology Web API at {where} (HTTP 404); check the host, port and URL base"
            ) from None
        except _Failed as failed:
            raise api_error(INFO, failed.code, "list its APIs") from None
        if not isinstance(data, dict):
            raise ProtocolError("Download Station sent its API list in an unexpected shape")
        apis = {}
        for name, entry in data.items():
            try:
                apis[name] = ApiInfo(
                    name, str(entry["path"]), int(entry["minVersion"]), int(entry["maxVersion"])
                )
            except (KeyError, TypeError, ValueError):
                raise ProtocolError(
                    f"Download Station described {name} in an unexpected shape"
                ) from None
        if TASK not in apis:
            raise ConfigurationError(
                "The NAS answered, but the Download Station package is not installed or not "
                f"running (no {TASK} API); install or start it in Package Center"
            )
        if AUTH not in apis or apis[AUTH].max_version < MIN_AUTH_VERSION:
            raise UnsupportedError("This DSM is too old: idkarr needs DSM 6 or newer")
        task = apis[TASK]
        if task.max_version < MIN_TASK_VERSION or task.min_version > MIN_TASK_VERSION:
            raise UnsupportedError(
                f"Download Station's task API versions {task.min_version}-{task.max_version} "
                f"are not supported; idkarr needs one that includes version {MIN_TASK_VERSION} "
                "(Download Station 3.x on DSM 6, or newer)"
            )
        self.apis = apis
        return apis

    def api(self, name: str) -> ApiInfo:
        if not self.apis:
            self.discover()
        try:
            return self.apis[name]
        except KeyError:
            raise UnsupportedError(f"This NAS does not offer {name} to Download Station") from None

    def has(self, name: str) -> bool:
        if not self.apis:
            self.discover()
        return name in self.apis

    @property
    def auth_version(self) -> int:
        # DSM 7 refuses login v2 (error 103); v6 works there. Sonarr does the same.
        auth = self.api(AUTH)
        return 6 if auth.max_version >= 7 else auth.pick(2)

    # -- session ---------------------------------------------------------------
    def login(self) -> None:
        password = self._password.get_secret_value() if self._password else ""
        self._sid = None
        form = {
            "account": self.username,
            "passwd": password,
            "session": SESSION,
            "format": "sid",
        }
        auth = self.api(AUTH)
        try:
            data = self._send(AUTH, auth.path, "login", self.auth_version, form, sid=False)
        except _Failed as failed:
            raise api_error(AUTH, failed.code, "log in") from None
        sid = data.get("sid") if isinstance(data, dict) else None
        if not isinstance(sid, str) or not sid:
            raise ProtocolError("Download Station answered the login without a session id")
        self._sid = sid

    def logout(self) -> None:
        """End the session (best effort; a failure is only logged)."""
        if not self._sid or AUTH not in self.apis:
            return
        auth = self.apis[AUTH]
        try:
            self._send(
                AUTH, auth.path, "logout", self.auth_version, {"session": SESSION}, post=False
            )
        except (IntegrationError, _Failed) as exc:
            log.debug("Download Station logout failed: %s", type(exc).__name__)
        self._sid = None

    # -- the one request path ------------------------------------------------
    def call(
        self,
        api: str,
        method: str,
        action: str,
        *,
        version: int,
        params: dict | None = None,
        post: bool = False,
        files: dict | None = None,
    ) -> object:
        """Call ``api.method`` (logged in); return ``data``. ``action`` words the errors
        ("list the tasks"). A session error triggers one re-login and retry."""
        info = self.api(api)
        if self._sid is None:
            self.login()
        for attempt in (1, 2):
            try:
                return self._send(api, info.path, method, version, params, post=post, files=files)
            except _Failed as failed:
                if failed.code in SESSION_ERRORS and attempt == 1:
                    log.info(
                        "Download Station session ended (error %d); logging in again", failed.code
                    )
                    self.login()
                    continue
                raise api_error(api, failed.code, action) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        api: str,
        path: str,
        method: str,
        version: int,
        params: dict | None,
        *,
        post: bool = True,
        files: dict | None = None,
        sid: bool = True,
    ) -> object:
        fields: dict = {"api": api, "version": version, "method": method}
        if sid and self._sid:
            fields["_sid"] = self._sid
        fields.update(params or {})
        log.debug("Download Station %s.%s v%d", api, method, version)
        if post:
            r = self.http.post(
                self.url(path), data=fields, files=files, raise_status=False, allow_redirects=False
            )
        else:
            r = self.http.get(
                self.url(path), params=fields, raise_status=False, allow_redirects=False
            )
        return self._parse(r)

    def _parse(self, r: requests.Response) -> object:
        if r.status_code == 400 and "https port" in r.text.lower():
            raise ConfigurationError(
                "Download Station's port expects HTTPS; turn on HTTPS (DSM's HTTPS port is 5001)"
            )
        if r.status_code != 200:
            raise_for_response(r, SERVICE)
        body = self.http.json(r)
        if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
            raise ProtocolError(
                f"Download Station answered JSON that is not a Synology API reply: "
                f"{excerpt(r.text, 80)}"
            )
        if body["success"]:
            return body.get("data")
        error = body.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        if not isinstance(code, int):
            raise ProtocolError("Download Station reported a failure without an error code")
        raise _Failed(code)

    # -- Download Station --------------------------------------------------------
    def ds_info(self) -> dict:
        data = self.call(DS_INFO, "getinfo", "read its version", version=1)
        return data if isinstance(data, dict) else {}

    def ds_config(self) -> dict:
        data = self.call(DS_INFO, "getconfig", "read its settings", version=1)
        return data if isinstance(data, dict) else {}

    def list_tasks(self) -> list[dict]:
        """Every task with ``additional=detail,transfer`` (all pages)."""
        tasks: list[dict] = []
        while True:
            params = {"additional": "detail,transfer", "offset": len(tasks), "limit": -1}
            data = self.call(TASK, "list", "list the tasks", version=1, params=params)
            page = data.get("tasks") if isinstance(data, dict) else None
            if not isinstance(page, list) or not all(isinstance(t, dict) for t in page):
                raise ProtocolError("Download Station sent the task list in an unexpected shape")
            tasks.extend(page)
            total = data.get("total")
            if not page or not isinstance(total, int) or len(tasks) >= total:
                return tasks

    def create_uri(self, uri: str, destination: str) -> None:
        """Task v1 ``create`` from a URL or magnet (POST form). DSM answers without an id."""
        params = {"uri": uri}
        if destination:
            params["destination"] = destination
        version = self.api(TASK).pick(3)
        self.call(TASK, "create", "add the download", version=version, params=params, post=True)

    def create_file(self, filename: str, content: bytes, destination: str) -> None:
        """Task v1 ``create`` with a multipart upload (fields first, the file part last)."""
        params = {"destination": destination} if destination else {}
        files = {"file": (filename, content, "application/octet-stream")}
        self.call(
            TASK, "create", f"add {filename}", version=2, params=params, post=True, files=files
        )

    def create2(self, destination: str, *, url: str = "", file: tuple[str, bytes] | None = None):
        """DownloadStation2.Task ``create`` (DSM 7, and DS 3.8.16+ where v1 uploads fail).

        Returns the new task ids when DSM names them (``data.task_id``), else ``[]``.
        """
        version = self.api(TASK2).pick(2)
        if file is not None:
            filename, content = file
            params = {
                "type": '"file"',
                "file": '["fileData"]',
                "create_list": "false",
                "destination": json.dumps(destination),
            }
            files = {"fileData": (filename, content, "application/octet-stream")}
            data = self.call(
                TASK2,
                "create",
                f"add {filename}",
                version=version,
                params=params,
                post=True,
                files=files,
            )
        else:
            params = {"type": "url", "url": url, "create_list": "false", "destination": destination}
            data = self.call(TASK2, "create", "add the download", version=version, params=params)
        ids = data.get("task_id") if isinstance(data, dict) else None
        return [str(i) for i in ids] if isinstance(ids, list) else []

    def task_action(self, method: str, task_id: str, **extra: str) -> None:
        """pause / resume / delete one task; per-id errors raise like call errors."""
        action = f"{method} task {task_id}"
        data = self.call(
            TASK, method, action, version=1, params={"id": task_id, **extra}, post=False
        )
        for result in data if isinstance(data, list) else []:
            code = result.get("error") if isinstance(result, dict) else None
            if isinstance(code, int) and code != 0:
                raise api_error(TASK, code, action)

    # -- File Station ------------------------------------------------------------
    def folder_info(self, paths: list[str]) -> list[dict]:
        """``SYNO.FileStation.List getinfo`` with ``real_path``; one entry per path."""
        params = {"path": json.dumps(paths), "additional": json.dumps(["real_path"])}
        version = self.api(FS_LIST).pick(2)
        data = self.call(FS_LIST, "getinfo", "look up folders", version=version, params=params)
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise ProtocolError("Download Station sent folder details in an unexpected shape")
        return files
