"""SABnzbd queue and history slots → ``DownloadItem``, following Sonarr's semantics.

Queue: a job is paused when it is, or when the whole queue is paused and the job
is not force-priority; ``Queued``/``Grabbing``/``Propagating`` are queued, the
rest downloading. An encrypted job (label ``ENCRYPTED``, or the pre-3.0 title
prefix ``ENCRYPTED /``) is failed, as in Sonarr. History: ``Completed`` is
completed, ``Failed`` failed, except the disk-full unpack failure, which is a
warning (freeing space and retrying fixes it); post-processing stages are not
done yet. ``Deleted`` jobs (in both lists for a moment) are left out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError

S = DownloadStatus
MIB = 1024 * 1024
SKIPPED = "Deleted"  # transient: the job is on its way out
DISK_FULL = "unpacking failed, write error or disk is full?"
ENCRYPTED_PREFIX = "ENCRYPTED / "

QUEUE_STATES: dict[str, tuple[DownloadStatus, str]] = {
    "Downloading": (S.DOWNLOADING, ""),
    "Queued": (S.QUEUED, "queued"),
    "Paused": (S.PAUSED, ""),
    "Propagating": (S.QUEUED, "waiting for the post to propagate"),
    "Grabbing": (S.QUEUED, "fetching the NZB"),
    "Fetching": (S.DOWNLOADING, "fetching extra par2 files"),
    "Checking": (S.CHECKING, "checking article availability (pre-check)"),
}

HISTORY_STATES: dict[str, tuple[DownloadStatus, str]] = {
    "Completed": (S.COMPLETED, ""),
    "Failed": (S.FAILED, "download failed"),
    "Queued": (S.DOWNLOADING, "waiting for post-processing"),
    "QuickCheck": (S.CHECKING, "quick-checking the files"),
    "Verifying": (S.CHECKING, "verifying the files (par2)"),
    "Repairing": (S.DOWNLOADING, "repairing (par2)"),
    "Fetching": (S.DOWNLOADING, "fetching extra par2 files"),
    "Extracting": (S.DOWNLOADING, "extracting"),
    "Moving": (S.DOWNLOADING, "moving files"),
    "Running": (S.DOWNLOADING, "running the post-processing script"),
}


def map_queue_state(state: str) -> tuple[DownloadStatus, str]:
    return QUEUE_STATES.get(state, (S.UNKNOWN, f"unknown SABnzbd queue state {state}"))


def map_history_state(state: str) -> tuple[DownloadStatus, str]:
    return HISTORY_STATES.get(state, (S.UNKNOWN, f"unknown SABnzbd history state {state}"))


def parse_timeleft(text: str) -> int | None:
    """``"0:16:44"`` / ``"1:02:03:04"`` (days first) → seconds; ``"0:00:00"`` → None."""
    parts = str(text or "").split(":")
    if len(parts) not in (3, 4) or not all(p.isdigit() for p in parts):
        return None
    values = [int(p) for p in parts]
    days = values.pop(0) if len(values) == 4 else 0
    h, m, s = values
    seconds = ((days * 24 + h) * 60 + m) * 60 + s
    return seconds or None


def category(value) -> str:
    """SABnzbd's default category is ``*``; the queue says ``None`` for it."""
    text = str(value or "")
    return "*" if text in ("", "None") else text


def output_path(storage: str, name: str) -> str:
    """The job folder: ``storage``, or its ancestor named like the job (Sonarr's rule, for
    a ``storage`` that points at a file inside the job folder)."""
    if not storage:
        return ""
    windows = "\\" in storage or re.match(r"^[A-Za-z]:", storage)
    path = PureWindowsPath(storage) if windows else PurePosixPath(storage)
    for parent in path.parents:
        if name and parent.name == name:
            return str(parent)
    return storage


def _time(value) -> datetime | None:
    if value in (None, "", 0):
        return None
    return datetime.fromtimestamp(int(value), UTC)


def queue_item(slot: dict, queue_paused: bool) -> DownloadItem | None:
    """Map one ``mode=queue`` slot; None for a job being deleted. Raises ProtocolError."""
    nzo_id = str(slot.get("nzo_id", ""))
    try:
        state = str(slot.get("status", ""))
        if state == SKIPPED:
            return None
        status, message = map_queue_state(state)
        title = str(slot.get("filename") or "")
        labels = [str(x) for x in slot.get("labels") or []]
        forced = slot.get("priority") == "Force"
        notes = [message] if message else []
        if title.startswith(ENCRYPTED_PREFIX) or "ENCRYPTED" in labels:
            title = title.removeprefix(ENCRYPTED_PREFIX)
            status = S.FAILED
            notes = ["encrypted: the archive needs a password (SABnzbd paused the job)"]
            labels = [x for x in labels if x != "ENCRYPTED"]
        elif queue_paused and not forced and status != S.UNKNOWN:
            status = S.PAUSED
            notes = ["SABnzbd's whole queue is paused"]
        elif forced and status == S.DOWNLOADING:
            notes.append("forced")
        notes += labels  # DUPLICATE, TOO LARGE, PROPAGATING 12 min, WAIT 30 sec…
        size = round(float(slot.get("mb") or 0) * MIB)
        left = max(round(float(slot.get("mbleft") or 0) * MIB), 0)
        if size > 0:
            progress = min(max((size - left) / size, 0.0), 1.0)
        else:
            progress = float(slot.get("percentage") or 0) / 100
        eta = parse_timeleft(slot.get("timeleft", "")) if status == S.DOWNLOADING else None
        return DownloadItem(
            id=nzo_id,
            title=title,
            status=status,
            progress=progress,
            size=size,
            size_left=left,
            eta=eta,
            category=category(slot.get("cat")),
            added_on=_time(slot.get("time_added")),
            message="; ".join(notes),
            raw_state=state,
        )
    except (TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(
            f"SABnzbd sent queue job {nzo_id[:60]!r} with a field of an unexpected type"
        ) from None


def history_item(slot: dict) -> DownloadItem | None:
    """Map one ``mode=history`` slot; None for a deleted job. Raises ProtocolError."""
    nzo_id = str(slot.get("nzo_id", ""))
    try:
        state = str(slot.get("status", ""))
        if state == SKIPPED:
            return None
        status, message = map_history_state(state)
        fail = str(slot.get("fail_message") or "")
        if state == "Failed":
            message = fail or message
            if fail.lower().startswith(DISK_FULL):
                status = S.WARNING
        elif status != S.COMPLETED and slot.get("action_line"):
            message = f"{message} ({slot['action_line']})"
        name = str(slot.get("name") or "")
        size = max(int(slot.get("bytes") or 0), 0)
        done = state in ("Completed", "Failed")
        return DownloadItem(
            id=nzo_id,
            title=name,
            status=status,
            progress=1.0,
            size=size,
            size_left=0,
            category=category(slot.get("category")),
            output_path=output_path(str(slot.get("storage") or ""), name),
            added_on=_time(slot.get("time_added")),
            completed_on=_time(slot.get("completed")) if done else None,
            message=message,
            raw_state=state,
        )
    except (TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(
            f"SABnzbd sent history job {nzo_id[:60]!r} with a field of an unexpected type"
        ) from None
