"""NZBGet queue groups and history entries → ``DownloadItem``.

Queue ``Status`` strings come from ``listgroups`` (downloading and
post-processing stages), history ``Status`` strings from ``history`` as
``KIND/REASON``. Like Sonarr: post-processing counts as still downloading; a
failed move (``FAILURE/MOVE``) is a warning (the files are there, a retry of
another release would not help) and a password-protected archive
(``WARNING/PASSWORD``) is a failure (the release is unusable); entries the user
deleted in NZBGet (``DELETED/MANUAL``) are not listed at all.
"""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError

from .client import join64

S = DownloadStatus
PAUSED_GLOBALLY = "all downloads are paused in NZBGet"

QUEUE_STATES: dict[str, tuple[DownloadStatus, str]] = {
    "QUEUED": (S.QUEUED, "queued"),
    "PAUSED": (S.PAUSED, ""),
    "DOWNLOADING": (S.DOWNLOADING, ""),
    "FETCHING": (S.DOWNLOADING, "fetching the NZB from its URL"),
    "PP_QUEUED": (S.DOWNLOADING, "downloaded, waiting for post-processing"),
    "LOADING_PARS": (S.CHECKING, "loading par2 files"),
    "VERIFYING_SOURCES": (S.CHECKING, "verifying files with par2"),
    "REPAIRING": (S.CHECKING, "repairing files with par2"),
    "VERIFYING_REPAIRED": (S.CHECKING, "verifying repaired files"),
    "RENAMING": (S.DOWNLOADING, "post-processing: renaming files"),
    "UNPACKING": (S.DOWNLOADING, "post-processing: unpacking"),
    "MOVING": (S.DOWNLOADING, "post-processing: moving files"),
    "EXECUTING_SCRIPT": (S.DOWNLOADING, "post-processing: running scripts"),
    "PP_FINISHED": (S.DOWNLOADING, "post-processing finished"),
    "QS_QUEUED": (S.DOWNLOADING, "waiting for a queue script"),
    "QS_EXECUTING": (S.DOWNLOADING, "running a queue script"),
}

HISTORY_STATES: dict[str, tuple[DownloadStatus, str]] = {
    "SUCCESS/ALL": (S.COMPLETED, ""),
    "SUCCESS/UNPACK": (S.COMPLETED, ""),
    "SUCCESS/PAR": (S.COMPLETED, ""),
    "SUCCESS/HEALTH": (S.COMPLETED, ""),
    "SUCCESS/GOOD": (S.COMPLETED, "marked good in NZBGet"),
    "SUCCESS/MARK": (S.COMPLETED, "marked successful in NZBGet"),
    "SUCCESS/HIDDEN": (S.COMPLETED, ""),
    "WARNING/DAMAGED": (S.WARNING, "damaged: needs a par2 repair (NZBGet's ParCheck is manual)"),
    "WARNING/REPAIRABLE": (S.WARNING, "damaged but repairable: NZBGet did not repair it"),
    "WARNING/HEALTH": (S.WARNING, "some articles are missing and no par2 check was done"),
    "WARNING/SPACE": (S.WARNING, "unpacking failed: not enough disk space"),
    "WARNING/PASSWORD": (S.FAILED, "unpacking failed: the archive is password protected"),
    "WARNING/SCRIPT": (S.WARNING, "a post-processing script failed"),
    "WARNING/SKIPPED": (S.WARNING, "NZBGet skipped the NZB fetched from the URL"),
    "FAILURE/BAD": (S.FAILED, "marked bad in NZBGet"),
    "FAILURE/HEALTH": (S.FAILED, "too many articles are missing"),
    "FAILURE/SCAN": (S.FAILED, "NZBGet could not read the NZB"),
    "FAILURE/PAR": (S.FAILED, "par2 repair failed"),
    "FAILURE/UNPACK": (S.FAILED, "unpacking failed"),
    "FAILURE/MOVE": (S.WARNING, "moving the files failed; check disk space and permissions"),
    "FAILURE/FETCH": (S.FAILED, "NZBGet could not fetch the NZB from its URL"),
    "FAILURE/INTERNAL_ERROR": (S.FAILED, "NZBGet reports an internal error"),
    "FAILURE/HIDDEN": (S.FAILED, ""),
    "DELETED/MANUAL": (S.WARNING, "deleted in NZBGet"),
    "DELETED/DUPE": (S.FAILED, "deleted by NZBGet's duplicate check"),
    "DELETED/COPY": (S.FAILED, "deleted: an exact copy of another NZBGet download"),
    "DELETED/GOOD": (S.WARNING, "deleted: a duplicate of it was marked good"),
}

# Unknown reasons of a known kind (a newer NZBGet) keep the kind's meaning.
_KIND_FALLBACK = {
    "SUCCESS": S.COMPLETED,
    "WARNING": S.WARNING,
    "FAILURE": S.FAILED,
    "DELETED": S.WARNING,
}


