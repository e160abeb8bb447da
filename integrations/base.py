"""The provider contract shared by every integration family (DESIGN.md §4).

A provider class declares ``kind`` (stable slug), ``label``, ``family``,
``version`` (of the adapter), ``capabilities`` and a pydantic ``Settings`` model
whose ``SecretStr`` fields are the secrets. An instance is built from validated
settings, opens its HTTP session lazily, and answers ``test()`` and
``health()`` without raising for expected failures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr

from .errors import IntegrationError
from .proxy_route import ProxyRoute

HEALTHY, DEGRADED, UNHEALTHY, UNKNOWN = "healthy", "degraded", "unhealthy", "unknown"


class ProviderSettings(BaseModel):
    """Base of every provider's Settings: unknown fields are an error, not ignored."""

    # hide_input_in_errors: a refused secret must not reappear in a validation message
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True)

    @classmethod
    def secret_fields(cls) -> list[str]:
        return [name for name, f in cls.model_fields.items() if _is_secret(f.annotation)]

    def public_dict(self) -> dict[str, Any]:
        """Settings without secrets, JSON-ready."""
        return self.model_dump(mode="json", exclude=set(self.secret_fields()))

    def secret_dict(self) -> dict[str, str]:
        """Only the secrets, as plain strings (for encryption at rest). Unset ones are omitted."""
        out = {}
        for name in self.secret_fields():
            value = getattr(self, name)
            if value is not None:
                out[name] = value.get_secret_value()
        return out


def _is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    return SecretStr in getattr(annotation, "__args__", ())


@dataclass
class TestResult:
    ok: bool
    message: str
    latency_ms: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    __test__ = False  # not a pytest class


@dataclass
class Health:
    status: str
    latency_ms: int | None
    checked_at: datetime
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class Provider:
    """Base adapter. Subclasses set the class attributes and implement ``test``."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    family: ClassVar[str] = ""
    version: ClassVar[str] = "1.0"
    capabilities: ClassVar[frozenset[str]] = frozenset()
    Settings: ClassVar[type[ProviderSettings]] = ProviderSettings
    admin_only: ClassVar[bool] = False  # only admins may configure it (e.g. running local scripts)
    # The proxy its HTTP goes through, set by the model from the settings' ``proxy_id``.
    proxy: ProxyRoute | None = None

    def __init__(self, settings: ProviderSettings, *, name: str = ""):
        if not isinstance(settings, self.Settings):
            raise TypeError(f"{type(self).__name__} needs {self.Settings.__name__}")
        self.settings = settings
        self.name = name or self.label

    # -- lifecycle -------------------------------------------------------
    def close(self) -> None:
        """Release sessions and sockets. Safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- contract --------------------------------------------------------
    def test(self) -> TestResult:
        """Check reachability, credentials and version. Returns a result; raises nothing
        for an expected failure (it says why in ``message``)."""
        raise NotImplementedError

    def health(self) -> Health:
        """Run ``test`` and time it. Providers may report ``degraded`` for a working
        but impaired remote."""
        started = time.monotonic()
        result = self.run_test()
        latency = result.latency_ms if result.latency_ms is not None else _ms_since(started)
        status = HEALTHY if result.ok else UNHEALTHY
        if result.ok and result.details.get("degraded"):
            status = DEGRADED
        return Health(
            status=status,
            latency_ms=latency,
            checked_at=datetime.now(UTC),
            message=result.message,
            details=result.details,
        )

    def run_test(self) -> TestResult:
        """``test()`` with timing and a guarantee: an IntegrationError becomes a failed result."""
        started = time.monotonic()
        try:
            result = self.test()
        except IntegrationError as exc:
            result = TestResult(False, exc.message, details={**exc.details, "code": exc.code})
        if result.latency_ms is None:
            result.latency_ms = _ms_since(started)
        return result

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """What ``GET /{family}/kinds`` shows for this kind."""
        return {
            "kind": cls.kind,
            "label": cls.label,
            "family": cls.family,
            "version": cls.version,
            "capabilities": sorted(cls.capabilities),
            "settings_schema": settings_json_schema(cls.Settings),
            "secret_fields": cls.Settings.secret_fields(),
            "admin_only": cls.admin_only,
        }


def settings_json_schema(model: type[ProviderSettings]) -> dict[str, Any]:
    """JSON schema of a Settings model with secret fields marked ``writeOnly``."""
    schema = model.model_json_schema()
    for name in model.secret_fields():
        prop = schema.get("properties", {}).get(name)
        if prop is not None:
            prop["writeOnly"] = True
            prop.setdefault("format", "password")
    return schema


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
