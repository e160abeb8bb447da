"""aria2 download client (JSON-RPC 2.0 over HTTP, aria2 1.34.0 or newer).

Speaks aria2's JSON-RPC interface (``/jsonrpc``, secret token as the first
parameter, ``system.multicall`` for the queue). Tested against aria2c 1.36.0
(Debian 12).

aria2 has no categories or labels: idkarr gives each category its own
subdirectory of the download directory (``<directory>/<category>``) when it adds
a release, and reads the category back from a download's directory. Priorities
are queue moves (``aria2.changePosition``), which aria2 only applies to waiting
and paused downloads. aria2 cannot delete downloaded files; ``remove(…,
delete_data=True)`` deletes the listed files itself, only inside the download's
directory, and only when that directory is visible on idkarr's machine.
Seeding goals become the download's own ``seed-ratio``/``seed-time`` options.
"""

from __future__ import annotations

import base64
import logging
import time

from pydantic import Field, SecretStr

from integrations.base import TestResult
from integrations.downloadclients.base import (
    AddRequest,
    Capability,
    DownloadClient,
    DownloadClientSettings,
    DownloadItem,
    Priority,
)
from integrations.downloadclients.torrent import magnet_id, torrent_id
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import redact

from .client import Aria2Fault, Aria2Rpc, rpc_path
from .mapping import (
    KEYS,
    LIVE,
    TRANSIENT_ERRORS,
    download_id,
    group_entries,
    map_status,
    stopped_reason,
    to_item,
    visible_entry,
)
from .paths import category_dir, data_files, delete_inside, ensure_visible

log = logging.getLogger(__name__)

URL_ADD_TIMEOUT = 10.0  # how long to wait for aria2 to fetch a .torrent URL
URL_TORRENT_MAX = 16 * 1024 * 1024  # a URL download larger than this is a file, not a .torrent
STOP_TIMEOUT = 5.0  # how long a removed download may take to stop
_POSITIONS = {
    Priority.TOP: (0, "POS_SET"),
    Priority.BOTTOM: (0, "POS_END"),
    Priority.HIGH: (-1, "POS_CUR"),
    Priority.LOW: (1, "POS_CUR"),
}
_NO_CATEGORIES = " (aria2 has no categories: this is a subdirectory of the download directory)"


def seeding_options(request: AddRequest, what: str) -> dict[str, str]:
    """aria2's per-download ``seed-ratio``/``seed-time`` options for the request's goals.

    They go into the add call itself: aria2 copies a download's options to the
    follow-up download it starts after a magnet's metadata or a fetched .torrent, so
    the seeding torrent gets them too, and a torrent aria2 already has is untouched
    (the duplicate add fails in a gid of its own). aria2 stops at whichever goal is met
    first; a goal left out keeps aria2's default (``--seed-ratio``, 1.0 unless set;
    no ``--seed-time``). A ratio of 0 is not sent: aria2 reads ``seed-ratio=0.0`` as
    "seed regardless of ratio", the opposite of the goal.
    """
    options: dict[str, str] = {}
    if request.seed_ratio is not None and request.seed_ratio > 0:
        options["seed-ratio"] = f"{request.seed_ratio:g}"
    elif request.seed_ratio is not None:
        log.info(
            "aria2 cannot apply a seed ratio of %g per download (it reads 0 as 'seed "
            "regardless of ratio'); %s keeps aria2's own seed ratio",
            request.seed_ratio,
            what,
        )
    if request.seed_time_minutes is not None:
        options["seed-time"] = str(int(request.seed_time_minutes))
    return options


class Aria2Settings(DownloadClientSettings):
    port: int = Field(
        6800, ge=1, le=65535, description="RPC port (aria2's --rpc-listen-port, 6800 by default)"
    )
    url_base: str = Field(
        "/jsonrpc",
        description="Path of aria2's JSON-RPC endpoint: /jsonrpc, or e.g. /aria2/jsonrpc behind a "
        "reverse proxy (not /rpc, which is aria2's XML-RPC)",
    )
    secret: SecretStr | None = Field(
        None, description="RPC secret token (aria2's --rpc-secret); empty if aria2 runs without one"
    )
    directory: str = Field(
        "",
        description="Download directory as aria2 sees it; empty uses aria2's own --dir. Each "
        "category becomes a subdirectory of it",
    )
    tv_category: str = Field(
        "tv-idkarr", description="Subdirectory for TV downloads" + _NO_CATEGORIES
    )
    movie_category: str = Field(
        "movies-idkarr", description="Subdirectory for movie downloads" + _NO_CATEGORIES
    )
    anime_category: str = Field(
        "", description="Subdirectory for anime (empty: use the TV subdirectory)"
    )