def map_queue_status(status: str) -> tuple[DownloadStatus, str]:
    return QUEUE_STATES.get(status, (S.UNKNOWN, f"unknown state {status}"))


def map_history_status(status: str) -> tuple[DownloadStatus, str]:
    if status in HISTORY_STATES:
        return HISTORY_STATES[status]
    kind = status.split("/", 1)[0]
    if kind in _KIND_FALLBACK and "/" in status:
        return _KIND_FALLBACK[kind], f"NZBGet reports {status}"
    return S.UNKNOWN, f"unknown state {status}"


def is_listed(entry: dict) -> bool:
    """History entries idkarr shows: not the ones the user deleted in NZBGet (Sonarr's rule)."""
    return entry.get("Status") != "DELETED/MANUAL" and entry.get("Kind") != "DUP"


def _time(value) -> datetime | None:
    value = int(value or 0)
    return datetime.fromtimestamp(value, UTC) if value > 0 else None


def _health(entry: dict) -> str:
    health, critical = int(entry.get("Health", 1000)), int(entry.get("CriticalHealth", 1000))
    if health >= 1000:
        return ""
    return f"health {health / 10:.1f}% (critical {critical / 10:.1f}%)"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def to_queue_item(
    group: dict, *, download_paused: bool = False, speed: int = 0, eta: int | None = None
) -> DownloadItem:
    """Map one ``listgroups`` entry. ``download_paused``: NZBGet's whole queue is paused."""
    try:
        raw = str(group.get("Status", ""))
        status, message = map_queue_status(raw)
        if download_paused and raw in ("QUEUED", "DOWNLOADING"):  # post-processing goes on
            status, message = S.PAUSED, PAUSED_GLOBALLY
        size = max(join64(group, "FileSize"), 0)
        remaining = max(join64(group, "RemainingSize"), 0)
        paused = max(join64(group, "PausedSize"), 0)
        if status == S.PAUSED:
            total, left = size, remaining
        else:  # paused extra par2 files are only fetched when a repair needs them
            total, left = max(size - paused, 0), max(remaining - paused, 0)
        if total > 0:
            progress = min(max(1.0 - left / total, 0.0), 1.0)
        else:
            progress = 1.0 if raw not in ("QUEUED", "PAUSED", "DOWNLOADING", "FETCHING") else 0.0
        return DownloadItem(
            id=str(int(group["NZBID"])),
            title=str(group.get("NZBName") or ""),
            status=status,
            progress=progress,
            size=size,
            size_left=left,
            download_speed=speed,
            eta=eta,
            category=str(group.get("Category") or ""),
            save_path=str(group.get("DestDir") or ""),
            message=_join(message, _health(group)),
            raw_state=raw,
        )
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(_bad_entry("queue", group)) from None


def to_history_item(entry: dict) -> DownloadItem:
    """Map one ``history`` entry; the output path is FinalDir (set by scripts) or DestDir."""
    try:
        raw = str(entry.get("Status", ""))
        status, message = map_history_status(raw)
        size = max(join64(entry, "FileSize"), 0)
        if status == S.FAILED:
            total = int(entry.get("TotalArticles") or 0)
            progress = int(entry.get("SuccessArticles") or 0) / total if total else 0.0
        else:
            progress = 1.0
        dest_dir = str(entry.get("DestDir") or "")
        return DownloadItem(
            id=str(int(entry["NZBID"])),
            title=str(entry.get("Name") or entry.get("NZBName") or ""),
            status=status,
            progress=min(max(progress, 0.0), 1.0),
            size=size,
            size_left=0,
            category=str(entry.get("Category") or ""),
            save_path=dest_dir,
            output_path=str(entry.get("FinalDir") or "") or dest_dir,
            completed_on=_time(entry.get("HistoryTime")),
            message=_join(message, _health(entry) if status != S.COMPLETED else ""),
            raw_state=raw,
        )
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(_bad_entry("history", entry)) from None


def _bad_entry(where: str, entry: object) -> str:
    nzb_id = entry.get("NZBID") if isinstance(entry, dict) else None
    return f"NZBGet sent {where} entry {str(nzb_id)[:20]!r} with a missing field or one of an unexpected type"


def nzbget_deletes_files(entry: dict) -> bool:
    """Whether NZBGet's HistoryDelete removes the entry's folder (HistoryCoordinator, v21):
    always for failed and deleted downloads, never for finished ones."""
    return (
        entry.get("DeleteStatus", "NONE") != "NONE"
        or entry.get("ParStatus") == "FAILURE"
        or entry.get("UnpackStatus") in ("FAILURE", "PASSWORD")
    )


def category_names(config: dict[str, str]) -> list[str]:
    """``Category1.Name`` … of a ``config`` answer, in order (NZBGet numbers them without gaps)."""
    names = []
    n = 1
    while f"Category{n}.Name" in config:
        name = config[f"Category{n}.Name"].strip()
        if name:
            names.append(name)
        n += 1
    return names
