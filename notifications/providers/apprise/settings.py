"""Settings of the Apprise provider, validated at save."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from apprise.apprise import N_MGR
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from ...base import NotificationSettings
from .common import MAX_URLS, load_service, url_lines

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_TAGS = re.compile(r"^[A-Za-z0-9_.:\-, ]+$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://\S+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AppriseSettings(NotificationSettings):
    """An Apprise API server, or Apprise URLs sent by idkarr itself."""

    mode: Literal["api", "library"] = Field(
        "api",
        description="api: send through your Apprise API server; library: idkarr sends to "
        "the Apprise URLs itself",
    )
    server_url: str = Field(
        "",
        description="api mode: your Apprise API server, e.g. http://apprise:8000 "
        "(with the path prefix if it runs under one)",
    )
    config_key: str = Field(
        "",
        description="api mode: the configuration key stored on the server (stateful "
        "/notify/<key>); leave empty to send the URLs below instead",
    )
    tags: str = Field(
        "",
        description="api mode with a config key: only notify URLs with these tags "
        "(comma = OR, space = AND)",
    )
    urls: SecretStr | None = Field(
        None,
        description="Apprise URLs, one per line (e.g. discord://id/token, "
        "json://host:port/path); lines starting with # are ignored. Library mode, or api "
        "mode without a config key. Kept secret: they carry tokens and passwords",
    )
    username: str = Field("", description="api mode: user name for HTTP Basic auth (proxy)")
    password: SecretStr | None = Field(
        None, description="api mode: password for HTTP Basic auth (proxy)"
    )
    body_format: Literal["markdown", "html", "text"] = Field(
        "html",
        description="Format of the message body. html (default) and text are converted by "
        "Apprise for each service; markdown reaches text-only services as written",
    )
    include_poster: bool = Field(
        False, description="api mode: attach the series/movie poster (the server fetches it)"
    )
    verify_tls: bool = Field(True, description="api mode: verify the server's TLS certificate")
    timeout_seconds: float = Field(
        30.0, gt=0, le=300, description="Seconds to wait for the server or each service"
    )

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        if not value:
            return value
        message = "must be an http:// or https:// URL"
        if any(c.isspace() for c in value) or _CONTROL.search(value):
            raise ValueError(message)
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises ValueError on a bad port)
        except ValueError:
            raise ValueError(message) from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError(message)
        if "@" in parts.netloc:
            raise ValueError("must not contain credentials: use username and password")
        if parts.query or parts.fragment:
            raise ValueError("must not contain a query string or fragment")
        return value.rstrip("/")

    @field_validator("config_key")
    @classmethod
    def _config_key(cls, value: str) -> str:
        if value and not _KEY.match(value):
            raise ValueError("a config key has 1-128 letters, digits, _ and - only")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: str) -> str:
        if value and not _TAGS.match(value):
            raise ValueError("tags are letters, digits, _ . : - separated by commas or spaces")
        return value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if _CONTROL.search(value) or ":" in value:
            raise ValueError("must not contain ':', control characters or line breaks")
        return value

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return None
        lines = url_lines(value.get_secret_value())
        if len(lines) > MAX_URLS:
            raise ValueError(f"at most {MAX_URLS} URLs")
        library = info.data.get("mode") == "library"
        for number, url in lines:
            match = _SCHEME.match(url)
            if not match:
                raise ValueError(f"line {number}: not a URL (expected scheme://…)")
            scheme = match.group(1).lower()
            if not library:
                continue  # the server's Apprise may know schemes ours doesn't
            if scheme not in N_MGR:
                raise ValueError(f"line {number}: Apprise has no service '{scheme}://'")
            if load_service(url, 5.0) is None:
                raise ValueError(
                    f"line {number}: not a valid '{scheme}://' URL (missing or malformed "
                    "parts; see the Apprise wiki for this service)"
                )
        return value

    @model_validator(mode="after")
    def _complete(self) -> AppriseSettings:
        has_urls = bool(self.urls and url_lines(self.urls.get_secret_value()))
        if self.password and _CONTROL.search(self.password.get_secret_value()):
            raise ValueError("password must not contain control characters or line breaks")
        if self.mode == "library":
            if not has_urls:
                raise ValueError("library mode needs at least one Apprise URL in urls")
            return self
        if not self.server_url:
            raise ValueError("api mode needs the server_url of your Apprise API server")
        if self.config_key and has_urls:
            raise ValueError("set either config_key (stateful) or urls (stateless), not both")
        if not self.config_key and not has_urls:
            raise ValueError("api mode needs a config_key or at least one URL in urls")
        if self.tags and not self.config_key:
            raise ValueError("tags filter a stored configuration: they need a config_key")
        return self
