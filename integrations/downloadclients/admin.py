from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from integrations.admin import CONSOLE_CSS, ProviderConfigAdmin
from integrations.errors import IntegrationError
from notifications.payloads import format_size

from . import queue
from .models import (
    BlocklistedRelease,
    ClientPollState,
    Download,
    DownloadClient,
    RemotePathMapping,
)

STATUS_TONES = {
    "downloading": "info",
    "seeding": "ok",
    "completed": "ok",
    "queued": "muted",
    "paused": "muted",
    "checking": "info",
    "warning": "warn",
    "failed": "bad",
    "error": "bad",
    "unknown": "muted",
}


@admin.register(DownloadClient)
class DownloadClientAdmin(ProviderConfigAdmin):
    """Download clients in the console: list with health, kind picker, generated settings form."""


class _ClientPermissions:
    """Queue and mappings follow the download-client permissions the roles already grant."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("downloadclients.view_downloadclient")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("downloadclients.change_downloadclient")

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request)


@admin.register(RemotePathMapping)
class RemotePathMappingAdmin(_ClientPermissions, admin.ModelAdmin):
    list_display = ["host", "remote_path", "local_path"]
    search_fields = ["host", "remote_path", "local_path"]


def _eta(seconds):
    if seconds is None:
        return "∞"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def queue_rows(qs):
    errors = dict(ClientPollState.objects.values_list("client_id", "last_error"))
    for row in qs:
        yield {
            "row": row,
            "tone": STATUS_TONES.get(row.status, "muted"),
            "percent": round(row.progress * 100, 1),
            "size": format_size(row.size),
            "speed": format_size(row.download_speed) + "/s" if row.download_speed else "",
            "eta": _eta(row.eta) if row.status == "downloading" else "",
            "client_error": errors.get(row.client_id, "") if row.unknown_since else "",
        }


@admin.register(Download)
class DownloadQueueAdmin(_ClientPermissions, admin.ModelAdmin):
    """The download queue: every client's items, refreshed by the beat dispatcher or on demand."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.refresh_view)
        act = self.admin_site.admin_view(self.act_view)
        return [
            path("refresh/", view, name="downloadclients_download_refresh"),
            path("<int:item_id>/act/", act, name="downloadclients_download_act"),
            *super().get_urls(),
        ]

    def act_view(self, request, item_id: int):
        """Pause, resume or remove one item (remove: optionally with its files, and
        putting its release on the blocklist), then back to the queue with the outcome."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:downloadclients_download_changelist"))
        row = (
            Download.objects.select_related("client")
            .filter(pk=item_id, removed_at__isnull=True)
            .first()
        )
        if row is None:
            messages.error(request, "That item is no longer in the queue.")
            return back
        action, label = request.POST.get("action", ""), row.title or row.download_id
        try:
            if action in ("pause", "resume"):
                queue.act(row, action)
                done = "Paused" if action == "pause" else "Resumed"
                messages.success(request, f"{done} {label} on {row.client.name}.")
            elif action == "remove":
                delete_data = request.POST.get("delete_data") == "1"
                blocklist_it = request.POST.get("blocklist") == "1"
                queue.remove_item(row, delete_data=delete_data, blocklist_it=blocklist_it)
                extra = (" with its files" if delete_data else "") + (
                    "; its release is on the blocklist" if blocklist_it else ""
                )
                messages.success(request, f"Removed {label} from {row.client.name}{extra}.")
            else:
                messages.error(request, f"Unknown action {action!r}.")
        except IntegrationError as exc:
            messages.error(request, f"{row.client.name}: {exc}")
        return back

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        qs = (
            Download.objects.filter(removed_at__isnull=True)
            .select_related("client")
            .order_by("client__name", "first_seen_at", "pk")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Download queue",
            "items": list(queue_rows(qs)),
            "can_refresh": self.has_change_permission(request),
            "refresh_url": reverse("admin:downloadclients_download_refresh"),
            "console_css": CONSOLE_CSS,
        }
        return TemplateResponse(request, "admin/downloadclients/download_queue.html", context)

    def refresh_view(self, request):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        results = queue.refresh_all()
        failed = [r.error for r in results.values() if not r.ok]
        for text in failed:
            messages.warning(request, text)
        messages.info(request, f"Polled {len(results)} download clients.")
        return HttpResponseRedirect(reverse("admin:downloadclients_download_changelist"))


@admin.register(BlocklistedRelease)
class BlocklistAdmin(_ClientPermissions, admin.ModelAdmin):
    """Releases idkarr will not grab again: failed downloads and releases a user removed
    from the queue with "blocklist". Deleting an entry takes the release off the list."""

    list_display = ["title", "indexer_name", "protocol", "source", "message", "created_at"]
    list_filter = ["source", "protocol"]
    search_fields = ["title", "indexer_name", "infohash", "release_guid"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in BlocklistedRelease._meta.fields]

    def has_add_permission(self, request):
        return False  # releases get here by failing or by a remove with "blocklist"

    def has_change_permission(self, request, obj=None):
        return False  # an entry is kept or deleted, not edited

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("downloadclients.change_downloadclient")
