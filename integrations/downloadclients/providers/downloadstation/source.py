"""What ``add`` sends to Download Station, checked before anything goes out, and how
to recognise the task it creates (DSM 6 answers ``create`` without a task id).

Download Station stores a magnet or URL as the task's ``uri`` and, for an upload, the
file name (Sonarr matches the name without ``.torrent``); a torrent's task title is
the torrent's name.

NZBs are checked by ``integrations.downloadclients.nzb``. Download Station tells an NZB
from a torrent by the ``.nzb`` extension, and nothing documents it reading gzip-packed
NZBs, so a gzip-packed one is unpacked here and uploaded as plain ``<name>.nzb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from integrations.downloadclients.base import AddRequest
from integrations.downloadclients.nzb import NzbError, read_nzb
from integrations.downloadclients.torrent import BencodeError, bdecode, magnet_id, torrent_id
from integrations.errors import ConfigurationError, IntegrationError, ProtocolError

URL_SCHEMES = {"http", "https", "ftp", "ftps"}


@dataclass
class Source:
    """What add() sends, and how to recognise the task it creates."""

    kind: str  # magnet | url | torrent | nzb
    uri: str = ""
    filename: str = ""
    content: bytes | None = None
    task_type: str = ""  # bt / nzb; "" = any
    names: set[str] = field(default_factory=set)  # uri or title values that identify it
    infohash: str = ""

    def matches(self, task: dict) -> bool:
        if self.task_type and str(task.get("type", "")).lower() != self.task_type:
            return False
        additional = task.get("additional")
        detail = additional.get("detail") if isinstance(additional, dict) else None
        uri = str(detail.get("uri") or "") if isinstance(detail, dict) else ""
        if uri in self.names or str(task.get("title") or "") in self.names:
            return True
        if self.infohash and uri.lower().startswith("magnet:"):
            try:
                return magnet_id(uri) == self.infohash
            except IntegrationError:
                return False
        return False


def build_source(request: AddRequest, kind: str) -> Source:
    if kind == "url" and request.url.lower().startswith("magnet:"):
        kind, magnet = "magnet", request.url
    else:
        magnet = request.magnet or ""
    if kind == "magnet":
        try:
            infohash = magnet_id(magnet)
        except ConfigurationError as exc:
            raise ConfigurationError(f"Cannot send the magnet to Download Station: {exc}") from None
        return Source(kind, uri=magnet, task_type="bt", names={magnet}, infohash=infohash)
    if kind == "url":
        if urlsplit(request.url).scheme.lower() not in URL_SCHEMES:
            raise ConfigurationError(
                "Cannot send the URL to Download Station: it must be an http(s) or ftp URL"
            )
        return Source(kind, uri=request.url, names={request.url})
    if kind == "torrent":
        try:
            infohash = torrent_id(request.torrent)
        except ProtocolError as exc:
            label = request.name or "the torrent"
            raise ProtocolError(f"Cannot send {label} to Download Station: {exc}") from None
        filename = _filename(request.name or infohash, ".torrent")
        names = {filename, filename[: -len(".torrent")]}
        title = _torrent_name(request.torrent)
        if title:
            names.add(title)
        return Source(kind, filename=filename, content=request.torrent, task_type="bt", names=names)
    filename = _filename(_without_gz(request.name or "") or "idkarr", ".nzb")
    content = _check_nzb(request.nzb, filename)
    names = {filename, filename[: -len(".nzb")]}
    return Source(kind, filename=filename, content=content, task_type="nzb", names=names)


def clean_folder(value: str) -> str:
    """``/downloads/tv/`` → ``downloads/tv``; ValueError for ``..``, ``.``, ``//`` or ``\\``."""
    value = (value or "").strip().strip("/")
    if value and ("\\" in value or any(p in ("", ".", "..") for p in value.split("/"))):
        raise ValueError(
            "use a shared folder path such as downloads/tv (no backslashes, '.', '..' or '//')"
        )
    return value


def _filename(name: str, extension: str) -> str:
    # Download Station tells torrents from NZBs by the extension.
    base = PurePosixPath(name.replace("\\", "/")).name or "idkarr"
    return base if base.lower().endswith(extension) else base + extension


def _without_gz(name: str) -> str:
    return name[: -len(".gz")] if name.lower().endswith(".nzb.gz") else name


def _torrent_name(data: bytes) -> str:
    try:
        meta = bdecode(data)
        name = meta[b"info"].get(b"name.utf-8") or meta[b"info"][b"name"]
        return name.decode("utf-8", "replace")
    except (BencodeError, KeyError, TypeError, AttributeError):
        return ""


def _check_nzb(data: bytes, filename: str) -> bytes:
    """The plain NZB to upload; ProtocolError saying why ``data`` is not one."""
    try:
        return read_nzb(data, allow_gzip=True).xml
    except NzbError as exc:
        raise ProtocolError(
            f"Cannot send {filename} to Download Station: not a valid NZB ({exc.reason})"
        ) from None
