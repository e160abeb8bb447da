"""Deluge download client (Web UI JSON-RPC, Deluge 2.0 or newer).

Speaks the JSON-RPC of deluge-web 2.x (``POST {base}/json``, what Sonarr uses):
the Web UI password opens a cookie session, the Web UI is attached to a
deluged from its Connection Manager when it isn't, and the daemon's
``core.*``/``label.*`` methods are called through it. Categories are labels
of Deluge's Label plugin (enabled on demand when the settings allow it).
Seeding goals: a ratio becomes the torrent's own ``stop_at_ratio``/``stop_ratio``;
Deluge has no per-torrent seeding time, so that goal is only logged.
Tested against deluged + deluge-web 2.0.3 with libtorrent 2.0.8 (Debian 12).
"""

from __future__ import annotations

import base64
import logging
import re

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
    ProtocolError,
    UnsupportedError,
)

from .client import DelugeApi, parse_version, sanitize
from .labels import LABEL_HELP, Labels, check_label
from .mapping import KEYS, to_item

log = logging.getLogger(__name__)

MIN_VERSION = (2, 0)
_QUEUE_ACTIONS = {
    Priority.TOP: "queue_top",
    Priority.BOTTOM: "queue_bottom",
    Priority.HIGH: "queue_up",
    Priority.LOW: "queue_down",
}


class DelugeSettings(DownloadClientSettings):
    port: int = Field(8112, ge=1, le=65535, description="Web UI port (Deluge's default is 8112)")
    url_base: str = Field(
        "",
        description="Path prefix when the Deluge Web UI sits behind a reverse proxy, e.g. /deluge",
    )
    password: SecretStr | None = Field(
        None,
        description="Web UI password (Deluge's default is 'deluge'); the Web UI has no user name",
    )
    tv_category: str = Field(
        "tv-idkarr",
        description=f"Label for TV downloads (Label plugin; {LABEL_HELP}; empty: no label)",
    )
    movie_category: str = Field(
        "movies-idkarr", description=f"Label for movie downloads ({LABEL_HELP})"
    )
    anime_category: str = Field(
        "", description="Label for anime downloads (empty: use the TV label)"
    )
    add_paused: bool = Field(False, description="Add new torrents paused")
    download_directory: str = Field(
        "", description="Download location for new torrents (empty: Deluge's default)"
    )
    completed_directory: str = Field(
        "", description="Move finished torrents to this folder (empty: leave them in place)"
    )
    first_and_last_piece_priority: bool = Field(
        False, description="Download the first and last pieces first (lets players preview)"
    )
    sequential_download: bool = Field(False, description="Download pieces in order")
    enable_label_plugin: bool = Field(
        True, description="Turn on Deluge's Label plugin when it is off (labels need it)"
    )


