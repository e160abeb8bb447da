"""SABnzbd download client (JSON API of SABnzbd 3.0 or newer).

Speaks ``{base}/api?mode=…&apikey=…&output=json`` as SABnzbd 3.0–5.0 serve it
(request and reply shapes read from SABnzbd's ``api.py``/``interface.py`` at
3.0.0 … 5.0.x and its API docs). SABnzbd is not packaged for Debian main nor
on PyPI, so it is tested against recorded-shape replies of SABnzbd 4.5.1
(``tests/fixtures/sabnzbd/``), not a running daemon.

Ids are SABnzbd's ``nzo_id`` (``SABnzbd_nzo_…``, case-sensitive). The queue
(``mode=queue``) and the newest history entries (``mode=history``) are merged
on every poll. SABnzbd cannot create categories through the add flow and files a
job with an unknown category under its default one without a word, so idkarr
refuses unknown categories before sending.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from integrations.base import TestResult
from integrations.downloadclients.base import (
    AddRequest,
    Capability,
    DownloadClient,
    DownloadClientSettings,
    DownloadItem,
    Priority,
)
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)

from .client import MIN_VERSION, SabnzbdApi, check_nzb, parse_version
from .mapping import history_item, queue_item

log = logging.getLogger(__name__)

SabPriority = Literal["default", "paused", "low", "normal", "high", "force"]
PRIORITY_VALUES: dict[str, int] = {
    "default": -100,  # the category's priority
    "paused": -2,
    "low": -1,
    "normal": 0,
    "high": 1,
    "force": 2,  # downloads even while the queue is paused
}
_REQUEST_PRIORITY = {
    Priority.TOP: 1,
    Priority.HIGH: 1,
    Priority.NORMAL: 0,
    Priority.LOW: -1,
    Priority.BOTTOM: -1,
}
REMOVE_LOOKUP_LIMIT = 1000  # history rows searched for a job to remove (3.x ignores nzo_ids)


class SABnzbdSettings(DownloadClientSettings):
    port: int = Field(
        8080, ge=1, le=65535, description="SABnzbd's web port (8080 by default; 9090 for HTTPS)"
    )
    url_base: str = Field(
        "", description="URL base when SABnzbd sits behind a reverse proxy, e.g. /sabnzbd"
    )
    api_key: SecretStr = Field(
        description="SABnzbd's API key (Config → General → Security → API Key); "
        "the NZB key is not enough"
    )
    username: str = Field(
        "",
        description="User name for a reverse proxy's basic auth in front of SABnzbd "
        "(SABnzbd's own login is not needed with the API key)",
    )
    password: SecretStr | None = Field(None, description="Password for that reverse proxy")
    tv_category: str = Field(
        "tv", description="SABnzbd category for TV downloads (must exist in SABnzbd)"
    )
    movie_category: str = Field(
        "movies", description="SABnzbd category for movie downloads (must exist in SABnzbd)"
    )
    anime_category: str = Field(
        "", description="SABnzbd category for anime (empty: use the TV category)"
    )
    recent_priority: SabPriority = Field(
        "default",
        description="Priority for releases aired in the last 14 days: default (the "
        "category's), paused, low, normal, high, or force",
    )
    older_priority: SabPriority = Field(
        "default",
        description="Priority for older releases, and for releases of unknown age",
    )
    history_limit: int = Field(
        60, ge=1, le=10000, description="How many of SABnzbd's newest history entries to poll"
    )

    @field_validator("api_key")
    @classmethod
    def _key_not_blank(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value().strip()
        if not key:
            raise ValueError("the API key is required")
        return SecretStr(key)

    @field_validator("tv_category", "movie_category", "anime_category")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        return value.lower()  # SABnzbd lowercases category names


class SABnzbd(DownloadClient):
    kind = "sabnzbd"
    label = "SABnzbd"
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
            Capability.REMOVE_WITH_DATA,
        }
    )
    Settings = SABnzbdSettings
    settings: SABnzbdSettings

    def __init__(self, settings: SABnzbdSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: SabnzbdApi | None = None
        self._version_checked = False
        self._categories: set[str] | None = None
        self.app_version = ""

    # -- plumbing --------------------------------------------------------------------
    def _api(self) -> SabnzbdApi:
        if self._client is None:
            s = self.settings
            self._client = SabnzbdApi(
                s.base_url(),
                s.api_key,
                s.username,
                s.password,
                verify_tls=s.verify_tls,
                read_timeout=s.timeout_seconds,
            )
        if not self._version_checked:
            text = self._client.version()
            parsed = parse_version(text)
            if parsed is not None and parsed < MIN_VERSION:
                raise UnsupportedError(
                    f"SABnzbd {text} is too old; idkarr needs SABnzbd 3.0.0 or newer"
                )
            self.app_version = text
            self._version_checked = True
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._version_checked = False
        self._categories = None

    # -- test ------------------------------------------------------------------------
    def test(self) -> TestResult:
        """Check the version, the full API key, the categories and sorters. Raises the error tree."""
        self._version_checked = False  # always ask: SABnzbd may have been upgraded
        api = self._api()
        cats = {str(c.get("name", "")).lower(): c for c in api.categories()}  # full key needed
        self._categories = set(cats)
        wanted = list(dict.fromkeys(c for c in self._configured_categories() if c))
        missing = [c for c in wanted if c not in cats]
        warnings = []
        if missing:
            noun, it = ("category", "it") if len(missing) == 1 else ("categories", "them")
            warnings.append(
                f"SABnzbd has no {noun} {', '.join(missing)}; create {it} in SABnzbd "
                "(Config → Categories), idkarr cannot"
            )
        for name in wanted:
            if str(cats.get(name, {}).get("dir", "")).endswith("*"):
                warnings.append(
                    f"category {name} has job folders turned off (its folder ends with *); "
                    "turn them on so each download gets its own folder"
                )
        for sorter in api.sorters():
            sorted_cats = [str(c).lower() for c in sorter.get("sort_cats") or []]
            hit = [c for c in wanted if c in sorted_cats]
            if sorter.get("is_active") and sorter.get("sort_string") and hit:
                warnings.append(
                    f"SABnzbd sorter {sorter.get('name', '')!r} renames and moves downloads "
                    f"of category {', '.join(hit)}; turn it off for them"
                )
        queue_paused = api.queue(limit=1).get("paused") is True
        if queue_paused:
            warnings.append("SABnzbd's queue is paused; downloads will not progress")
        build = " (a development build)" if parse_version(self.app_version) is None else ""
        message = f"Connected to SABnzbd {self.app_version}{build} (JSON API, full API key)"
        details: dict = {
            "version": self.app_version,
            "categories": sorted(c for c in cats if c != "*"),
            "queue_paused": queue_paused,
        }
        if missing:
            details["missing_categories"] = missing
        if warnings:
            details["degraded"] = True
            details["warnings"] = warnings
            message += "; " + "; ".join(warnings)
        return TestResult(True, message, details=details)

    def _configured_categories(self) -> list[str]:
        s = self.settings
        return [s.tv_category, s.movie_category, s.anime_category]

    def _require_category(self, name: str) -> None:
        if not name or name == "*":
            return
        if self._categories is None or name not in self._categories:
            self._categories = {str(c.get("name", "")).lower() for c in self._api().categories()}
        if name not in self._categories:
            raise ConfigurationError(
                f"SABnzbd has no category {name!r}; create it in SABnzbd (Config → Categories). "
                "SABnzbd would silently put the download in its default category"
            )

    # -- add -------------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Send an NZB (bytes) or an NZB URL. Returns SABnzbd's nzo_id.

        Without a priority in the request the job gets ``older_priority`` (its age is
        unknown here, as in Sonarr). ``paused`` adds it paused (SABnzbd priority -2).
        """
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if kind in ("torrent", "magnet") or (
            kind == "url" and request.url.lower().startswith("magnet:")
        ):
            raise UnsupportedError(
                "SABnzbd is a Usenet client; it cannot download torrents or magnet links"
            )
        if request.save_path:
            raise UnsupportedError(
                "SABnzbd cannot set a download folder per job; give the category its own "
                "folder in SABnzbd instead"
            )
        if request.tags:
            raise UnsupportedError("SABnzbd has no tags")
        if kind == "url" and not request.url.lower().startswith(("http://", "https://")):
            raise ConfigurationError("SABnzbd can only fetch NZBs from http:// or https:// URLs")
        if kind == "nzb":
            check_nzb(request.nzb, (request.name or "").strip())
        category = (request.category or self.settings.tv_category).lower()
        self._require_category(category)
        if request.paused:
            priority = PRIORITY_VALUES["paused"]
        elif request.priority is not None:
            priority = _REQUEST_PRIORITY[Priority(request.priority)]
        else:
            chosen = (
                self.settings.recent_priority if request.recent else self.settings.older_priority
            )
            priority = PRIORITY_VALUES[chosen]
        params: dict = {"cat": category} if category else {}
        params["priority"] = priority
        name = (request.name or "").strip()
        base = name.removesuffix(".gz").removesuffix(".nzb") if name else ""
        api = self._api()
        if kind == "url":
            params = {"name": request.url, **params}
            if base:
                params["nzbname"] = base
            result = api.add_url(params)
        else:
            packed = request.nzb[:2] == b"\x1f\x8b"
            filename = f"{base or 'idkarr'}.nzb" + (".gz" if packed else "")
            if base:
                params["nzbname"] = base
            result = api.add_file(request.nzb, filename, params)
        ids = result.get("nzo_ids")
        if not isinstance(ids, list):
            raise ProtocolError("SABnzbd answered the add without nzo_ids")
        if not ids or result.get("status") is False:
            raise IntegrationError(
                "SABnzbd rejected the NZB (a duplicate, refused by a pre-queue script, or "
                "without any files); SABnzbd's log says which"
            )
        nzo_id = str(ids[0])
        follow_up = request.priority is not None and (
            request.paused or request.priority in (Priority.TOP, Priority.BOTTOM)
        )
        if follow_up:
            try:
                self.set_priority(nzo_id, request.priority)
            except IntegrationError as exc:
                log.warning("Added %s but could not set its priority: %s", nzo_id, exc)
        return nzo_id

    # -- queue -----------------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """The queue and the newest ``history_limit`` history entries (optionally one category)."""
        api = self._api()
        queue = api.queue()
        history = api.history(self.settings.history_limit)
        paused = queue.get("paused") is True
        items: dict[str, DownloadItem] = {}
        for slots, to_item in (
            (queue["slots"], lambda s: queue_item(s, paused)),
            (history["slots"], history_item),
        ):
            for slot in slots:
                if not isinstance(slot, dict):
                    raise ProtocolError("SABnzbd sent a job in an unexpected shape")
                item = to_item(slot)
                if item is not None and item.id not in items:  # queue first
                    items[item.id] = item
        wanted = category.lower() if category is not None else None
        return [i for i in items.values() if wanted is None or i.category == wanted]

    # -- verbs -----------------------------------------------------------------------
    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """Delete from the queue (with its incomplete files), else from the history:
        failed jobs permanently, others into SABnzbd's history archive (as Sonarr does)."""
        api = self._api()
        if api.queue_action("delete", download_id, del_files=1).get("status") is True:
            return
        slots = api.history(REMOVE_LOOKUP_LIMIT, nzo_ids=download_id)["slots"]
        slot = next(
            (s for s in slots if isinstance(s, dict) and s.get("nzo_id") == download_id), None
        )
        if slot is None:
            raise NotFoundError(f"SABnzbd has no job {download_id}")
        api.history_delete(download_id, delete_data, archive=slot.get("status") != "Failed")

    def pause(self, download_id: str) -> None:
        self._queue_verb("pause", download_id)

    def resume(self, download_id: str) -> None:
        self._queue_verb("resume", download_id)

    def _queue_verb(self, verb: str, download_id: str) -> None:
        if self._api().queue_action(verb, download_id).get("status") is not True:
            raise NotFoundError(
                f"SABnzbd has no queued job {download_id} to {verb} (finished jobs can't be)"
            )

    def set_category(self, download_id: str, category: str) -> None:
        """Move a queued job to ``category`` (``""`` or ``*``: SABnzbd's default)."""
        name = category.strip().lower()
        self._require_category(name)
        if not self._api().change_cat(download_id, name if name not in ("", "*") else "None"):
            raise NotFoundError(
                f"SABnzbd has no queued job {download_id}; finished jobs can't change category"
            )

    def set_priority(self, download_id: str, priority: Priority) -> None:
        """HIGH/NORMAL/LOW set SABnzbd's priority; TOP/BOTTOM move the job in the queue."""
        priority = Priority(priority)
        api = self._api()
        if priority in (Priority.TOP, Priority.BOTTOM):
            slots = api.queue()["slots"]
            ids = [s.get("nzo_id") for s in slots if isinstance(s, dict)]
            if download_id not in ids:
                raise NotFoundError(f"SABnzbd has no queued job {download_id} to move")
            target = 0 if priority == Priority.TOP else len(ids) - 1
            if ids.index(download_id) != target and api.switch(download_id, target) < 0:
                raise IntegrationError(f"SABnzbd did not move job {download_id}")
            return
        answer = api.queue_action("priority", download_id, value2=_REQUEST_PRIORITY[priority])
        if not isinstance(answer.get("position"), int):
            raise ProtocolError("SABnzbd answered the priority change in an unexpected shape")
        if answer["position"] < 0:
            raise NotFoundError(
                f"SABnzbd has no queued job {download_id}; finished jobs have no priority"
            )
