"""Transmission download client (RPC over HTTP, RPC version 14 or newer).

Speaks the Transmission RPC protocol as documented for RPC versions 14-18
(Transmission 2.40 to 4.1): ``torrent-add`` answers ``torrent-duplicate`` from
RPC 15 on and the error result "duplicate torrent" before; ``labels`` exist
from RPC 16 and are accepted by ``torrent-add`` from RPC 17. Tested against
transmission-daemon 3.00 (RPC version 16, Debian 12).

Why RPC 14 is the minimum (the seed table says "16+", Sonarr says 14): RPC 14
changed the meaning of every ``status`` value and added the queue, so older
answers can't be mapped; everything else idkarr needs works on 14 and 15 too
(Transmission 2.94, still in older distributions, speaks 15). Only tags need
labels (RPC 16); they are refused on older versions.

Transmission has no categories: like Sonarr, idkarr saves a category's torrents
in ``<download directory>/<category>`` and reads the category back from where a
torrent lies. From RPC 16 on the category and tags are also set as labels.

Seeding goals (``AddRequest.seed_ratio`` / ``seed_time_minutes``) are set on a newly
added torrent with ``torrent-set`` (``torrent-add`` ignores them): the ratio as the
torrent's own ``seedRatioLimit`` (``seedRatioMode`` 1). Transmission keeps no seeding
time per torrent; like Sonarr, idkarr uses its closest relative, the torrent's own idle
limit (``seedIdleLimit`` minutes, ``seedIdleMode`` 1): Transmission stops the torrent
once it has uploaded nothing for that long, which is not the same as having seeded for
that long (an active torrent seeds on, a torrent without peers may stop sooner). This
difference is documented here only, not logged for every grab.
"""

from __future__ import annotations

import base64
import logging
import re
from urllib.parse import urlsplit

from pydantic import Field, SecretStr

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
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)

from .client import SessionInfo, TransmissionRpc, parse_session
from .mapping import (
    FIELDS,
    LABEL_FIELDS,
    category_dir,
    category_of,
    check_category,
    host_path,
    to_item,
)

log = logging.getLogger(__name__)

LABELS_RPC = 16  # torrent-get/-set labels
ADD_LABELS_RPC = 17  # torrent-add labels (Transmission 4.0)

_BANDWIDTH = {Priority.HIGH: 1, Priority.NORMAL: 0, Priority.LOW: -1}
_QUEUE = {Priority.TOP: "top", Priority.BOTTOM: "bottom"}
_HASH = re.compile(r"^[0-9a-fA-F]{40}$")
OWN_LIMIT = 1  # seedRatioMode / seedIdleMode: the torrent's own limit, not the session's
# Transmission keeps the idle limit in 16 bits: it wraps larger values (70000 minutes
# reads back as 4464) and ignores 0, keeping the limit the torrent had.
IDLE_MINUTES = (1, 0xFFFF)


def seeding_goals(request: AddRequest) -> dict[str, object]:
    """The ``torrent-set`` fields for the request's seeding goals; {} leaves the torrent
    on Transmission's session defaults (seedRatioMode/seedIdleMode 0).

    The idle limit is kept within what Transmission can store (1 to 65535 minutes, about
    45 days): a longer goal gets the longest limit, a goal of 0 the shortest. A ratio goal
    the torrent has already reached when Transmission starts it (0 on a torrent whose
    data is complete) is dropped by Transmission itself ("Restarted manually -- disabling
    its seed ratio"), so that torrent seeds without a ratio limit.
    """
    fields: dict[str, object] = {}
    if request.seed_ratio is not None:
        fields |= {"seedRatioLimit": float(request.seed_ratio), "seedRatioMode": OWN_LIMIT}
    if request.seed_time_minutes is not None:
        # Transmission has no per-torrent seeding-time limit; its idle limit (stop after
        # this many minutes without upload) is the closest, and what Sonarr sends too.
        low, high = IDLE_MINUTES
        minutes = min(max(int(request.seed_time_minutes), low), high)
        fields |= {"seedIdleLimit": minutes, "seedIdleMode": OWN_LIMIT}
    return fields


