"""Shared by both Apprise modes: URL lists, masking, loading services, message bodies."""

from __future__ import annotations

import html as html_lib
import logging
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import apprise

from integrations.http import CONNECT_TIMEOUT

from ...base import EventMessage
from ...message import Rendered, truncate

TITLE_LIMIT = 250
BODY_LIMIT = 32_768  # Apprise API refuses payloads over 3 MB (431); services cap far lower
MAX_URLS = 50
_URL_IN_TEXT = re.compile(r"\b([A-Za-z][A-Za-z0-9+.\-]*)://[^\s'\"<>]*")
_PIECES = re.compile(r"[/:@?&=,#;+\s]+")

NOTIFY_TYPES: dict[str, str] = {
    "grab": "info",
    "download": "success",
    "upgrade": "success",
    "rename": "info",
    "series_add": "info",
    "series_delete": "warning",
    "episode_file_delete": "warning",
    "movie_add": "info",
    "movie_delete": "warning",
    "movie_file_delete": "warning",
    "health_issue": "failure",  # "warning" when the check's level is a warning
    "health_restored": "success",
    "app_update": "info",
    "manual_test": "info",
}


def mask_urls(text: str) -> str:
    """Every URL in ``text`` cut to its scheme (and host, for http/https)."""

    def one(match: re.Match) -> str:
        scheme = match.group(1)
        if scheme.lower() in ("http", "https"):
            try:
                parts = urlsplit(match.group(0))
                host = parts.hostname or ""
                port = f":{parts.port}" if parts.port else ""
            except ValueError:
                host = port = ""
            return f"{scheme}://{host}{port}/…" if host else f"{scheme}://…"
        return f"{scheme}://…"

    return _URL_IN_TEXT.sub(one, text)


class _MaskUrls(logging.Filter):
    """Apprise logs the URLs it cannot load, tokens included: mask them in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            return True
        masked = mask_urls(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_apprise_logger = logging.getLogger(apprise.LOGGER_NAME)
if not any(isinstance(f, _MaskUrls) for f in _apprise_logger.filters):
    _apprise_logger.addFilter(_MaskUrls())


def url_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, URL)`` for every non-blank, non-comment line."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((number, line))
    return out


def apprise_asset(timeout: float) -> apprise.AppriseAsset:
    return apprise.AppriseAsset(
        app_id="idkarr",
        app_desc="idkarr notifications",
        storage_mode="memory",  # no persistent files
        plugin_paths=[],  # never load custom plugin code from disk
        service_timeout=timeout + CONNECT_TIMEOUT,
    )


def _has_param(url: str, name: str) -> bool:
    return re.search(rf"[?&]{name}=", url) is not None


def load_service(url: str, timeout: float) -> Any:
    """The Apprise service for ``url`` (None if it cannot be parsed), tuned with our defaults."""
    service = apprise.Apprise.instantiate(url, asset=apprise_asset(timeout))
    if service is None:
        return None
    if not _has_param(url, "overflow"):
        service.overflow_mode = apprise.OverflowMode.TRUNCATE
    if not _has_param(url, "cto"):
        service.socket_connect_timeout = min(CONNECT_TIMEOUT, timeout)
    if not _has_param(url, "rto"):
        service.socket_read_timeout = timeout
    return service


def secret_pieces(url: str) -> set[str]:
    """The parts of ``url`` Apprise treats as secret (absent from its privacy form)."""
    pieces = {p for p in _PIECES.split(url) if len(p) >= 3}
    pieces |= {unquote(p) for p in pieces}
    scheme = url.split("://", 1)[0]
    service = apprise.Apprise.instantiate(url, asset=apprise_asset(1.0))
    if service is None:  # the server may know it; we don't: everything but the scheme
        public = {scheme}
    else:
        private = service.url(privacy=True)
        public = set(_PIECES.split(private)) | {unquote(p) for p in _PIECES.split(private)}
    secret = {p for p in pieces if p not in public}
    return secret | {url, url.split("://", 1)[-1]}


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|(\d+)([.)]))")


def md_escape(text: str) -> str:
    """Escape only what would change meaning, so text-only services (which get Markdown
    as-is from Apprise) are not littered with backslashes before every dot and hyphen."""
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        text,
    )


def notify_type(message: EventMessage) -> str:
    if message.event_type == "health_issue":
        return "warning" if message.payload.get("level") == "warning" else "failure"
    return NOTIFY_TYPES.get(message.event_type, "info")


def build_body(r: Rendered, body_format: str) -> str:
    """Text lines, then the fields the text does not already say, then the link."""
    text = truncate(r.text, BODY_LIMIT // 2)
    lines = [line for line in text.splitlines() if line] or [r.title]  # body is required
    fields = [(n, v) for n, v in r.fields if v not in text]
    link = r.link if r.link and r.link not in text else ""
    if body_format == "html":
        esc = html_lib.escape
        parts = [esc(line) for line in lines]
        parts += [f"<b>{esc(n)}:</b> {esc(v)}" for n, v in fields]
        if link:
            parts.append(f'<a href="{esc(link, quote=True)}">{esc(link)}</a>')
        return "<br>".join(parts)
    if body_format == "markdown":
        parts = [md_escape(line) for line in lines]
        parts += [f"**{md_escape(n)}:** {md_escape(v)}" for n, v in fields]
        if link:
            parts.append(f"<{link}>")
        return "\n\n".join(parts)
    return "\n".join([*lines, *(f"{n}: {v}" for n, v in fields), *([link] if link else [])])
