"""Telegram: one Bot API message per event, optionally a poster photo first.

Speaks the Telegram Bot API (core.telegram.org/bots/api, Bot API 7.x: ``sendMessage``
with ``link_preview_options``, ``sendPhoto``, ``message_thread_id`` for forum topics).
Verified against the API text and real error bodies (notes/notification-services.md §3):
the ``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``
envelope, 401 for a bad token, 400 "chat not found", 403 "bot was blocked", 429 flood
control, the 4,096-character text and 1,024-character caption limits (counted after
entity parsing, so truncation works on the visible text and never cuts a tag), and the
HTML / MarkdownV2 escaping rules. Compared with Sonarr's ``TelegramProxy`` (HTML, link
previews off, thread id). The bot token sits in the URL path: no message ever carries
the request URL, and every error text is scrubbed of the token.
Tested with ``responses`` and a local recording HTTP server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import ConfigDict, Field, SecretStr, field_validator

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    ProtocolError,
    RateLimited,
    ServerError,
)
from integrations.http import excerpt, looks_like_html, parse_retry_after, redact
from integrations.proxies.base import ProxySetting

from ..base import EventMessage, NotificationSettings, Notifier
from ..message import Rendered, render

API_URL = "https://api.telegram.org"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MARKER = "…"

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{35}$")
_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")
_MDV2_SPECIAL = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
# 400 descriptions that mean "the poster could not be used", not "the chat is wrong".
_PHOTO_PROBLEM = re.compile(
    r"HTTP URL|web page content|IMAGE_PROCESS_FAILED|PHOTO_|file identifier|wrong type", re.I
)


def _http_url(value: str) -> str:
    message = "must be an http:// or https:// URL"
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError(message)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ValueError(message) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(message)
    if parts.query or parts.fragment:
        raise ValueError("must not have a query string or fragment")
    return value.rstrip("/")


class TelegramSettings(NotificationSettings, ProxySetting):
    """A bot and the chat it posts to."""

    # A rejected token must not be echoed back in the validation error.
    model_config = ConfigDict(hide_input_in_errors=True)

    bot_token: SecretStr = Field(
        description="Bot token from @BotFather, like 123456789:AAH…(35 characters after the colon)",
    )
    chat_id: str = Field(
        description="Chat to post to: a numeric id (groups and channels are negative, "
        "e.g. -1001234567890) or @channelusername",
    )
    message_thread_id: int | None = Field(
        None, gt=0, description="Forum topic (message thread) id; empty for the main chat"
    )
    parse_mode: Literal["HTML", "MarkdownV2"] = Field(
        "HTML", description="Message formatting: HTML (default) or MarkdownV2"
    )
    send_silently: bool = Field(
        False, description="Send silently: recipients get no sound (disable_notification)"
    )
    send_poster: bool = Field(
        True, description="Send the poster as a photo with the text as its caption, when known"
    )
    api_url: str = Field(
        API_URL,
        description="Bot API base URL; change it only for a self-hosted Bot API server or proxy",
    )
    timeout_seconds: float = Field(
        30.0, gt=0, le=300, description="Seconds to wait for Telegram's answer"
    )

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN.match(value.get_secret_value()):
            raise ValueError(
                "is not a Telegram bot token: expected digits, a colon and 35 letters, "
                "digits, '_' or '-' (as @BotFather shows it)"
            )
        return value

    @field_validator("chat_id", mode="before")
    @classmethod
    def _chat_shape(cls, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not _CHAT.match(value.strip()):
            raise ValueError(
                "must be a numeric chat id (e.g. -1001234567890) or a channel username "
                "like @mychannel"
            )
        return value.strip()

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value)


# -- formatting -------------------------------------------------------------------
@dataclass(frozen=True)
class _Span:
    text: str
    style: str = ""  # "" plain, "b" bold, "a" link
    href: str = ""


_NL = _Span("\n")


def _u16(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji may count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    out, used = [], 0
    for char in text:
        used += _u16(char)
        if used > units:
            break
        out.append(char)
    return "".join(out)


def _lines(rendered: Rendered) -> list[list[_Span]]:
    head = f"{rendered.emoji} " if rendered.emoji else ""
    lines = [[_Span(head), _Span(rendered.title, "b")]]
    lines += [
        [_Span(line)] for line in rendered.text.splitlines() if line and line != rendered.link
    ]
    lines += [[_Span(f"{name}:", "b"), _Span(f" {value}")] for name, value in rendered.fields]
    if rendered.link:
        label = "More information" if rendered.event_type == "health_issue" else "Open idkarr"
        lines.append([_Span(label, "a", rendered.link)])
    return lines


def _join(lines: list[list[_Span]]) -> list[_Span]:
    spans: list[_Span] = []
    for index, line in enumerate(lines):
        if index:
            spans.append(_NL)
        spans += line
    return spans


def _length(spans: list[_Span]) -> int:
    return sum(_u16(span.text) for span in spans)


def fit(spans: list[_Span], limit: int) -> list[_Span]:
    """``spans`` whose visible text is at most ``limit`` units, ending in ``…`` when cut.
    Links are kept whole or dropped; formatting is never cut in half."""
    if _length(spans) <= limit:
        return spans
    budget = limit - _u16(MARKER)
    out: list[_Span] = []
    for span in spans:
        size = _u16(span.text)
        if size <= budget:
            out.append(span)
            budget -= size
            continue
        if span.style != "a" and budget > 0:
            out.append(_Span(_cut(span.text, budget), span.style, span.href))
        break
    while out and out[-1] == _NL:
        out.pop()
    return [*out, _Span(MARKER)]


def _html(text: str, quote_marks: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote_marks else text


def escape_markdown_v2(text: str) -> str:
    """Escape every MarkdownV2 special character (and the backslash) for normal text."""
    return _MDV2_SPECIAL.sub(r"\\\1", text)


def format_spans(spans: list[_Span], parse_mode: str) -> str:
    out = []
    for span in spans:
        if parse_mode == "HTML":
            text = _html(span.text)
            if span.style == "b":
                text = f"<b>{text}</b>"
            elif span.style == "a":
                text = f'<a href="{_html(span.href, True)}">{text}</a>'
        else:
            text = escape_markdown_v2(span.text)
            if span.style == "b":
                text = f"*{text}*"
            elif span.style == "a":
                href = span.href.replace("\\", "\\\\").replace(")", "\\)")
                text = f"[{text}]({href})"
        out.append(text)
    return "".join(out)


# -- the notifier ------------------------------------------------------------------
class Telegram(Notifier):
    kind = "telegram"
    label = "Telegram"
    version = "1.0"
    Settings = TelegramSettings

    settings: TelegramSettings

    def health_url(self) -> str:
        return self.settings.api_url

    def send(self, message: EventMessage) -> dict[str, Any]:
        """Send the event (a photo with caption first when a poster is known).
        Returns ``{"status_code", "response", "message_ids"}``; raises the error tree."""
        rendered = render(message)
        lines = _lines(rendered)
        sent: list[dict[str, Any]] = []
        if rendered.image_url and self.settings.send_poster:
            head, rest = self._split_caption(lines)
            try:
                sent.append(self._call("sendPhoto", self._photo_body(rendered.image_url, head)))
            except ConfigurationError as exc:
                if not _PHOTO_PROBLEM.search(exc.message):
                    raise
                rest = lines  # Telegram could not use the poster: send the whole text instead
            if rest:
                sent.append(self._call("sendMessage", self._text_body(rest)))
        else:
            sent.append(self._call("sendMessage", self._text_body(lines)))
        ids = [result.get("message_id") for result in sent if isinstance(result, dict)]
        return {
            "status_code": 200,
            "response": "Telegram accepted message " + ", ".join(str(i) for i in ids),
            "message_ids": ids,
        }

    # -- request bodies ------------------------------------------------------------
    def _split_caption(self, lines: list[list[_Span]]) -> tuple[list[_Span], list[list[_Span]]]:
        """Whole lines that fit the caption; the rest follows as a message."""
        count = 0
        while count < len(lines) and _length(_join(lines[: count + 1])) <= CAPTION_LIMIT:
            count += 1
        count = max(count, 1)  # an over-long title is cut, not dropped
        return fit(_join(lines[:count]), CAPTION_LIMIT), lines[count:]

    def _common(self) -> dict[str, Any]:
        s = self.settings
        chat: int | str = int(s.chat_id) if s.chat_id.lstrip("-").isdigit() else s.chat_id
        body: dict[str, Any] = {"chat_id": chat}
        if s.message_thread_id is not None:
            body["message_thread_id"] = s.message_thread_id
        body["parse_mode"] = s.parse_mode
        body["disable_notification"] = s.send_silently
        return body

    def _text_body(self, lines: list[list[_Span]]) -> dict[str, Any]:
        text = format_spans(fit(_join(lines), TEXT_LIMIT), self.settings.parse_mode)
        return {**self._common(), "text": text, "link_preview_options": {"is_disabled": True}}

    def _photo_body(self, photo: str, caption: list[_Span]) -> dict[str, Any]:
        caption_text = format_spans(caption, self.settings.parse_mode)
        return {**self._common(), "photo": photo, "caption": caption_text}

    # -- transport and errors ------------------------------------------------------
    def _token_forms(self) -> list[str]:
        token = self.settings.bot_token.get_secret_value()
        return sorted({token, quote(token, safe=""), quote(token)}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for value in self._token_forms():
            text = text.replace(value, "***")
        return text

    def _call(self, method: str, body: dict[str, Any]) -> Any:
        token = self.settings.bot_token.get_secret_value()
        status = None
        try:  # HttpClient's network errors name the URL, which holds the token
            response = self.http.post(
                f"{self.settings.api_url}/bot{token}/{method}", json=body, raise_status=False
            )
            status = response.status_code
            return self._result(method, response)
        except IntegrationError as exc:
            exc.message = self._scrub(exc.message)
            exc.args = (exc.message,)
            if status is not None:
                exc.details.setdefault("status_code", status)
            raise

    def _result(self, method: str, response) -> Any:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("ok"), bool):
            self._raise_garbage(method, response)
        if data["ok"] and 200 <= status < 300:
            return data.get("result")
        description = str(data.get("description") or f"HTTP {status}")
        code = data.get("error_code") if isinstance(data.get("error_code"), int) else status
        params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
        where = f"Telegram {method}"
        if 429 in (code, status):
            retry_after = params.get("retry_after")
            if not isinstance(retry_after, int | float) or isinstance(retry_after, bool):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(f"{where} is rate limited: {description}", retry_after=retry_after)
        if 401 in (code, status):
            raise AuthenticationError(
                f"Telegram rejected the bot token ({description}); copy it again from @BotFather"
            )
        if 404 in (code, status):
            raise AuthenticationError(
                f"Telegram answered {description} (404): the bot token is not valid "
                f"or the Bot API URL {redact(self.settings.api_url)} is wrong"
            )
        if 403 in (code, status):
            raise ConfigurationError(
                f"Telegram refused to post to chat {self.settings.chat_id}: {description}"
            )
        if status >= 500 or code >= 500:
            raise ServerError(f"{where} failed with a server error: {description}")
        if params.get("migrate_to_chat_id"):
            description += f"; set the chat id to {params['migrate_to_chat_id']}"
        raise ConfigurationError(f"{where} rejected the message: {description}")

    def _raise_garbage(self, method: str, response) -> None:
        status = response.status_code
        what = "an answer that is not a Bot API response"
        if looks_like_html(response):
            what = "an HTML page"
        elif not response.text.strip():
            what = "an empty answer"
        body = excerpt(response.text, 120)
        message = (
            f"Telegram {method} at {redact(self.settings.api_url)} returned {what} "
            f"(HTTP {status})" + (f": {body}" if body else "")
        )
        if status == 429:
            raise RateLimited(
                message, retry_after=parse_retry_after(response.headers.get("Retry-After"))
            )
        if status >= 500:
            raise ServerError(message)
        raise ProtocolError(message)