class TransmissionSettings(DownloadClientSettings, UserPassMixin):
    port: int = Field(9091, ge=1, le=65535, description="RPC port (Transmission's default is 9091)")
    url_base: str = Field(
        "/transmission/",
        description="Path of the RPC without its final 'rpc' (Transmission's default is "
        "/transmission/; change it only for a reverse proxy or rpc-url)",
    )
    username: str = Field(
        "", description="RPC user name (rpc-username); leave empty when authentication is off"
    )
    password: SecretStr | None = Field(None, description="RPC password (rpc-password)")
    directory: str = Field(
        "",
        description="Download directory on the Transmission host; empty uses Transmission's "
        "own download-dir. Each category is a subdirectory of it",
    )
    add_paused: bool = Field(False, description="Add torrents stopped instead of starting them")


class Transmission(DownloadClient):
    kind = "transmission"
    label = "Transmission"
    protocol = "torrent"
    version = "1.0"
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.MAGNET,
            Capability.TORRENT_FILE,
            Capability.URL,
            Capability.CATEGORIES,
            Capability.TAGS,
            Capability.PRIORITY,
            Capability.QUEUE_ORDER,
            Capability.PAUSE,
            Capability.REMOVE_WITH_DATA,
            Capability.SAVE_PATH,
            Capability.SEEDING_LIMITS,
        }
    )
    Settings = TransmissionSettings
    settings: TransmissionSettings

    def __init__(self, settings: TransmissionSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: TransmissionRpc | None = None
        self._session: SessionInfo | None = None
        self._session_epoch = -1  # the client's session-id count when _session was read

    # -- plumbing --------------------------------------------------------------
    def _rpc(self, *, fresh_session: bool = False) -> TransmissionRpc:
        """The RPC client, after session-get (version check) on first use, when asked, and
        whenever Transmission handed out a new session id (it restarted, maybe upgraded)."""
        if self._client is None:
            s = self.settings
            self._client = TransmissionRpc(
                s.base_url().rstrip("/") + "/rpc",
                s.username,
                s.password,
                verify_tls=s.verify_tls,
                read_timeout=s.timeout_seconds,
            )
        stale = self._session is None or self._session_epoch != self._client.session_id_fetches
        if fresh_session or stale:
            self._session = None
            info = parse_session(self._client.session_get())
            self._session, self._session_epoch = info, self._client.session_id_fetches
        return self._client

    def _info(self) -> SessionInfo:
        self._rpc()
        assert self._session is not None
        return self._session

    def _base_dir(self) -> str:
        return self.settings.directory.strip() or self._info().download_dir

    def _fields(self) -> list[str]:
        return FIELDS + (LABEL_FIELDS if self._info().rpc_version >= LABELS_RPC else [])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._session = None

    # -- test ------------------------------------------------------------------
    def test(self) -> TestResult:
        """Check the address, credentials, RPC version, directory and categories.
        Raises the error tree."""
        self._rpc(fresh_session=True)  # always ask: Transmission may have been upgraded
        info = self._info()
        s = self.settings
        if s.directory.strip() and not host_path(s.directory.strip()).is_absolute():
            raise ConfigurationError(
                f"The download directory {s.directory!r} must be an absolute path on the "
                "Transmission host"
            )
        categories = list(dict.fromkeys(c for c in self._configured_categories() if c))
        for category in categories:
            check_category(category)
        count = len(self._rpc().torrent_get(["hashString"]))
        base = self._base_dir()
        details = {
            "version": info.version,
            "build": info.build,
            "rpc_version": info.rpc_version,
            "rpc_version_minimum": info.rpc_version_minimum,
            "download_dir": info.download_dir,
            "category_dirs": {c: category_dir(base, c) for c in categories},
            "torrents": count,
        }
        message = f"Connected to Transmission {info.version} (RPC version {info.rpc_version})"
        return TestResult(True, message, details=details)

    def _configured_categories(self) -> list[str]:
        s = self.settings
        return [s.tv_category, s.movie_category, s.anime_category]

    # -- add -------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Send a magnet, http(s) URL or .torrent; returns the lowercase infohash.

        ``category`` None means the TV category, "" none (Transmission's or the configured
        download directory). A torrent Transmission already has counts as added (its hash
        is returned and nothing about it, its seeding limits included, is changed). Raises ConfigurationError/ProtocolError
        for bad input, UnsupportedError for NZB (and for tags before RPC 16).
        """
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind == "nzb":
            raise UnsupportedError("Transmission is a torrent client; it cannot download NZB files")
        url = request.url or ""
        magnet = request.magnet or (url if url.lower().startswith("magnet:") else "")
        arguments: dict[str, object] = {}
        expected = ""
        try:
            if magnet:
                expected = magnet_id(magnet)
                arguments["filename"] = magnet
            elif kind == "torrent":
                expected = torrent_id(request.torrent)
                arguments["metainfo"] = base64.b64encode(request.torrent).decode("ascii")
            else:
                if urlsplit(url).scheme.lower() not in ("http", "https"):
                    raise ConfigurationError(
                        "only http(s) and magnet links can be sent (Transmission would read "
                        "any other 'URL' as a file on its own host)"
                    )
                arguments["filename"] = url
        except (ConfigurationError, ProtocolError) as exc:
            raise type(exc)(f"Cannot send this release to Transmission: {exc.message}") from None

        category = request.category if request.category is not None else self.settings.tv_category
        if category:
            check_category(category)
        self._rpc(fresh_session=True)  # fresh download-dir and RPC version for every add
        info = self._info()
        labels = list(dict.fromkeys([category, *request.tags] if category else request.tags))
        if request.tags and info.rpc_version < LABELS_RPC:
            raise UnsupportedError(
                f"Transmission {info.version} (RPC version {info.rpc_version}) has no labels; "
                "tags need Transmission 3.00 or newer"
            )
        if request.save_path:
            arguments["download-dir"] = request.save_path
        elif category:
            arguments["download-dir"] = category_dir(self._base_dir(), category)
        elif self.settings.directory.strip():
            arguments["download-dir"] = self.settings.directory.strip()
        arguments["paused"] = (
            request.paused if request.paused is not None else self.settings.add_paused
        )
        if request.priority in _BANDWIDTH:
            arguments["bandwidthPriority"] = _BANDWIDTH[request.priority]
        if labels and info.rpc_version >= ADD_LABELS_RPC:
            arguments["labels"] = labels

        torrent_hash, duplicate = self._send_add(arguments, expected, request)
        if duplicate:
            log.info("Transmission already has torrent %s; treating the add as done", torrent_hash)
            return torrent_hash
        try:
            goals = seeding_goals(request)
            if goals:  # first: a private tracker's goal matters more than labels or order
                self._client.torrent_set([torrent_hash], **goals)
            if labels and LABELS_RPC <= info.rpc_version < ADD_LABELS_RPC:
                self._client.torrent_set([torrent_hash], labels=labels)
            if request.priority in _QUEUE:
                self._client.queue_move(_QUEUE[request.priority], [torrent_hash])
        except IntegrationError as exc:
            log.warning("Added %s to Transmission but could not finish: %s", torrent_hash, exc)
        return torrent_hash

    def _send_add(self, arguments: dict, expected: str, request: AddRequest) -> tuple[str, bool]:
        """torrent-add → (hash, was it already there). Raises for a refusal."""
        reply = self._rpc().torrent_add(arguments)
        if reply.ok:
            added = reply.arguments.get("torrent-added")
            existing = reply.arguments.get("torrent-duplicate")
            entry = added if isinstance(added, dict) else existing
            if not isinstance(entry, dict) or not entry.get("hashString"):
                raise ProtocolError("Transmission accepted the torrent but did not say which it is")
            torrent_hash = str(entry["hashString"]).lower()
            if expected and torrent_hash != expected:
                log.warning(
                    "Transmission reports %s for the release hashed %s", torrent_hash, expected
                )
            return torrent_hash, not isinstance(added, dict)
        result = reply.result
        if result == "duplicate torrent" and expected:  # before RPC 15
            return expected, True
        if result == "invalid or corrupt torrent file":
            what = request.name or ("the file the URL leads to" if request.url else "the torrent")
            raise ProtocolError(f"Transmission says {what} is not a valid torrent file")
        if "not absolute" in result:
            raise ConfigurationError(
                f"Transmission refused the download directory {arguments.get('download-dir')!r}: "
                "it must be an absolute path on the Transmission host"
            )
        m = re.search(r"http error (\d+)", result)
        if result.startswith("gotMetadataFromURL") or m:
            code = int(m.group(1)) if m else 0
            reason = result.split(": ", 1)[-1]  # Transmission's text names no URL (no API key)
            raise IntegrationError(
                f"Transmission could not download the torrent from the URL ({reason})",
                permanent=400 <= code < 500,
            )
        raise IntegrationError(f"Transmission refused the torrent: {result}")

    # -- queue -----------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """Every torrent (or one category's), with only the fields idkarr reads."""
        api = self._rpc()
        torrents = api.torrent_get(self._fields())
        base = self._base_dir()
        items = [to_item(t, base) for t in torrents]
        return [i for i in items if category is None or i.category == category]

    def get_download(self, download_id: str) -> DownloadItem | None:
        if not _HASH.match(download_id or ""):
            return None
        torrent_hash = download_id.lower()
        found = self._rpc().torrent_get(self._fields(), ids=[torrent_hash])
        return to_item(found[0], self._base_dir()) if found else None

    # -- verbs -----------------------------------------------------------------
    def _hash(self, download_id: str) -> str:
        if not _HASH.match(download_id or ""):
            raise NotFoundError(
                f"Transmission has no torrent {download_id!r} (ids are 40-character info hashes)"
            )
        return download_id.lower()

    def _require(self, download_id: str, fields: list[str] | None = None) -> dict:
        """The torrent, or NotFoundError: Transmission silently ignores unknown ids."""
        torrent_hash = self._hash(download_id)
        found = self._rpc().torrent_get(fields or ["hashString"], ids=[torrent_hash])
        if not found:
            raise NotFoundError(f"Transmission has no torrent {torrent_hash}")
        return found[0]

    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """Remove (and with ``delete_data`` delete the files); an unknown id is already gone."""
        self._rpc().remove([self._hash(download_id)], delete_data)

    def pause(self, download_id: str) -> None:
        self._require(download_id)
        self._rpc().stop([self._hash(download_id)])

    def resume(self, download_id: str) -> None:
        self._require(download_id)
        self._rpc().start([self._hash(download_id)])

    def set_category(self, download_id: str, category: str) -> None:
        """Move the torrent's data to ``<download dir>/<category>`` ("" = the directory
        itself); from RPC 16 on also swap the category label."""
        if category:
            check_category(category)
        fields = ["hashString", "downloadDir"] + (
            LABEL_FIELDS if self._info().rpc_version >= LABELS_RPC else []
        )
        torrent = self._require(download_id, fields)
        torrent_hash = self._hash(download_id)
        base = self._base_dir()
        target = category_dir(base, category)
        reply = self._rpc().set_location([torrent_hash], target, move=True)
        if not reply.ok:
            cls = ConfigurationError if "not absolute" in reply.result else IntegrationError
            raise cls(f"Transmission refused to move the torrent to {target!r}: {reply.result}")
        if "labels" in fields:
            old = category_of(str(torrent.get("downloadDir") or ""), base)
            labels = [str(x) for x in torrent.get("labels") or [] if x not in (old, category)]
            labels = [category, *labels] if category else labels
            if labels != list(torrent.get("labels") or []):
                self._rpc().torrent_set([torrent_hash], labels=labels)

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """HIGH/NORMAL/LOW set Transmission's bandwidth priority; TOP/BOTTOM move the
        torrent to the head or the end of its queue."""
        priority = Priority(priority)
        self._require(download_id)
        torrent_hash = self._hash(download_id)
        if priority in _QUEUE:
            self._rpc().queue_move(_QUEUE[priority], [torrent_hash])
        else:
            self._rpc().torrent_set([torrent_hash], bandwidthPriority=_BANDWIDTH[priority])
