"""aria2 ``tellStatus`` dicts → ``DownloadItem``, and the gid ↔ download-id bookkeeping.

aria2 names every download by a 16-hex *gid*; idkarr's id is the lowercase
infohash whenever aria2 knows one (torrents and magnets), else the gid (plain
HTTP/FTP downloads). One release can own several gids:

* a magnet first runs a ``[METADATA]`` download; once it has the metadata, aria2
  starts the real torrent as a new gid (``followedBy`` on the parent,
  ``following`` on the child, both with the same ``infoHash``);
* a URL to a ``.torrent`` is an HTTP download followed by the torrent;
* adding a torrent aria2 already has creates an ``error`` gid (code 12) with the
  same infohash.

``group_entries`` folds those into one group per id; the parent of a follow-up
is never shown itself. Status semantics follow Sonarr: a finished torrent that is
still seeding is ``seeding``, finished and stopped is ``completed``; errors the
user fixes on the aria2 host (disk full, unwritable directory) are ``warning`` so
failed-download handling does not blocklist a good release.
"""

from __future__ import annotations

import re

from integrations.downloadclients.base import DownloadItem, DownloadStatus
from integrations.errors import ProtocolError
from integrations.http import redact

from .paths import METADATA_PREFIX, category_of, path_module

S = DownloadStatus

KEYS = [
    "gid",
    "status",
    "totalLength",
    "completedLength",
    "uploadLength",
    "downloadSpeed",
    "uploadSpeed",
    "connections",
    "numSeeders",
    "seeder",
    "bittorrent",
    "infoHash",
    "dir",
    "files",
    "errorCode",
    "errorMessage",
    "followedBy",
    "following",
    "belongsTo",
    "verifiedLength",
    "verifyIntegrityPending",
]

LIVE = ("active", "waiting", "paused")  # statuses aria2 can still pause/unpause/remove

# aria2's error codes (aria2c(1), EXIT STATUS) → (status, what it means).
ERROR_CODES: dict[int, tuple[DownloadStatus, str]] = {
    1: (S.FAILED, "unknown error"),
    2: (S.FAILED, "timed out"),
    3: (S.FAILED, "resource not found"),
    4: (S.FAILED, "too many 'resource not found' errors"),
    5: (S.FAILED, "download speed too slow"),
    6: (S.FAILED, "network problem"),
    7: (S.WARNING, "unfinished when aria2 stopped"),
    8: (S.FAILED, "the server does not support resuming"),
    9: (S.WARNING, "not enough disk space"),
    10: (S.FAILED, "piece length differs from the control file"),
    11: (S.WARNING, "aria2 was already downloading the same file"),
    12: (S.WARNING, "aria2 already has a download with this infohash"),
    13: (S.WARNING, "the file already exists"),
    14: (S.WARNING, "renaming the file failed"),
    15: (S.WARNING, "could not open an existing file"),
    16: (S.WARNING, "could not create or truncate a file"),
    17: (S.WARNING, "file I/O error"),
    18: (S.WARNING, "could not create a directory"),
    19: (S.FAILED, "name resolution failed"),
    20: (S.FAILED, "could not parse the Metalink document"),
    21: (S.FAILED, "FTP command failed"),
    22: (S.FAILED, "bad HTTP response header"),
    23: (S.FAILED, "too many redirects"),
    24: (S.FAILED, "HTTP authorization failed"),
    25: (S.FAILED, "could not parse the .torrent (bencode)"),
    26: (S.FAILED, "the .torrent is corrupt or misses information"),
    27: (S.FAILED, "bad magnet link"),
    28: (S.WARNING, "aria2 rejected an option"),
    29: (S.FAILED, "the server is overloaded or in maintenance"),
    30: (S.FAILED, "could not parse the JSON-RPC request"),
    32: (S.FAILED, "checksum validation failed"),
}

TRANSIENT_ERRORS = {1, 2, 5, 6, 19, 29}  # error codes worth retrying (network, overload)
_STATUS_RANK = {"active": 0, "waiting": 1, "paused": 2, "complete": 3, "removed": 4, "error": 5}


def redact_urls(text: str) -> str:
    """aria2's error texts may quote the URL, and indexer URLs carry API keys."""
    return re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://\S+", lambda m: redact(m.group()), text)


def _int(value) -> int:
    return 0 if value in (None, "") else int(value)


def _bool(value) -> bool:
    return str(value).lower() == "true"


def download_id(entry: dict) -> str:
    return str(entry.get("infoHash") or entry.get("gid") or "").lower()


def _followers(entry: dict) -> list[str]:
    return [str(g).lower() for g in entry.get("followedBy") or []]


