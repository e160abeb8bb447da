"""Join (joaoapps): one push per event to your Join devices.

API: Join messaging API v1, ``GET {base}/_ah/api/messaging/v1/sendPush`` with URL-encoded
query parameters (https://joaoapps.com/join/api/; Sonarr ``Join/JoinProxy.cs`` for the
answers). Verified there: ``apikey``; the target is ``deviceId`` (one device or a group such
as ``group.all``), ``deviceIds`` (comma list) or ``deviceNames`` (comma list); ``title``,
``text``, ``url``, ``icon``, ``smallicon``, ``priority`` (-2..2). Join answers HTTP 200 with
``{"success": false, "userAuthError": bool, "errorMessage": "…"}`` on failure: a user auth
error, "User Not Authenticated" and "No device to send message to" mean a bad API key (as
Sonarr treats them), "No devices to send to" bad device ids/names; every such answer is
permanent and reported with Join's own text. The API key must travel in the query string:
we never put a URL with it in a message (the request URL we log has no query) and scrub it
from anything Join echoes. Join documents no length limits; pushes go through FCM, whose
data payload is 4,096 bytes, so we cut the text to 1,800 and the title to 200 UTF-8 bytes
(which also keeps the GET URL well under 8 KB). No rate-limit signal is documented; a 429
``Retry-After`` from a proxy is honoured.
"""

from __future__ import annotations

import re
from typing import Any

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
from ..message import Rendered, render
from .gotify import check_http_url
from .ntfy import truncate_bytes

