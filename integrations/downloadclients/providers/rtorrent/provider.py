"""rTorrent download client: XML-RPC over SCGI (``network.scgi.open_port``) or over HTTP
through ruTorrent's web server. Speaks rTorrent 0.9.x commands (``d.multicall2``,
``load.raw_start``…); tested against Debian rTorrent 0.9.8 / libtorrent 0.13.8
(XML-RPC API 10) over SCGI.

Labels live in ``d.custom1`` (the ruTorrent convention) and serve as categories.
rTorrent never deletes data itself, so ``remove(…, delete_data=True)`` deletes the
content here, only inside the configured download directories and only when this
machine sees them at the same path.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from integrations.base import TestResult
from integrations.downloadclients.base import (
    AddRequest,
    Capability,
    DownloadClient,
    DownloadClientSettings,
    DownloadItem,
    Priority,
    UserPassMixin,
)
from integrations.downloadclients.torrent import magnet_id, torrent_id
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    ProtocolError,
    UnsupportedError,
)

from .client import RTorrentApi, quote_command_arg
from .mapping import FIELD_NAMES, content_path, to_item, to_row
from .transport import HttpTransport, ScgiTransport, fetch_release

log = logging.getLogger(__name__)

ADD_SETTLE_TIMEOUT = 3.0  # rTorrent lists a loaded item within milliseconds; refused ones never
# d.priority: 0 off (don't download), 1 low, 2 normal, 3 high. rTorrent has no queue order,
# so TOP/BOTTOM are the nearest priorities.
_PRIORITIES = {
    Priority.TOP: 3,
    Priority.HIGH: 3,
    Priority.NORMAL: 2,
    Priority.LOW: 1,
    Priority.BOTTOM: 1,
}
_DELETE_FIELDS = ("base_path", "directory", "name", "is_multi_file")


class RTorrentSettings(DownloadClientSettings, UserPassMixin):
    transport: Literal["scgi", "http"] = Field(
        "scgi",
        description="scgi: rTorrent's own SCGI port (network.scgi.open_port; no login); "
        "http: an XML-RPC URL served by a web server in front of rTorrent (ruTorrent, nginx)",
    )
    port: int = Field(
        5000,
        ge=1,
        le=65535,
        description="SCGI port from network.scgi.open_port (often 5000), or the web server's "
        "port for HTTP (80, 443, 8080…)",
    )
    use_ssl: bool = Field(False, description="Connect with HTTPS (HTTP transport only)")
    url_base: str = Field(
        "/RPC2", description="XML-RPC path on the web server (HTTP transport; usually /RPC2)"
    )
    username: str = Field("", description="Web server user name (HTTP transport only)")
    password: SecretStr | None = Field(
        None, description="Web server password (HTTP transport only)"
    )
    directory: str = Field(
        "",
        description="Absolute download directory on the rTorrent machine; empty: rTorrent's "
        "directory.default",
    )
    tv_directory: str = Field(
        "", description="Absolute directory for the TV category (empty: the download directory)"
    )
    movie_directory: str = Field(
        "", description="Absolute directory for the movie category (empty: the download directory)"
    )
    anime_directory: str = Field(
        "", description="Absolute directory for the anime category (empty: the download directory)"
    )
    add_stopped: bool = Field(
        False, description="Add downloads stopped; rTorrent starts them only when resumed"
    )

    @model_validator(mode="after")
    def _check(self) -> RTorrentSettings:
        if self.transport == "scgi":
            if self.username or (self.password and self.password.get_secret_value()):
                raise ValueError(
                    "username and password only apply to the HTTP transport: SCGI has no "
                    "login (protect it with a web server and choose HTTP, or clear them)"
                )
            if self.use_ssl:
                raise ValueError("SCGI has no TLS; choose the HTTP transport for HTTPS")
        for name in ("directory", "tv_directory", "movie_directory", "anime_directory"):
            value = getattr(self, name)
            if value and not value.startswith("/"):
                raise ValueError(f"{name} must be an absolute path, not {value!r}")
        return self


class RTorrent(DownloadClient):
    kind = "rtorrent"
    label = "rTorrent"
    protocol = "torrent"
    version = "1.0"
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.MAGNET,
            Capability.TORRENT_FILE,
            Capability.URL,
            Capability.CATEGORIES,
            Capability.LABELS,
            Capability.PRIORITY,
            Capability.PAUSE,
            Capability.REMOVE_WITH_DATA,  # only inside the configured directories, see remove()
            Capability.SAVE_PATH,
        }
    )
    Settings = RTorrentSettings
    settings: RTorrentSettings

    def __init__(self, settings: RTorrentSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: RTorrentApi | None = None
        self._version_checked = False

    # -- plumbing ------------------------------------------------------------------------------
    def _api(self) -> RTorrentApi:
        if self._client is None:
            s = self.settings
            if s.transport == "http":
                transport = HttpTransport(
                    s.base_url(),
                    s.username,
                    s.password,
                    verify_tls=s.verify_tls,
                    read_timeout=s.timeout_seconds,
                )
            else:
                uri = "/" + s.url_base.strip("/") if s.url_base.strip("/") else "/RPC2"
                transport = ScgiTransport(s.host, s.port, uri=uri, read_timeout=s.timeout_seconds)
            self._client = RTorrentApi(transport)
        if not self._version_checked:
            self._client.check_version()
            self._version_checked = True
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._version_checked = False

    # -- test ----------------------------------------------------------------------------------
    def test(self) -> TestResult:
        """Check reachability, the version, the download list and the directories."""
        self._version_checked = False  # always ask: rTorrent may have been upgraded
        api = self._api()
        count = len(api.multicall(("hash",)))
        default_dir = api.default_directory()
        s = self.settings
        if not s.directory and not default_dir.startswith(("/", "~")):
            raise ConfigurationError(
                f"rTorrent's directory.default is relative ({default_dir or 'empty'}), so "
                "download paths would be too; set an absolute download directory in idkarr "
                "or directory.default in rtorrent.rc"
            )
        via = "SCGI" if s.transport == "scgi" else "HTTP"
        message = (
            f"Connected to rTorrent {api.client_version} (libtorrent {api.library_version}, "
            f"XML-RPC API {api.api_version} over {via})"
        )
        details: dict = {
            "version": api.client_version,
            "library_version": api.library_version,
            "api_version": api.api_version,
            "transport": s.transport,
            "downloads": count,
            "default_directory": default_dir,
        }
        unseen = [d for d in self._directories() if not os.path.isdir(d)]
        if not self._directories():
            details["delete_data"] = "unavailable: no download directory configured"
        elif unseen:
            details["delete_data"] = f"unavailable: idkarr cannot see {', '.join(unseen)}"
        else:
            details["delete_data"] = "available"
        return TestResult(True, message, details=details)

    def _directories(self) -> list[str]:
        s = self.settings
        dirs = (s.directory, s.tv_directory, s.movie_directory, s.anime_directory)
        return list(dict.fromkeys(d for d in dirs if d))

    def _directory_for(self, category: str) -> str:
        s = self.settings
        by_category = {
            s.tv_category: s.tv_directory,
            s.movie_category: s.movie_directory,
            s.anime_category: s.anime_directory,
        }
        return (by_category.get(category) if category else "") or s.directory

    # -- add -----------------------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Load a .torrent, magnet or URL with label, directory and priority set before it
        starts. Returns the lowercase infohash once rTorrent lists it; a download rTorrent
        already has counts as added. Raises ConfigurationError/ProtocolError for bad input."""
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind == "nzb":
            raise UnsupportedError("rTorrent is a torrent client; it cannot download NZB files")
        payload: bytes | str
        if kind == "url" and request.url.lower().startswith("magnet:"):
            kind, payload = "magnet", request.url
        elif kind == "url":
            payload = fetch_release(request.url, verify_tls=self.settings.verify_tls)
            kind = "magnet" if isinstance(payload, str) else "torrent"
        else:
            payload = request.magnet if kind == "magnet" else request.torrent
        if isinstance(payload, str):
            infohash = magnet_id(payload)
        else:
            try:
                infohash = torrent_id(payload)
            except ProtocolError as exc:
                what = request.name or "the torrent"
                raise ProtocolError(f"rTorrent cannot load {what}: {exc}") from None

        category = request.category or self.settings.tv_category
        commands = []
        directory = request.save_path or self._directory_for(category)
        if directory:
            if not directory.startswith("/"):
                raise ConfigurationError(f"rTorrent needs an absolute directory, not {directory!r}")
            commands.append("d.directory.set=" + quote_command_arg(directory))
        if category:
            commands.append("d.custom1.set=" + quote_command_arg(category))
        if request.priority is not None:
            commands.append(f"d.priority.set={_PRIORITIES[Priority(request.priority)]}")
        if request.tags:
            log.warning("rTorrent has no tags; ignoring %s", ", ".join(request.tags))
        start = not (request.paused if request.paused is not None else self.settings.add_stopped)

        api = self._api()
        if api.exists(infohash):
            log.info("rTorrent already has %s; treating the add as done", infohash)
            return infohash
        api.load(payload, start=start, commands=commands)
        if not self._wait_listed(infohash):
            raise ProtocolError(
                f"rTorrent did not take the {'magnet link' if kind == 'magnet' else 'torrent'} "
                f"{request.name or infohash} (not listed after {ADD_SETTLE_TIMEOUT:g} s); it may "
                "be an invalid torrent, see rTorrent's log"
            )
        return infohash

    def _wait_listed(self, infohash: str, timeout: float = ADD_SETTLE_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if self._api().exists(infohash):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    # -- queue ---------------------------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """Every download in rTorrent's main view (or one category's), in one d.multicall2."""
        rows = self._api().multicall(FIELD_NAMES)
        now = time.time()
        items = [to_item(to_row(values), now) for values in rows]
        return [i for i in items if category is None or i.category == category]

    # -- verbs ---------------------------------------------------------------------------------
    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """``d.erase``. With ``delete_data`` the content is deleted here, only when it lies
        inside a configured directory this machine can see (UnsupportedError otherwise,
        before anything is erased)."""
        api = self._api()
        target = self._deletable_path(api, download_id) if delete_data else None
        api.d("erase", download_id)
        if target is None or not os.path.lexists(target):
            return
        try:
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)
        except OSError as exc:
            raise IntegrationError(
                f"rTorrent removed {download_id.lower()}, but idkarr could not delete its data "
                f"at {target}: {exc.strerror or type(exc).__name__}"
            ) from None

    def _deletable_path(self, api: RTorrentApi, download_id: str) -> str:
        roots = self._directories()
        if not roots:
            raise UnsupportedError(
                "rTorrent cannot delete data itself, and idkarr deletes it only inside the "
                "configured download directory; set the download directory or remove without "
                "deleting data"
            )
        missing = [r for r in roots if not os.path.isdir(r)]
        if missing:
            raise UnsupportedError(
                f"rTorrent cannot delete data itself, and idkarr cannot see {missing[0]} on "
                "this machine (it must be mounted at the same path); remove without deleting data"
            )
        path = content_path(api.fields(download_id, _DELETE_FIELDS))
        real = os.path.realpath(path) if path.startswith("/") else ""
        if real in {os.path.realpath(r) for r in roots}:
            raise UnsupportedError(
                f"Not deleting {path}: it is a configured download directory itself, not the "
                "download's own folder; remove without deleting data, or delete it by hand"
            )
        for root in (os.path.realpath(r) for r in roots):
            if real and real != root and os.path.commonpath([real, root]) == root:
                return real
        raise UnsupportedError(
            f"Not deleting {path or 'the data'}: it is outside rTorrent's configured download "
            f"directories ({', '.join(roots)}); remove without deleting data, or delete it by hand"
        )

    def pause(self, download_id: str) -> None:
        """``d.stop``: persists across rTorrent restarts (``d.pause`` would not)."""
        self._api().d("stop", download_id)

    def resume(self, download_id: str) -> None:
        """``d.start``, then ``d.resume`` for a download someone paused with ``d.pause``."""
        api = self._api()
        api.d("start", download_id)
        api.d("resume", download_id)

    def set_category(self, download_id: str, category: str) -> None:
        """Set the label (``d.custom1``); ``""`` clears it."""
        quote_command_arg(category)  # refuses control characters
        self._api().d("custom1.set", download_id, category)

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """``d.priority.set`` 1 (low) … 3 (high); TOP/BOTTOM are high/low (rTorrent has
        no queue order)."""
        self._api().d("priority.set", download_id, _PRIORITIES[Priority(priority)])
