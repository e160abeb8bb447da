"""One rendering of an event that every notification service formats its own way.

``render(message)`` builds it once per event: a title and plain text (from
``payloads.summary``), labelled fields, the poster, a link, a colour and an
emoji per event type. ``html()`` and ``markdown()`` give escaped bodies for
services that take those; services with their own dialect (Telegram
MarkdownV2, Slack mrkdwn) escape ``title``/``text``/``fields`` themselves.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import Any

from integrations.errors import IntegrationError

from .base import EventMessage
from .payloads import format_size, summary

COLOURS: dict[str, int] = {  # 0xRRGGBB
    "grab": 0xFFC230,
    "download": 0x27C24C,
    "upgrade": 0x27C24C,
    "rename": 0x7A43B6,
    "series_add": 0x3498DB,
    "series_delete": 0xF05050,
    "episode_file_delete": 0xF05050,
    "movie_add": 0x3498DB,
    "movie_delete": 0xF05050,
    "movie_file_delete": 0xF05050,
    "health_issue": 0xF05050,
    "health_restored": 0x27C24C,
    "app_update": 0x3498DB,
    "manual_test": 0x7A43B6,
}

EMOJI: dict[str, str] = {
    "grab": "📥",
    "download": "✅",
    "upgrade": "⬆️",
    "rename": "✏️",
    "series_add": "📺",
    "series_delete": "🗑️",
    "episode_file_delete": "🗑️",
    "movie_add": "🎬",
    "movie_delete": "🗑️",
    "movie_file_delete": "🗑️",
    "health_issue": "⚠️",
    "health_restored": "💚",
    "app_update": "🆕",
    "manual_test": "🧪",
}


@dataclass
class Rendered:
    event_type: str
    title: str
    text: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    image_url: str = ""
    link: str = ""
    colour: int = 0x7A43B6
    emoji: str = ""

    def unsaid_fields(self) -> list[tuple[str, str]]:
        """The labelled fields whose value the text does not already say."""
        return [(name, value) for name, value in self.fields if value not in self.text]

    @property
    def colour_hex(self) -> str:
        return f"#{self.colour:06x}"

    def html(self) -> str:
        """Escaped HTML: bold title, text lines, then ``name: value`` lines."""
        esc = html_lib.escape
        parts = [f"<b>{esc(self.title)}</b>"]
        parts += [esc(line) for line in self.text.splitlines() if line]
        parts += [f"<b>{esc(name)}:</b> {esc(value)}" for name, value in self.fields]
        if self.link:
            parts.append(f'<a href="{esc(self.link, quote=True)}">{esc(self.link)}</a>')
        return "\n".join(parts)

    def markdown(self) -> str:
        """CommonMark: bold title, text lines, then ``**name:** value`` lines."""
        parts = [f"**{escape_markdown(self.title)}**"]
        parts += [escape_markdown(line) for line in self.text.splitlines() if line]
        parts += [
            f"**{escape_markdown(name)}:** {escape_markdown(value)}" for name, value in self.fields
        ]
        if self.link:
            parts.append(self.link)
        return "\n\n".join(parts)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def escape_markdown(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


_URL_LINE = re.compile(r"^https?://[^\s<>]+$")


def markdown_line(line: str) -> str:
    """One escaped Markdown line; a bare URL becomes an autolink."""
    if _URL_LINE.match(line):
        return f"<{line}>"
    return escape_markdown(line)


def truncate(text: str, limit: int, marker: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``marker`` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))] + marker


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _poster(payload: dict) -> str:
    for key in ("series", "movie"):
        for image in _dict(payload.get(key)).get("images") or []:
            if isinstance(image, dict) and image.get("coverType") == "poster":
                return str(image.get("remoteUrl") or image.get("url") or "")
    return ""


def _fields(message: EventMessage) -> list[tuple[str, str]]:
    p = message.payload
    release = _dict(p.get("release"))
    file = _dict(p.get("episodeFile")) or _dict(p.get("movieFile"))
    quality = release.get("quality") or file.get("quality")
    size = release.get("size") if "size" in release else file.get("size")
    out = [
        ("Quality", quality),
        ("Size", format_size(size) if size is not None else ""),
        ("Indexer", release.get("indexer")),
        ("Release group", release.get("releaseGroup") or file.get("releaseGroup")),
        ("Download client", p.get("downloadClient")),
    ]
    if message.event_type in ("health_issue", "health_restored"):
        out += [("Level", p.get("level")), ("Check", p.get("type"))]
    if message.event_type == "app_update":
        out += [
            ("Previous version", p.get("previousVersion")),
            ("New version", p.get("newVersion")),
        ]
    return [(name, str(value)) for name, value in out if value not in (None, "")]


def render(message: EventMessage) -> Rendered:
    """Raises a permanent IntegrationError for an unknown event type (a retry won't help)."""
    try:
        title, text = summary(message)
    except ValueError as exc:
        raise IntegrationError(str(exc)) from None
    p = message.payload
    link = str(p.get("wikiUrl") or "") if message.event_type == "health_issue" else ""
    return Rendered(
        event_type=message.event_type,
        title=title,
        text=text,
        fields=_fields(message),
        image_url=_poster(p),
        link=link or message.application_url,
        colour=COLOURS.get(message.event_type, 0x7A43B6),
        emoji=EMOJI.get(message.event_type, ""),
    )
