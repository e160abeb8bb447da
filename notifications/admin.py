"""Notification targets (the generic integration admin), and the read-only event
and delivery logs with a Resend action."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.html import format_html

from idkarr.accounts.roles import ADMIN, OPERATOR, has_role
from integrations.admin import CONSOLE_CSS, ProviderConfigAdmin, pill
from integrations.dashboard import DELIVERY_TONES

from .events import resend
from .models import Delivery, Event, NotificationTarget


@admin.register(NotificationTarget)
class NotificationTargetAdmin(ProviderConfigAdmin):
    """Notification targets; the ``on_<event>`` subscriptions form the "Events" fieldset."""


def status_pill(delivery: Delivery):
    return pill(DELIVERY_TONES.get(delivery.status, "muted"), delivery.status, delivery.last_error)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: nobody adds or edits rows; admins may delete them."""

    class Media:
        css = {"all": [CONSOLE_CSS]}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, ADMIN)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = [
        "target",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "response_code",
        "last_error",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Status")
    def status_badge(self, obj):
        return status_pill(obj)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "created_at", "source", "delivery_counts"]
    list_filter = ["event_type", "source"]
    search_fields = ["event_type", "source"]
    date_hierarchy = "created_at"
    fields = ["event_type", "created_at", "source", "tags", "payload_pretty"]
    readonly_fields = fields
    inlines = [DeliveryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_deliveries=Count("deliveries"),
                n_sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                n_failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
            )
        )

    @admin.display(description="Deliveries", ordering="n_deliveries")
    def delivery_counts(self, obj):
        if not obj.n_deliveries:
            return "none"
        return f"{obj.n_deliveries} ({obj.n_sent} sent, {obj.n_failed} failed)"

    @admin.display(description="Payload")
    def payload_pretty(self, obj):
        text = json.dumps(obj.payload, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html('<pre class="idk-json">{}</pre>', text)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event",
        "target",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "last_error",
        "response_code",
    ]
    list_display_links = ["id", "event"]
    list_filter = ["status", "target", "event__event_type"]
    list_select_related = ["event", "target"]
    search_fields = ["target__name", "last_error"]
    actions = ["resend_selected"]
    fields = [
        "event",
        "target",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "delivered_at",
        "response_code",
        "last_error",
        "details_pretty",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_pill(obj)

    @admin.display(description="Details")
    def details_pretty(self, obj):
        text = json.dumps(obj.details, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html('<pre class="idk-json">{}</pre>', text)

    def has_resend_permission(self, request):
        return has_role(request.user, OPERATOR)

    @admin.action(description="Resend", permissions=["resend"])
    def resend_selected(self, request, queryset):
        count = 0
        for delivery in queryset:
            resend(delivery)
            count += 1
        noun = "delivery" if count == 1 else "deliveries"
        messages.success(request, f"Queued {count} {noun} to be sent again.")
