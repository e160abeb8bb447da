"""The console's generic admin for every integration family (DESIGN.md §8).

Family apps register their model with ``ProviderConfigAdmin``. Add and change
pages are built from the provider's ``Settings`` (``integrations.forms``) and
run the connection test before saving (``admin_views``). Secrets are never
rendered: not in lists, forms, messages or the change log.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.html import format_html, format_html_join

from . import admin_views
from . import health as health_mod
from .admin_views import health_pill, pill
from .dashboard import ago
from .manager import manager
from .models import Proxy

CONSOLE_CSS = "idkarr/console.css"
__all__ = ["CONSOLE_CSS", "KindFilter", "ProviderConfigAdmin", "health_pill", "pill"]


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        registry = model_admin.model.registry
        kinds = dict((cls.kind, cls.label) for cls in registry.classes())
        for kind in model_admin.model.objects.values_list("kind", flat=True).distinct():
            kinds.setdefault(kind, kind)
        return sorted(kinds.items(), key=lambda item: item[1].lower())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class ProviderConfigAdmin(admin.ModelAdmin):
    """Generic admin of a ``ProviderConfig`` subclass."""

    list_display = ["name", "kind_label", "enabled", "health_badge", "last_checked", "tag_list"]
    list_display_links = ["name"]
    list_filter = [KindFilter, "enabled", "health"]
    search_fields = ["name"]
    actions = ["test_selected", "check_health", "enable_selected", "disable_selected"]

    class Media:
        css = {"all": [CONSOLE_CSS]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    # -- list columns ---------------------------------------------------------
    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, obj):
        registry = self.model.registry
        return registry.get(obj.kind).label if obj.kind in registry else obj.kind

    @admin.display(description="Health", ordering="health")
    def health_badge(self, obj):
        return health_pill(obj)

    @admin.display(description="Last checked", ordering="last_checked_at")
    def last_checked(self, obj):
        if obj.last_checked_at is None:
            return "never"
        return format_html(
            '<span title="{}">{}</span>', obj.last_checked_at.isoformat(), ago(obj.last_checked_at)
        )

    @admin.display(description="Tags")
    def tag_list(self, obj):
        tags = [(t.label,) for t in obj.tags.all()]
        return format_html_join(" ", '<span class="idk-tag">{}</span>', tags) if tags else "—"

    # -- pages ------------------------------------------------------------------
    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_check_all"
        view = self.admin_site.admin_view(self.check_all_view)
        return [path("check-all/", view, name=name), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        kind = request.POST.get("kind") or request.GET.get("kind")
        if not kind:
            return admin_views.kind_picker(self, request)
        if kind not in self.model.registry:
            messages.error(request, f"Unknown kind “{kind}”. Pick one of the kinds below.")
            return admin_views.kind_picker(self, request)
        return admin_views.config_form(self, request, kind=kind)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if obj.kind not in self.model.registry:
            messages.error(
                request,
                f"“{obj.name}” uses kind “{obj.kind}”, which this install no longer provides.",
            )
            return admin_views.redirect_to_changelist(self)
        return admin_views.config_form(self, request, kind=obj.kind, obj=obj)

    def check_all_view(self, request):
        """POST: check every enabled integration of every family now (operator+)."""
        if request.method != "POST":
            return admin_views.redirect_to_changelist(self)
        if not self.has_change_permission(request):
            raise PermissionDenied
        return admin_views.check_all(self, request)

    # -- actions ----------------------------------------------------------------
    @admin.action(description="Test selected", permissions=["change"])
    def test_selected(self, request, queryset):
        for config in queryset:
            try:
                result = manager.test(config)
            except Exception as exc:  # unknown kind, stored settings no longer valid
                messages.error(request, f"{config.name}: cannot test ({type(exc).__name__})")
                continue
            level = messages.SUCCESS if result.ok else messages.ERROR
            messages.add_message(request, level, f"{config.name}: {result.message}")

    @admin.action(description="Check health now", permissions=["change"])
    def check_health(self, request, queryset):
        configs = list(queryset)
        results = health_mod.check_many(configs)
        family = self.model.family
        for config in configs:
            health = results[(family, config.pk)]
            level = messages.SUCCESS if health.status == "healthy" else messages.WARNING
            suffix = f": {health.message}" if health.message else ""
            messages.add_message(request, level, f"{config.name} is {health.status}{suffix}")

    @admin.action(description="Enable selected", permissions=["change"])
    def enable_selected(self, request, queryset):
        count = queryset.update(enabled=True)
        messages.success(request, f"Enabled {count} {self._noun(count)}.")

    @admin.action(description="Disable selected", permissions=["change"])
    def disable_selected(self, request, queryset):
        count = queryset.update(enabled=False)
        messages.success(request, f"Disabled {count} {self._noun(count)}.")

    def _noun(self, count: int) -> str:
        opts = self.model._meta
        return str(opts.verbose_name if count == 1 else opts.verbose_name_plural)


@admin.register(Proxy)
class ProxyAdmin(ProviderConfigAdmin):
    """Proxies in the console: the generic list and forms, plus which integrations go
    through each one."""

    list_display = [*ProviderConfigAdmin.list_display, "used_by"]

    @admin.display(description="Used by")
    def used_by(self, obj):
        names = [config.name for config in obj.users()]
        return ", ".join(names) if names else "—"
