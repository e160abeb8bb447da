"""qBittorrent download client (Web API v2, 2.8 or newer).

Speaks the qBittorrent Web API v2 as of 2.8.x and accepts the 4.6/5.x
renames (``stoppedUP``/``stoppedDL`` states, ``torrents/stop|start``) and the
JSON answer of ``torrents/add`` (2.13+). Tested against qbittorrent-nox 4.5.2
(Web API 2.8.19, Debian 12).

The queue is polled incrementally with ``sync/maindata``: the first call
(``rid=0``) is a full snapshot, later calls send only what changed (``{"rid": N}``
when nothing did), and the provider keeps the merged state. Any error resets
``rid`` to 0, so the next poll starts from a full snapshot again.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from integrations.base import DEGRADED, HEALTHY, UNHEALTHY, Health, TestResult
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

from .client import QBittorrentApi
from .mapping import to_item

log = logging.getLogger(__name__)

URL_ADD_TIMEOUT = 10.0  # how long to wait for qBittorrent to fetch a .torrent URL
ADD_SETTLE_TIMEOUT = 5.0  # how long a just-added torrent may take to be listed
_QUEUE_ACTIONS = {
    Priority.TOP: "topPrio",
    Priority.BOTTOM: "bottomPrio",
    Priority.HIGH: "increasePrio",
    Priority.LOW: "decreasePrio",
}
_LAYOUTS = {"original": "Original", "subfolder": "Subfolder"}
# qBittorrent's own rule (Session::isValidCategoryName): no backslash, no empty path segment.
_CATEGORY_RE = re.compile(r"^[^\\/]+(/[^\\/]+)*$")


def _copy_item(item: DownloadItem) -> DownloadItem:
    # A field-for-field copy; ~5x cheaper than dataclasses.replace, which matters at
    # thousands of items per poll. tags is the only mutable field.
    copy = object.__new__(DownloadItem)
    copy.__dict__.update(item.__dict__)
    copy.tags = list(item.tags)
    return copy


class QBittorrentSettings(DownloadClientSettings, UserPassMixin):
    port: int = Field(
        8080, ge=1, le=65535, description="Web UI port (qBittorrent's default is 8080)"
    )
    username: str = Field(
        "",
        description="Web UI user name; leave empty if qBittorrent bypasses authentication for idkarr's address",
    )
    first_and_last_piece_priority: bool = Field(
        False, description="Download the first and last pieces first (lets players preview)"
    )
    sequential_download: bool = Field(False, description="Download pieces in order")
    initial_state: Literal["start", "pause", "force_start"] = Field(
        "start",
        description="State of new torrents: start, pause, or force start (ignores queue limits)",
    )
    content_layout: Literal["default", "original", "subfolder"] = Field(
        "default",
        description="Folder layout of new torrents: qBittorrent's default, the torrent's original, or always a subfolder",
    )


class QBittorrent(DownloadClient):
    kind = "qbittorrent"
    label = "qBittorrent"
    protocol = "torrent"
    version = "1.0"
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.MAGNET,
            Capability.TORRENT_FILE,
            Capability.URL,
            Capability.CATEGORIES,
            Capability.CREATE_CATEGORIES,
            Capability.TAGS,
            Capability.PRIORITY,
            Capability.QUEUE_ORDER,
            Capability.PAUSE,
            Capability.REMOVE_WITH_DATA,
            Capability.SAVE_PATH,
            Capability.FIRST_LAST_PIECE,
            Capability.SEQUENTIAL,
            Capability.SEEDING_LIMITS,
            Capability.INCREMENTAL_SYNC,
        }
    )
    Settings = QBittorrentSettings
    settings: QBittorrentSettings

    def __init__(self, settings: QBittorrentSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: QBittorrentApi | None = None
        self._version_checked = False
        self._last_full_test = float("-inf")
        self._known_categories: set[str] = set()
        self._rid = 0
        self._torrents: dict[str, dict] = {}  # merged sync state, by lowercase hash
        self._items: dict[str, DownloadItem] = {}  # mapped once per change
        self.last_sync_full = False
        self.last_sync_keys: frozenset[str] = frozenset()

    # -- plumbing --------------------------------------------------------------
    def _api(self) -> QBittorrentApi:
        if self._client is None:
            s = self.settings
            self._client = QBittorrentApi(
                s.base_url(),
                s.username,
                s.password,
                verify_tls=s.verify_tls,
                read_timeout=s.timeout_seconds,
            )
        if not self._version_checked:
            self._client.check_version()
            self._version_checked = True
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._version_checked = False
        self._reset_sync()

    # -- test ------------------------------------------------------------------
    def test(self) -> TestResult:
        """Log in, check the version and the configured categories. Raises the error tree."""
        self._version_checked = False  # always ask: qBittorrent may have been upgraded
        api = self._api()
        categories = api.categories()
        wanted = list(dict.fromkeys(c for c in self._configured_categories() if c))
        invalid = [c for c in wanted if not _CATEGORY_RE.match(c)]
        if invalid:
            raise ConfigurationError(
                f"{', '.join(map(repr, invalid))} is not a valid qBittorrent category name "
                "(no backslashes, no leading, trailing or double '/')"
            )
        missing = [c for c in wanted if c not in categories]
        message = f"Connected to qBittorrent {api.app_version} (Web API {api.api_version})"
        details: dict = {
            "version": api.app_version,
            "api_version": api.api_version,
            "categories": sorted(categories),
        }
        if missing:
            details["missing_categories"] = missing
            details["note"] = f"categories {', '.join(missing)} will be created on first use"
        status = api.transfer_info().get("connection_status")
        details["connection_status"] = status
        if status == "disconnected":
            details["degraded"] = True
            message += "; qBittorrent reports no network connection, downloads will not progress"
        return TestResult(True, message, details=details)

    FULL_TEST_EVERY = 3600.0  # seconds; a full test notices upgrades and category changes

    def health(self) -> Health:
        """A full ``test()`` on first use and hourly; in between one ``transfer/info``
        call on the open session, which proves reachability and the login."""
        now = time.monotonic()
        if (
            self._client is None
            or not self._version_checked
            or now - self._last_full_test > self.FULL_TEST_EVERY
        ):
            result = super().health()
            if result.status != UNHEALTHY:
                self._last_full_test = now
            return result
        try:
            info = self._api().transfer_info()
        except IntegrationError as exc:
            return Health(
                UNHEALTHY, _ms_since(now), datetime.now(UTC), exc.message, {"code": exc.code}
            )
        status = info.get("connection_status")
        message = f"Connected to qBittorrent {self._client.app_version} (Web API {self._client.api_version})"
        if status == "disconnected":
            return Health(
                DEGRADED,
                _ms_since(now),
                datetime.now(UTC),
                message
                + "; qBittorrent reports no network connection, downloads will not progress",
                {"connection_status": status},
            )
        return Health(
            HEALTHY, _ms_since(now), datetime.now(UTC), message, {"connection_status": status}
        )

    def _configured_categories(self) -> list[str]:
        s = self.settings
        return [s.tv_category, s.movie_category, s.anime_category]

    # -- categories ------------------------------------------------------------
    def _ensure_category(self, name: str, *, refresh: bool = False) -> None:
        if not name or (name in self._known_categories and not refresh):
            return
        api = self._api()
        if name not in api.categories():
            api.create_category(name)
        self._known_categories.add(name)

    # -- add -------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Send a magnet, URL or .torrent. Returns the lowercase infohash once qBittorrent
        lists the torrent (it answers before that, and ignores verbs on unlisted hashes).

        A torrent qBittorrent already has counts as added (its hash is returned).
        Raises ConfigurationError/ProtocolError for bad input, UnsupportedError for NZB.
        """
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind == "nzb":
            raise UnsupportedError("qBittorrent is a torrent client; it cannot download NZB files")
        if kind == "url" and request.url.lower().startswith("magnet:"):
            kind, magnet = "magnet", request.url
        else:
            magnet = request.magnet
        s = self.settings
        files = None
        tags = list(request.tags)
        marker = ""
        if kind == "magnet":
            expected = magnet_id(magnet)
            data: dict = {"urls": magnet}
        elif kind == "torrent":
            expected = torrent_id(request.torrent)
            filename = request.name or f"{expected}.torrent"
            files = {"torrents": (filename, request.torrent, "application/x-bittorrent")}
            data = {}
        else:
            # qBittorrent fetches the URL itself and reports no hash (before 2.13), so the
            # new torrent is found by a one-off tag, which is removed again afterwards.
            expected = ""
            marker = f"idkarr-add-{secrets.token_hex(6)}"
            tags.append(marker)
            data = {"urls": request.url}

        category = request.category or s.tv_category
        if category:
            self._ensure_category(category)
            data["category"] = category
        if request.save_path:
            data["savepath"] = request.save_path
        paused = request.paused if request.paused is not None else s.initial_state == "pause"
        data["paused"] = data["stopped"] = "true" if paused else "false"  # stopped: 5.x name
        if s.first_and_last_piece_priority:
            data["firstLastPiecePrio"] = "true"
        if s.sequential_download:
            data["sequentialDownload"] = "true"
        if tags:
            data["tags"] = ",".join(tags)
        if s.content_layout in _LAYOUTS:
            data["contentLayout"] = _LAYOUTS[s.content_layout]
        # Seeding goals (the indexer's minimums): qBittorrent stops seeding at whichever
        # comes first. Left out, the torrent follows qBittorrent's global limits.
        if request.seed_ratio is not None:
            data["ratioLimit"] = f"{request.seed_ratio:g}"
        if request.seed_time_minutes is not None:
            data["seedingTimeLimit"] = str(request.seed_time_minutes)

        api = self._api()
        result = api.add(data, files, name=request.name or "")
        if marker:
            torrent_hash = self._find_added(marker, category, result.ids)
        elif result.accepted:
            torrent_hash = expected
        elif api.info(hashes=expected):
            log.info("qBittorrent already has torrent %s; treating the add as done", expected)
            return expected
        else:
            raise IntegrationError("qBittorrent refused the torrent (already added, or invalid)")

        if not self._wait_listed(torrent_hash):
            log.warning(
                "qBittorrent accepted %s but has not listed it after %g s",
                torrent_hash,
                ADD_SETTLE_TIMEOUT,
            )
            return torrent_hash
        if s.initial_state == "force_start" and not paused:
            api.set_force_start(torrent_hash)
        if request.priority not in (None, Priority.NORMAL):
            try:
                self.set_priority(torrent_hash, request.priority)
            except UnsupportedError as exc:
                log.warning("Added %s but could not set its priority: %s", torrent_hash, exc)
        return torrent_hash

    def _wait_listed(self, torrent_hash: str, timeout: float = ADD_SETTLE_TIMEOUT) -> bool:
        # torrents/add answers before libtorrent has created the torrent (for most .torrent
        # files in the lab); verbs on a hash qBittorrent doesn't list yet are silently ignored.
        deadline = time.monotonic() + timeout
        while True:
            if self._api().info(hashes=torrent_hash):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _find_added(self, marker: str, category: str, ids: list[str]) -> str:
        api = self._api()
        found = ids[0] if ids else ""
        deadline = time.monotonic() + URL_ADD_TIMEOUT
        try:
            while not found and time.monotonic() < deadline:
                for t in api.info(category=category, tag=marker):
                    if marker in [x.strip() for x in str(t.get("tags", "")).split(",")]:
                        found = str(t.get("hash", "")).lower()
                        break
                else:
                    time.sleep(0.2)
        finally:
            try:
                if found:
                    api.remove_tags(found, marker)
                api.delete_tags(marker)
            except IntegrationError as exc:
                log.warning("Could not remove qBittorrent tag %s: %s", marker, exc)
        if not found:
            raise IntegrationError(
                f"qBittorrent accepted the URL, but no torrent from it appeared within "
                f"{URL_ADD_TIMEOUT:g} s; the URL may not lead to a .torrent file, or "
                "qBittorrent could not download it",
                permanent=False,
            )
        return found

    # -- queue -----------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """Poll ``sync/maindata`` incrementally and return every torrent (or one category's)."""
        try:
            data = self._api().maindata(self._rid)
            self._apply_sync(data)
        except BaseException:
            self._reset_sync()
            raise
        # Copies: callers (remote path mapping…) may edit items; the cache must not change.
        return [
            _copy_item(i)
            for i in self._items.values()
            if category is None or i.category == category
        ]

    def get_downloads_full(self, category: str | None = None) -> list[DownloadItem]:
        """The whole list via ``torrents/info`` (what Sonarr polls); no sync state."""
        return [to_item(str(t.get("hash", "")), t) for t in self._api().info(category=category)]

    def _apply_sync(self, data: dict) -> None:
        self.last_sync_keys = frozenset(data)
        self.last_sync_full = bool(data.get("full_update"))
        torrents = data.get("torrents") or {}
        removed = data.get("torrents_removed") or []
        if not isinstance(torrents, dict) or not isinstance(removed, list):
            raise ProtocolError("qBittorrent sent a sync update in an unexpected shape")
        if self.last_sync_full:
            self._torrents, self._items = {}, {}
        for torrent_hash, fields in torrents.items():
            if not isinstance(fields, dict):
                raise ProtocolError("qBittorrent sent a sync update in an unexpected shape")
            h = str(torrent_hash).lower()
            merged = self._torrents.setdefault(h, {})
            merged.update(fields)
            self._items[h] = to_item(h, merged)
        for torrent_hash in removed:
            h = str(torrent_hash).lower()
            self._torrents.pop(h, None)
            self._items.pop(h, None)
        self._rid = data["rid"]

    def _reset_sync(self) -> None:
        self._rid = 0
        self._torrents, self._items = {}, {}

    # -- verbs -----------------------------------------------------------------
    def remove(self, download_id: str, delete_data: bool = False) -> None:
        self._api().delete(download_id.lower(), delete_data)

    def pause(self, download_id: str) -> None:
        self._api().pause(download_id.lower())

    def resume(self, download_id: str) -> None:
        self._api().resume(download_id.lower())

    def set_category(self, download_id: str, category: str) -> None:
        """Move a torrent to ``category`` (created if missing; ``""`` clears it)."""
        api = self._api()
        self._ensure_category(category)
        if api.set_category(download_id.lower(), category):
            return
        # Our cache said it existed, but qBittorrent disagrees (deleted meanwhile): retry once.
        self._known_categories.discard(category)
        self._ensure_category(category, refresh=True)
        if not api.set_category(download_id.lower(), category):
            raise ConfigurationError(
                f"qBittorrent rejected the category {category!r}: Incorrect category name"
            )

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """Move in qBittorrent's queue. NORMAL leaves the position alone.

        Raises UnsupportedError when queueing is disabled in qBittorrent.
        """
        action = _QUEUE_ACTIONS.get(Priority(priority))
        if action:
            self._api().queue(action, download_id.lower())


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
