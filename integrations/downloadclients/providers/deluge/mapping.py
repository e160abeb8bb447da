"""Deluge torrent status dicts → ``DownloadItem``, following Sonarr's state semantics.

Deluge 2.x reports one of ``Queued``, ``Checking``, ``Downloading``,
``Seeding``, ``Paused``, ``Error``, ``Moving`` and ``Allocating`` (plus, in
theory, a raw libtorrent state name it has no mapping for). Whether the data is
complete comes from ``is_finished`` (which lags a fresh torrent by a poll or
two, so a ``progress`` of 100 % counts too).

No state maps to FAILED: like Sonarr, ``Error`` is a warning, so failed-download
handling never deletes a torrent the user can still fix in Deluge.
"""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError

S = DownloadStatus

# What get_downloads asks core.get_torrents_status for ("label" comes from the Label plugin).
KEYS = [
    "name",
    "state",
    "message",
    "progress",
    "is_finished",
    "total_size",
    "total_wanted",
    "total_done",
    "download_payload_rate",
    "upload_payload_rate",
    "eta",
    "ratio",
    "save_path",
    "time_added",
    "completed_time",
    "seeding_time",
    "num_seeds",
    "num_peers",
    "queue",
    "label",
]

# state → (status while incomplete, status once finished, message).
STATES: dict[str, tuple[DownloadStatus, DownloadStatus, str]] = {
    "Queued": (S.QUEUED, S.SEEDING, "queued"),
    "Checking": (S.CHECKING, S.CHECKING, "checking files"),
    "Downloading": (S.DOWNLOADING, S.DOWNLOADING, ""),
    "Seeding": (S.SEEDING, S.SEEDING, ""),
    "Paused": (S.PAUSED, S.COMPLETED, ""),
    "Error": (S.WARNING, S.WARNING, "Deluge reports an error"),
    "Moving": (S.DOWNLOADING, S.DOWNLOADING, "moving files"),
    "Allocating": (S.DOWNLOADING, S.DOWNLOADING, "allocating disk space"),
}


def map_state(
    state: str, finished: bool, *, detail: str = "", has_metadata: bool = True
) -> tuple[DownloadStatus, str]:
    """Status and message for a Deluge ``state``.

    ``detail`` is Deluge's own status message (``"OK"`` unless something is wrong);
    ``has_metadata`` is false for a magnet whose metadata has not arrived yet.
    """
    if state not in STATES:
        return S.UNKNOWN, f"unknown state {state or '(none)'}"
    incomplete, complete, message = STATES[state]
    status = complete if finished else incomplete
    if state == "Queued" and finished:
        message = "queued for seeding"
    elif state == "Downloading" and not has_metadata:
        message = "downloading metadata"
    if detail and detail != "OK":
        message = f"{message}: {detail}" if message else detail
    return status, message


def _int(value, default: int = 0) -> int:
    return default if value is None else int(value)


def _time(value) -> datetime | None:
    value = _int(value)
    if value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)


def output_path(save_path: str, name: str) -> str:
    """Where the content lives: the save path joined with the torrent's name (a file for
    single-file torrents, the top folder otherwise) — what Sonarr imports from."""
    if not save_path:
        return ""
    return posixpath.join(save_path, name) if name else save_path


def to_item(torrent_hash: str, t: dict) -> DownloadItem:
    """Map one ``core.get_torrents_status`` entry. Raises ProtocolError when a field has
    the wrong type."""
    try:
        state = str(t.get("state") or "")
        progress = min(max(float(t.get("progress") or 0.0) / 100.0, 0.0), 1.0)
        finished = bool(t.get("is_finished")) or progress >= 1.0
        total_size = max(_int(t.get("total_size")), 0)
        size = max(_int(t.get("total_wanted")), 0) or total_size
        status, message = map_state(
            state,
            finished,
            detail=str(t.get("message") or ""),
            has_metadata=total_size > 0,
        )
        eta = _int(t.get("eta"))
        ratio = float(t["ratio"]) if t.get("ratio") is not None else None
        name = str(t.get("name") or "")
        save_path = str(t.get("save_path") or "")
        return DownloadItem(
            id=torrent_hash.lower(),
            title=name,
            status=status,
            progress=progress,
            size=size,
            size_left=max(size - _int(t.get("total_done")), 0),
            download_speed=_int(t.get("download_payload_rate")),
            upload_speed=_int(t.get("upload_payload_rate")),
            eta=0 if finished else (eta if eta > 0 else None),
            category=str(t.get("label") or ""),
            save_path=save_path,
            output_path=output_path(save_path, name),
            added_on=_time(t.get("time_added")),
            completed_on=_time(t.get("completed_time")) if finished else None,
            ratio=ratio if ratio is not None and ratio >= 0 else None,
            seeding_time=_int(t["seeding_time"]) if t.get("seeding_time") is not None else None,
            seeds=_int(t.get("num_seeds")),
            peers=_int(t.get("num_peers")),
            message=message,
            raw_state=state,
        )
    except (TypeError, ValueError, OverflowError, AttributeError):
        raise ProtocolError(
            f"Deluge sent torrent {torrent_hash[:40]!r} with a field of an unexpected type"
        ) from None
