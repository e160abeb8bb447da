"""Transmission ``torrent-get`` dicts → ``DownloadItem``, following Sonarr's semantics.

RPC 14+ status values; shapes as transmission-daemon 3.00 (RPC 16) sends them.

Transmission's ``status`` (RPC 14+) is one of seven activities; whether a torrent
is done comes from ``leftUntilDone``/``percentDone`` and ``isFinished`` (seeding
limit reached), and problems from ``error``: 1 tracker warning, 2 tracker error,
3 local error. A tracker *warning* leaves the status alone (the torrent still
works) and only adds a message; a tracker error or a local error is a WARNING,
never FAILED, so failed-download handling won't delete a torrent the user can
still fix in Transmission (as Sonarr does).

Categories are download directories: a torrent in ``<base>/<name>[/…]`` has
category ``<name>``; one directly in ``<base>`` or elsewhere has none.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ConfigurationError, ProtocolError

S = DownloadStatus

# status (RPC 14+) → Transmission's own name, used as raw_state.
STATUS_NAMES = {
    0: "stopped",
    1: "check-wait",
    2: "check",
    3: "download-wait",
    4: "download",
    5: "seed-wait",
    6: "seed",
}
TRACKER_WARNING, TRACKER_ERROR, LOCAL_ERROR = 1, 2, 3
MISSING_DATA = "No data found"  # libtransmission's text for deleted/unmounted data

# The torrent-get fields to_item reads (labels only exist from RPC 16 on).
FIELDS = [
    "hashString",
    "name",
    "status",
    "error",
    "errorString",
    "percentDone",
    "totalSize",
    "sizeWhenDone",
    "leftUntilDone",
    "rateDownload",
    "rateUpload",
    "eta",
    "downloadDir",
    "addedDate",
    "doneDate",
    "uploadRatio",
    "secondsSeeding",
    "peersSendingToUs",
    "peersGettingFromUs",
    "isFinished",
    "isStalled",
    "metadataPercentComplete",
]
LABEL_FIELDS = ["labels"]


def has_metadata(t: dict) -> bool:
    """False for a magnet whose metadata (file list, size) has not arrived yet."""
    meta = t.get("metadataPercentComplete")
    if meta is not None:
        return float(meta) >= 1.0
    return int(t.get("totalSize") or 0) > 0


def is_complete(t: dict) -> bool:
    """Everything wanted is on disk."""
    return has_metadata(t) and int(t.get("leftUntilDone") or 0) == 0


def map_status(t: dict) -> tuple[DownloadStatus, str]:
    """Status and message of one torrent (error first, then its activity)."""
    error = int(t.get("error") or 0)
    error_text = " ".join(str(t.get("errorString") or "").split())
    if error == LOCAL_ERROR:
        if MISSING_DATA.lower() in error_text.lower():
            return S.WARNING, f"missing files: {error_text}"
        return S.WARNING, f"Transmission error: {error_text or 'unknown local error'}"
    if error == TRACKER_ERROR:
        return S.WARNING, f"tracker error: {error_text or 'unknown'}"

    status, message = _activity(t)
    if error == TRACKER_WARNING and error_text:
        warning = f"tracker warning: {error_text}"
        message = f"{message}; {warning}" if message else warning
    return status, message


def _activity(t: dict) -> tuple[DownloadStatus, str]:
    code = t.get("status")
    if code == 0:
        if is_complete(t):
            return S.COMPLETED, "seeding limit reached" if t.get("isFinished") else ""
        return S.PAUSED, "" if has_metadata(t) else "paused before its metadata arrived"
    if code == 1:
        return S.CHECKING, "queued for verification"
    if code == 2:
        return S.CHECKING, "verifying local data"
    if code == 3:
        return S.QUEUED, "queued for download"
    if code == 4:
        if t.get("isStalled"):
            what = "downloading" if has_metadata(t) else "fetching metadata"
            return S.WARNING, f"stalled: no data received for a while ({what})"
        if not has_metadata(t):
            return S.DOWNLOADING, "downloading metadata"
        return S.DOWNLOADING, ""
    if code == 5:
        return S.SEEDING, "queued for seeding"
    if code == 6:
        return S.SEEDING, ""
    return S.UNKNOWN, f"unknown Transmission status {code!r}"


# -- paths -------------------------------------------------------------------------------------
_WINDOWS = re.compile(r"^([A-Za-z]:[\\/]|\\\\)")


def host_path(path: str) -> PurePath:
    """A path on the Transmission host, Windows-style when it looks like one."""
    return PureWindowsPath(path) if _WINDOWS.match(path) else PurePosixPath(path)


def category_dir(base_dir: str, category: str) -> str:
    """``<base_dir>/<category>`` in the host's path style (the base itself for no category)."""
    base = host_path(base_dir)
    return str(base / category) if category else str(base)


