"""Abstract ``ProviderConfig``: what a user configures for any integration (DESIGN.md §5)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from pydantic import ValidationError

from . import secrets as secret_store
from .base import UNKNOWN, Provider, ProviderSettings
from .errors import ConfigurationError
from .proxies import FAMILY as PROXY_FAMILY
from .proxies import registry as proxy_registry
from .proxy_route import ProxyRoute
from .registry import Registry

_UNSET = object()


class HealthStatus(models.TextChoices):
    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class ProviderConfig(models.Model):
    """One configured integration. Non-secret settings are JSON, secrets are
    Fernet-encrypted, settings worth filtering on are real columns
    (``column_settings``), health is written with ``.update()`` only."""

    registry: ClassVar[Registry]
    family: ClassVar[str]
    column_settings: ClassVar[tuple[str, ...]] = ()

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(
        max_length=50, db_index=True
    )  # no choices: a new provider needs no migration
    enabled = models.BooleanField(default=True)
    settings = models.JSONField(default=dict, blank=True)
    secrets = models.TextField(blank=True, default="", editable=False)
    tags = models.ManyToManyField("library.Tag", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    health = models.CharField(
        max_length=16, choices=HealthStatus.choices, default=HealthStatus.UNKNOWN
    )
    health_message = models.CharField(max_length=500, blank=True, default="")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    latency_ms = models.IntegerField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    disabled_until = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    health_interval = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds between health checks (empty: the global default)"
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    # -- provider ------------------------------------------------------------
    def provider_class(self) -> type[Provider]:
        return self.registry.get(self.kind)

    def settings_model(self) -> type[ProviderSettings]:
        return self.provider_class().Settings

    def stored_settings(self) -> dict[str, Any]:
        """Non-secret settings: the JSON plus the column-backed fields."""
        data = dict(self.settings or {})
        for name in self.column_settings:
            data[name] = getattr(self, name)
        return data

    def get_secrets(self) -> dict[str, str]:
        return secret_store.decrypt(self.secrets)

    @property
    def secrets_set(self) -> list[str]:
        return sorted(k for k, v in self.get_secrets().items() if v)

    def validated_settings(self) -> ProviderSettings:
        """Settings as the provider's pydantic model, secrets included."""
        model = self.settings_model()
        known = set(model.model_fields)
        data = {k: v for k, v in self.stored_settings().items() if k in known}
        data.update(self.get_secrets())
        # "stored": validators may skip checks of the outside world (a script that must
        # exist) that belong to saving, so a changed world reads as a send error instead.
        return model.model_validate(data, context={"stored": True})

    def apply_settings(self, validated: ProviderSettings) -> None:
        """Store validated settings: secrets encrypted, column fields on columns, the rest as JSON."""
        public = validated.public_dict()
        for name in self.column_settings:
            if name in public:
                setattr(self, name, public.pop(name))
        self.settings = public
        self.secrets = secret_store.encrypt({k: v for k, v in validated.secret_dict().items() if v})

    def build_provider(self) -> Provider:
        """The provider for these settings. Stored settings that no longer validate
        (a provider upgrade tightened a rule) raise a permanent ConfigurationError."""
        try:
            settings = self.validated_settings()
        except ValidationError as exc:
            first = exc.errors()[0] if exc.errors() else {}
            where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
            raise ConfigurationError(
                f"The saved settings of {self.name} are no longer valid ({where}: {first.get('msg', 'invalid')}); "
                "edit and save them again"
            ) from None
        return self.provider_for(settings)

    def require_enabled(self) -> None:
        """ConfigurationError unless the integration is enabled: a disabled one is never
        contacted on request either."""
        if not self.enabled:
            raise ConfigurationError(f"{self.name} is disabled: enable it first")

    def provider_for(self, settings: ProviderSettings) -> Provider:
        """The provider for validated ``settings``, with the route through the proxy
        they name (``proxy_id``). Raises ConfigurationError when that proxy is gone or
        disabled: never a reason to connect directly, as the proxy may be what hides
        the user."""
        provider = self.provider_class()(settings, name=self.name)
        proxy_id = getattr(settings, "proxy_id", None)
        if proxy_id:
            provider.proxy = self._proxy_route(proxy_id)
        return provider

    @classmethod
    def prepare(cls, configs: list) -> None:
        """Read now what building these configs' providers needs from the database (the
        proxies they name), for providers built in worker threads, which must not
        query it."""
        ids = {(c.settings or {}).get("proxy_id") for c in configs} - {None}
        proxies = Proxy.objects.in_bulk(ids) if ids else {}
        for config in configs:
            config._proxy = proxies.get((config.settings or {}).get("proxy_id"))

    def _proxy_route(self, proxy_id: int) -> ProxyRoute:
        proxy = getattr(self, "_proxy", _UNSET)
        if proxy is _UNSET or (proxy is not None and proxy.pk != proxy_id):
            proxy = Proxy.objects.filter(pk=proxy_id).first()
        who = self.name or f"This {self._meta.verbose_name}"
        if proxy is None:
            raise ConfigurationError(
                f"{who} is set to use proxy #{proxy_id}, which no longer exists: "
                "choose another proxy or none in its settings"
            )
        if not proxy.enabled:
            raise ConfigurationError(
                f"{who} goes through the proxy '{proxy.name}', which is disabled: "
                "enable it, or choose another proxy or none in its settings"
            )
        return proxy.build_provider().route()

    def remember_test(self, result) -> None:
        """Keep what a successful connection test learned (e.g. an indexer's caps).
        Families override; the default keeps nothing."""

    # -- health ----------------------------------------------------------------
    def interval_seconds(self) -> int:
        return self.health_interval or getattr(django_settings, "HEALTH_CHECK_INTERVAL", 60)

    def health_dict(self) -> dict[str, Any]:
        return {
            "status": self.health or UNKNOWN,
            "latency_ms": self.latency_ms,
            "checked_at": self.last_checked_at.isoformat() if self.last_checked_at else None,
            "message": self.health_message or self.last_error,
            "consecutive_failures": self.consecutive_failures,
            "disabled_until": self.disabled_until.isoformat() if self.disabled_until else None,
        }

    def serves_tags(self, labels: set[str] | None) -> bool:
        """Sonarr's tag rule for indexers and download clients: a config without tags
        serves every series and movie, one with tags only those sharing at least one.
        ``labels`` None means no series or movie is involved: nothing is restricted.
        (Prefetch ``tags`` when asking many configs.)"""
        if labels is None:
            return True
        own = {t.label for t in self.tags.all()}
        return not own or not own.isdisjoint(labels)

    @property
    def is_disabled_by_backoff(self) -> bool:
        return bool(self.disabled_until and self.disabled_until > timezone.now())


