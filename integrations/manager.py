"""IntegrationManager (seed: Unified Integration Management).

register = validate settings, test, then enable; unregister = disable and
release; lookups by family; ``all_health()`` checks everything concurrently.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import health as health_mod
from .base import Health, Provider, TestResult
from .errors import IntegrationError
from .families import BY_NAME, FAMILIES, Family, family_of
from .models import ProviderConfig, merge_settings


class RegistrationFailed(Exception):
    """The connection test failed, so the integration was not enabled."""

    def __init__(self, result: TestResult):
        super().__init__(result.message)
        self.result = result


class IntegrationManager:
    def family(self, name: str) -> Family:
        return BY_NAME[name]

    def register(
        self,
        family: str,
        *,
        name: str,
        kind: str,
        settings: dict[str, Any],
        tags: list[str] | None = None,
        enabled: bool = True,
        test: bool = True,
    ) -> tuple[ProviderConfig, TestResult | None]:
        """Validate ``settings`` (raises UnknownKind / pydantic ValidationError), run the
        connection test when the integration is to be enabled (raises RegistrationFailed),
        then save it. Returns the saved config and the test result."""
        fam = self.family(family)
        model = fam.model
        provider_cls = model.registry.get(kind)
        validated = merge_settings(None, provider_cls.Settings, settings, partial=False)
        result = None
        if enabled and test:
            result = self.test_settings(provider_cls, validated, name=name)
            if not result.ok:
                raise RegistrationFailed(result)
        with transaction.atomic():
            config = model(name=name, kind=kind, enabled=enabled)
            config.apply_settings(validated)
            config.save()
            if tags is not None:
                from idkarr.library.models import Tag

                config.tags.set(Tag.resolve(tags))
        config.remember_test(result)
        return config, result

    def unregister(self, config: ProviderConfig) -> None:
        config.delete()

    def get(self, family: str, pk: int) -> ProviderConfig:
        return self.family(family).model.objects.get(pk=pk)

    def by_type(self, family: str, *, enabled_only: bool = True):
        qs = self.family(family).model.objects.all()
        return qs.filter(enabled=True) if enabled_only else qs

    def provider(self, config: ProviderConfig) -> Provider:
        return config.build_provider()

    @staticmethod
    def test_settings(provider_cls: type[Provider], validated, *, name: str = "") -> TestResult:
        model = BY_NAME[provider_cls.family].model
        try:
            provider = model(name=name, kind=provider_cls.kind).provider_for(validated)
        except IntegrationError as exc:
            return TestResult(False, exc.message, details={**exc.details, "code": exc.code})
        try:
            return provider.run_test()
        finally:
            provider.close()

    def test(self, config: ProviderConfig) -> TestResult:
        provider = config.build_provider()
        try:
            result = provider.run_test()
        finally:
            provider.close()
        config.remember_test(result)
        return result

    def check(self, config: ProviderConfig) -> Health:
        """Check one integration now and record the result (emits transitions)."""
        return health_mod.check_many([config])[(family_of(config).name, config.pk)]

    def all_health(self, *, record: bool = True) -> dict[tuple[str, int], Health]:
        """Fresh health of every enabled integration, checked concurrently."""
        configs = [c for fam in FAMILIES for c in fam.model.objects.filter(enabled=True)]
        if record:
            return health_mod.check_many(configs)
        from concurrent.futures import ThreadPoolExecutor

        health_mod.prepare(configs)
        with ThreadPoolExecutor(max_workers=max(1, min(32, len(configs)))) as pool:
            results = list(pool.map(health_mod.run_check, configs))
        return {(family_of(c).name, c.pk): h for c, h in zip(configs, results, strict=True)}


manager = IntegrationManager()
