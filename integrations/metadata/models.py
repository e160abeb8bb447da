from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models

from integrations.models import ProviderConfig

from .base import FAMILY
from .registry import registry


class MetadataSource(ProviderConfig):
    """A configured metadata source (TVDB, TMDB). When several can answer, the one
    with the lowest ``priority`` number is asked first."""

    registry = registry
    family = FAMILY
    column_settings = ("priority",)

    priority = models.PositiveSmallIntegerField(
        default=25, db_index=True, help_text="Lower numbers are asked first"
    )

    class Meta(ProviderConfig.Meta):
        verbose_name = "metadata source"

    def interval_seconds(self) -> int:
        """Sources are checked hourly unless set otherwise (TheTVDB's check logs in)."""
        return self.health_interval or getattr(django_settings, "METADATA_HEALTH_INTERVAL", 3600)
