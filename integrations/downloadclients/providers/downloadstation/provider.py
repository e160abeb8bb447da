"""Synology Download Station download client (DSM Web API, DSM 6 and newer).

Speaks SYNO.API.Info v1, SYNO.API.Auth v2 (v6 on DSM 7), SYNO.DownloadStation.Task
v1-3, SYNO.DownloadStation.Info v1, SYNO.FileStation.List v2 and, where the NAS offers
it, SYNO.DownloadStation2.Task v2 for adding (Download Station 3.8.16+ and DSM 7 reject
uploads through the old task API with "invalid parameter"). No Synology NAS can run
here: the tests replay payloads in the shapes of Synology's Download Station Web API
guide and of captures of DSM 6.2 / DSM 7 answers, not a real daemon.

Categories are folders: a release for category ``tv`` goes to ``<destination>/tv``
(or an explicit per-category folder); Download Station does not create folders.
DSM 6 does not say which task an add created, so ``add`` lists the tasks before and
after and matches the new one by its source (magnet/URL, or the uploaded file name,
which Download Station stores as the task's ``uri``) or by the torrent's name.
"""

from __future__ import annotations

import logging
import time

from pydantic import Field, field_validator, model_validator

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
    UnsupportedError,
)

from .client import TASK, TASK2, DownloadStationApi
from .mapping import to_item
from .source import Source, build_source, clean_folder

log = logging.getLogger(__name__)

ADD_SETTLE_TIMEOUT = 10.0  # how long a just-added task may take to be listed
ROOT_TTL = 3600.0  # how long a shared folder's path on the NAS is cached
_NO_DEFAULT = (
    "Download Station has no default destination and none is set in idkarr; set the "
    "destination (a shared folder such as downloads) or a default location in Download "
    "Station > Settings > Location"
)


class DownloadStationSettings(DownloadClientSettings, UserPassMixin):
    port: int = Field(
        5000,
        ge=1,
        le=65535,
        description="DSM port: 5000 for HTTP, 5001 for HTTPS (the default with HTTPS)",
    )
    use_ssl: bool = Field(False, description="Connect with HTTPS (DSM's HTTPS port is 5001)")
    url_base: str = Field(
        "",
        description="Path prefix when DSM is behind a reverse proxy; empty for a direct connection",
    )
    username: str = Field(
        "",
        description="DSM account allowed to use Download Station, without 2-step verification",
    )
    destination: str = Field(
        "",
        description="Shared folder for downloads, without a leading slash, e.g. downloads; "
        "empty: Download Station's default destination",
    )
    tv_category: str = Field(
        "tv-idkarr",
        description="Subfolder of the destination for TV downloads (empty: the destination itself)",
    )
    movie_category: str = Field(
        "movies-idkarr",
        description="Subfolder of the destination for movie downloads (empty: the destination itself)",
    )
    anime_category: str = Field(
        "", description="Subfolder of the destination for anime (empty: the TV category)"
    )
    tv_destination: str = Field(
        "", description="Folder for TV downloads instead of destination/TV category, e.g. video/tv"
    )
    movie_destination: str = Field(
        "", description="Folder for movie downloads instead of destination/movie category"
    )
    anime_destination: str = Field(
        "",
        description="Folder for anime instead of destination/anime category (needs an anime category)",
    )
    remove_completed_downloads: bool = Field(
        False, description="Remove tasks from Download Station once imported (the files stay)"
    )
    remove_failed_downloads: bool = Field(
        True, description="Remove failed tasks from Download Station (it discards their data)"
    )

    @model_validator(mode="before")
    @classmethod
    def _https_port(cls, data):
        if (
            isinstance(data, dict)
            and "port" not in data
            and data.get("use_ssl") in (True, "true", 1)
        ):
            data = {**data, "port": 5001}
        return data

    @field_validator(
        "destination",
        "tv_destination",
        "movie_destination",
        "anime_destination",
        "tv_category",
        "movie_category",
        "anime_category",
    )
    @classmethod
    def _folder(cls, value: str) -> str:
        return clean_folder(value)


