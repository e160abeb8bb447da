"""Gotify: one JSON message per event to the user's own Gotify server.

API: Gotify server 2.x REST, ``POST {server}/message`` (gotify/server ``api/message.go``,
``model/message.go``, ``auth/authentication.go``, ``error/handler.go``; gotify.net/docs/msgextras).
Verified there: an *application* token is accepted in the ``X-Gotify-Key`` header (we never
put it in the query string, where proxies log it); the JSON body is ``title``, ``message``
(Markdown allowed), ``priority`` (int) and ``extras`` (``client::display.contentType``,
``client::notification.click.url`` / ``bigImageUrl``, JSON requests only); success is HTTP 200
with the created message (``id``…); errors are ``{"error", "errorCode", "errorDescription"}``,
401 for an unknown token and 403 for a client token. Tokens are ``A`` + 14 characters (before
2.7) or ``gtfy_app.<key>``; a ``gtfy_client.`` / ``C…`` token is a client token and refused.
Gotify documents no length limit and no rate limiting: we cap titles at 250 and messages at
32,768 characters (Apprise's Gotify cap) and still honour a proxy's 429 ``Retry-After``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

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
from ..message import Rendered, escape_markdown, markdown_line, render, truncate

TITLE_LIMIT = 250
MESSAGE_LIMIT = 32_768
_TOKEN = re.compile(r"^[A-Za-z0-9._\-]{8,200}$")
_LEGACY_CLIENT = re.compile(r"^C[A-Za-z0-9._\-]{14}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_http_url(value: str) -> str:
    """An http(s) URL with a host, no credentials, no whitespace (shared by the settings)."""
    message = "must be an http:// or https:// URL"
    if not value or any(c.isspace() for c in value) or _CONTROL.search(value):
        raise ValueError(message)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ValueError(message) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(message)
    if "@" in parts.netloc:
        raise ValueError("must not contain credentials (user:password@)")
    if parts.query or parts.fragment:
        raise ValueError("must not contain a query string or fragment")
    return value.rstrip("/")


class GotifySettings(NotificationSettings, ProxySetting):
    """Where the Gotify server is and how messages look."""

    server_url: str = Field(
        description="Your Gotify server's address, e.g. https://gotify.example.com "
        "(with the path prefix if it runs under one)",
    )
    app_token: SecretStr = Field(
        description="Application token (Gotify → Apps → create an app → copy its token); "
        "sent in the X-Gotify-Key header",
    )
    priority: int = Field(5, ge=0, le=10, description="Priority 0-10 of every message")
    health_priority: int = Field(
        8, ge=0, le=10, description="Priority 0-10 of health issue messages"
    )
    markdown: bool = Field(
        True, description="Send Markdown (bold labels, poster image) instead of plain text"
    )
    include_poster: bool = Field(
        True, description="Show the series/movie poster (Android big image, Markdown image)"
    )
    verify_tls: bool = Field(True, description="Verify the server's TLS certificate")

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("the application token is required")
        if token.startswith("gtfy_client.") or _LEGACY_CLIENT.match(token):
            raise ValueError(
                "this is a client token; messages need an application token (Gotify → Apps)"
            )
        if not _TOKEN.match(token):
            raise ValueError("a Gotify token has 8-200 letters, digits and . _ - only (no spaces)")
        return SecretStr(token)


def _plain_body(r: Rendered) -> str:
    parts = [line for line in r.text.splitlines() if line]
    parts += [f"{name}: {value}" for name, value in r.unsaid_fields()]
    if r.link and r.link not in r.text:
        parts.append(r.link)
    return "\n".join(parts)


def _markdown_body(r: Rendered, poster: str) -> str:
    parts = [markdown_line(line) for line in r.text.splitlines() if line]
    parts += [f"**{escape_markdown(n)}:** {escape_markdown(v)}" for n, v in r.unsaid_fields()]
    if r.link and r.link not in r.text:
        parts.append(f"<{r.link}>")
    body = "\n\n".join(parts)
    image = f"\n\n![]({poster})" if poster else ""
    return truncate(body, MESSAGE_LIMIT - len(image)) + image


class Gotify(Notifier):
    kind = "gotify"
    label = "Gotify"
    version = "1.0"
    Settings = GotifySettings

    settings: GotifySettings

    def health_url(self) -> str:
        return self.settings.server_url

    # -- building ----------------------------------------------------------------
    def build(self, message: EventMessage) -> dict[str, Any]:
        """The JSON body of ``POST /message`` for one event."""
        s = self.settings
        r = render(message)
        poster = r.image_url if s.include_poster else ""
        if s.markdown:
            text, content_type = _markdown_body(r, poster), "text/markdown"
        else:
            text, content_type = truncate(_plain_body(r), MESSAGE_LIMIT), "text/plain"
        title = f"{r.emoji} {r.title}" if r.emoji else r.title
        notification: dict[str, Any] = {}
        if r.link:
            notification["click"] = {"url": r.link}
        if poster:
            notification["bigImageUrl"] = poster
        extras: dict[str, Any] = {"client::display": {"contentType": content_type}}
        if notification:
            extras["client::notification"] = notification
        return {
            "title": truncate(title, TITLE_LIMIT),
            "message": text or r.title,  # Gotify requires a non-empty message
            "priority": s.health_priority if message.event_type == "health_issue" else s.priority,
            "extras": extras,
        }

    # -- sending -----------------------------------------------------------------
    def send(self, message: EventMessage) -> dict[str, Any]:
        """POST the message. Returns ``{"status_code", "id", "response"}``."""
        body = self.build(message)
        response = self.http.post(
            self.settings.server_url + "/message",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-Gotify-Key": self.settings.app_token.get_secret_value(),
            },
            raise_status=False,
            allow_redirects=False,
        )
        self._raise_for_status(response)
        data = self._json(response)
        if not isinstance(data, dict) or "id" not in data:
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} answered HTTP {response.status_code} without a message id; "
                    f"is this a Gotify server? {excerpt(response.text, 120)}"
                )
            )
        return {
            "status_code": response.status_code,
            "id": data["id"],
            "response": self._scrub(excerpt(response.text)),
        }

    # -- errors ------------------------------------------------------------------
    def _where(self) -> str:
        return f"Gotify at {redact(self.settings.server_url)}"

    def _scrub(self, text: str) -> str:
        token = self.settings.app_token.get_secret_value()
        return text.replace(token, "***") if token else text

    def _json(self, response) -> Any:
        try:
            return response.json()
        except ValueError:
            what = "an HTML page" if looks_like_html(response) else "a non-JSON answer"
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} returned {what} instead of Gotify's JSON "
                    f"(HTTP {response.status_code}); check the server URL: "
                    f"{excerpt(response.text, 120)}"
                )
            ) from None

    @staticmethod
    def _detail(response) -> str:
        """Gotify's ``error: errorDescription``, or a body excerpt for other answers."""
        try:
            data = response.json()
        except ValueError:
            return excerpt(response.text)
        if isinstance(data, dict) and (data.get("errorDescription") or data.get("error")):
            error, description = data.get("error") or "", data.get("errorDescription") or ""
            return f"{error}: {description}" if error and description else error or description
        return excerpt(response.text)

    def _raise_for_status(self, response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        details = {"status_code": status}
        if 300 <= status < 400:
            location = redact(response.headers.get("Location", "")) or "nowhere"
            raise ConfigurationError(
                f"{self._where()} redirected (HTTP {status}) to {location}; "
                "set the server URL to the final address",
                details=details,
            )
        detail = self._detail(response)
        message = self._scrub(
            f"{self._where()} answered HTTP {status}" + (f": {detail}" if detail else "")
        )
        if status == 401:
            raise AuthenticationError(
                message + " (the application token is invalid)", details=details
            )
        if status == 403:
            raise AuthenticationError(
                message + " (use an application token, not a client token)", details=details
            )
        if status == 404:
            raise NotFoundError(message + " (check the server URL)", details=details)
        if status == 408:
            raise RequestTimedOut(message, details=details)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(message, retry_after=retry_after, details=details)
        if status >= 500:
            raise ServerError(message, details=details)
        raise IntegrationError(message, details=details)
