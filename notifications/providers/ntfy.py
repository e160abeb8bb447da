"""ntfy: one JSON publish per event to ntfy.sh or a self-hosted ntfy server.

API: ntfy publish API, JSON form (binwiederhier/ntfy ``docs/publish.md`` "Publish as JSON",
``server/errors.go``, ``server/types.go``, ``server/config.go``, ``user/manager.go``).
Verified there: JSON must be POSTed to the server *root* with ``topic`` in the body, plus
``title``, ``message``, ``tags`` (emoji shortcodes render before the title), ``priority``
(1 min … 5 max/urgent), ``click``, ``attach`` (external URL), ``icon`` and ``markdown``;
success is HTTP 200 with the message (``id``, ``event: "message"``); errors are
``{"code": 40101, "http": 401, "error": "unauthorized", "link"?}``; 429 codes 42901 (request
bucket of 60, refilled one per 5 s), 42908 (daily quota), 42909 (auth failures), without a
``Retry-After`` header (we honour one if a proxy adds it, else wait 5 s for 42901).
Auth: ``Authorization: Bearer tk_…`` (access tokens are ``tk_`` + 29) or Basic.
Topics match ``[-_A-Za-z0-9]{1,64}``; docs, static, file, app, metrics, account, settings,
signup, login and v1 are reserved (40010). Messages over 4,096 bytes become attachments, so we
truncate the message to 4,096 UTF-8 bytes (and titles, undocumented, to 256 characters).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

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
from ..message import Rendered, escape_markdown, markdown_line, render, truncate
from .gotify import check_http_url

MESSAGE_BYTES = 4096
TITLE_LIMIT = 256
REQUEST_REFILL_SECONDS = 5.0
_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
_RESERVED_TOPICS = frozenset(
    "docs static file app metrics account settings signup login v1".split()
)
_ACCESS_TOKEN = re.compile(r"^tk_[A-Za-z0-9]{20,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PRIORITY_NAMES = {"min": 1, "low": 2, "default": 3, "high": 4, "max": 5, "urgent": 5}

# Per event: the ntfy emoji shortcode tag (shown before the title) and default priority.
EVENT_TAGS: dict[str, str] = {
    "grab": "inbox_tray",
    "download": "white_check_mark",
    "upgrade": "arrow_up",
    "rename": "pencil2",
    "series_add": "tv",
    "series_delete": "wastebasket",
    "episode_file_delete": "wastebasket",
    "movie_add": "clapper",
    "movie_delete": "wastebasket",
    "movie_file_delete": "wastebasket",
    "health_issue": "warning",
    "health_restored": "green_heart",
    "app_update": "new",
    "manual_test": "test_tube",
}
EVENT_PRIORITIES: dict[str, int] = {"health_issue": 4, "rename": 2}
DEFAULT_PRIORITY = 3


def truncate_bytes(text: str, limit: int, marker: str = "…") -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (never inside a character)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    budget = max(0, limit - len(marker.encode("utf-8")))
    return data[:budget].decode("utf-8", "ignore") + marker


class NtfySettings(NotificationSettings, ProxySetting):
    """Which ntfy server and topic, how to authenticate and how messages look."""

    server_url: str = Field(
        "https://ntfy.sh",
        description="ntfy server address: https://ntfy.sh or your own server",
    )
    topic: str = Field(description="Topic to publish to (letters, digits, - and _; up to 64)")
    auth_type: Literal["none", "token", "basic"] = Field(
        "none",
        description="none; token (an access token tk_…, sent as Bearer); "
        "basic (username and password)",
    )
    access_token: SecretStr | None = Field(None, description="Access token (tk_…) for token auth")
    username: str = Field("", description="User name for basic auth")
    password: SecretStr | None = Field(None, description="Password for basic auth")
    priority: int | None = Field(
        None,
        ge=1,
        le=5,
        description="Priority of every message: 1 min, 2 low, 3 default, 4 high, 5 urgent "
        "(names accepted). Empty: per event (health issues high, renames low, others default)",
    )
    tags: list[str] = Field(
        default_factory=list,
        description="Extra tags added to every message (comma-separated), after the event's emoji",
    )
    markdown: bool = Field(True, description="Format the message as Markdown")
    attach_poster: bool = Field(True, description="Attach the series/movie poster (by URL)")
    icon_url: str = Field("", description="Notification icon URL (http/https), optional")
    verify_tls: bool = Field(True, description="Verify the server's TLS certificate")

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("icon_url")
    @classmethod
    def _icon_url(cls, value: str) -> str:
        return check_http_url(value) if value else value

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        if not _TOPIC.match(value):
            raise ValueError("a topic is 1-64 letters, digits, '-' or '_'")
        if value.lower() in _RESERVED_TOPICS:
            raise ValueError(f"'{value}' is reserved by ntfy; choose another topic")
        return value

    @field_validator("priority", mode="before")
    @classmethod
    def _priority_name(cls, value: Any) -> Any:
        if isinstance(value, str):
            name = value.strip().lower()
            if name == "":
                return None
            if name in PRIORITY_NAMES:
                return PRIORITY_NAMES[name]
            if not name.isdigit():
                raise ValueError("priority is 1-5 or min, low, default, high, max/urgent")
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [tag.strip() for tag in value.split(",") if tag.strip()]
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        tags = [tag.strip() for tag in value if tag.strip()]
        for tag in tags:
            if "," in tag or _CONTROL.search(tag) or len(tag) > 64:
                raise ValueError(f"tag {tag[:64]!r} must be up to 64 characters, without commas")
        return list(dict.fromkeys(tags))

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if _CONTROL.search(value) or ":" in value:
            raise ValueError("username must not contain ':' or control characters")
        return value

    @model_validator(mode="after")
    def _auth_complete(self) -> NtfySettings:
        token = self.access_token.get_secret_value() if self.access_token else ""
        password = self.password.get_secret_value() if self.password else ""
        if self.auth_type == "token":
            if not token:
                raise ValueError("token auth needs an access_token")
            if not _ACCESS_TOKEN.match(token):
                raise ValueError(
                    "access_token is not an ntfy access token (tk_ followed by letters and digits)"
                )
        if self.auth_type == "basic":
            if not self.username or not password:
                raise ValueError("basic auth needs a username and a password")
            if _CONTROL.search(password):
                raise ValueError("password must not contain control characters")
        return self


def _plain_body(r: Rendered) -> str:
    parts = [line for line in r.text.splitlines() if line]
    parts += [f"{name}: {value}" for name, value in r.unsaid_fields()]
    return "\n".join(parts)


def _markdown_body(r: Rendered) -> str:
    parts = [markdown_line(line) for line in r.text.splitlines() if line]
    parts += [f"**{escape_markdown(n)}:** {escape_markdown(v)}" for n, v in r.unsaid_fields()]
    return "\n\n".join(parts)


class Ntfy(Notifier):
    kind = "ntfy"
    label = "ntfy"
    version = "1.0"
    Settings = NtfySettings

    settings: NtfySettings

    def health_url(self) -> str:
        return self.settings.server_url

    # -- building ----------------------------------------------------------------
    def build(self, message: EventMessage) -> dict[str, Any]:
        """The JSON publish body (``POST {server}/``) for one event."""
        s = self.settings
        r = render(message)
        text = _markdown_body(r) if s.markdown else _plain_body(r)
        priority = s.priority or EVENT_PRIORITIES.get(message.event_type, DEFAULT_PRIORITY)
        tags = list(dict.fromkeys([EVENT_TAGS.get(message.event_type, "bell"), *s.tags]))
        body: dict[str, Any] = {
            "topic": s.topic,
            "title": truncate(r.title, TITLE_LIMIT),
            "message": truncate_bytes(text or r.title, MESSAGE_BYTES),
            "tags": tags,
            "priority": priority,
            "markdown": s.markdown,
        }
        if r.link:
            body["click"] = r.link
        if s.attach_poster and r.image_url:
            body["attach"] = r.image_url
        if s.icon_url:
            body["icon"] = s.icon_url
        return body

    def _auth_headers(self) -> dict[str, str]:
        s = self.settings
        if s.auth_type == "token" and s.access_token:
            return {"Authorization": f"Bearer {s.access_token.get_secret_value()}"}
        if s.auth_type == "basic" and s.password:
            pair = f"{s.username}:{s.password.get_secret_value()}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}

    # -- sending -----------------------------------------------------------------
    def send(self, message: EventMessage) -> dict[str, Any]:
        """Publish the event. Returns ``{"status_code", "id", "response"}``."""
        body = self.build(message)
        response = self.http.post(
            self.settings.server_url + "/",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                **self._auth_headers(),
            },
            raise_status=False,
            allow_redirects=False,
        )
        self._raise_for_status(response)
        data = self._json(response)
        if not isinstance(data, dict) or not data.get("id"):
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} answered HTTP {response.status_code} without a message id; "
                    f"is this an ntfy server? {excerpt(response.text, 120)}"
                )
            )
        return {
            "status_code": response.status_code,
            "id": data["id"],
            "response": self._scrub(excerpt(response.text)),
        }

    # -- errors ------------------------------------------------------------------
    def _where(self) -> str:
        return f"ntfy at {redact(self.settings.server_url)}"

    def _scrub(self, text: str) -> str:
        s = self.settings
        secrets = [
            s.access_token.get_secret_value() if s.access_token else "",
            s.password.get_secret_value() if s.password else "",
        ]
        auth = self._auth_headers().get("Authorization", "")
        if auth.startswith("Basic "):
            secrets.append(auth[6:])
        for secret in sorted((v for v in secrets if len(v) >= 3), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def _json(self, response) -> Any:
        try:
            return response.json()
        except ValueError:
            what = "an HTML page" if looks_like_html(response) else "a non-JSON answer"
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} returned {what} instead of ntfy's JSON "
                    f"(HTTP {response.status_code}); check the server URL: "
                    f"{excerpt(response.text, 120)}"
                )
            ) from None

    def _raise_for_status(self, response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            location = redact(response.headers.get("Location", "")) or "nowhere"
            raise ConfigurationError(
                f"{self._where()} redirected (HTTP {status}) to {location}; "
                "set the server URL to the final address",
                details={"status_code": status},
            )
        code, error = None, ""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("error"):
            code, error = data.get("code"), str(data["error"])
            if isinstance(data.get("http"), int):
                status = data["http"]
        else:
            error = excerpt(response.text)
        details = {"status_code": response.status_code, "ntfy_code": code}
        label = f"HTTP {status}" + (f", code {code}" if code else "")
        message = self._scrub(f"{self._where()} answered {label}" + (f": {error}" if error else ""))
        if status in (401, 403):
            hint = "check the credentials" if status == 401 else "no write access to this topic"
            raise AuthenticationError(f"{message} ({hint})", details=details)
        if code in (40009, 40010):
            raise ConfigurationError(message, details=details)
        if status == 404:
            raise NotFoundError(f"{message} (check the server URL)", details=details)
        if status == 408:
            raise RequestTimedOut(message, details=details)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None and code == 42901:
                retry_after = REQUEST_REFILL_SECONDS
            raise RateLimited(message, retry_after=retry_after, details=details)
        if status >= 500:
            raise ServerError(message, details=details)
        raise IntegrationError(message, details=details)