class Aria2(DownloadClient):
    kind = "aria2"
    label = "Aria2"
    protocol = "multi"
    version = "1.0"
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.MAGNET,
            Capability.TORRENT_FILE,
            Capability.URL,
            Capability.PAUSE,
            Capability.SAVE_PATH,
            Capability.QUEUE_ORDER,
            Capability.SEEDING_LIMITS,
        }
    )
    Settings = Aria2Settings
    settings: Aria2Settings

    def __init__(self, settings: Aria2Settings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: Aria2Rpc | None = None
        self.aria2_version = ""
        self.features: list[str] = []
        self._global_dir: str | None = None

    # -- plumbing --------------------------------------------------------------
    def _api(self) -> Aria2Rpc:
        if self._client is None:
            s = self.settings
            url = s.model_copy(update={"url_base": rpc_path(s.url_base)}).base_url()
            self._client = Aria2Rpc(
                url, s.secret, verify_tls=s.verify_tls, read_timeout=s.timeout_seconds
            )
        if not self.aria2_version:
            self.aria2_version, self.features = self._client.get_version()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.aria2_version, self._global_dir = "", None

    @property
    def has_bittorrent(self) -> bool:
        return "BitTorrent" in self.features

    def _base_dir(self) -> str:
        if self.settings.directory:
            return self.settings.directory
        if self._global_dir is None:
            self._global_dir = self._api().global_options().get("dir", "")
        return self._global_dir

    # -- test ------------------------------------------------------------------
    def test(self) -> TestResult:
        """Check the endpoint, the token, the version and the category names."""
        self.aria2_version, self._global_dir = "", None  # always ask: aria2 may have changed
        api = self._api()
        options = api.global_options()
        self._global_dir = options.get("dir", "")
        s = self.settings
        categories = (s.tv_category, s.movie_category, s.anime_category)
        dirs = {c: category_dir(self._base_dir(), c) for c in categories if c}
        stat = api.global_stat()
        api_info = "JSON-RPC, BitTorrent enabled" if self.has_bittorrent else "JSON-RPC"
        message = f"Connected to aria2 {self.aria2_version} ({api_info})"
        details: dict = {
            "version": self.aria2_version,
            "features": self.features,
            "directory": self._base_dir(),
            "category_directories": dirs,
            "max_concurrent_downloads": options.get("max-concurrent-downloads"),
            "queue": {k: stat.get(k) for k in ("numActive", "numWaiting", "numStoppedTotal")},
        }
        if not self.has_bittorrent:
            details["degraded"] = True
            message += "; this aria2 build has no BitTorrent support, so torrents and magnets will be refused"
        return TestResult(True, message, details=details)

    # -- add -------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Send a magnet, URL or .torrent into ``<directory>/<category>`` (or ``save_path``).

        Returns the lowercase infohash for torrents and magnets (also for a URL that
        turns out to be a .torrent), else aria2's gid. A torrent aria2 already has
        counts as added and keeps its own seeding limits; a new one gets the request's
        seeding goals (``seeding_options``). Raises ConfigurationError/ProtocolError for bad input,
        UnsupportedError for NZB, or for torrents when aria2 lacks BitTorrent.
        """
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind == "nzb":
            raise UnsupportedError("aria2 cannot download NZB files; it has no Usenet support")
        magnet = request.magnet
        if kind == "url" and request.url.lower().startswith("magnet:"):
            kind, magnet = "magnet", request.url
        name = request.name or ("the magnet link" if kind == "magnet" else "the torrent")
        try:
            expected = torrent_id(request.torrent) if kind == "torrent" else ""
            expected = magnet_id(magnet) if kind == "magnet" else expected
        except (ConfigurationError, ProtocolError) as exc:
            raise type(exc)(f"Cannot send {name} to aria2: {exc}") from None

        category = request.category or self.settings.tv_category
        directory = request.save_path or category_dir(self._base_dir(), category)
        options = {"dir": directory, "pause": "true" if request.paused else "false"}
        api = self._api()
        if kind in ("torrent", "magnet") and not self.has_bittorrent:
            raise UnsupportedError(
                f"this aria2 build ({self.aria2_version}) has no BitTorrent support; "
                "it cannot download torrents or magnet links"
            )
        options |= seeding_options(request, expected or name)
        try:
            if kind == "torrent":
                gid = api.add_torrent(base64.b64encode(request.torrent).decode(), options)
                result = self._check_added(gid, expected)
            elif kind == "magnet":
                result = self._check_added(api.add_uri(magnet, options), expected)
            else:
                result = self._add_url(request.url, options | {"follow-torrent": "mem"})
        except Aria2Fault as exc:
            if kind == "torrent":
                raise ProtocolError(f"aria2 could not read {name}: {exc.remote}") from None
            raise ConfigurationError(
                f"aria2 refused the {'magnet link' if kind == 'magnet' else 'URL'}: "
                f"{exc.remote} (it needs an http(s), ftp, sftp or magnet URL)"
            ) from None

        if request.priority not in (None, Priority.NORMAL):
            try:
                self.set_priority(result, request.priority)
            except IntegrationError as exc:
                log.warning("Added %s but could not set its priority: %s", result, exc)
        return result

    def _check_added(self, gid: str, expected: str) -> str:
        api = self._api()
        entry = api.tell_status(gid, ["status", "errorCode", "infoHash"])
        if entry.get("status") == "error" and str(entry.get("errorCode")) == "12":
            # aria2 makes a new, failed gid for an infohash it already has; drop that one.
            api.remove_result(gid)
            log.info("aria2 already has torrent %s; treating the add as done", expected)
        return str(entry.get("infoHash") or expected).lower()

    def _add_url(self, url: str, options: dict[str, str]) -> str:
        api = self._api()
        gid = api.add_uri(url, options)
        keys = ["status", "followedBy", "errorCode", "errorMessage", "totalLength"]
        deadline = time.monotonic() + URL_ADD_TIMEOUT
        while True:
            entry = api.tell_status(gid, keys)
            followers = entry.get("followedBy") or []
            if followers:  # aria2 parsed a .torrent and started it as a new download
                return download_id(api.tell_status(str(followers[0]), ["gid", "infoHash"]))
            status = entry.get("status")
            if status == "error":
                api.remove_result(gid)
                _, message = map_status(entry)
                code = int(entry.get("errorCode") or 0)
                raise IntegrationError(
                    f"aria2 could not download {redact(url)}: {message}",
                    permanent=code not in TRANSIENT_ERRORS,
                )
            size = int(entry.get("totalLength") or 0)
            if status in ("complete", "removed", "paused") or size > URL_TORRENT_MAX:
                return gid  # a plain file (or held back by the user): aria2's gid is the id
            if time.monotonic() >= deadline:
                log.info("aria2 is still fetching %s after %g s", redact(url), URL_ADD_TIMEOUT)
                return gid
            time.sleep(0.1)

    # -- queue -----------------------------------------------------------------
    def _snapshot(self) -> tuple[dict[str, list[dict]], dict[str, str]]:
        return group_entries(self._api().list_all(KEYS))

    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """Every download (or one category's), one item per release."""
        groups, _ = self._snapshot()
        base = self._base_dir()
        items = []
        for item_id, group in groups.items():
            entry = visible_entry(group)
            if entry is None:
                continue
            item = to_item(entry, base, item_id)
            if category is None or item.category == category:
                items.append(item)
        return items

    def get_download(self, download_id: str) -> DownloadItem | None:
        """By infohash or by any gid aria2 gave the release (e.g. the one ``add`` saw)."""
        try:
            item_id, group = self._group_for(download_id)
        except NotFoundError:
            return None
        entry = visible_entry(group)
        return to_item(entry, self._base_dir(), item_id) if entry else None

    def _group_for(self, download_id: str) -> tuple[str, list[dict]]:
        key = download_id.strip().lower()
        groups, ids = self._snapshot()
        item_id = key if key in groups else ids.get(key)
        if item_id is None:
            raise NotFoundError(f"aria2 has no download {download_id}")
        return item_id, groups[item_id]

    # -- verbs -----------------------------------------------------------------
    def pause(self, download_id: str) -> None:
        """Pause a running or waiting download; a paused one stays paused.
        Raises IntegrationError for a finished one (aria2 cannot pause or restart it)."""
        item_id, group = self._group_for(download_id)
        running = [e for e in group if e.get("status") in ("active", "waiting")]
        for entry in running:
            self._api().pause(entry["gid"])
        if not running and not any(e.get("status") == "paused" for e in group):
            raise IntegrationError(f"aria2 cannot pause {item_id}: {stopped_reason(group)}")

    def resume(self, download_id: str) -> None:
        """Unpause a paused download; a running one is left alone."""
        item_id, group = self._group_for(download_id)
        paused = [e for e in group if e.get("status") == "paused"]
        for entry in paused:
            self._api().unpause(entry["gid"])
        if not paused and not any(e.get("status") in ("active", "waiting") for e in group):
            raise IntegrationError(f"aria2 cannot resume {item_id}: {stopped_reason(group)}")

    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """Stop the download, drop it from aria2's lists (every gid of the release), and
        with ``delete_data`` delete its files (see the module docstring)."""
        item_id, group = self._group_for(download_id)
        files = data_files(group) if delete_data else []
        ensure_visible(files, item_id)
        api = self._api()
        live = [e["gid"] for e in group if e.get("status") in LIVE]
        for force in (False, True):  # politely first (tracker 'stopped' announces), then not
            for gid in live:
                try:
                    api.remove(gid, force=force)
                except (NotFoundError, Aria2Fault):
                    pass  # it stopped meanwhile; _wait_stopped has the last word
            if self._wait_stopped(live):
                break
        else:
            raise IntegrationError(
                f"aria2 did not stop {item_id} within {2 * STOP_TIMEOUT:g} s", permanent=False
            )
        for entry in group:
            try:
                api.remove_result(entry["gid"])
            except NotFoundError:
                pass
        for directory, path, _ in files:
            delete_inside(directory, path)

    def _wait_stopped(self, gids: list[str]) -> bool:
        deadline = time.monotonic() + STOP_TIMEOUT
        while gids:
            gids = [gid for gid in gids if self._status(gid) in LIVE]
            if gids and time.monotonic() >= deadline:
                return False
            time.sleep(0.05 if gids else 0)
        return True

    def _status(self, gid: str) -> str:
        try:
            return str(self._api().tell_status(gid, ["status"]).get("status"))
        except NotFoundError:
            return "removed"

    def set_category(self, download_id: str, category: str) -> None:
        raise UnsupportedError(
            "aria2 has no categories; idkarr puts each category in its own subdirectory "
            "when adding a download and cannot move it afterwards"
        )

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """Move a waiting or paused download in aria2's queue (TOP/BOTTOM to the ends,
        HIGH/LOW one place). NORMAL changes nothing; so do TOP/HIGH for a download that is
        already active. Raises UnsupportedError for LOW/BOTTOM on an active one."""
        priority = Priority(priority)
        if priority == Priority.NORMAL:
            return
        item_id, group = self._group_for(download_id)
        queued = [e for e in group if e.get("status") in ("waiting", "paused")]
        for entry in queued:
            self._api().change_position(entry["gid"], *_POSITIONS[priority])
        if queued:
            return
        if any(e.get("status") == "active" for e in group):
            if priority in (Priority.LOW, Priority.BOTTOM):
                raise UnsupportedError(
                    f"aria2 can only reorder its waiting queue, and {item_id} is already "
                    "downloading; pause it first to move it down"
                )
            return  # an active download is ahead of every waiting one already
        log.debug("aria2 download %s has stopped; it has no queue position", item_id)
