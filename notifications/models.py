"""Notification targets and the event outbox (DESIGN.md §7)."""

from __future__ import annotations

from django.db import models

from integrations.models import ProviderConfig

from .base import EVENT_LABELS, EVENT_TYPES, FAMILY, flag_name
from .registry import registry


class NotificationTarget(ProviderConfig):
    """A configured notification target. The ``on_<event>`` subscription flags are
    real columns so emit() can select subscribers in one query."""

    registry = registry
    family = FAMILY
    column_settings = tuple(flag_name(e) for e in EVENT_TYPES)

    class Meta(ProviderConfig.Meta):
        verbose_name = "notification target"

    def subscribes_to(self, event_type: str) -> bool:
        return bool(getattr(self, flag_name(event_type), False))


for _event in EVENT_TYPES:
    NotificationTarget.add_to_class(
        flag_name(_event),
        models.BooleanField(default=_event != "rename", verbose_name=EVENT_LABELS[_event]),
    )


class Event(models.Model):
    event_type = models.CharField(max_length=32, db_index=True)
    payload = models.JSONField(default=dict)
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(
        max_length=100, blank=True, help_text="what emitted it (api:user, health, …)"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        RETRYING = "retrying"
        SENT = "sent"
        FAILED = "failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    target = models.ForeignKey(
        NotificationTarget, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    response_code = models.IntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "target"], name="one_delivery_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.event.event_type} → {self.target.name}: {self.status}"
