"""Media servers in the console: the generic list and forms, a "Scan all libraries"
action, and the log of library updates with a retry for the failed ones."""

from __future__ import annotations

from django.contrib import admin, messages

from idkarr.accounts.roles import OPERATOR, has_role
from integrations.admin import ProviderConfigAdmin, pill
from integrations.dashboard import DELIVERY_TONES
from integrations.errors import IntegrationError
from notifications.admin import ReadOnlyAdmin

from . import updates
from .models import LibraryUpdate, MediaServer

UPDATE_TONES = {**DELIVERY_TONES, "done": "ok"}


@admin.register(MediaServer)
class MediaServerAdmin(ProviderConfigAdmin):
    list_display = [*ProviderConfigAdmin.list_display, "update_library"]
    actions = [*ProviderConfigAdmin.actions, "scan_all_libraries"]

    @admin.action(description="Scan all their libraries now", permissions=["change"])
    def scan_all_libraries(self, request, queryset):
        for server in queryset:
            try:
                with server.build_provider() as provider:
                    names = []
                    for library in provider.libraries():
                        provider.refresh_library(library.id)
                        names.append(library.name)
            except IntegrationError as exc:
                messages.error(request, f"{server.name}: {exc.message}")
                continue
            scanned = ", ".join(names) if names else "no libraries"
            messages.success(request, f"{server.name}: scanning {scanned}")


@admin.register(LibraryUpdate)
class LibraryUpdateAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "server",
        "folder_path",
        "update_type",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "result",
        "created_at",
    ]
    list_filter = ["status", "server"]
    list_select_related = ["server"]
    search_fields = ["folder", "server__name", "last_error"]
    actions = ["retry_selected"]
    fields = [
        "server",
        "event",
        "folder_path",
        "update_type",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "finished_at",
        "result",
        "last_error",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="Folder", ordering="folder")
    def folder_path(self, obj):
        return obj.change.get("path", "")

    @admin.display(description="Change")
    def update_type(self, obj):
        return obj.change.get("update_type", "")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return pill(UPDATE_TONES.get(obj.status, "muted"), obj.status, obj.last_error)

    def has_retry_permission(self, request):
        return has_role(request.user, OPERATOR)

    @admin.action(description="Send again", permissions=["retry"])
    def retry_selected(self, request, queryset):
        rows = list(queryset.exclude(status=LibraryUpdate.Status.SENDING))
        for row in rows:
            updates.retry_now(row)
        noun = "update" if len(rows) == 1 else "updates"
        messages.success(request, f"Queued {len(rows)} library {noun} to be sent again.")
