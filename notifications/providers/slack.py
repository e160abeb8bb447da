"""Slack: one incoming-webhook post per event, a coloured attachment made of blocks.

API: Slack incoming webhooks (api.slack.com/messaging/webhooks, Block Kit reference, the
2016-05-17 changelog "changes to errors for incoming webhooks", rate-limits page). Verified
there: ``POST {webhook_url}`` with JSON ``text`` (the notification / fallback text),
``attachments[{color, fallback, blocks}]`` and the legacy overrides ``channel``, ``username``,
``icon_emoji`` / ``icon_url`` (honoured by legacy webhooks, ignored by app webhooks); mrkdwn
needs only ``&``, ``<`` and ``>`` escaped. Success is HTTP 200 with the text ``ok``; errors
are plain-text codes: 400 ``invalid_payload`` / ``no_text`` / ``user_not_found``,
403 ``action_prohibited`` / ``invalid_token``, 404 ``channel_not_found`` / ``no_service`` /
``no_team``, 410 ``channel_is_archived`` / ``team_disabled``, 500 ``rollup_error``; 429 with
``Retry-After`` (about one message per second). Limits: message text 40,000 characters,
section text 3,000, 10 section fields of 2,000 each. Any other http(s) URL is accepted for
Slack-compatible servers (Mattermost, Rocket.Chat…), which answer ``ok`` or JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

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
from ..message import Rendered, render, truncate

TEXT_LIMIT = 40_000
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_LIMIT = 10
SLACK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
_WEBHOOK_PATH = re.compile(r"^/services/(T[A-Z0-9]+)/(B[A-Z0-9]+)/([A-Za-z0-9]{8,64})/?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMOJI = re.compile(r"^:[a-z0-9_+'\-]+:$")
_CHANNEL = re.compile(r"^[#@]?[^\s,]{1,80}$")

# Slack's error text -> (error class, what the user should do).
ERRORS: dict[str, tuple[type[IntegrationError], str]] = {
    "invalid_token": (
        AuthenticationError,
        "the webhook's token is invalid or revoked; create a new incoming webhook",
    ),
    "no_service": (
        NotFoundError,
        "the webhook is disabled, removed or invalid; create a new incoming webhook",
    ),
    "no_team": (NotFoundError, "the workspace of this webhook no longer exists"),
    "team_disabled": (ConfigurationError, "the workspace of this webhook is disabled"),
    "channel_not_found": (
        NotFoundError,
        "the channel does not exist or the webhook cannot see it; check the channel setting",
    ),
    "channel_is_archived": (ConfigurationError, "the channel is archived; unarchive it"),
    "action_prohibited": (
        ConfigurationError,
        "a workspace admin restricted posting with this webhook",
    ),
    "posting_to_general_channel_denied": (
        ConfigurationError,
        "only admins may post to this channel",
    ),
    "user_not_found": (NotFoundError, "the user in the channel setting does not exist"),
    "invalid_payload": (IntegrationError, "Slack could not understand the message"),
    "no_text": (IntegrationError, "Slack found no text in the message"),
    "invalid_blocks": (IntegrationError, "Slack refused the message's blocks"),
    "too_many_attachments": (IntegrationError, "the message has too many attachments"),
    "rollup_error": (ServerError, "Slack had an internal error"),
}


def escape(text: str) -> str:
    """mrkdwn escaping: Slack only needs ``&``, ``<`` and ``>`` replaced."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """``text`` escaped, at most ``limit`` characters, never cutting an entity in two."""
    size = limit
    out = escape(truncate(text, size))
    while len(out) > limit:
        size -= max(1, len(out) - limit)
        out = escape(truncate(text, max(1, size)))
    return out


def check_url(value: str) -> str:
    """A Slack incoming-webhook URL, or any other http(s) URL (a compatible server)."""
    message = (
        "must be a Slack incoming webhook URL (https://hooks.slack.com/services/T…/B…/…) "
        "or the http(s) URL of a Slack-compatible server"
    )
    if not value or any(c.isspace() for c in value) or _CONTROL.search(value):
        raise ValueError(message)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ValueError(message) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(message)
    if parts.hostname.lower() in SLACK_HOSTS and (
        parts.scheme.lower() != "https" or not _WEBHOOK_PATH.match(parts.path)
    ):
        raise ValueError(
            "is not a complete Slack incoming webhook URL: copy it from the app's "
            "Incoming Webhooks page (https://hooks.slack.com/services/T…/B…/…)"
        )
    return value


class SlackSettings(NotificationSettings, ProxySetting):
    """Which incoming webhook to post to and the legacy overrides."""

    webhook_url: SecretStr = Field(
        description="Incoming webhook URL (https://hooks.slack.com/services/…). It is the "
        "webhook's secret and is never shown again. Any other http(s) URL is accepted for "
        "Slack-compatible servers.",
    )
    channel: str = Field(
        "", description="Override the channel (#name, channel id or @user; legacy webhooks only)"
    )
    username: str = Field(
        "", max_length=80, description="Override the sender name (legacy webhooks only)"
    )
    icon_emoji: str = Field(
        "", description="Override the sender icon with an emoji, e.g. :tv: (legacy webhooks only)"
    )
    icon_url: str = Field(
        "", description="Override the sender icon with an image URL (legacy webhooks only)"
    )
    include_poster: bool = Field(True, description="Show the series/movie poster")
    verify_tls: bool = Field(True, description="Verify the server's TLS certificate")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: SecretStr) -> SecretStr:
        return SecretStr(check_url(value.get_secret_value().strip()))

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value and not _CHANNEL.match(value):
            raise ValueError("must be #channel, a channel id or @user, without spaces")
        return value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("must not contain control characters or line breaks")
        return value

    @field_validator("icon_emoji")
    @classmethod
    def _icon_emoji(cls, value: str) -> str:
        if value and not _EMOJI.match(value):
            raise ValueError("must be an emoji code between colons, e.g. :tv:")
        return value

    @field_validator("icon_url")
    @classmethod
    def _icon_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if value and (parts.scheme.lower() not in ("http", "https") or not parts.netloc):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _one_icon(self) -> SlackSettings:
        if self.icon_emoji and self.icon_url:
            raise ValueError("set icon_emoji or icon_url, not both")
        return self


def _http_url(value: str) -> str:
    return value if re.match(r"^https?://[^\s|<>]+$", value or "", re.I) else ""


def _description(r: Rendered) -> str:
    """The text without lines that only repeat the fields (``Size: 1.4 GB, Client: x``)."""
    values = {value for _, value in r.fields}

    def repeats(line: str) -> bool:
        pairs = [part.split(": ", 1) for part in line.split(", ")]
        return bool(values) and all(len(p) == 2 and p[1] in values for p in pairs)

    return "\n".join(line for line in r.text.splitlines() if line.strip() and not repeats(line))


def build_blocks(r: Rendered, message: EventMessage, include_poster: bool) -> list[dict]:
    blocks: list[dict[str, Any]] = []
    description = _description(r)
    if description:
        section: dict[str, Any] = {
            "type": "section",
            "text": {"type": "mrkdwn", "text": cut(description, SECTION_LIMIT)},
        }
        if include_poster and _http_url(r.image_url):
            section["accessory"] = {"type": "image", "image_url": r.image_url, "alt_text": "Poster"}
        blocks.append(section)
    fields = [
        {"type": "mrkdwn", "text": cut(f"*{name}*\n{value}", FIELD_LIMIT)}
        for name, value in r.fields[:FIELDS_LIMIT]
        if value.strip()
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    context = escape(message.instance_name or "idkarr")
    if _http_url(r.link):
        link = r.link.replace("&", "&amp;")
        context += f" · <{link}|{'More information' if r.event_type == 'health_issue' else 'Open'}>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return blocks


class Slack(Notifier):
    kind = "slack"
    label = "Slack"
    version = "1.0"
    Settings = SlackSettings

    settings: SlackSettings

    @property
    def _url(self) -> str:
        return self.settings.webhook_url.get_secret_value()

    def health_url(self) -> str:
        return self.origin(self._url)

    # -- building ----------------------------------------------------------------
    def build(self, message: EventMessage) -> dict[str, Any]:
        """The JSON body of one incoming-webhook post."""
        s = self.settings
        r = render(message)
        headline = f"{r.emoji} {r.title}" if r.emoji else r.title
        fallback = "\n".join([headline, *(line for line in r.text.splitlines() if line)])
        body: dict[str, Any] = {
            "text": cut(headline, TEXT_LIMIT),
            "attachments": [
                {
                    "color": r.colour_hex,
                    "fallback": truncate(fallback, TEXT_LIMIT),
                    "blocks": build_blocks(r, message, s.include_poster),
                }
            ],
        }
        for name in ("channel", "username", "icon_emoji", "icon_url"):
            if getattr(s, name):
                body[name] = getattr(s, name)
        return body

    # -- sending -----------------------------------------------------------------
    def send(self, message: EventMessage) -> dict[str, Any]:
        """Post the message. Returns ``{"status_code", "response"}``."""
        data = json.dumps(self.build(message), ensure_ascii=False).encode("utf-8")
        try:
            response = self.http.post(
                self._url,
                data=data,
                headers={"Content-Type": "application/json; charset=utf-8"},
                raise_status=False,
                allow_redirects=False,
            )
        except IntegrationError as exc:  # network errors name the URL: hide the secret
            exc.message = self._scrub(exc.message)
            exc.args = (exc.message,)
            raise
        self._raise_for_status(response)
        text = response.text.strip()
        details = {"status_code": response.status_code}
        if text and text != "ok" and not self._json_ok(text):
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} answered HTTP {response.status_code} with "
                    f'{self._what(response)} instead of Slack\'s "ok"; is this a Slack '
                    f"incoming webhook URL? {excerpt(text, 120)}"
                ),
                details=details,
            )
        return {**details, "response": self._scrub(excerpt(text))}

    @staticmethod
    def _json_ok(text: str) -> bool:
        """Compatible servers answer JSON; ``ok``/``success`` false is not a success."""
        try:
            data = json.loads(text)
        except ValueError:
            return False
        return (
            isinstance(data, dict)
            and data.get("ok", True) is not False
            and (data.get("success", True) is not False)
        )

    # -- errors ------------------------------------------------------------------
    def _safe_url(self) -> str:
        parts = urlsplit(self._url)
        host = parts.netloc.rsplit("@", 1)[-1]
        match = _WEBHOOK_PATH.match(parts.path)
        path = f"/services/{match.group(1)}/{match.group(2)}/***" if match else "/***"
        return f"{parts.scheme}://{host}{path}"

    def _where(self) -> str:
        return f"Slack webhook {self._safe_url()}"

    def _scrub(self, text: str) -> str:
        url, safe = self._url, self._safe_url()
        # HttpClient's messages name redact(url); the safe URL itself is kept as is.
        text = text.replace(redact(url), safe).replace(safe, "\0")
        parts = urlsplit(url)
        values = [url, parts.path, parts.query, parts.password or ""]
        values += [seg for seg in parts.path.split("/") if len(seg) >= 8]
        for value in sorted({v for v in values if len(v) >= 4}, key=len, reverse=True):
            text = text.replace(value, "***")
        return text.replace("\0", safe)

    @staticmethod
    def _what(response) -> str:
        return "an HTML page" if looks_like_html(response) else "an unexpected answer"

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
        text = response.text.strip()
        code = text if re.fullmatch(r"[a-z_]{3,60}", text) else ""
        if code:
            details["slack_error"] = code
            detail = code
        elif self._what(response) == "an HTML page":
            detail = "an HTML page instead of Slack's error code"
        else:
            detail = excerpt(text)
        message = self._scrub(f"{self._where()} answered HTTP {status}: {detail}")
        if code in ERRORS:
            cls, advice = ERRORS[code]
            raise cls(f"{message} ({advice})", details=details)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(message, retry_after=retry_after, details=details)
        if status in (401, 403):
            raise AuthenticationError(message, details=details)
        if status == 404:
            raise NotFoundError(message + " (check the webhook URL)", details=details)
        if status == 410:
            raise ConfigurationError(message, details=details)
        if status == 408:
            raise RequestTimedOut(message, details=details)
        if status >= 500:
            raise ServerError(message, details=details)
        raise IntegrationError(message, details=details)
