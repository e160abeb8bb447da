"""qBittorrent torrent dicts → ``DownloadItem``, following Sonarr's state semantics.

No state maps to FAILED: like Sonarr, ``error`` and ``missingFiles`` are
warnings, so failed-download handling never deletes a torrent the user can
still fix in qBittorrent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError

S = DownloadStatus
ETA_INFINITY = 8640000  # qBittorrent's "∞"
_NO_TIME = 4294967295  # (uint32)-1, what older versions send for "never"

# state → (status, message). UP states only occur once the wanted data is complete.
STATES: dict[str, tuple[DownloadStatus, str]] = {
    "error": (S.WARNING, "qBittorrent reports an error"),
    "missingFiles": (S.WARNING, "missing files"),
    "uploading": (S.SEEDING, ""),
    "stalledUP": (S.SEEDING, ""),
    "forcedUP": (S.SEEDING, "forced seeding"),
    "queuedUP": (S.SEEDING, "queued for seeding"),
    "checkingUP": (S.CHECKING, "checking files"),
    "pausedUP": (S.COMPLETED, ""),
    "stoppedUP": (S.COMPLETED, ""),
    "allocating": (S.DOWNLOADING, "allocating disk space"),
    "downloading": (S.DOWNLOADING, ""),
    "metaDL": (S.DOWNLOADING, "downloading metadata"),
    "forcedMetaDL": (S.DOWNLOADING, "downloading metadata"),
    "forcedDL": (S.DOWNLOADING, "forced download"),
    "pausedDL": (S.PAUSED, ""),
    "stoppedDL": (S.PAUSED, ""),
    "queuedDL": (S.QUEUED, "queued"),
    "stalledDL": (S.WARNING, "stalled: no connections"),
    "checkingDL": (S.CHECKING, "checking files"),
    "checkingResumeData": (S.CHECKING, "checking resume data"),
    "moving": (S.DOWNLOADING, "moving files"),
}

PATH_ERROR = (
    "qBittorrent reports the content path as the save path itself ({path}), so the "
    "downloaded files can't be told apart from others there; was the torrent added "
    "without its top-level folder (content layout 'NoSubfolder')?"
)


def map_state(state: str) -> tuple[DownloadStatus, str]:
    """Status and message for a qBittorrent ``state`` string."""
    return STATES.get(state, (S.UNKNOWN, f"unknown state {state}"))


def _int(value, default: int = 0) -> int:
    return default if value is None else int(value)


def _time(value) -> datetime | None:
    value = _int(value)
    if value <= 0 or value >= _NO_TIME:
        return None
    return datetime.fromtimestamp(value, UTC)


def _same_path(a: str, b: str) -> bool:
    return a.rstrip("/\\") == b.rstrip("/\\")


def to_item(torrent_hash: str, t: dict) -> DownloadItem:
    """Map one torrent dict (torrents/info or merged sync/maindata). Raises ProtocolError
    when a field has the wrong type."""
    try:
        state = str(t.get("state", "unknown"))
        status, message = map_state(state)
        size = _int(t.get("size"))
        if size <= 0:
            size = max(_int(t.get("total_size")), 0)
        eta = _int(t.get("eta"), ETA_INFINITY)
        save_path = str(t.get("save_path") or "")
        content_path = str(t.get("content_path") or "")
        if (
            status in (S.SEEDING, S.COMPLETED)
            and content_path
            and _same_path(content_path, save_path)
        ):
            status, message = S.WARNING, PATH_ERROR.format(path=save_path)
        tags = t.get("tags") or ""
        seeding_time = t.get("seeding_time")
        return DownloadItem(
            id=torrent_hash.lower(),
            title=str(t.get("name") or ""),
            status=status,
            progress=float(t.get("progress") or 0.0),
            size=size,
            size_left=max(_int(t.get("amount_left")), 0),
            download_speed=_int(t.get("dlspeed")),
            upload_speed=_int(t.get("upspeed")),
            eta=None if eta >= ETA_INFINITY or eta < 0 else eta,
            category=str(t.get("category") or ""),
            save_path=save_path,
            output_path=content_path,
            added_on=_time(t.get("added_on")),
            completed_on=_time(t.get("completion_on")),
            ratio=float(t["ratio"]) if t.get("ratio") is not None else None,
            seeding_time=int(seeding_time) if seeding_time is not None else None,
            seeds=_int(t.get("num_seeds")),
            peers=_int(t.get("num_leechs")),
            message=message,
            tags=[tag.strip() for tag in str(tags).split(",") if tag.strip()],
            raw_state=state,
        )
    except (TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(
            f"qBittorrent sent torrent {torrent_hash[:40]!r} with a field of an unexpected type"
        ) from None