DEFAULT_BASE_URL = "https://joinjoaomgcd.appspot.com"
SEND_PATH = "/_ah/api/messaging/v1/sendPush"
TEXT_BYTES = 1800
TITLE_BYTES = 200
GROUPS = frozenset(
    f"group.{name}" for name in ("all", "android", "chrome", "windows10", "phone", "tablet", "pc")
)
_API_KEY = re.compile(r"^[A-Za-z0-9]{16,64}$")
_DEVICE_ID = re.compile(r"^[A-Za-z0-9]{1,128}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_KEY_ERRORS = {"user not authenticated", "no device to send message to"}
_BAD_DEVICE_ERRORS = {"no devices to send to"}


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class JoinSettings(NotificationSettings, ProxySetting):
    """The Join API key, which devices get the push, and how it looks."""

    api_key: SecretStr = Field(
        description="Join API key (joinjoaomgcd.appspot.com → Join API → Show)",
    )
    device_ids: list[str] = Field(
        default_factory=list,
        description="Device ids (comma-separated) or one group such as group.all, group.android, "
        "group.phone. Leave device ids and names empty to send to all devices",
    )
    device_names: list[str] = Field(
        default_factory=list,
        description="Device names (comma-separated; partial names match) instead of ids",
    )
    icon_url: str = Field(
        "", description="Notification icon URL (http/https); empty: the poster, when known"
    )
    small_icon_url: str = Field("", description="Status-bar icon URL (http/https), optional")
    priority: int = Field(0, ge=-2, le=2, description="Priority -2 (lowest) to 2 (highest)")
    health_priority: int = Field(1, ge=-2, le=2, description="Priority of health issue pushes")
    base_url: str = Field(
        DEFAULT_BASE_URL,
        description="Join API base URL; change only for a compatible server or proxy",
    )
    verify_tls: bool = Field(True, description="Verify the server's TLS certificate")

    @field_validator("api_key")
    @classmethod
    def _api_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value().strip()
        if not key:
            raise ValueError("the Join API key is required")
        if not _API_KEY.match(key):
            raise ValueError("a Join API key is 16-64 letters and digits (no spaces or symbols)")
        return SecretStr(key)

    @field_validator("device_ids", "device_names", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("device_ids")
    @classmethod
    def _device_ids(cls, value: list[str]) -> list[str]:
        ids = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        groups = [v for v in ids if v.lower().startswith("group.")]
        for group in groups:
            if group not in GROUPS:
                raise ValueError(
                    f"unknown Join group {group!r}; use one of: {', '.join(sorted(GROUPS))}"
                )
        if groups and len(ids) > 1:
            raise ValueError("a group (group.…) cannot be combined with other device ids")
        for device in ids:
            if not groups and not _DEVICE_ID.match(device):
                raise ValueError(f"device id {device[:40]!r} must be letters and digits only")
        return ids

    @field_validator("device_names")
    @classmethod
    def _device_names(cls, value: list[str]) -> list[str]:
        names = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        for name in names:
            if _CONTROL.search(name) or len(name) > 100:
                raise ValueError("device names must be up to 100 characters, on one line")
        return names

    @field_validator("icon_url", "small_icon_url")
    @classmethod
    def _icon(cls, value: str) -> str:
        return check_http_url(value) if value else value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return check_http_url(value)

    @model_validator(mode="after")
    def _one_target(self) -> JoinSettings:
        if self.device_ids and self.device_names:
            raise ValueError("set device ids or device names, not both")
        return self


class Join(Notifier):
    kind = "join"
    label = "Join"
    version = "1.0"
    Settings = JoinSettings

    settings: JoinSettings

    def health_url(self) -> str:
        return self.settings.base_url

    # -- building ----------------------------------------------------------------
    def _target(self) -> dict[str, str]:
        s = self.settings
        if s.device_names:
            return {"deviceNames": ",".join(s.device_names)}
        if len(s.device_ids) > 1:
            return {"deviceIds": ",".join(s.device_ids)}
        return {"deviceId": s.device_ids[0] if s.device_ids else "group.all"}

    def build(self, message: EventMessage) -> dict[str, str]:
        """The ``sendPush`` query parameters for one event, without the API key."""
        s = self.settings
        r = render(message)
        title = f"{r.emoji} {r.title}" if r.emoji else r.title
        params = {
            **self._target(),
            "title": truncate_bytes(title, TITLE_BYTES),
            "text": truncate_bytes(_text(r) or r.title, TEXT_BYTES),
            "priority": str(
                s.health_priority if message.event_type == "health_issue" else s.priority
            ),
        }
        if r.link:
            params["url"] = r.link
        icon = s.icon_url or r.image_url
        if icon:
            params["icon"] = icon
        if s.small_icon_url:
            params["smallicon"] = s.small_icon_url
        return params

    # -- sending -----------------------------------------------------------------
    def send(self, message: EventMessage) -> dict[str, Any]:
        """Send the push. Returns ``{"status_code", "success", "response"}``."""
        params = {"apikey": self.settings.api_key.get_secret_value(), **self.build(message)}
        response = self.http.get(
            self.settings.base_url + SEND_PATH,  # the key goes in params: never in error texts
            params=params,
            headers={"Accept": "application/json"},
            raise_status=False,
            allow_redirects=False,  # a redirect must not carry the key elsewhere
        )
        self._raise_for_status(response)
        data = self._json(response)
        if not isinstance(data, dict) or "success" not in data:
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} answered without a success flag; is the base URL a Join "
                    f"server? {excerpt(response.text, 120)}"
                )
            )
        if data.get("success") is not True:
            self._raise_failure(data)
        return {
            "status_code": response.status_code,
            "success": True,
            "response": self._scrub(excerpt(response.text)),
        }

    # -- errors ------------------------------------------------------------------
    def _where(self) -> str:
        return f"Join at {redact(self.settings.base_url)}"

    def _scrub(self, text: str) -> str:
        key = self.settings.api_key.get_secret_value()
        return text.replace(key, "***") if key else text

    def _raise_failure(self, data: dict) -> None:
        reason = self._scrub(str(data.get("errorMessage") or "").strip())
        details = {"status_code": 200, "join_error": reason}
        if data.get("userAuthError") is True or reason.lower() in _BAD_KEY_ERRORS:
            raise AuthenticationError(
                f"Join refused the API key: {reason or 'authentication failed'}", details=details
            )
        if reason.lower() in _BAD_DEVICE_ERRORS:
            raise ConfigurationError(
                f"Join did not send the push: {reason} (check the device ids or names)",
                details=details,
            )
        raise IntegrationError(
            f"Join did not send the push: {reason or 'no reason given'}", details=details
        )

    def _json(self, response) -> Any:
        try:
            return response.json()
        except ValueError:
            what = "an HTML page" if looks_like_html(response) else "a non-JSON answer"
            raise ProtocolError(
                self._scrub(
                    f"{self._where()} returned {what} instead of Join's JSON "
                    f"(HTTP {response.status_code}): {excerpt(response.text, 120)}"
                )
            ) from None

    def _raise_for_status(self, response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        details = {"status_code": status}
        if 300 <= status < 400:
            raise ConfigurationError(
                f"{self._where()} redirected (HTTP {status}); set the base URL to the final "
                "address",
                details=details,
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            detail = str(data["error"].get("message") or "")  # Google API error shape
        elif isinstance(data, dict) and data.get("errorMessage"):
            detail = str(data["errorMessage"])
        else:
            detail = excerpt(response.text)
        message = self._scrub(
            f"{self._where()} answered HTTP {status}" + (f": {detail}" if detail else "")
        )
        if status in (401, 403):
            raise AuthenticationError(message, details=details)
        if status == 404:
            raise NotFoundError(f"{message} (check the base URL)", details=details)
        if status == 408:
            raise RequestTimedOut(message, details=details)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(message, retry_after=retry_after, details=details)
        if status >= 500:
            raise ServerError(message, details=details)
        raise IntegrationError(message, details=details)


def _text(r: Rendered) -> str:
    parts = [line for line in r.text.splitlines() if line]
    parts += [f"{name}: {value}" for name, value in r.unsaid_fields()]
    return "\n".join(parts)
