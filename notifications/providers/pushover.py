"""Pushover: one form-encoded ``POST /1/messages.json`` per event.

Speaks the Pushover Message API v1 (pushover.net/api, verified from its text in
notes/notification-services.md §4): ``token``/``user``, ``message`` with ``html=1``
(``<b> <i> <u> <font> <a>``), ``title``, ``url``/``url_title``, ``priority`` −2..2
with ``retry`` (≥ 30 s) / ``expire`` (≤ 10,800 s) for emergency, ``sound``,
``device`` (comma list, names ≤ 25 characters), ``ttl``, ``timestamp``; limits
message 1,024 characters (kept as rendered HTML, never cut inside a tag or entity),
title 250, url 512, url_title 100. Errors: ``{"status": 0, "errors": [...],
"<param>": "invalid"}`` with HTTP 4xx (permanent; an invalid ``token``/``user`` is an
authentication failure), 429 when the application's monthly quota is spent (retry
after ``X-Limit-App-Reset``), 5xx transient, and a 200 whose ``status`` is not 1 is
a failure. Compared with Sonarr's ``PushoverProxy`` (same form fields; retry/expire
only for priority 2). Tested with ``responses`` and a local recording HTTP server.
"""

from __future__ import annotations

import html as html_lib
import re
import time
from typing import Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

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
from ..message import Rendered, render, truncate

API_URL = "https://api.pushover.net"
MESSAGE_LIMIT = 1024
TITLE_LIMIT = 250
URL_LIMIT = 512
URL_TITLE_LIMIT = 100
MARKER = "…"

_KEY = re.compile(r"^[A-Za-z0-9]{30}$")
_DEVICE = re.compile(r"^[A-Za-z0-9_-]{1,25}$")
_SOUND = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CREDENTIAL_PARAMS = frozenset({"token", "user"})


