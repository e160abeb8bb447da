"""The download-client family contract (seed: Download Client Interface).

Verbs a client lacks raise ``UnsupportedError``; results are small typed objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import Field, SecretStr

from integrations.base import Provider, ProviderSettings
from integrations.errors import UnsupportedError

FAMILY = "download_client"


class DownloadStatus(StrEnum):
    QUEUED = "queued"
    PAUSED = "paused"
    DOWNLOADING = "downloading"
    SEEDING = "seeding"
    COMPLETED = "completed"
    CHECKING = "checking"
    FAILED = "failed"
    WARNING = "warning"
    ERROR = "error"
    UNKNOWN = "unknown"


class Priority(StrEnum):
    TOP = "top"  # move to the top of the client's queue
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"
    BOTTOM = "bottom"  # move to the bottom of the client's queue


class Capability(StrEnum):
    TORRENT = "torrent"
    USENET = "usenet"
    MAGNET = "magnet"
    TORRENT_FILE = "torrent_file"
    NZB = "nzb"
    URL = "url"
    CATEGORIES = "categories"
    CREATE_CATEGORIES = "create_categories"
    LABELS = "labels"
    TAGS = "tags"
    PRIORITY = "priority"
    QUEUE_ORDER = "queue_order"
    PAUSE = "pause"
    REMOVE_WITH_DATA = "remove_with_data"
    SAVE_PATH = "save_path"
    FIRST_LAST_PIECE = "first_last_piece"
    SEQUENTIAL = "sequential"
    SEEDING_LIMITS = "seeding_limits"
    INCREMENTAL_SYNC = "incremental_sync"


@dataclass
class AddRequest:
    """What to send. Exactly one of ``magnet``, ``url``, ``torrent``, ``nzb`` is set."""

    magnet: str | None = None
    url: str | None = None
    torrent: bytes | None = None
    nzb: bytes | None = None
    name: str | None = None  # file name for torrent/nzb bytes
    category: str | None = None
    save_path: str | None = None
    paused: bool | None = None
    priority: Priority | None = None
    tags: list[str] = field(default_factory=list)
    media_type: str | None = None  # tv | movie | anime: picks the category when none is given
    recent: bool | None = None  # aired in the last 14 days: picks recent vs older priority
    # Seeding goals for torrents (the indexer's minimum ratio / seed time, so a private
    # tracker sees no hit-and-run); None leaves the client's own default. Applied by
    # clients with Capability.SEEDING_LIMITS.
    seed_ratio: float | None = None
    seed_time_minutes: int | None = None

    def payload_kind(self) -> str:
        given = [k for k in ("magnet", "url", "torrent", "nzb") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of magnet, url, torrent or nzb")
        return given[0]


@dataclass
class DownloadItem:
    """One item in a client's queue (seed: Download)."""

    id: str
    title: str
    status: DownloadStatus
    progress: float  # 0.0 .. 1.0
    size: int
    size_left: int
    download_speed: int = 0
    upload_speed: int = 0
    eta: int | None = None  # seconds, None when unknown/infinite
    category: str = ""
    save_path: str = ""
    output_path: str = ""  # content path as the client reports it (before remote path mapping)
    added_on: datetime | None = None
    completed_on: datetime | None = None
    ratio: float | None = None
    seeding_time: int | None = None
    seeds: int | None = None
    peers: int | None = None
    message: str = ""
    tags: list[str] = field(default_factory=list)
    raw_state: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        for key in ("added_on", "completed_on"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


class DownloadClientSettings(ProviderSettings):
    """Fields every download client shares (seed: DownloadClientConfig)."""

    host: str = Field("127.0.0.1", min_length=1, description="Host name or IP address")
    port: int = Field(8080, ge=1, le=65535)
    use_ssl: bool = Field(False, description="Connect with HTTPS")
    verify_tls: bool = Field(
        True, description="Verify the TLS certificate (turn off only for self-signed)"
    )
    url_base: str = Field(
        "", description="Path prefix when behind a reverse proxy, e.g. /qbittorrent"
    )
    client_priority: int = Field(
        1,
        ge=1,
        le=50,
        description="Grabs go to the enabled client of the release's protocol with the lowest "
        "number; clients with the same number take turns",
    )
    tv_category: str = Field("tv-idkarr", description="Category for TV downloads")
    movie_category: str = Field("movies-idkarr", description="Category for movie downloads")
    anime_category: str = Field("", description="Category for anime (empty: use the TV category)")
    recent_priority: str = Field(
        "normal", description="Priority for releases aired in the last 14 days"
    )
    older_priority: str = Field("normal", description="Priority for older releases")
    remove_completed_downloads: bool = Field(
        False,
        description="Remove downloads from the client once imported (torrents after their seeding goals)",
    )
    remove_failed_downloads: bool = Field(
        True, description="Remove failed downloads from the client"
    )
    timeout_seconds: float = Field(30.0, gt=0, le=600, description="Read timeout for requests")

    def base_url(self) -> str:
        scheme = "https" if self.use_ssl else "http"
        base = "/" + self.url_base.strip("/") if self.url_base.strip("/") else ""
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{scheme}://{host}:{self.port}{base}"


class UserPassMixin(ProviderSettings):
    username: str = Field("", description="User name")
    password: SecretStr | None = Field(None, description="Password")


class DownloadClient(Provider):
    """Base of every download client. Unimplemented verbs raise UnsupportedError."""

    family = FAMILY
    protocol: str = "torrent"  # torrent | usenet | multi

    def add(self, request: AddRequest) -> str:
        """Send a release. Returns the client's id for it (infohash, nzo id, gid…)."""
        raise UnsupportedError(f"{self.label} cannot add downloads")

    def get_downloads(self) -> list[DownloadItem]:
        raise UnsupportedError(f"{self.label} cannot list downloads")

    def get_download(self, download_id: str) -> DownloadItem | None:
        for item in self.get_downloads():
            if item.id.lower() == download_id.lower():
                return item
        return None

    def remove(self, download_id: str, delete_data: bool = False) -> None:
        raise UnsupportedError(f"{self.label} cannot remove downloads")

    def pause(self, download_id: str) -> None:
        raise UnsupportedError(f"{self.label} cannot pause downloads")

    def resume(self, download_id: str) -> None:
        raise UnsupportedError(f"{self.label} cannot resume downloads")

    def set_category(self, download_id: str, category: str) -> None:
        raise UnsupportedError(f"{self.label} has no categories")

    def set_priority(self, download_id: str, priority: Priority) -> None:
        raise UnsupportedError(f"{self.label} has no priorities")

    def get_completed_path(self, download_id: str) -> str:
        item = self.get_download(download_id)
        if item is None:
            from integrations.errors import NotFoundError

            raise NotFoundError(f"{self.label} has no download {download_id}")
        return item.output_path

    def with_defaults(self, request: AddRequest) -> AddRequest:
        """Fill the category from the media type and the priority from the
        recent/older settings, where the request leaves them open."""
        if request.category is None and request.media_type:
            request.category = self.category_for(request.media_type)
        if request.priority is None and request.recent is not None:
            wanted = getattr(
                self.settings, "recent_priority" if request.recent else "older_priority", None
            )
            if wanted in {p.value for p in Priority}:
                request.priority = Priority(wanted)
        return request

    def category_for(self, media_type: str) -> str:
        s = self.settings
        if media_type == "movie":
            return s.movie_category
        if media_type == "anime":
            return s.anime_category or s.tv_category
        return s.tv_category