def group_entries(entries: list[dict]) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Group raw entries by idkarr id. Returns ``(groups, gid → id)``.

    A parent without an infohash (URL → .torrent) takes its follower's id.
    """
    by_gid = {str(e.get("gid", "")).lower(): e for e in entries}
    ids: dict[str, str] = {}

    def resolve(gid: str, depth: int = 0) -> str:
        entry = by_gid[gid]
        if entry.get("infoHash") or depth > 4:
            return download_id(entry)
        for child in _followers(entry):
            if child in by_gid:
                return resolve(child, depth + 1)
        return download_id(entry)

    groups: dict[str, list[dict]] = {}
    for gid in by_gid:
        ids[gid] = resolve(gid)
        groups.setdefault(ids[gid], []).append(by_gid[gid])
    return groups, ids


def visible_entry(group: list[dict]) -> dict | None:
    """The entry that represents a group: never a parent superseded by its follow-up,
    then by status (a live download beats a finished one beats a duplicate error)."""
    shown = [e for e in group if not e.get("followedBy")]
    if not shown:
        return None
    return min(
        shown,
        key=lambda e: (0 if e.get("following") else 1, _STATUS_RANK.get(e.get("status"), 9)),
    )


def map_status(entry: dict) -> tuple[DownloadStatus, str]:
    """Status and message for one aria2 entry."""
    status = str(entry.get("status", ""))
    total, done = _int(entry.get("totalLength")), _int(entry.get("completedLength"))
    finished = total > 0 and done >= total
    is_torrent = isinstance(entry.get("bittorrent"), dict)
    if status == "active":
        if "verifiedLength" in entry:
            return S.CHECKING, "checking files"
        if _bool(entry.get("seeder")):
            return S.SEEDING, ""
        if is_torrent and _is_metadata(entry):
            return S.DOWNLOADING, "downloading metadata"
        if is_torrent and _int(entry.get("connections")) == 0:
            return S.DOWNLOADING, "no connections to peers yet"
        return S.DOWNLOADING, ""
    if status == "waiting":
        if _bool(entry.get("verifyIntegrityPending")):
            return S.CHECKING, "waiting to check files"
        if is_torrent and finished:
            return S.SEEDING, "queued for seeding"
        return S.QUEUED, "queued"
    if status == "paused":
        return (S.COMPLETED, "") if finished else (S.PAUSED, "")
    if status == "complete":
        return S.COMPLETED, ""
    if status == "removed":
        if finished:
            return S.COMPLETED, "removed from aria2 after it finished"
        return S.FAILED, "removed in aria2 before it finished"
    if status == "error":
        return _map_error(entry)
    return S.UNKNOWN, f"unknown aria2 status {status!r}"


def _map_error(entry: dict) -> tuple[DownloadStatus, str]:
    code = _int(entry.get("errorCode"))
    remote = redact_urls(str(entry.get("errorMessage") or "").strip())
    status, meaning = ERROR_CODES.get(code, (S.FAILED, f"aria2 error {code}"))
    message = f"{meaning}: {remote}" if remote and remote != meaning else meaning
    return status, message


def _is_metadata(entry: dict) -> bool:
    files = entry.get("files") or []
    first = str(files[0].get("path", "")) if files and isinstance(files[0], dict) else ""
    return first.startswith(METADATA_PREFIX) or (
        isinstance(entry.get("bittorrent"), dict) and "info" not in entry["bittorrent"]
    )


def title_of(entry: dict) -> str:
    bt = entry.get("bittorrent")
    if isinstance(bt, dict) and isinstance(bt.get("info"), dict) and bt["info"].get("name"):
        return str(bt["info"]["name"])
    files = entry.get("files") or []
    if files and isinstance(files[0], dict):
        path = str(files[0].get("path") or "")
        if path.startswith(METADATA_PREFIX):
            return path[len(METADATA_PREFIX) :]
        if path:
            return path_module(path).basename(path)
        uris = files[0].get("uris") or []
        if uris and isinstance(uris[0], dict):
            return str(uris[0].get("uri", "")).rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    return ""


def output_path_of(entry: dict) -> str:
    """Where the content is: the file of a single-file download, the top folder of a
    multi-file torrent (``dir/name``), else the common path of the files."""
    directory = str(entry.get("dir") or "")
    pm = path_module(directory)
    bt = entry.get("bittorrent")
    if isinstance(bt, dict) and bt.get("mode") == "multi" and isinstance(bt.get("info"), dict):
        name = bt["info"].get("name")
        if name:
            return pm.join(directory, str(name))
    paths = [
        str(f.get("path"))
        for f in entry.get("files") or []
        if isinstance(f, dict) and f.get("path") and not str(f["path"]).startswith(METADATA_PREFIX)
    ]
    if len(paths) == 1:
        return paths[0]
    if paths:
        try:
            return pm.commonpath(paths)
        except ValueError:
            return directory
    return ""


def to_item(entry: dict, base_dir: str = "", item_id: str | None = None) -> DownloadItem:
    """Map one aria2 entry. Raises ProtocolError when a field has the wrong type."""
    gid = str(entry.get("gid", ""))
    try:
        status, message = map_status(entry)
        is_torrent = isinstance(entry.get("bittorrent"), dict)
        # A magnet's metadata download counts the metadata's bytes, not the release's.
        metadata = is_torrent and _is_metadata(entry)
        total = 0 if metadata else max(_int(entry.get("totalLength")), 0)
        done = min(max(_int(entry.get("completedLength")), 0), total) if total else 0
        uploaded = _int(entry.get("uploadLength"))
        speed = 0 if metadata else _int(entry.get("downloadSpeed"))
        left = total - done
        if status in (S.SEEDING, S.COMPLETED) and total:
            left, done = 0, total
        directory = str(entry.get("dir") or "")
        return DownloadItem(
            id=item_id or download_id(entry),
            title=title_of(entry),
            status=status,
            progress=(done / total) if total else 0.0,
            size=total,
            size_left=left,
            download_speed=speed,
            upload_speed=_int(entry.get("uploadSpeed")),
            eta=(left // speed) if speed > 0 and left > 0 else None,
            category=category_of(directory, base_dir),
            save_path=directory,
            output_path=output_path_of(entry),
            ratio=(uploaded / total) if is_torrent and total else None,
            seeds=_int(entry.get("numSeeders")) if is_torrent else None,
            peers=_int(entry.get("connections")),
            message=message,
            raw_state=str(entry.get("status", "")),
        )
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        raise ProtocolError(
            f"aria2 sent download {gid[:16]!r} with a field of an unexpected type"
        ) from None


def stopped_reason(group: list[dict]) -> str:
    statuses = {e.get("status") for e in group}
    if "complete" in statuses:
        return "it has finished, and aria2 cannot restart a finished download"
    if "error" in statuses:
        return "it has failed, and aria2 cannot restart a failed download"
    return "it was removed in aria2"
