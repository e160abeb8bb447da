"""Import lists in the console: the generic list and forms with the last sync's
outcome and a "Sync now" action, what each list held, and the exclusion list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from integrations.admin import CONSOLE_CSS, ProviderConfigAdmin, pill
from integrations.dashboard import ago
from integrations.errors import IntegrationError
from notifications.admin import ReadOnlyAdmin

from . import signin, sync
from .models import ImportList, ImportListExclusion, ListedItem


@admin.register(ImportList)
class ImportListAdmin(ProviderConfigAdmin):
    list_display = [
        *ProviderConfigAdmin.list_display,
        "enable_automatic_add",
        "last_sync",
        "sign_in_link",
    ]
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

    @admin.display(description="Sign-in")
    def sign_in_link(self, obj):
        if obj.kind not in self.model.registry:
            return "—"
        if not hasattr(obj.provider_class(), "start_device_auth"):
            return "—"
        url = reverse("admin:importlists_importlist_sign_in", args=[obj.pk])
        signed_in = "access_token" in obj.secrets_set
        return format_html('<a href="{}">{}</a>', url, "Sign in again" if signed_in else "Sign in")

    def get_urls(self):
        view = self.admin_site.admin_view(self.sign_in_view)
        return [
            path("<path:object_id>/sign-in/", view, name="importlists_importlist_sign_in"),
            *super().get_urls(),
        ]

    def sign_in_view(self, request, object_id):
        """Trakt's device sign-in: GET shows a code to enter on trakt.tv, POST checks
        whether the user approved it (and then the tokens are saved on the list)."""
        config = self.get_object(request, unquote(object_id))
        if config is None or not self.has_change_permission(request, config):
            raise PermissionDenied
        change_url = reverse("admin:importlists_importlist_change", args=[config.pk])
        pending = request.method == "POST"
        try:
            if pending:
                code = {k: request.POST.get(k, "") for k in ("device_code", "user_code")}
                code["verification_url"] = request.POST.get("verification_url", "")
                if signin.poll(config, code["device_code"]):
                    messages.success(request, f"{config.name} is signed in.")
                    return redirect(change_url)
            else:
                code = signin.start(config)
        except IntegrationError as exc:
            messages.error(request, f"{config.name}: {exc.message}")
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Sign in {config.name}",
            "config": config,
            "code": code,
            "pending": pending,
            "console_css": CONSOLE_CSS,
        }
        return TemplateResponse(request, "admin/importlists/sign_in.html", context)

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
