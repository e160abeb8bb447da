"""Discord: one webhook execution per event, a rich embed in the channel.

API: Discord HTTP API v10 "Execute Webhook" (discord/discord-api-docs ``resources/webhook.mdx``,
``message.mdx``, ``topics/rate-limits.mdx``, ``reference.mdx``). Verified there: ``POST
{webhook_url}?wait=true`` with JSON (``content`` ≤ 2,000, ``username``, ``avatar_url``, ``embeds``,
``allowed_mentions``; ``thread_id`` query) answers 200 with the created message. Embed limits:
title 256, description 4,096, 25 fields, name 256 / value 1,024, footer 2,048, 6,000 in all (we
count UTF-16 units, never fewer than Discord counts). Errors: JSON ``{"message", "code",
"errors"?}``: 400 50035 "Invalid Form Body" with per-path ``_errors``, 401 50027 (bad token),
404 10015 "Unknown Webhook" (deleted: never retry), 429 ``retry_after`` (float s) + ``Retry-After``.
Sender names: 1-80 characters, not "clyde" (webhook docs); "discord" is refused per the username
rules (not re-verified). Any other http(s) URL is accepted for Discord-compatible servers.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from integrations.http import excerpt, looks_like_html, parse_retry_after, redact
from integrations.proxies.base import ProxySetting

from ..base import EventMessage, NotificationSettings, Notifier
from ..message import Rendered, render

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
INLINE_MAX = 40  # values this short sit side by side
ADVICE: dict[int, tuple[type[IntegrationError], str]] = {
    401: (AuthenticationError, "The webhook token is wrong: copy the webhook URL again"),
    403: (AuthenticationError, "The webhook may not post to this channel"),
    404: (NotFoundError, "The webhook was deleted or its URL is wrong: create a new one"),
}

DISCORD_HOSTS = frozenset(
    f"{sub}discord{tld}" for sub in ("", "ptb.", "canary.") for tld in (".com", "app.com")
)
_WEBHOOK_PATH = re.compile(r"^/api(?:/v\d+)?/webhooks/(\d{15,25})/([A-Za-z0-9_\-]{20,200})/?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BLANK = re.compile(r"[\s\x00-\x1f\x7f]")


def units(text: str) -> int:
    """Length in UTF-16 code units (what JavaScript counts; ≥ the code point count)."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, limit: int, marker: str = "…") -> str:
    """``text`` stripped and cut to ``limit`` UTF-16 units, ending in ``marker`` when cut."""
    text = text.strip()
    if units(text) <= limit:
        return text
    out = text[:limit]
    while out and units(out) + units(marker) > limit:
        excess = units(out) + units(marker) - limit
        out = out[: -max(1, excess // 2)]
    return out.rstrip() + marker


def _http_url(value: str) -> str:
    return value if re.match(r"^https?://[^\s/?#]+[^\s]*$", value or "", re.I) else ""


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _form_errors(node: Any, path: list[str]):
    """``path: message`` for every ``_errors`` entry of a 50035 "Invalid Form Body"."""
    if isinstance(node, dict):
        for error in node.get("_errors") or []:
            if isinstance(error, dict):
                yield f"{'.'.join(path)}: {error.get('message', '')}"
        for key, child in node.items():
            if key != "_errors":
                yield from _form_errors(child, [*path, str(key)])


def check_url(value: str) -> str:
    """A Discord webhook URL, or any other http(s) URL (a compatible server)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        parts = None
    scheme = parts.scheme.lower() if parts and parts.hostname else ""
    if scheme not in ("http", "https") or _BLANK.search(value):
        raise ValueError(
            "must be a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>) "
            "or the http(s) URL of a Discord-compatible server"
        )
    if parts.hostname.lower() in DISCORD_HOSTS and (
        scheme != "https" or not _WEBHOOK_PATH.match(parts.path)
    ):
        raise ValueError(
            "is not a complete Discord webhook URL: copy it again from the channel's "
            "Integrations → Webhooks (https://discord.com/api/webhooks/<id>/<token>)"
        )
    return value


class DiscordSettings(NotificationSettings, ProxySetting):
    """Which webhook to post to and how the message looks."""

    webhook_url: SecretStr = Field(
        description="Webhook URL (channel → Integrations → Webhooks → Copy Webhook URL; it holds "
        "the token and is never shown again), or a Discord-compatible server's http(s) URL",
    )
    username: str = Field(
        "", max_length=80, description="Name shown as the sender (empty: the webhook's name)"
    )
    avatar_url: str = Field(
        "", description="http(s) URL of the sender's avatar image (empty: the webhook's avatar)"
    )
    thread_id: str = Field(
        "", description="Post into this thread or forum post (its numeric id); empty: the channel"
    )
    mention: str = Field("", max_length=500, description="Ping: <@&role id>, <@user id>, @here")
    embed: bool = Field(True, description="Send a rich embed; off: plain text (≤ 2,000 characters)")
    include_poster: bool = Field(True, description="Show the series/movie poster as thumbnail")
    verify_tls: bool = Field(True, description="Verify the server's TLS certificate")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: SecretStr) -> SecretStr:
        return SecretStr(check_url(value.get_secret_value().strip()))

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("must not contain control characters or line breaks")
        lowered = value.lower()
        if "discord" in lowered or "clyde" in lowered:
            raise ValueError('Discord refuses sender names containing "discord" or "clyde"')
        return value

    @field_validator("avatar_url")
    @classmethod
    def _avatar_url(cls, value: str) -> str:
        if value and not _http_url(value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("thread_id")
    @classmethod
    def _thread_id(cls, value: str) -> str:
        if value and not value.isdigit():
            raise ValueError("must be the thread's numeric id (Copy Thread ID)")
        return value


def _description(r: Rendered) -> str:
    """The text without lines that only repeat the fields (``Size: 1.4 GB, Client: x``)."""
    values = {value for _, value in r.fields}

    def repeats(line: str) -> bool:
        pairs = [part.split(": ", 1) for part in line.split(", ")]
        return bool(values) and all(len(p) == 2 and p[1] in values for p in pairs)

    return "\n".join(line for line in r.text.splitlines() if line.strip() and not repeats(line))


def _mentions(mention: str) -> dict[str, Any]:
    """``allowed_mentions`` pinging exactly what the mention setting names."""
    everyone = "@everyone" in mention or "@here" in mention
    allowed: dict[str, Any] = {"parse": ["everyone"] if everyone else []}
    for key, pattern in (("roles", r"<@&(\d+)>"), ("users", r"<@!?(\d+)>")):
        if ids := re.findall(pattern, mention):
            allowed[key] = ids[:100]
    return allowed


def build_embed(r: Rendered, message: EventMessage, include_poster: bool) -> dict[str, Any]:
    """One embed inside every limit, the 6,000 total included."""
    title = cut(f"{r.emoji} {r.title}" if r.emoji else r.title, TITLE_LIMIT)
    footer = cut(message.instance_name or "idkarr", FOOTER_LIMIT)
    fields = []
    for name, value in r.fields[:FIELDS_LIMIT]:
        name, value = cut(name, FIELD_NAME_LIMIT), cut(value, FIELD_VALUE_LIMIT)
        if name and value:  # Discord refuses empty names and values
            inline = units(value) <= INLINE_MAX and "\n" not in value
            fields.append({"name": name, "value": value, "inline": inline})
    description = cut(_description(r), DESCRIPTION_LIMIT)

    def others() -> int:
        return units(title) + units(footer) + sum(units(f["name"] + f["value"]) for f in fields)

    # Keep at least some description: drop trailing fields first, then shorten the text.
    while fields and others() + min(units(description), 1024) > EMBED_TOTAL_LIMIT:
        fields.pop()
    description = cut(description, max(0, EMBED_TOTAL_LIMIT - others()))

    created = message.created_at or datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    poster = _http_url(r.image_url) if include_poster else ""
    embed = {
        "title": title,
        "color": r.colour,
        "description": description,
        "url": _http_url(r.link),
        "fields": fields,
        "thumbnail": {"url": poster} if poster else None,
        "footer": {"text": footer},
        "timestamp": created.astimezone(UTC).isoformat(),
    }
    return {key: value for key, value in embed.items() if value}  # Discord refuses empties


def plain_content(r: Rendered) -> str:
    lines = [f"**{r.emoji} {r.title}**" if r.emoji else f"**{r.title}**"]
    lines += _description(r).splitlines()
    lines += [f"{name}: {value}" for name, value in r.fields]
    if _http_url(r.link) and r.link not in r.text:
        lines.append(r.link)
    return "\n".join(lines)


class Discord(Notifier):
    kind = "discord"
    label = "Discord"
    version = "1.0"
    Settings = DiscordSettings

    settings: DiscordSettings

    @property
    def _url(self) -> str:
        return self.settings.webhook_url.get_secret_value()

    def health_url(self) -> str:
        return self.origin(self._url)

    # -- building ----------------------------------------------------------------
    def build(self, message: EventMessage) -> dict[str, Any]:
        """The JSON body of one webhook execution."""
        s = self.settings
        r = render(message)
        body: dict[str, Any] = {}
        if s.embed:
            if s.mention:
                body["content"] = cut(s.mention, CONTENT_LIMIT)
            body["embeds"] = [build_embed(r, message, s.include_poster)]
        else:
            text = f"{s.mention}\n{plain_content(r)}" if s.mention else plain_content(r)
            body["content"] = cut(text, CONTENT_LIMIT)
        body.update({k: getattr(s, k) for k in ("username", "avatar_url") if getattr(s, k)})
        body["allowed_mentions"] = _mentions(s.mention)
        return body

    def request_url(self) -> str:
        parts, thread = urlsplit(self._url), self.settings.thread_id
        drop = {"wait", "thread_id"} if thread else {"wait"}
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
        query += [("thread_id", thread)] if thread else []
        query.append(("wait", "true"))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

    # -- sending -----------------------------------------------------------------
    def send(self, message: EventMessage) -> dict[str, Any]:
        """Execute the webhook. Returns ``{"status_code", "id"?, "response"}``."""
        data = json.dumps(self.build(message), ensure_ascii=False).encode("utf-8")
        try:
            response = self.http.post(
                self.request_url(),
                data=data,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                raise_status=False,
                allow_redirects=False,
            )
        except IntegrationError as exc:  # network errors name the URL: hide the token
            exc.message = self._scrub(exc.message)
            exc.args = (exc.message,)
            raise
        self._raise_for_status(response)
        details: dict[str, Any] = {"status_code": response.status_code}
        text = response.text.strip()
        if text:
            if not isinstance(answer := _json(text), dict):
                raise ProtocolError(
                    self._scrub(
                        f"{self._where()} answered HTTP {response.status_code} with "
                        f"{self._what(response)} instead of Discord's JSON message; "
                        f"is this a Discord webhook URL? {excerpt(text, 120)}"
                    ),
                    details=details,
                )
            if answer.get("id") is not None:
                details["id"] = str(answer["id"])
        details["response"] = self._scrub(excerpt(text))
        return details

    # -- errors ------------------------------------------------------------------
    def _safe_url(self) -> str:
        """The webhook URL without its token (or, for other servers, without its path)."""
        parts = urlsplit(self._url)
        match = _WEBHOOK_PATH.match(parts.path)
        path = f"/api/webhooks/{match.group(1)}/***" if match else "/***"
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{path}"

    def _where(self) -> str:
        return f"Discord webhook {self._safe_url()}"

    def _scrub(self, text: str) -> str:
        url, parts = self._url, urlsplit(self._url)
        for full in (self.request_url(), url):  # HttpClient's messages name redact(url)
            text = text.replace(redact(full), self._safe_url())
        values = [url, url.split("?", 1)[0], self.request_url(), parts.path, parts.query]
        values += [seg for seg in parts.path.split("/") if len(seg) >= 16 and not seg.isdigit()]
        values.append(parts.password or "")
        for value in sorted({v for v in values if len(v) >= 4}, key=len, reverse=True):
            text = text.replace(value, "***")
        return text

    @staticmethod
    def _what(response) -> str:
        return "an HTML page" if looks_like_html(response) else "a non-JSON answer"

    def _detail(self, response) -> tuple[str, dict[str, Any]]:
        """Discord's ``message (code N): path: error…`` and the decoded JSON, if any."""
        data = _json(response.text)
        if not isinstance(data, dict):
            body = excerpt(response.text, 120)
            what = self._what(response)
            return (f"{what} instead of Discord's JSON error" + (f": {body}" if body else ""), {})
        text = str(data.get("message") or "")
        text += f" (code {data['code']})" if data.get("code") else ""
        if problems := list(_form_errors(data.get("errors"), []))[:3]:
            text += ": " + "; ".join(problems)
        return text or excerpt(response.text), data

    def _raise_for_status(self, response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        details: dict[str, Any] = {"status_code": status}
        if 300 <= status < 400:
            raise ConfigurationError(
                f"{self._where()} redirected (HTTP {status}); paste the final webhook URL",
                details=details,
            )
        detail, data = self._detail(response)
        if data.get("code"):
            details["discord_code"] = data["code"]
        message = self._scrub(f"{self._where()} answered HTTP {status}: {detail}")
        if status in ADVICE:
            cls, advice = ADVICE[status]
            raise cls(f"{message}. {advice}", details=details)
        if status == 408:
            raise RequestTimedOut(message, details=details)
        if status == 429:
            in_body = data.get("retry_after")
            waits = [parse_retry_after(response.headers.get("Retry-After"))]
            waits += [max(0.0, float(in_body))] if isinstance(in_body, int | float) else []
            retry_after = max((w for w in waits if w is not None), default=None)
            scope = " (global limit)" if data.get("global") else ""
            raise RateLimited(message + scope, retry_after=retry_after, details=details)
        if status >= 500:
            raise ServerError(message, details=details)
        raise IntegrationError(message, details=details)
