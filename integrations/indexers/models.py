from __future__ import annotations

from datetime import timedelta

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone

from integrations.models import ProviderConfig

from .base import FAMILY, Capabilities, Protocol
from .registry import registry

CAPS_MAX_AGE = timedelta(days=1)


class Indexer(ProviderConfig):
    """A configured indexer (Newznab, Torznab, Jackett, Prowlarr)."""

    registry = registry
    family = FAMILY
    column_settings = ("priority", "enable_rss", "enable_search", "rss_interval")

    priority = models.PositiveSmallIntegerField(default=25, db_index=True)
    enable_rss = models.BooleanField(default=True)
    enable_search = models.BooleanField(default=True)
    protocol = models.CharField(
        max_length=10,
        choices=[(p.value, p.value) for p in Protocol],
        default=Protocol.TORRENT.value,
        db_index=True,
        help_text="Set from the kind (Prowlarr: the protocol of the indexers it proxies)",
    )
    caps = models.JSONField(default=dict, blank=True, editable=False)
    caps_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    rss_interval = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes between RSS syncs (empty: the global default)"
    )
    next_rss_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_rss_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_rss_error = models.CharField(max_length=500, blank=True, default="", editable=False)
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="managed_indexers",
        help_text="The Prowlarr instance that imported this indexer (pull sync)",
    )
    remote_id = models.IntegerField(
        null=True, blank=True, help_text="The indexer's id in the Prowlarr that manages it"
    )

    class Meta(ProviderConfig.Meta):
        verbose_name = "indexer"
        constraints = [
            models.UniqueConstraint(
                fields=["managed_by", "remote_id"], name="uniq_indexer_managed_remote"
            )
        ]

    def save(self, *args, **kwargs):
        if self.kind in registry:
            protocol = getattr(self.provider_class(), "protocol", None)
            if protocol:
                self.protocol = str(protocol)
        super().save(*args, **kwargs)

    # -- caps cache ------------------------------------------------------------
    def cached_caps(self) -> Capabilities | None:
        """The stored caps when fetched within a day, else None."""
        if not self.caps or not self.caps_fetched_at:
            return None
        if timezone.now() - self.caps_fetched_at > CAPS_MAX_AGE:
            return None
        return Capabilities.from_dict(self.caps)

    def store_caps(self, caps: Capabilities) -> None:
        now = timezone.now()
        data = caps.to_dict()
        Indexer.objects.filter(pk=self.pk).update(caps=data, caps_fetched_at=now)
        self.caps, self.caps_fetched_at = data, now

    def interval_seconds(self) -> int:
        """Indexers are checked (a caps read) every 15 minutes unless set otherwise: many
        limit API hits per day, and every search and RSS fetch already records health."""
        return self.health_interval or getattr(django_settings, "INDEXER_HEALTH_INTERVAL", 900)

    def remember_test(self, result) -> None:
        """A passed Test read the caps: keep them (Test refreshes the cache)."""
        caps = (result.details or {}).get("caps") if result is not None and result.ok else None
        if caps and self.pk:
            self.store_caps(Capabilities.from_dict(caps))

    def rss_interval_minutes(self) -> int:
        return self.rss_interval or getattr(django_settings, "INDEXER_RSS_INTERVAL", 15)


class Release(models.Model):
    """A release an indexer's RSS feed offered, kept for a while (first-seen time)."""

    indexer = models.ForeignKey(Indexer, on_delete=models.CASCADE, related_name="releases")
    guid = models.CharField(max_length=1000)
    title = models.CharField(max_length=500)
    protocol = models.CharField(max_length=10)
    size = models.BigIntegerField(default=0)
    publish_date = models.DateTimeField(null=True, blank=True)
    download_url = models.TextField(blank=True)
    info_url = models.TextField(blank=True)
    infohash = models.CharField(max_length=64, blank=True, db_index=True)
    seeders = models.IntegerField(null=True, blank=True)
    leechers = models.IntegerField(null=True, blank=True)
    grabs = models.IntegerField(null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="The whole result, parse included")
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["indexer", "guid"], name="uniq_release_indexer_guid")
        ]

    def __str__(self) -> str:
        return self.title


class ProwlarrSyncState(models.Model):
    """When a Prowlarr instance's indexers were last pulled, and what changed."""

    indexer = models.OneToOneField(
        Indexer, primary_key=True, on_delete=models.CASCADE, related_name="sync_state"
    )
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    last_report = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"sync state of {self.indexer_id}"


__all__ = [
    "Indexer",
    "IndexerUsage",
    "ProwlarrSyncState",
    "Release",
]


class IndexerUsage(models.Model):
    """How many queries (searches and RSS fetches) and grabs idkarr sent an indexer on
    one UTC day: the count its ``query_limit``/``grab_limit`` settings are held to, and
    the day's failures and answer times for the stats."""

    indexer = models.ForeignKey(Indexer, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    queries = models.PositiveIntegerField(default=0)
    grabs = models.PositiveIntegerField(default=0)
    # For the stats (Prowlarr's): queries that failed, and the answer times of the rest.
    failed_queries = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answer_ms_total = models.BigIntegerField(default=0)
    # What the indexer itself last said of its limits (Newznab's <newznab:apilimits>).
    api_current = models.PositiveIntegerField(null=True, blank=True)
    api_max = models.PositiveIntegerField(null=True, blank=True)
    grab_current = models.PositiveIntegerField(null=True, blank=True)
    grab_max = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "indexer"]
        constraints = [
            models.UniqueConstraint(fields=["indexer", "day"], name="uniq_indexer_usage_day")
        ]

    def __str__(self) -> str:
        return f"{self.indexer_id} {self.day}: {self.queries} queries, {self.grabs} grabs"
