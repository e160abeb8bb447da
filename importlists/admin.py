"""Import lists in the console: the generic list and forms with the last sync's
outcome and a "Sync now" action, what each list held, and the exclusion list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from integrations.admin import ProviderConfigAdmin, pill
from integrations.dashboard import ago
from integrations.errors import IntegrationError
from notifications.admin import ReadOnlyAdmin

from . import sync
from .models import ImportList, ImportListExclusion, ListedItem


@admin.register(ImportList)
class ImportListAdmin(ProviderConfigAdmin):
    list_display = [*ProviderConfigAdmin.list_display, "enable_automatic_add", "last_sync"]
    actions = [*ProviderConfigAdmin.actions, "sync_now"]

    @admin.display(description="Last sync", ordering="last_sync_at")
    def last_sync(self, obj):
        if obj.last_sync_at is None:
            return "never"
        if obj.last_sync_error:
            return pill("bad", f"failed {ago(obj.last_sync_at)}", obj.last_sync_error)
        result = obj.last_result or {}
        return format_html(
            "{}: {} found, {} added",
            ago(obj.last_sync_at),
            result.get("found", 0),
            result.get("added", 0),
        )

    @admin.action(description="Sync now", permissions=["change"])
    def sync_now(self, request, queryset):
        for config in queryset:
            try:
                result = sync.sync_list(config)
            except IntegrationError as exc:
                messages.error(request, f"{config.name}: {exc.message}")
                continue
            messages.success(
                request,
                f"{config.name}: {result.found} found, {result.added} added, "
                f"{result.existing} already in the library, {result.excluded} excluded, "
                f"{result.not_found} not found, {len(result.errors)} errors",
            )


@admin.register(ListedItem)
class ListedItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "year", "media_type", "import_list", "outcome", "detail", "synced_at"]
    list_filter = ["outcome", "media_type", "import_list"]
    list_select_related = ["import_list"]
    search_fields = ["title", "imdb_id"]


@admin.register(ImportListExclusion)
class ImportListExclusionAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "media_type", "tvdb_id", "tmdb_id", "imdb_id", "created_at"]
    list_filter = ["media_type"]
    search_fields = ["title", "imdb_id"]