class DownloadStation(DownloadClient):
    kind = "downloadstation"
    label = "Download Station"
    protocol = "multi"
    version = "1.0"
    capabilities = frozenset(
        {
            Capability.TORRENT,
            Capability.USENET,
            Capability.MAGNET,
            Capability.TORRENT_FILE,
            Capability.NZB,
            Capability.URL,
            Capability.CATEGORIES,
            Capability.PAUSE,
            Capability.SAVE_PATH,
        }
    )
    Settings = DownloadStationSettings
    settings: DownloadStationSettings

    def __init__(self, settings: DownloadStationSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._client: DownloadStationApi | None = None
        self._default_destination: str | None = None
        self._roots: dict[str, tuple[float, str]] = {}

    # -- plumbing --------------------------------------------------------------
    def _api(self) -> DownloadStationApi:
        if self._client is None:
            s = self.settings
            self._client = DownloadStationApi(
                s.base_url(),
                s.username,
                s.password,
                verify_tls=s.verify_tls,
                read_timeout=s.timeout_seconds,
            )
        if not self._client.apis:
            self._client.discover()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.logout()
            self._client.close()
            self._client = None
        self._default_destination = None
        self._roots = {}

    # -- folders ---------------------------------------------------------------
    def _base(self) -> str:
        if self.settings.destination:
            return self.settings.destination
        if self._default_destination is None:
            value = str(self._api().ds_config().get("default_destination") or "")
            self._default_destination = value.strip().strip("/")
        return self._default_destination

    def _folder_for(self, category: str) -> str:
        s = self.settings
        explicit = {
            s.tv_category: s.tv_destination,
            s.movie_category: s.movie_destination,
            s.anime_category: s.anime_destination,
        }
        if category and explicit.get(category):
            return explicit[category]
        base = self._base()
        if category and not base:
            raise ConfigurationError(_NO_DEFAULT)
        return f"{base}/{category}" if category else base

    def _category_of(self, destination: str) -> str:
        s = self.settings
        categories = [c for c in (s.tv_category, s.movie_category, s.anime_category) if c]
        for category in categories:
            try:
                if self._folder_for(category) == destination:
                    return category
            except ConfigurationError:
                break
        segments = destination.split("/")
        return next((c for c in categories if c in segments), "")

    def _real_dir(self, destination: str) -> str:
        """The destination as a path on the NAS (/volume1/downloads/tv), via File Station;
        the shared-folder path (/downloads/tv) when File Station can't tell."""
        shared, _, rest = destination.partition("/")
        cached = self._roots.get(shared)
        if cached is None or cached[0] < time.monotonic():
            root = "/" + shared
            try:
                entry = self._api().folder_info([root])[0]
                real = (entry.get("additional") or {}).get("real_path")
                root = str(real).rstrip("/") if real else root
            except (IntegrationError, IndexError, AttributeError) as exc:
                log.warning("Download Station: path of shared folder %s unknown: %s", root, exc)
            cached = (time.monotonic() + ROOT_TTL, root)
            self._roots[shared] = cached
        return cached[1] + (f"/{rest}" if rest else "")

    # -- test ------------------------------------------------------------------
    def test(self) -> TestResult:
        """API discovery, a fresh login, version, default destination and folder check."""
        known = self._client is not None and bool(self._client.apis)
        api = self._api()
        if known:
            api.discover()  # DSM or Download Station may have been updated since
        api.login()
        info = api.ds_info()
        default = str(api.ds_config().get("default_destination") or "").strip().strip("/")
        self._default_destination = default
        version = str(info.get("version_string") or info.get("version") or "(unknown version)")
        task = api.apis[TASK]
        ds2 = TASK2 in api.apis
        message = (
            f"Connected to Download Station {version} (task API v{task.min_version}-"
            f"{task.max_version}{', DownloadStation2' if ds2 else ''}, auth v{api.auth_version})"
        )
        details: dict = {
            "version": version,
            "task_api": [task.min_version, task.max_version],
            "download_station2": ds2,
            "auth_version": api.auth_version,
            "is_manager": info.get("is_manager"),
            "default_destination": default,
        }
        s = self.settings
        if not self._base():
            raise ConfigurationError(_NO_DEFAULT)
        folders = list(
            dict.fromkeys(
                self._folder_for(c)
                for c in (s.tv_category, s.movie_category, s.anime_category or s.tv_category)
            )
        )
        details["destinations"] = folders
        try:
            entries = api.folder_info(["/" + f for f in folders])
        except IntegrationError as exc:
            details["note"] = f"could not check the destination folders: {exc}"
            return TestResult(True, message, details=details)
        missing = [
            f
            for f, e in zip(folders, entries, strict=False)
            if e.get("code") or e.get("isdir") is not True
        ]
        if missing:
            details["degraded"] = True
            details["missing_destinations"] = missing
            message += (
                f"; destination folder {', '.join(missing)} does not exist on the NAS: create it "
                "in File Station (Download Station does not create folders)"
            )
        return TestResult(True, message, details=details)

    # -- add -------------------------------------------------------------------
    def add(self, request: AddRequest) -> str:
        """Send a magnet, URL, .torrent or NZB; returns Download Station's task id
        (``dbid_N``). Raises ConfigurationError/ProtocolError for bad input."""
        try:
            kind = request.payload_kind()
        except ValueError as exc:
            raise ConfigurationError(f"Cannot send to Download Station: {exc}") from None
        source = build_source(request, kind)
        if request.save_path:
            try:
                folder = clean_folder(request.save_path)
            except ValueError as exc:
                raise ConfigurationError(f"Download Station save path: {exc}") from None
        else:
            folder = self._folder_for(request.category or self.settings.tv_category)
        api = self._api()
        before = {str(t.get("id")) for t in api.list_tasks()}
        ids: list[str] = []
        if api.has(TASK2):
            # DownloadStation2 fails with error 120 when no destination is given.
            folder = folder or self._base()
            if not folder:
                raise ConfigurationError(_NO_DEFAULT)
            upload = (source.filename, source.content) if source.content is not None else None
            ids = api.create2(folder, url=source.uri, file=upload)
        elif source.content is not None:
            api.create_file(source.filename, source.content, folder)
        else:
            api.create_uri(source.uri, folder)
        task_id = ids[0] if ids else self._find_added(before, source)
        if request.paused:
            api.task_action("pause", task_id)
        if request.tags or request.priority not in (None, Priority.NORMAL):
            log.info("Download Station has no tags or priorities; ignored them for %s", task_id)
        return task_id

    def _find_added(self, before: set[str], source: Source) -> str:
        deadline = time.monotonic() + ADD_SETTLE_TIMEOUT
        while True:
            tasks = [t for t in self._api().list_tasks() if source.matches(t)]
            new = [t for t in tasks if str(t.get("id")) not in before]
            if new or tasks:  # a task we already had: Download Station kept the old one
                return str((new or tasks)[-1].get("id"))
            if time.monotonic() >= deadline:
                raise IntegrationError(
                    f"Download Station accepted the download but did not list it within "
                    f"{ADD_SETTLE_TIMEOUT:g} s; it may have refused it (see its task list)",
                    permanent=False,
                )
            time.sleep(0.25)

    # -- queue -----------------------------------------------------------------
    def get_downloads(self, category: str | None = None) -> list[DownloadItem]:
        """Every task (or one category's); ``output_path`` is the folder on the NAS + title."""
        items = []
        for task in self._api().list_tasks():
            item = to_item(task)
            item.category = self._category_of(item.save_path)
            if item.save_path and item.title:
                item.output_path = f"{self._real_dir(item.save_path)}/{item.title}"
            if category is None or item.category == category:
                items.append(item)
        return items

    # -- verbs -----------------------------------------------------------------
    def remove(self, download_id: str, delete_data: bool = False) -> None:
        """Delete the task. Download Station discards unfinished data itself, but has no
        way to delete a finished download's files: that raises UnsupportedError."""
        task_id = _task_id(download_id)
        if delete_data:
            item = self.get_download(task_id)
            if item is None:
                raise NotFoundError(f"Download Station has no task {task_id}")
            finished = item.status in (DownloadStatus.COMPLETED, DownloadStatus.SEEDING)
            if finished or (item.size and not item.size_left):
                raise UnsupportedError(
                    "Download Station cannot delete the files of a finished download; remove "
                    f"it without its data and delete {item.output_path or item.title} on the NAS"
                )
        self._api().task_action("delete", task_id, force_complete="false")

    def pause(self, download_id: str) -> None:
        self._api().task_action("pause", _task_id(download_id))

    def resume(self, download_id: str) -> None:
        self._api().task_action("resume", _task_id(download_id))

    def set_category(self, download_id: str, category: str) -> None:
        raise UnsupportedError(
            "Download Station cannot move a task to another category folder; the folder is "
            "chosen when the download is added"
        )

    def set_priority(self, download_id: str, priority: Priority) -> None:
        raise UnsupportedError("Download Station has no download priorities in its API")


def _task_id(download_id: str) -> str:
    task_id = (download_id or "").strip()
    if not task_id or "," in task_id:
        raise NotFoundError(f"{download_id!r} is not a Download Station task id")
    return task_id