def merge_settings(
    config: ProviderConfig | None,
    model: type[ProviderSettings],
    incoming: dict[str, Any],
    *,
    partial: bool,
) -> ProviderSettings:
    """Combine what a client sent with what is stored, then validate.

    * secrets: omitted or ``None`` keeps the stored value, ``""`` clears it;
    * ``partial`` (PATCH): omitted non-secret fields keep their stored value;
      otherwise (create/PUT) they take their defaults.
    Raises pydantic ``ValidationError``.
    """
    secret_names = set(model.secret_fields())
    data: dict[str, Any] = {}
    if config is not None and config.kind and partial:
        known = set(model.model_fields)
        data.update({k: v for k, v in config.stored_settings().items() if k in known})
    stored_secrets = config.get_secrets() if config is not None and config.pk else {}
    for name in secret_names:
        if stored_secrets.get(name):
            data[name] = stored_secrets[name]
    for key, value in incoming.items():
        if key in secret_names:
            if value is None:
                continue
            if value == "":
                data.pop(key, None)
                continue
        data[key] = value
    return model.model_validate(data)


__all__ = ["HealthStatus", "Heartbeat", "ProviderConfig", "ValidationError", "merge_settings"]


class Proxy(ProviderConfig):
    """An HTTP or SOCKS5 proxy that integrations may go through (their ``proxy_id``)."""

    registry = proxy_registry
    family = PROXY_FAMILY

    class Meta(ProviderConfig.Meta):
        verbose_name = "proxy"
        verbose_name_plural = "proxies"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.touch_users()

    def delete(self, *args, **kwargs):
        self.touch_users()
        return super().delete(*args, **kwargs)

    def _users_by_family(self):
        """One queryset per family: its integrations whose settings name this proxy."""
        from .families import FAMILIES

        return [
            fam.model.objects.filter(settings__proxy_id=self.pk)
            for fam in FAMILIES
            if fam.model is not Proxy
        ]

    def users(self) -> list:
        """The integrations whose settings name this proxy."""
        return [config for qs in self._users_by_family() for config in qs.order_by("name")]

    def touch_users(self) -> None:
        """Mark the integrations using this proxy as changed, so that every process
        rebuilds their providers (and HTTP sessions) with the proxy's new settings."""
        now = timezone.now()
        for qs in self._users_by_family():
            qs.update(updated_at=now)


def config_choices(model) -> list[tuple[int, str]]:
    """Every configured ``model`` row as ``(id, "name (Kind)")``, for the select of a
    setting that names one (``json_schema_extra={"choices_from": …}``)."""
    out = []
    for pk, name, kind in model.objects.order_by("name").values_list("pk", "name", "kind"):
        label = model.registry.get(kind).label if kind in model.registry else kind
        out.append((pk, f"{name} ({label})"))
    return out


def proxy_choices() -> list[tuple[int, str]]:
    """Every proxy, for the proxy select of a settings form."""
    return config_choices(Proxy)


class Heartbeat(models.Model):
    """Last time a background process did its periodic work (shown by system status)."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str, **details) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": timezone.now(), "details": details})