class PushoverSettings(NotificationSettings, ProxySetting):
    """A Pushover application and the user (or group) it notifies."""

    # A rejected key must not be echoed back in the validation error.
    model_config = ConfigDict(hide_input_in_errors=True)

    user_key: SecretStr = Field(
        description="Your user key (or a group key): 30 letters and digits, from pushover.net"
    )
    app_token: SecretStr = Field(
        description="API token of the application you created on pushover.net (30 letters and digits)"
    )
    devices: str = Field(
        "",
        description="Device names to notify, comma separated (e.g. phone,tablet); "
        "empty for all of the user's devices",
    )
    priority: int = Field(
        0,
        ge=-2,
        le=2,
        description="-2 lowest (no alert), -1 low (quiet), 0 normal, 1 high (bypasses quiet "
        "hours), 2 emergency (repeats until acknowledged)",
    )
    retry: int = Field(60, description="Emergency priority: seconds between repeats (at least 30)")
    expire: int = Field(
        3600,
        description="Emergency priority: stop repeating after this many seconds (at most 10800)",
    )
    sound: str = Field(
        "",
        description="Notification sound name (e.g. pushover, magic, none); empty for the default",
    )
    ttl_seconds: int = Field(
        0,
        ge=0,
        description="Delete the message from devices after this many seconds; 0 keeps it "
        "(ignored for emergency priority)",
    )
    api_url: str = Field(
        API_URL, description="API base URL; change it only for a compatible server or proxy"
    )
    timeout_seconds: float = Field(
        30.0, gt=0, le=300, description="Seconds to wait for Pushover's answer"
    )

    @field_validator("user_key", "app_token")
    @classmethod
    def _key_shape(cls, value: SecretStr) -> SecretStr:
        if not _KEY.match(value.get_secret_value()):
            raise ValueError("must be exactly 30 letters and digits, as pushover.net shows it")
        return value

    @field_validator("devices")
    @classmethod
    def _devices(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        for name in names:
            if not _DEVICE.match(name):
                raise ValueError(
                    f"device name {name!r} is not valid: up to 25 letters, digits, '_' or '-'"
                )
        return ",".join(names)

    @field_validator("sound")
    @classmethod
    def _sound(cls, value: str) -> str:
        if value and not _SOUND.match(value):
            raise ValueError("must be a sound name of letters, digits, '_' or '-'")
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
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

    @model_validator(mode="after")
    def _emergency(self) -> PushoverSettings:
        if self.priority == 2:
            if self.retry < 30:
                raise ValueError("emergency priority needs retry of at least 30 seconds")
            if not 0 < self.expire <= 10800:
                raise ValueError(
                    "emergency priority needs expire between 1 and 10800 seconds (3 hours)"
                )
        return self


# -- formatting -------------------------------------------------------------------
def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _cut_escaped(text: str, room: int) -> str:
    """The longest prefix of ``text`` whose escaped form is at most ``room`` characters."""
    cut = min(len(text), room)
    while cut > 0 and len(_esc(text[:cut])) > room:
        cut -= 1
    return _esc(text[:cut])


def _url(rendered: Rendered) -> str:
    """The supplementary URL; a cut URL is a broken link, so an over-long one is left
    out (and stays in the message text)."""
    return rendered.link if len(rendered.link) <= URL_LIMIT else ""


def message_html(rendered: Rendered, limit: int = MESSAGE_LIMIT) -> str:
    """The body for ``html=1``: text lines, then bold ``name:`` value lines. The title
    and link travel in their own parameters. Cut to ``limit`` characters of markup."""
    url = _url(rendered)
    lines: list[tuple[str, str]] = [  # (bold prefix, plain text)
        ("", line) for line in rendered.text.splitlines() if line and (not url or line != url)
    ]
    lines += [(f"{name}:", f" {value}") for name, value in rendered.fields]
    if not lines:
        lines = [("", rendered.title)]
    out: list[str] = []
    used = 0
    for bold, plain in lines:
        line = (f"<b>{_esc(bold)}</b>" if bold else "") + _esc(plain)
        sep = 1 if out else 0
        if used + sep + len(line) <= limit:
            out.append(line)
            used += sep + len(line)
            continue
        room = limit - used - sep - len(MARKER)
        prefix = f"<b>{_esc(bold)}</b>" if bold else ""
        if room > len(prefix):
            out.append(prefix + _cut_escaped(plain, room - len(prefix)) + MARKER)
        elif out and used + len(MARKER) <= limit:
            out[-1] += MARKER
        break
    return "\n".join(out)


# -- the notifier ------------------------------------------------------------------
class Pushover(Notifier):
    kind = "pushover"
    label = "Pushover"
    version = "1.0"
    Settings = PushoverSettings

    settings: PushoverSettings

    def health_url(self) -> str:
        return self.settings.api_url

    def send(self, message: EventMessage) -> dict[str, Any]:
        """POST the message form. Returns ``{"status_code", "response", "request"}``
        (Pushover's request id); raises the error tree."""
        rendered = render(message)
        response = self.http.post(
            f"{self.settings.api_url}/1/messages.json",
            data=self.form(rendered, message),
            headers={"Accept": "application/json"},
            raise_status=False,
        )
        try:
            data = self._result(response)
        except IntegrationError as exc:
            exc.message = self._scrub(exc.message)
            exc.args = (exc.message,)
            exc.details.setdefault("status_code", response.status_code)
            raise
        details: dict[str, Any] = {
            "status_code": response.status_code,
            "response": self._scrub(excerpt(response.text)),
            "request": str(data.get("request") or ""),
        }
        if data.get("receipt"):
            details["receipt"] = str(data["receipt"])
        if response.headers.get("X-Limit-App-Remaining"):
            details["app_remaining"] = response.headers["X-Limit-App-Remaining"]
        return details

    def form(self, rendered: Rendered, message: EventMessage) -> dict[str, str]:
        s = self.settings
        form = {
            "token": s.app_token.get_secret_value(),
            "user": s.user_key.get_secret_value(),
            "title": truncate(rendered.title, TITLE_LIMIT, MARKER),
            "message": message_html(rendered),
            "html": "1",
            "priority": str(s.priority),
        }
        if s.priority == 2:
            form["retry"] = str(s.retry)
            form["expire"] = str(s.expire)
        elif s.ttl_seconds:
            form["ttl"] = str(s.ttl_seconds)
        if s.sound:
            form["sound"] = s.sound
        if s.devices:
            form["device"] = s.devices
        if _url(rendered):
            label = "Health check help" if rendered.event_type == "health_issue" else "Open idkarr"
            form["url"] = _url(rendered)
            form["url_title"] = truncate(label, URL_TITLE_LIMIT, MARKER)
        if message.created_at is not None:
            form["timestamp"] = str(int(message.created_at.timestamp()))
        return form

    # -- errors --------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        for secret in (self.settings.app_token, self.settings.user_key):
            text = text.replace(secret.get_secret_value(), "***")
        return text

    def _result(self, response) -> dict[str, Any]:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or "status" not in data:
            self._raise_garbage(response)
        errors = data.get("errors")
        reason = (
            "; ".join(str(e) for e in errors)
            if isinstance(errors, list) and errors
            else f"HTTP {status}"
        )
        if 200 <= status < 300:
            if data.get("status") == 1:
                return data
            raise ProtocolError(f"Pushover did not accept the message: {reason}")
        if status == 429:
            raise RateLimited(
                f"Pushover rejected the message: the application's monthly message limit is "
                f"reached ({reason})",
                retry_after=self._quota_reset(response),
            )
        if status >= 500:
            raise ServerError(f"Pushover had a server error (HTTP {status}): {reason}")
        if status in (401, 403) or _CREDENTIAL_PARAMS & {
            key for key, value in data.items() if value == "invalid"
        }:
            raise AuthenticationError(f"Pushover rejected the credentials: {reason}")
        raise ConfigurationError(f"Pushover rejected the message (HTTP {status}): {reason}")

    @staticmethod
    def _quota_reset(response) -> float | None:
        reset = response.headers.get("X-Limit-App-Reset", "")
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return parse_retry_after(response.headers.get("Retry-After"))

    def _raise_garbage(self, response) -> None:
        status = response.status_code
        if looks_like_html(response):
            what = "an HTML page"
        elif not response.text.strip():
            what = "an empty answer"
        else:
            what = "an answer that is not a Pushover API response"
        body = excerpt(response.text, 120)
        message = f"Pushover at {redact(self.settings.api_url)} returned {what} (HTTP {status})" + (
            f": {body}" if body else ""
        )
        if status == 429:
            raise RateLimited(message, retry_after=self._quota_reset(response))
        if status >= 500:
            raise ServerError(message)
        raise ProtocolError(message)
