"""rTorrent ``d.multicall2`` rows → ``DownloadItem``, following Sonarr's semantics.

rTorrent has no single state field; the state is derived from its flags
(verified on rTorrent 0.9.8): ``d.state`` (started 1 / stopped 0), ``d.is_open``,
``d.is_active`` (really transferring; 0 after ``d.pause``), ``d.complete``,
``d.is_hash_checking`` / ``d.hashing`` and ``d.message``. Tracker complaints
(``Tracker: […]``) are only information; any other message on an inactive
download (a failed hash check after files went missing, a storage error) is a
WARNING, never FAILED, so failed-download handling never deletes something the
user can fix in rTorrent. A finished download that is seeding is SEEDING; a
finished one that is stopped or paused is COMPLETED.
"""

from __future__ import annotations

import posixpath
import time
from datetime import UTC, datetime
from urllib.parse import unquote

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError

S = DownloadStatus

# What get_downloads asks d.multicall2 for, in row order, with the type each must have.
FIELDS: tuple[tuple[str, type], ...] = (
    ("hash", str),
    ("name", str),
    ("state", int),
    ("is_open", int),
    ("is_active", int),
    ("complete", int),
    ("is_hash_checking", int),
    ("hashing", int),
    ("is_meta", int),
    ("size_bytes", int),
    ("completed_bytes", int),
    ("left_bytes", int),
    ("down.rate", int),
    ("up.rate", int),
    ("ratio", int),
    ("custom1", str),
    ("directory", str),
    ("base_path", str),
    ("is_multi_file", int),
    ("message", str),
    ("load_date", int),
    ("timestamp.finished", int),
    ("peers_connected", int),
    ("peers_complete", int),
)
FIELD_NAMES = tuple(name for name, _ in FIELDS)
_FIELD_TYPES = tuple(kind for _, kind in FIELDS)

HASH_CHECK_FAILED = "Download registered as completed, but hash check returned unfinished chunks."

# raw state → (status, message); raw states are derived by ``derive_state``.
STATES: dict[str, tuple[DownloadStatus, str]] = {
    "checking": (S.CHECKING, "checking files"),
    "check_queued": (S.CHECKING, "waiting to check files"),
    "seeding": (S.SEEDING, ""),
    "downloading": (S.DOWNLOADING, ""),
    "metadata": (S.DOWNLOADING, "downloading metadata"),
    "paused": (S.PAUSED, "paused"),
    "paused_complete": (S.COMPLETED, ""),
    "stopped": (S.PAUSED, "stopped"),
    "stopped_complete": (S.COMPLETED, ""),
    "missing_files": (S.WARNING, "files missing or changed on disk: rTorrent's hash check failed"),
    "error": (S.WARNING, "rTorrent reports: {message}"),
    "relative_path": (
        S.WARNING,
        "rTorrent saves this download under a relative path ({directory}); set an absolute "
        "directory in idkarr or directory.default in rtorrent.rc",
    ),
}


def is_tracker_message(message: str) -> bool:
    return message.startswith("Tracker: [") or message == "Tried all trackers."


def derive_state(row: dict) -> str:
    """The raw state name for a row's flags (a key of STATES, or ``unknown:…``)."""
    state, is_open, active = row["state"], row["is_open"], row["is_active"]
    complete, checking = row["complete"], row["is_hash_checking"]
    if (
        state not in (0, 1)
        or is_open not in (0, 1)
        or active not in (0, 1)
        or complete not in (0, 1)
        or checking not in (0, 1)
        or (active and not is_open)
    ):
        names = ("state", "is_open", "is_active", "complete", "checking")
        flags = zip(names, (state, is_open, active, complete, checking), strict=True)
        return "unknown:" + ",".join(f"{k}={v}" for k, v in flags)
    directory, message = row["directory"], row["message"]
    if directory and not directory.startswith(("/", "~")):
        return "relative_path"
    if checking:
        return "checking"
    if row["hashing"]:
        return "check_queued"
    if active:
        if complete:
            return "seeding"
        return "metadata" if row["is_meta"] else "downloading"
    if message and not is_tracker_message(message):
        return "missing_files" if message == HASH_CHECK_FAILED else "error"
    done = "_complete" if complete else ""
    if state == 1 and is_open:
        return "paused" + done  # started but inactive: d.pause
    return "stopped" + done


def to_row(values: list[object]) -> dict:
    """Name a d.multicall2 row and check every field's type."""
    if len(values) != len(FIELDS):
        raise ProtocolError(
            f"rTorrent sent a download with {len(values)} fields instead of {len(FIELDS)}"
        )
    if tuple(map(type, values)) == _FIELD_TYPES:  # the usual row: every type exactly right
        return dict(zip(FIELD_NAMES, values, strict=True))
    row = {}
    for (name, kind), value in zip(FIELDS, values, strict=True):
        if kind is int and isinstance(value, bool):
            value = int(value)
        if not isinstance(value, kind):
            raise ProtocolError(
                f"rTorrent sent d.{name} of an unexpected type ({type(value).__name__})"
            )
        row[name] = value
    return row


def content_path(row: dict) -> str:
    """The file (single-file) or folder (multi-file) of a download. rTorrent empties
    d.base_path for closed downloads, so it is rebuilt from d.directory then."""
    if row["base_path"]:
        return row["base_path"]
    if row["is_multi_file"] or not row["directory"]:
        return row["directory"]
    return posixpath.join(row["directory"], row["name"])


def to_item(row: dict, now: float | None = None) -> DownloadItem:
    raw = derive_state(row)
    if raw.startswith("unknown:"):
        status, message = S.UNKNOWN, f"unknown rTorrent state ({raw[8:]})"
    else:
        status, template = STATES[raw]
        message = template.format(message=row["message"], directory=row["directory"])
    if not message and row["message"] and status not in (S.SEEDING, S.COMPLETED):
        message = row["message"]  # e.g. "Tracker: [Couldn't connect to server]"
    meta = bool(row["is_meta"])
    size = 0 if meta else max(0, row["size_bytes"])
    left = 0 if meta else max(0, row["left_bytes"])
    progress = min(1.0, max(0.0, row["completed_bytes"] / size)) if size else 0.0
    if row["complete"] and not meta:
        progress = 1.0
    rate = row["down.rate"]
    finished = row["timestamp.finished"]
    now = time.time() if now is None else now
    directory = row["directory"]
    return DownloadItem(
        id=row["hash"].lower(),
        title=row["name"],
        status=status,
        progress=progress,
        size=size,
        size_left=left,
        download_speed=max(0, rate),
        upload_speed=max(0, row["up.rate"]),
        eta=left // rate if rate > 0 and left > 0 else None,
        category=unquote(row["custom1"]),  # ruTorrent stores labels URL-encoded
        save_path=posixpath.dirname(directory) if row["is_multi_file"] else directory,
        output_path=content_path(row),
        added_on=_when(row["load_date"]),
        completed_on=_when(finished) if row["complete"] else None,
        ratio=row["ratio"] / 1000,
        # Like Sonarr: time since rTorrent finished the download.
        seeding_time=max(0, int(now - finished)) if row["complete"] and finished > 0 else None,
        seeds=max(0, row["peers_complete"]),
        peers=max(0, row["peers_connected"] - row["peers_complete"]),
        message=message,
        raw_state=raw,
    )


def _when(epoch: int) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch > 0 else None
