"""NZBGet download client (JSON-RPC, NZBGet 21 or newer).

Speaks NZBGet's JSON-RPC API as of version 21 (``editqueue(Command, Param,
IDs)``, ``append`` with duplicate and post-processing parameters). Tested
against nzbget 21.0 (Debian 12, ``nzbget 21.0+dfsg-2.1``) downloading from a
fake NNTP server.

An item's id is its NZBID as a string. The list is ``listgroups`` (queue,
including post-processing) plus ``history`` without hidden entries, joined
with ``status`` (whole queue paused, download rate). NZBGet can neither create
categories nor delete the files of a finished download through its API; those
are reported instead of pretended.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from pydantic import Field, SecretStr

from integrations.base import TestResult
from integrations.downloadclients.base import (
    AddRequest,
    Capability,
    DownloadClient,
    DownloadClientSettings,
    DownloadItem,
    DownloadStatus,
    Priority,
    UserPassMixin,
)
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)

from .client import NZBGetApi, join64
from .mapping import (
    category_names,
    is_listed,
    nzbget_deletes_files,
    to_history_item,
    to_queue_item,
)
from .nzb import check_nzb, nzb_filename

log = logging.getLogger(__name__)

# NZBGet's priority scale.
VERY_LOW, LOW, NORMAL, HIGH, VERY_HIGH, FORCE = -100, -50, 0, 50, 100, 900
# TOP/BOTTOM also change the priority: NZBGet downloads by priority first, position second,
# so moving alone would not make an item download next (or last).
PRIORITIES = {
    Priority.TOP: VERY_HIGH,
    Priority.HIGH: HIGH,
    Priority.NORMAL: NORMAL,
    Priority.LOW: LOW,
    Priority.BOTTOM: VERY_LOW,
}
_MOVES = {Priority.TOP: "GroupMoveTop", Priority.BOTTOM: "GroupMoveBottom"}


class NZBGetSettings(DownloadClientSettings, UserPassMixin):
    port: int = Field(6789, ge=1, le=65535, description="NZBGet's ControlPort (default 6789)")
    url_base: str = Field(
        "", description="Path prefix when NZBGet sits behind a reverse proxy, e.g. /nzbget"
    )
    username: str = Field(
        "nzbget",
        description="NZBGet's ControlUsername (Settings → Security; NZBGet's default is nzbget)",
    )
    password: SecretStr | None = Field(None, description="NZBGet's ControlPassword")
    add_paused: bool = Field(False, description="Add new downloads paused")


class NZBGet(DownloadClient):
    kind = "nzbget"
    label = "NZBGet"
    protocol = "usenet"
    version = "1.0"
    capabilities = frozenset(
        {
            Capability.USENET,
            Capability.NZB,
            Capability.URL,
            Capability.CATEGORIES,
            Capability.PRIORITY,
            Capability.QUEUE_ORDER,
            Capability.PAUSE,
            Capability.REMOVE_WITH_DATA,  # queued downloads, and some failed ones: see remove()
        }
    )
    Settings = NZBGetSettings
    settings: NZBGetSettings

    def __init__(self, settings: NZBGetSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: NZBGetApi | None = None
        self._version_checked = False
        self._par_check: str | None = None

    # -- plumbing --------------------------------------------------------------
    def _api(self) -> NZBGetApi:
        if self._client is None:
            s = self.settings
            self._client = NZBGetApi(
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
        self._par_check = None

    # -- test ------------------------------------------------------------------
    def test(self) -> TestResult:
        """Check credentials, version, KeepHistory, categories and news servers."""
        self._version_checked = False  # always ask: NZBGet may have been upgraded
        api = self._api()
        config = api.config()
        self._par_check = config.get("ParCheck", "")
        keep = config.get("KeepHistory", "30").strip()
        if not keep.isdigit() or int(keep) == 0:
            raise ConfigurationError(
                f"NZBGet's KeepHistory is {keep!r}: finished downloads leave its history at "
                "once, so idkarr never sees them complete; set Settings → Download Queue → "
                "KeepHistory to a number of days above 0"
            )
        categories = category_names(config)
        known = {c.lower() for c in categories}
        wanted = list(dict.fromkeys(c for c in self._configured_categories() if c))
        missing = [c for c in wanted if c.lower() not in known]
        status = api.status()
        free = join64(status, "FreeDiskSpace")
        servers = status.get("NewsServers") or []
        active = [x for x in servers if isinstance(x, dict) and x.get("Active")]
        details: dict = {
            "version": api.app_version,
            "api": "JSON-RPC",
            "categories": categories,
            "download_paused": bool(status.get("DownloadPaused")),
            "server_standby": bool(status.get("ServerStandBy")),
            "free_disk_space": None if free < 0 else free,  # -1: NZBGet cannot measure it
            "news_servers": len(active),
            "keep_history_days": int(keep),
        }
        problems = []
        if missing:
            details["missing_categories"] = missing
            problems.append(
                f"categor{'ies' if len(missing) > 1 else 'y'} {', '.join(missing)} "
                f"{'do' if len(missing) > 1 else 'does'} not exist in NZBGet, which cannot "
                "create categories through its API: add them in NZBGet under Settings → Categories"
            )
        if details["download_paused"]:
            problems.append("NZBGet has paused all downloads")
        if not active:
            problems.append(
                "NZBGet has no active news server, so downloads will not progress "
                "(and NZBGet 21 keeps a CPU core busy until it has one)"
            )
        message = f"Connected to NZBGet {api.app_version} (JSON-RPC)"
        if problems:
            details["degraded"] = True
            message += "; " + "; ".join(problems)
        return TestResult(True, message, details=details)

    def _configured_categories(self) -> list[str]:
        s = self.settings
        return [s.tv_category, s.movie_category, s.anime_category]

    # -- add -------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Queue an NZB (bytes) or an NZB URL NZBGet fetches itself. Returns the NZBID.

        Raises ProtocolError for bytes that aren't an NZB (nothing is sent),
        UnsupportedError for torrents, magnets, tags and a save path.
        """
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind in ("torrent", "magnet") or (
            kind == "url" and request.url.lower().startswith("magnet:")
        ):
            raise UnsupportedError(
                "NZBGet is a Usenet client; it cannot download torrents or magnet links"
            )
        if request.save_path:
            raise UnsupportedError(
                "NZBGet cannot choose a folder per download; set the category's "
                "destination (DestDir) in NZBGet instead"
            )
        if request.tags:
            raise UnsupportedError("NZBGet has no tags")
        s = self.settings
        priority = Priority(request.priority or Priority.NORMAL)
        paused = request.paused if request.paused is not None else s.add_paused
        category = request.category or s.tv_category
        if kind == "nzb":
            summary = check_nzb(request.nzb, request.name or "")
            name = nzb_filename(request.name or summary.title or "idkarr")
            content: bytes | str = summary.xml  # unpacked if it came gzip-packed
        else:
            if urlsplit(request.url).scheme.lower() not in ("http", "https"):
                raise ConfigurationError("NZBGet can only fetch NZB URLs starting with http(s)://")
            name, content = request.name or "", request.url

        api = self._api()
        nzb_id = api.append(
            name,
            content,
            category=category,
            priority=PRIORITIES[priority],
            add_to_top=priority == Priority.TOP,
            add_paused=paused,
        )
        label = name or "the NZB URL"
        if nzb_id <= 0:
            raise IntegrationError(
                f"NZBGet refused {label} (append answered {nzb_id}); NZBGet's Messages log says why"
            )
        if kind == "nzb":  # NZBGet reads the file at once; junk and copies land in the history
            self._check_accepted(nzb_id, label)
        log.info("NZBGet queued %s as %s in category %r", label, nzb_id, category)
        return str(nzb_id)

    def _check_accepted(self, nzb_id: int, label: str) -> None:
        entry = self._history_entry(nzb_id)
        status = str(entry.get("Status", "")) if entry else ""
        if status == "FAILURE/SCAN":
            raise ProtocolError(
                f"NZBGet could not read {label} as an NZB (FAILURE/SCAN); NZBGet's Messages log says why"
            )
        if status.startswith("DELETED/"):
            raise IntegrationError(
                f"NZBGet dropped {label} as a duplicate ({status}): it already has this "
                "download in its queue or history"
            )

    # -- queue -----------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """The queue in NZBGet's order, then the history (newest first). ``category``
        matches case-insensitively: NZBGet stores a category as spelled in its settings."""
        api = self._api()
        status = api.status()
        groups = api.listgroups()
        history = api.history()  # after listgroups: an item finishing in between shows twice
        rate = status.get("DownloadRate") or 0
        paused = bool(status.get("DownloadPaused"))
        if not isinstance(rate, int):
            raise ProtocolError("NZBGet sent its download rate in an unexpected shape")
        active = [g for g in groups if (g.get("ActiveDownloads") or 0) > 0]
        items: dict[str, DownloadItem] = {}
        ahead = 0  # bytes queued before this item, for Sonarr-style cumulative ETAs
        for group in groups:
            item = to_queue_item(group, download_paused=paused)
            if item.raw_state in ("QUEUED", "DOWNLOADING") and item.status != DownloadStatus.PAUSED:
                ahead += item.size_left
                item.eta = ahead // rate if rate > 0 else None
                if len(active) == 1 and group is active[0]:
                    item.download_speed = rate
            items[item.id] = item
        for entry in history:
            if is_listed(entry):
                item = to_history_item(entry)
                items[item.id] = item
        wanted = category.lower() if category is not None else None
        return [i for i in items.values() if wanted is None or i.category.lower() == wanted]

    def _history_entry(self, nzb_id: int) -> dict | None:
        return next((h for h in self._api().history() if h.get("NZBID") == nzb_id), None)

    # -- verbs -----------------------------------------------------------------
    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """Remove from the queue or the history.

        Queued: ``GroupFinalDelete`` deletes what was downloaded, ``GroupParkDelete`` keeps
        it (NZBGet lists it as deleted in its history; idkarr does not). History:
        ``HistoryDelete``, which deletes the folder only of downloads NZBGet deleted or whose
        par2 repair or unpack failed — never of finished ones, nor of ones that merely lack
        articles. For those, ``delete_data`` raises UnsupportedError before anything changes.
        """
        nzb_id = self._nzb_id(download_id)
        api = self._api()
        if api.editqueue("GroupFinalDelete" if delete_data else "GroupParkDelete", [nzb_id]):
            return
        entry = self._history_entry(nzb_id)
        if entry is None:
            raise NotFoundError(f"NZBGet has no download {download_id}")
        if delete_data and not nzbget_deletes_files(entry):
            where = entry.get("FinalDir") or entry.get("DestDir") or "its folder"
            raise UnsupportedError(
                f"NZBGet keeps the files of download {download_id} ({entry.get('Status')}) "
                f"when it leaves the history; remove it without deleting data and delete "
                f"{where} yourself"
            )
        if not api.editqueue("HistoryDelete", [nzb_id]):
            raise NotFoundError(f"NZBGet has no download {download_id}")

    def pause(self, download_id: str) -> None:
        nzb_id = self._nzb_id(download_id)
        if not self._api().editqueue("GroupPause", [nzb_id]):
            raise self._not_in_queue(download_id, nzb_id)

    def resume(self, download_id: str) -> None:
        """Resume, then pause the extra par2 files again (as NZBGet's web UI does) unless
        ParCheck is 'force': they are only needed for a repair, and NZBGet fetches them then."""
        nzb_id = self._nzb_id(download_id)
        api = self._api()
        if not api.editqueue("GroupResume", [nzb_id]):
            raise self._not_in_queue(download_id, nzb_id)
        if self._par_check is None:
            self._par_check = api.config().get("ParCheck", "")
        if self._par_check.lower() != "force":
            api.editqueue("GroupPauseExtraPars", [nzb_id])

    def set_category(self, download_id: str, category: str) -> None:
        """Queued: ``GroupApplyCategory`` (also applies the category's post-processing
        settings, like the web UI). Finished: ``HistorySetCategory`` (files do not move).
        NZBGet accepts any name; only configured categories have their own settings."""
        nzb_id = self._nzb_id(download_id)
        api = self._api()
        if api.editqueue("GroupApplyCategory", [nzb_id], category):
            return
        if self._history_entry(nzb_id) is None or not api.editqueue(
            "HistorySetCategory", [nzb_id], category
        ):
            raise NotFoundError(f"NZBGet has no download {download_id}")

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """Set NZBGet's priority (TOP very high, HIGH high, NORMAL normal, LOW low, BOTTOM
        very low); TOP and BOTTOM also move the item to the top or bottom of the queue."""
        priority = Priority(priority)
        nzb_id = self._nzb_id(download_id)
        api = self._api()
        if not api.editqueue("GroupSetPriority", [nzb_id], str(PRIORITIES[priority])):
            raise self._not_in_queue(download_id, nzb_id)
        if priority in _MOVES:
            api.editqueue(_MOVES[priority], [nzb_id])

    # -- helpers ---------------------------------------------------------------
    @staticmethod
    def _nzb_id(download_id: str) -> int:
        text = str(download_id).strip()
        if not text.isdigit() or int(text) <= 0:
            raise NotFoundError(
                f"NZBGet has no download {download_id!r} (NZBGet ids are positive numbers)"
            )
        return int(text)

    def _not_in_queue(self, download_id: str, nzb_id: int) -> NotFoundError:
        if self._history_entry(nzb_id) is not None:
            return NotFoundError(
                f"NZBGet download {download_id} has left the queue (it is in the history); "
                "only queued downloads can be paused, resumed or reprioritised"
            )
        return NotFoundError(f"NZBGet has no download {download_id}")
