from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models

from integrations.models import ProviderConfig

from .base import FAMILY
from .registry import registry


class ImportList(ProviderConfig):
    """A configured import list (Trakt, IMDb): its provider settings and what a sync
    does with its items."""

    registry = registry
    family = FAMILY
    column_settings = ("enable_automatic_add",)

    enable_automatic_add = models.BooleanField(default=True)
    last_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_sync_error = models.CharField(max_length=500, blank=True, default="", editable=False)
    last_result = models.JSONField(default=dict, blank=True, editable=False)

    class Meta(ProviderConfig.Meta):
        verbose_name = "import list"

    def interval_seconds(self) -> int:
        """Lists are checked (a read of the list) every 6 hours unless set otherwise:
        an IMDb check downloads the whole export, and each sync reports its own failure."""
        return self.health_interval or getattr(
            django_settings, "IMPORT_LIST_HEALTH_INTERVAL", 21600
        )


class ListedItem(models.Model):
    """What a list held at its last sync, and what the sync did with each entry."""

    class Outcome(models.TextChoices):
        ADDED = "added"
        EXISTS = "exists"  # already in the library
        EXCLUDED = "excluded"
        NOT_FOUND = "not_found"  # no TVDB/TMDB id could be found
        LISTED = "listed"  # automatic add is off
        ERROR = "error"  # a lookup or the add failed; tried again next sync

    import_list = models.ForeignKey(ImportList, on_delete=models.CASCADE, related_name="items")
    media_type = models.CharField(max_length=8)
    title = models.CharField(max_length=300, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    tvdb_id = models.PositiveIntegerField(null=True, blank=True)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    imdb_id = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True, default="")
    series = models.ForeignKey(
        "library.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    movie = models.ForeignKey(
        "library.Movie", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["import_list", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.outcome})"


class ImportListExclusion(models.Model):
    """A series or movie no import list may add (Sonarr's import list exclusions)."""

    media_type = models.CharField(max_length=8, choices=[("series", "series"), ("movie", "movie")])
    title = models.CharField(max_length=300, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    tvdb_id = models.PositiveIntegerField(null=True, blank=True)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    imdb_id = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["media_type", "tvdb_id"],
                condition=models.Q(tvdb_id__isnull=False),
                name="uniq_exclusion_tvdb",
            ),
            models.UniqueConstraint(
                fields=["media_type", "tmdb_id"],
                condition=models.Q(tmdb_id__isnull=False),
                name="uniq_exclusion_tmdb",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.tvdb_id or self.tmdb_id or self.imdb_id)