@lru_cache(maxsize=1024)  # a queue has a handful of distinct directories
def category_of(download_dir: str, base_dir: str) -> str:
    """The category of a torrent stored in ``download_dir``: the first directory below
    ``base_dir``, or "" when it is the base itself or outside it."""
    if not download_dir or not base_dir:
        return ""
    base, where = host_path(base_dir), host_path(download_dir)
    if type(base) is not type(where) or where == base or not where.is_relative_to(base):
        return ""
    return where.relative_to(base).parts[0]


@lru_cache(maxsize=1024)
def _directory(download_dir: str) -> tuple[str, str]:
    """``download_dir`` as pathlib spells it on its host, and that host's separator."""
    path = host_path(download_dir)
    return str(path), "\\" if isinstance(path, PureWindowsPath) else "/"


def content_path(download_dir: str, name: str) -> str:
    """``str(host_path(download_dir) / name)``; a plain file or folder name (the usual
    case) is appended to the cached directory string instead of going through pathlib."""
    base, sep = _directory(download_dir)
    if (
        base == "."
        or name in ("", ".")
        or "/" in name
        or (sep == "\\" and ("\\" in name or ":" in name))
    ):
        return str(host_path(download_dir) / name)
    return base + name if base.endswith(sep) else base + sep + name


_BAD_CATEGORY = re.compile(r"[/\\\x00-\x1f]")


def check_category(name: str) -> None:
    """A category is one directory name below the download directory."""
    if (
        name in (".", "..")
        or _BAD_CATEGORY.search(name)
        or name != name.strip()
        or len(name.encode()) > 255
    ):
        raise ConfigurationError(
            f"{name!r} is not a valid Transmission category: it becomes a directory name, so "
            "it can't contain / or \\ or control characters, be . or .., or start or end "
            "with a space"
        )


# -- items -------------------------------------------------------------------------------------
def _time(value) -> datetime | None:
    value = int(value or 0)
    return datetime.fromtimestamp(value, UTC) if value > 0 else None


def _eta(value) -> int | None:
    value = int(value if value is not None else -1)
    return value if value >= 0 else None  # -1 not available, -2 unknown


def _ratio(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if value >= 0 else None  # -1 not available, -2 infinite


def to_item(t: dict, base_dir: str = "") -> DownloadItem:
    """Map one torrent-get dict. Raises ProtocolError when a field has the wrong type."""
    torrent_hash = str(t.get("hashString") or "")
    try:
        status, message = map_status(t)
        code = t.get("status")
        download_dir = str(t.get("downloadDir") or "")
        name = str(t.get("name") or "")
        category = category_of(download_dir, base_dir)
        labels = t.get("labels") or []
        if not isinstance(labels, list):
            raise TypeError("labels")
        labels = [str(label) for label in labels]
        size = int(t.get("sizeWhenDone") or 0) or int(t.get("totalSize") or 0)
        output = content_path(download_dir, name) if download_dir and name else ""
        seconds_seeding = t.get("secondsSeeding")
        return DownloadItem(
            id=torrent_hash.lower(),
            title=name,
            status=status,
            progress=float(t.get("percentDone") or 0.0),
            size=max(size, 0),
            size_left=max(int(t.get("leftUntilDone") or 0), 0),
            download_speed=int(t.get("rateDownload") or 0),
            upload_speed=int(t.get("rateUpload") or 0),
            eta=_eta(t.get("eta")),
            category=category,
            save_path=download_dir,
            output_path=output if has_metadata(t) else "",
            added_on=_time(t.get("addedDate")),
            completed_on=_time(t.get("doneDate")),
            ratio=_ratio(t.get("uploadRatio")),
            seeding_time=int(seconds_seeding) if seconds_seeding is not None else None,
            seeds=int(t.get("peersSendingToUs") or 0),
            peers=int(t.get("peersGettingFromUs") or 0),
            message=message,
            tags=[label for label in labels if label != category],
            raw_state=STATUS_NAMES.get(code, str(code)) if isinstance(code, int) else str(code),
        )
    except (TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(
            f"Transmission sent torrent {torrent_hash[:40]!r} with a field of an unexpected type"
        ) from None
