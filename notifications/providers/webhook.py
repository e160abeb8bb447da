"""Generic webhook: one JSON request per event to a URL the user runs.

Speaks Sonarr's webhook format (v4.0.19.2979 ``Notifications/Webhook``): POST or
PUT, ``Content-Type: application/json``, body from ``payloads.webhook_body``.
On top of Sonarr: bearer or custom-header auth, and ``X-Idkarr-Event`` /
``X-Idkarr-Event-Id`` / ``X-Idkarr-Delivery`` headers (the delivery id is the
receiver's idempotency key: a retried delivery carries the same one).
Tested against a local ``http.server`` receiver.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    RequestTimedOut,
)
from integrations.http import (
    excerpt,
    raise_for_response,
    redact,
)
from integrations.proxies.base import ProxySetting

from ..base import EventMessage, NotificationSettings, Notifier
from ..payloads import webhook_body

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field-name
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "x-idkarr-event",
        "x-idkarr-event-id",
        "x-idkarr-delivery",
    }
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class WebhookSettings(NotificationSettings, ProxySetting):
    """Where and how to send events."""

    url: str = Field(
        description="Receiver URL (http:// or https://). Credentials in it never appear in logs.",
    )
    method: Literal["POST", "PUT"] = Field("POST", description="HTTP method")
    auth_type: Literal["none", "basic", "bearer", "header"] = Field(
        "none",
        description="none; basic (username/password); bearer (Authorization: Bearer token); "
        "header (a custom header carrying a secret)",
    )
    username: str = Field("", description="User name for basic auth")
    password: SecretStr | None = Field(None, description="Password for basic auth")
    bearer_token: SecretStr | None = Field(None, description="Token for bearer auth")
    header_name: str = Field("", description="Header name for header auth, e.g. X-Api-Key")
    header_value: SecretStr | None = Field(None, description="Header value for header auth")
    verify_tls: bool = Field(True, description="Verify the receiver's TLS certificate")
    timeout_seconds: float = Field(
        30.0, gt=0, le=300, description="Seconds to wait for the receiver's answer"
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
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
        return value

    @field_validator("username", "header_name")
    @classmethod
    def _no_control(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("must not contain control characters or line breaks")
        return value

    @model_validator(mode="after")
    def _auth_complete(self) -> WebhookSettings:
        for name in ("password", "bearer_token", "header_value"):
            if _CONTROL.search(_secret(getattr(self, name))):
                raise ValueError(f"{name} must not contain control characters or line breaks")
        if self.header_name:
            if not _TOKEN.match(self.header_name):
                raise ValueError(
                    "header_name must be a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"
                )
            if self.header_name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"header_name {self.header_name!r} is set by idkarr itself")
        if self.auth_type == "basic":
            if not self.username and not _secret(self.password):
                raise ValueError("basic auth needs a username or a password")
            if ":" in self.username:
                raise ValueError("username must not contain ':' (basic auth)")
        elif self.auth_type == "bearer" and not _secret(self.bearer_token):
            raise ValueError("bearer auth needs a bearer_token")
        elif self.auth_type == "header":
            if not self.header_name:
                raise ValueError("header auth needs a header_name")
            if not _secret(self.header_value):
                raise ValueError("header auth needs a header_value")
        return self


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class Webhook(Notifier):
    kind = "webhook"
    label = "Webhook"
    version = "1.0"
    Settings = WebhookSettings

    settings: WebhookSettings

    # -- sending ---------------------------------------------------------------
    def health_url(self) -> str:
        return self.settings.url

    def send(self, message: EventMessage) -> dict[str, Any]:
        """POST/PUT the event. Returns ``{"status_code", "response"}`` (a body excerpt).
        Raises the error tree: 4xx permanent, 408/429/5xx and network failures transient."""
        try:
            body = webhook_body(message)
        except ValueError as exc:  # an unknown event type: retrying won't help
            raise IntegrationError(str(exc)) from None
        try:
            data = json.dumps(
                body, ensure_ascii=False, allow_nan=False, default=_json_default
            ).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise IntegrationError(
                f"The {message.event_type} event cannot be sent as JSON: {exc}"
            ) from None
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Idkarr-Event": message.event_type,
        }
        if message.event_id is not None:
            headers["X-Idkarr-Event-Id"] = str(message.event_id)
        if message.delivery_id is not None:
            headers["X-Idkarr-Delivery"] = str(message.delivery_id)
        headers.update(self._auth_headers())
        response = self.http.request(
            self.settings.method,
            self._request_url(),
            data=data,
            headers=headers,
            raise_status=False,
            # requests turns a 301/302 POST into a bodiless GET and would carry a
            # custom auth header to another host: report redirects instead.
            allow_redirects=False,
        )
        self._raise_for_status(response)
        return {
            "status_code": response.status_code,
            "response": self._scrub(excerpt(response.text)),
        }

    def _auth_headers(self) -> dict[str, str]:
        s = self.settings
        if s.auth_type == "basic":
            pair = f"{s.username}:{_secret(s.password)}".encode()  # RFC 7617 charset=UTF-8
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        if s.auth_type == "bearer":
            return {"Authorization": f"Bearer {_secret(s.bearer_token)}"}
        if s.auth_type == "header":
            return {s.header_name: _secret(s.header_value)}
        return {}

    def _request_url(self) -> str:
        # Userinfo in the URL is basic auth (requests applies it) unless an explicit
        # auth type is chosen, which must not be overridden by it.
        url = self.settings.url
        parts = urlsplit(url)
        if self.settings.auth_type != "none" and "@" in parts.netloc:
            netloc = parts.netloc.rsplit("@", 1)[1]
            url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        return url

    # -- errors ----------------------------------------------------------------
    def _secrets(self) -> list[str]:
        s = self.settings
        values = [_secret(s.password), _secret(s.bearer_token), _secret(s.header_value)]
        if s.auth_type == "basic":
            values.append(self._auth_headers()["Authorization"].split(" ", 1)[1])
        parts = urlsplit(s.url)
        if parts.password:
            values += [parts.password, unquote(parts.password)]
        # The query values redact() masks are the secret ones.
        masked = parse_qsl(urlsplit(redact(s.url)).query, keep_blank_values=True)
        original = parse_qsl(parts.query, keep_blank_values=True)
        values += [v for (_, v), (_, m) in zip(original, masked, strict=False) if m == "***"]
        return sorted({v for v in values if len(v) >= 3}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        """Remove our secrets from text the receiver sent back (it may echo the request)."""
        for value in self._secrets():
            text = text.replace(value, "***")
        return text

    def _raise_for_status(self, response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"{self.label} {redact(self.settings.url)}"
        if 300 <= status < 400:
            location = redact(response.headers.get("Location", "")) or "nowhere"
            raise ConfigurationError(
                self._scrub(
                    f"{where} answered HTTP {status} redirecting to {location}; "
                    "set the URL to the final address"
                ),
                details={"status_code": status},
            )
        body = self._scrub(excerpt(response.text))
        message = f"{where} answered HTTP {status}" + (f": {body}" if body else "")
        if status == 408:
            raise RequestTimedOut(message, details={"status_code": status})
        try:
            raise_for_response(response, self.label)
        except IntegrationError as exc:
            # Keep the tree's class and transient/permanent choice (and retry_after),
            # with a message that says which webhook answered what.
            exc.message = message
            exc.args = (message,)
            exc.details["status_code"] = status
            raise
        raise IntegrationError(message, details={"status_code": status})  # 1xx: never a success
