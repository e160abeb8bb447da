from __future__ import annotations

from django.db import models

from integrations.models import ProviderConfig

from .base import FAMILY, LibraryChange
from .registry import registry


class MediaServer(ProviderConfig):
    """A configured media server (Plex, Jellyfin, Emby)."""

    registry = registry
    family = FAMILY
    column_settings = ("update_library",)

    update_library = models.BooleanField(
        default=True, help_text="Scan changed folders when idkarr's library changes"
    )

    class Meta(ProviderConfig.Meta):
        verbose_name = "media server"


class LibraryUpdate(models.Model):
    """One folder a media server is to scan, from a library-changing event: an outbox
    row, so a server that is down, a broker restart or a killed worker delays the
    scan but never loses it. Updates of the same folder that wait together are one."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        RETRYING = "retrying"
        DONE = "done"
        FAILED = "failed"

    WAITING = (Status.PENDING, Status.RETRYING)

    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="updates")
    event = models.ForeignKey(
        "notifications.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_updates",
    )
    change = models.JSONField(default=dict)  # LibraryChange.to_dict()
    folder = models.CharField(max_length=1000)  # the change's path and type: what coalesces
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=500, blank=True, default="")
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["server", "folder", "status"])]

    def __str__(self) -> str:
        return f"{self.server.name}: {self.folder} ({self.status})"

    @property
    def library_change(self) -> LibraryChange:
        return LibraryChange.from_dict(self.change)
