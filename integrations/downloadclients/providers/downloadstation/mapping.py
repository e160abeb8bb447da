"""Download Station task dicts (``SYNO.DownloadStation.Task list``, ``additional=detail,
transfer``) → ``DownloadItem``, following Sonarr's semantics where they exist.

* ``finished`` → completed, ``seeding`` → seeding; a ``paused`` or ``waiting`` task whose
  data is complete is completed too (finished and stopped).
* ``error`` → failed with ``status_extra.error_detail`` as the message, except for the
  details that are a problem of the NAS rather than of the release (disk full, missing
  destination folder, quota, duplicate…): those are warnings, so failed-download handling
  doesn't blocklist a good release the user can fix and resume in Download Station.
"""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError

S = DownloadStatus

# status → (status, message)
STATUSES: dict[str, tuple[DownloadStatus, str]] = {
    "waiting": (S.QUEUED, "waiting"),
    "downloading": (S.DOWNLOADING, ""),
    "paused": (S.PAUSED, ""),
    "finishing": (S.DOWNLOADING, "finishing: moving files to the destination"),
    "finished": (S.COMPLETED, ""),
    "hash_checking": (S.CHECKING, "checking files"),
    "seeding": (S.SEEDING, ""),
    "filehosting_waiting": (S.QUEUED, "waiting for the file hosting service"),
    "extracting": (S.DOWNLOADING, "extracting"),
    "captcha_needed": (
        S.WARNING,
        "the file hosting service wants a captcha; solve it in Download Station",
    ),
    "error": (S.FAILED, "Download Station reports an error"),
}

# error_detail values (DSM spells some two ways across versions) that the user can fix on
# the NAS and resume: not a reason to call the release bad.
WARNING_ERRORS: dict[str, str] = {
    "dest_not_exist": "the destination folder does not exist",
    "destination_not_exist": "the destination folder does not exist",
    "dest_deny": "no permission to write to the destination folder",
    "destination_denied": "no permission to write to the destination folder",
    "disk_full": "the disk is full",
    "quota_reached": "the user's disk quota is reached",
    "timeout": "the connection timed out",
    "exceed_max_fs_size": "a file is larger than the file system allows",
    "exceed_max_temp_fs_size": "a file is larger than the temporary volume allows",
    "exceed_max_temp_file_size": "a file is larger than the temporary volume allows",
    "exceed_max_dest_fs_size": "a file is larger than the destination volume allows",
    "name_too_long": "a file name is too long",
    "encrypted_name_too_long": "a file name is too long for an encrypted folder",
    "extract_disk_full": "extraction failed: the disk is full",
    "extract_failed_disk_full": "extraction failed: the disk is full",
    "extract_quota_reached": "extraction failed: the disk quota is reached",
    "extract_failed_quota_reached": "extraction failed: the disk quota is reached",
    "try_it_later": "Download Station asks to try again later",
    "missing_python": "Python is not installed on the NAS",
    "torrent_duplicate": "the torrent is already in Download Station",
    "duplicate_torrent": "the torrent is already in Download Station",
}
# error_detail values that say the release itself is bad.
FAILED_ERRORS: dict[str, str] = {
    "broken_link": "broken link",
    "torrent_invalid": "the torrent file is not valid",
    "invalid_torrent": "the torrent file is not valid",
    "file_not_exist": "the file does not exist on the server",
    "file_does_not_exist": "the file does not exist on the server",
    "not_supported_type": "unsupported download type",
    "nzb_missing_article": "articles are missing on the news server",
    "parchive_repair_failed": "par2 repair failed",
    "extract_failed": "extraction failed",
    "extract_failed_wrong_password": "extraction failed: wrong archive password",
    "extract_wrong_password": "extraction failed: wrong archive password",
    "extract_failed_invalid_archive": "extraction failed: invalid archive",
    "extract_invalid_archive": "extraction failed: invalid archive",
    "required_premium_account": "the file hoster requires a premium account",
    "required_account": "the file hoster requires an account",
    "private_video": "the video is private",
}
_COMPLETE_WHEN_DONE = {"waiting", "filehosting_waiting", "paused"}


def map_status(status: str, task: dict, complete: bool) -> tuple[DownloadStatus, str]:
    """``(status, message)`` for a task's ``status`` string."""
    if status not in STATUSES:
        return S.UNKNOWN, f"unknown status {status}"
    extra = task.get("status_extra")
    extra = extra if isinstance(extra, dict) else {}
    if status == "error":
        detail = str(extra.get("error_detail") or "")
        if detail in WARNING_ERRORS:
            return S.WARNING, WARNING_ERRORS[detail]
        if detail:
            return S.FAILED, FAILED_ERRORS.get(detail, f"error: {detail}")
        return STATUSES["error"]
    if status == "extracting" and extra.get("unzip_progress") is not None:
        return S.DOWNLOADING, f"extracting {_int(extra['unzip_progress'])}%"
    if status in _COMPLETE_WHEN_DONE and complete:
        return S.COMPLETED, "paused after finishing" if status == "paused" else ""
    return STATUSES[status]


def _int(value, default: int = 0) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise TypeError("boolean where a number was expected")
    return int(value)


def _time(value) -> datetime | None:
    value = _int(value)
    return datetime.fromtimestamp(value, UTC) if value > 0 else None


def _dict(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("object expected")
    return value


def to_item(task: dict, *, category: str = "", output_dir: str = "") -> DownloadItem:
    """Map one task. ``output_dir`` is the destination as a path on the NAS (or the
    shared-folder path when it can't be resolved). Raises ProtocolError on wrong types."""
    task_id = str(task.get("id") or "")
    try:
        additional = _dict(task.get("additional"))
        detail, transfer = _dict(additional.get("detail")), _dict(additional.get("transfer"))
        status_text = str(task.get("status", "unknown"))
        title = str(task.get("title") or "")
        size = max(_int(task.get("size")), 0)
        done = max(_int(transfer.get("size_downloaded")), 0)
        uploaded = max(_int(transfer.get("size_uploaded")), 0)
        left = max(size - done, 0)
        speed = _int(transfer.get("speed_download"))
        status, message = map_status(status_text, task, complete=size > 0 and left == 0)
        if status in (S.COMPLETED, S.SEEDING) and size > 0:
            left = 0
        progress = 1.0 if size and not left else (done / size if size else 0.0)
        destination = str(detail.get("destination") or "")
        seeding_time = detail.get("seedelapsed")
        return DownloadItem(
            id=task_id,
            title=title,
            status=status,
            progress=min(progress, 1.0),
            size=size,
            size_left=left,
            download_speed=speed,
            upload_speed=_int(transfer.get("speed_upload")),
            eta=left // speed if speed > 0 and left else None,
            category=category,
            save_path=destination,
            output_path=f"{output_dir.rstrip('/')}/{title}" if output_dir and title else "",
            added_on=_time(detail.get("create_time")),
            completed_on=_time(detail.get("completed_time")),
            ratio=round(uploaded / done, 4) if done else None,
            seeding_time=_int(seeding_time) if seeding_time is not None else None,
            seeds=_int(detail.get("connected_seeders")),
            peers=_int(detail.get("connected_leechers")),
            message=message,
            raw_state=status_text,
        )
    except (TypeError, ValueError, OverflowError):
        raise ProtocolError(
            f"Download Station sent task {task_id[:40]!r} with a field of an unexpected type"
        ) from None