class Deluge(DownloadClient):
    kind = "deluge"
    label = "Deluge"
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
            Capability.LABELS,
            Capability.PRIORITY,
            Capability.QUEUE_ORDER,
            Capability.PAUSE,
            Capability.REMOVE_WITH_DATA,
            Capability.SAVE_PATH,
            Capability.FIRST_LAST_PIECE,
            Capability.SEQUENTIAL,
            Capability.SEEDING_LIMITS,
        }
    )
    Settings = DelugeSettings
    settings: DelugeSettings

    def __init__(self, settings: DelugeSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: DelugeApi | None = None
        self._version: tuple[int, ...] | None = None
        self.daemon_version = ""
        self.labels = Labels(self._api, lambda: self.settings.enable_label_plugin)

    # -- plumbing --------------------------------------------------------------
    def _api(self) -> DelugeApi:
        if self._client is None:
            s = self.settings
            self._client = DelugeApi(
                s.base_url(), s.password, verify_tls=s.verify_tls, read_timeout=s.timeout_seconds
            )
        if self._version is None:
            self._check_version(self._client)
        return self._client

    def _check_version(self, api: DelugeApi) -> None:
        text = api.daemon_version()
        version = parse_version(text)
        if version < MIN_VERSION:
            raise UnsupportedError(f"Deluge {text} is too old; idkarr needs Deluge 2.0 or newer")
        self._version, self.daemon_version = version, text

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._version = None
        self.labels.forget()

    # -- test ------------------------------------------------------------------
    def test(self) -> TestResult:
        """Log in, attach the daemon, check the version and the labels. Raises the error tree."""
        self._version = None  # always ask: Deluge may have been upgraded
        self.labels.forget()
        api = self._api()
        libtorrent = api.libtorrent_version()
        details: dict = {
            "version": self.daemon_version,
            "libtorrent_version": libtorrent,
            "daemon": api.connected_daemon() or None,
        }
        wanted = list(dict.fromkeys(c for c in self._configured_labels() if c))
        for name in wanted:
            check_label(name)
        if wanted:
            details["label_plugin_enabled_now"] = self.labels.ensure_plugin()
            labels = self.labels.refresh()
            details["labels"] = sorted(labels)
            missing = [c for c in wanted if c not in labels]
            if missing:
                details["missing_labels"] = missing
                details["note"] = f"labels {', '.join(missing)} will be created on first use"
        message = (
            f"Connected to Deluge {self.daemon_version} "
            f"(libtorrent {libtorrent or 'unknown'}, Web UI JSON-RPC)"
        )
        return TestResult(True, message, details=details)

    def _configured_labels(self) -> list[str]:
        s = self.settings
        return [s.tv_category, s.movie_category, s.anime_category]

    # -- add -------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Send a magnet, URL or .torrent; returns the lowercase infohash Deluge reports.

        A torrent Deluge already has counts as added (its hash is returned, its label,
        position and seeding goals left alone). Raises ConfigurationError/ProtocolError for bad input and
        UnsupportedError for NZB files and tags.
        """
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind == "nzb":
            raise UnsupportedError("Deluge is a torrent client; it cannot download NZB files")
        if request.tags:
            raise UnsupportedError("Deluge has no tags; use a label (category) instead")
        if kind == "url" and request.url.lower().startswith("magnet:"):
            kind, magnet = "magnet", request.url
        else:
            magnet = request.magnet
        s = self.settings
        expected = ""
        if kind == "magnet":
            try:
                expected = magnet_id(magnet)
            except ConfigurationError as exc:
                raise ConfigurationError(f"Cannot send the magnet link to Deluge: {exc}") from None
        elif kind == "torrent":
            try:
                expected = torrent_id(request.torrent)
            except ProtocolError as exc:
                raise ProtocolError(
                    f"Cannot send {request.name or 'the torrent'} to Deluge: {exc}"
                ) from None
        label = request.category if request.category is not None else s.tv_category
        self.labels.ensure(label)

        paused = request.paused if request.paused is not None else s.add_paused
        options: dict = {"add_paused": bool(paused)}
        if request.save_path or s.download_directory:
            options["download_location"] = request.save_path or s.download_directory
        if s.completed_directory:
            options["move_completed"] = True
            options["move_completed_path"] = s.completed_directory
        if s.first_and_last_piece_priority:
            options["prioritize_first_last_pieces"] = True
        if s.sequential_download:
            options["sequential_download"] = True

        api = self._api()
        try:
            if kind == "magnet":
                result = api.add_magnet(magnet, options)
            elif kind == "torrent":
                filename = request.name or f"{expected}.torrent"
                payload = base64.b64encode(request.torrent).decode()
                result = api.add_file(filename, payload, options)
            else:
                result = api.add_url(request.url, options)
        except IntegrationError as exc:
            existing = self._already_added(exc, expected)
            if existing:
                log.info("Deluge already has torrent %s; treating the add as done", existing)
                return existing
            raise self._add_error(kind, request, exc) from None
        if not result:
            raise IntegrationError("Deluge accepted the torrent but reported no id for it")
        torrent_hash = str(result).lower()
        if label:
            self.labels.set(torrent_hash, label)
        if request.priority not in (None, Priority.NORMAL):
            self.set_priority(torrent_hash, request.priority)
        self._apply_seeding_goals(torrent_hash, request)
        return torrent_hash

    def _apply_seeding_goals(self, torrent_hash: str, request: AddRequest) -> None:
        """Give a new torrent the request's seeding goals (None leaves Deluge's defaults).

        Runs after the label: a label with "apply_queue" set (the Label plugin's Queue
        options) copies its own stop ratio onto the torrent in ``label.set_torrent`` and
        would undo the goal.
        Deluge 2 keeps a stop ratio per torrent but a seeding time only globally.
        """
        if request.seed_ratio is not None:
            options = {"stop_at_ratio": True, "stop_ratio": float(request.seed_ratio)}
            self._api().set_torrent_options([torrent_hash], options)
        if request.seed_time_minutes is not None:
            log.info(
                "Deluge cannot apply a seeding time per torrent (only a ratio); "
                "the %d-minute seeding goal for %s is not applied",
                request.seed_time_minutes,
                torrent_hash,
            )

    @staticmethod
    def _already_added(exc: IntegrationError, expected: str) -> str:
        remote = exc.details.get("deluge_message", "")
        if "already in session" not in remote and "already being added" not in remote:
            return ""
        found = re.search(r"[0-9a-f]{40}", remote.lower())
        return found.group(0) if found else expected

    @staticmethod
    def _add_error(kind: str, request: AddRequest, exc: IntegrationError) -> IntegrationError:
        remote = exc.details.get("deluge_message", "")
        if type(exc) is not IntegrationError or "deluge_error" not in exc.details:
            return exc  # already specific (connection, auth, not found …): keep it
        if "decoding filedump failed" in remote:
            return ProtocolError(
                f"Deluge says {request.name or 'the file'} is not a valid torrent file ({remote})",
                details=exc.details,
            )
        if kind == "magnet":
            return ConfigurationError(
                f"Deluge rejected the magnet link: {remote}", details=exc.details
            )
        if kind == "url":
            return IntegrationError(
                f"Deluge could not add the torrent from {sanitize(request.url)}: {remote}",
                permanent=False,
                details=exc.details,
            )
        return exc

    # -- queue -----------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """Every torrent (or one label's) from ``core.get_torrents_status``."""
        api = self._api()
        api.ensure_connected(force=True)  # the one check that a lost daemon can't stall
        filters = {"label": category} if category else {}
        torrents = api.torrents(filters, KEYS)
        return [to_item(h, t) for h, t in torrents.items()]

    # -- verbs -----------------------------------------------------------------
    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """Remove a torrent (and its data). Raises NotFoundError for an unknown id."""
        self._api().remove(download_id.lower(), delete_data)

    def pause(self, download_id: str) -> None:
        self._api().pause([download_id.lower()])

    def resume(self, download_id: str) -> None:
        self._api().resume([download_id.lower()])

    def set_category(self, download_id: str, category: str) -> None:
        """Give a torrent the label ``category`` (created if missing; ``""`` clears it)."""
        self.labels.set(download_id.lower(), category)

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """Move in Deluge's queue: TOP/BOTTOM to either end, HIGH/LOW one step.
        NORMAL leaves the position alone. Finished torrents have no queue position."""
        action = _QUEUE_ACTIONS.get(Priority(priority))
        if action:
            self._api().queue(action, [download_id.lower()])
