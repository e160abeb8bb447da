from __future__ import annotations

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from idkarr.library.models import Series, tag_labels
from integrations.admin import CONSOLE_CSS, ProviderConfigAdmin
from integrations.errors import IntegrationError
from notifications.payloads import format_size

from . import search as search_service
from . import usage
from .api import result_out
from .base import QueryType, SearchQuery
from .grab import grab
from .links import BadToken, result_from_token
from .models import Indexer, IndexerUsage, Release

QUERY_TYPES = [(t.value, t.value) for t in QueryType]
FORM_FIELDS = (
    "type",
    "series",
    "q",
    "tvdb",
    "imdb",
    "tmdb",
    "tvmaze",
    "season",
    "ep",
    "date",
    "absolute",
)
SERIES_CHOICES_LIMIT = 5000
STATS_DAYS = (1, 7, 30, 90)


@admin.register(Indexer)
class IndexerAdmin(ProviderConfigAdmin):
    """Indexers in the console: list with health and backoff, kind picker, generated
    settings form, plus the Search page (all indexers at once, one-click grab)."""

    list_display = [
        *ProviderConfigAdmin.list_display[:4],
        "priority",
        "today",
        "backoff",
        "managed",
    ]
    actions = [*ProviderConfigAdmin.actions, "sync_from_prowlarr"]

    @admin.action(description="Sync indexers from the selected Prowlarr", permissions=["change"])
    def sync_from_prowlarr(self, request, queryset):
        from . import prowlarr_sync

        for config in queryset:
            if config.kind != "prowlarr":
                messages.warning(request, f"{config.name} is not a Prowlarr instance.")
                continue
            try:
                report = prowlarr_sync.sync(config)
            except IntegrationError as exc:
                messages.error(request, f"{config.name}: {exc.message}")
            else:
                messages.info(request, f"{config.name}: {report.summary()}")

    def get_queryset(self, request):
        """Today's query and grab counts ride along (one subquery each, not one per row)."""
        today = IndexerUsage.objects.filter(indexer=OuterRef("pk"), day=usage.today())
        return (
            super()
            .get_queryset(request)
            .annotate(
                **{
                    f"{field}_today": Subquery(today.values(field)[:1])
                    for field in usage.USAGE_FIELDS
                }
            )
        )

    @admin.display(description="Today (UTC)")
    def today(self, obj):
        """Today's counts against the limits; flagged when a limit is spent, by our count
        or by the indexer's own word (Newznab's apilimits, shown when it sent them)."""
        settings = obj.settings or {}
        row = {f: getattr(obj, f"{f}_today", None) for f in usage.USAGE_FIELDS}
        queries, grabs = row["queries"] or 0, row["grabs"] or 0
        query_limit, grab_limit = settings.get("query_limit"), settings.get("grab_limit")
        text = f"{queries}{f' / {query_limit}' if query_limit else ''} queries, "
        text += f"{grabs}{f' / {grab_limit}' if grab_limit else ''} grabs"
        if row["api_max"]:
            text += f"; indexer says {row['api_current'] or 0} / {row['api_max']} API hits"
        if row["grab_max"]:
            text += f", {row['grab_current'] or 0} / {row['grab_max']} grabs"
        reasons = [
            reason
            for reason in (
                usage.spent(obj.name, "query", (queries, query_limit),
                            (row["api_current"], row["api_max"])),
                usage.spent(obj.name, "grab", (grabs, grab_limit),
                            (row["grab_current"], row["grab_max"])),
            )
            if reason
        ]  # fmt: skip
        if reasons:
            return format_html(
                '<span class="idk-pill idk-pill--warn" title="{}">{}</span>',
                "; ".join(reasons),
                text,
            )
        return text

    @admin.display(description="Disabled until")
    def backoff(self, obj):
        if obj.disabled_until and obj.disabled_until > timezone.now():
            return format_html(
                '<span class="idk-pill idk-pill--warn" title="{}">{}</span>',
                obj.last_error,
                timezone.localtime(obj.disabled_until).strftime("%Y-%m-%d %H:%M"),
            )
        return "—"

    @admin.display(description="Managed by")
    def managed(self, obj):
        return obj.managed_by.name if obj.managed_by_id else "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("search/", view(self.search_view), name="indexers_indexer_search"),
            path("stats/", view(self.stats_view), name="indexers_indexer_stats"),
            path("grab/", view(self.grab_view), name="indexers_indexer_grab"),
            *super().get_urls(),
        ]

    def search_view(self, request):
        # Operators and admins, as in the API: a search spends the indexers' API limits.
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = {k: request.GET.get(k, "") for k in FORM_FIELDS}
        results, outcomes, error = [], [], ""
        series = _series(form["series"])
        if request.GET.get("type"):
            try:
                query = _query_from(form, series)
            except ValueError as exc:
                error = str(exc)
            else:
                response = search_service.search(query, tags=tag_labels(series))
                results = [_row(r) for r in response.results]
                outcomes = response.indexers
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Search indexers",
            "form": form,
            "query_types": QUERY_TYPES,
            "series_choices": Series.objects.order_by("sort_title", "title").values_list(
                "pk", "title", "year"
            )[:SERIES_CHOICES_LIMIT],
            "results": results,
            "outcomes": outcomes,
            "error": error,
            "can_grab": self.has_change_permission(request),
            "grab_url": reverse("admin:indexers_indexer_grab"),
            "console_css": CONSOLE_CSS,
        }
        return TemplateResponse(request, "admin/indexers/search.html", context)

    def stats_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        days = days if days in STATS_DAYS else 30
        rows = usage.stats(days)
        for row in rows:
            row["failed_percent"] = round(100 * row["failed_queries"] / max(1, row["queries"]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Indexer stats",
            "days": days,
            "day_choices": STATS_DAYS,
            "rows": rows,
            "console_css": CONSOLE_CSS,
        }
        return TemplateResponse(request, "admin/indexers/stats.html", context)

    def grab_view(self, request):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        try:
            outcome = grab(
                result_from_token(request.POST.get("token", "")),
                series=_series(request.POST.get("series", "")),
                force=request.POST.get("force") == "1",
            )
        except (BadToken, IntegrationError) as exc:
            messages.error(request, f"Grab failed: {exc}")
        else:
            messages.success(request, f"Sent to {outcome.client.name} (id {outcome.download_id}).")
        return HttpResponseRedirect(reverse("admin:downloadclients_download_changelist"))


def _series(value: str):
    """The library series a console search or grab is for (its id in the form), or None."""
    value = (value or "").strip()
    return Series.objects.filter(pk=int(value)).first() if value.isdigit() else None


def _int(value: str, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"{label} must be a number")
    return int(value)


def _query_from(form: dict, series=None) -> SearchQuery:
    """The form as a query; ids it leaves empty come from the chosen series (its title
    when it has none), so a series search needs nothing typed in."""
    try:
        qtype = QueryType(form["type"])
    except ValueError:
        raise ValueError("Pick a search type") from None
    imdb = form["imdb"].strip().lower().removeprefix("tt")
    if imdb and not imdb.isdigit():
        raise ValueError("IMDb id must look like tt0944947")
    episodes = [_int(part, "Episode") for part in form["ep"].replace(" ", "").split(",") if part]
    air_date = None
    if form["date"].strip():
        try:
            air_date = date.fromisoformat(form["date"].strip())
        except ValueError:
            raise ValueError("Air date must be YYYY-MM-DD") from None
    query = SearchQuery(
        type=qtype,
        search_term=form["q"].strip(),
        tvdb_id=_int(form["tvdb"], "TVDB id"),
        imdb_id=f"tt{int(imdb):07d}" if imdb else None,
        tmdb_id=_int(form["tmdb"], "TMDB id"),
        tvmaze_id=_int(form["tvmaze"], "TVmaze id"),
        season=_int(form["season"], "Season"),
        episodes=[e for e in episodes if e is not None],
        air_date=air_date,
        absolute_episode=_int(form["absolute"], "Absolute episode"),
    )
    search_service.fill_ids(query, series)
    if series is not None and not _term_or_id(query):
        query.search_term = series.title
    if not _term_or_id(query):
        raise ValueError("Enter a search term or an id")
    return query


def _term_or_id(query: SearchQuery) -> bool:
    return bool(
        query.search_term or query.tvdb_id or query.imdb_id or query.tmdb_id or query.tvmaze_id
    )


def _row(result) -> dict:
    data = result_out(result)
    quality = data.get("quality") or {}
    return {
        "r": data,
        "quality": quality.get("name", ""),
        "size": format_size(result.size),
        "age": f"{data['age']} d" if data.get("age") is not None else "",
        "peers": (
            f"{result.seeders or 0}/{result.leechers or 0}"
            if result.seeders is not None
            else (f"{result.grabs} grabs" if result.grabs is not None else "")
        ),
    }


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Recent releases from RSS sync (read only)."""

    list_display = ["title", "indexer", "protocol", "size_text", "first_seen_at"]
    list_filter = ["indexer", "protocol"]
    search_fields = ["title", "guid"]
    ordering = ["-first_seen_at"]
    list_select_related = ["indexer"]

    @admin.display(description="Size", ordering="size")
    def size_text(self, obj):
        return format_size(obj.size)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("indexers.change_indexer")

    def get_urls(self):
        view = self.admin_site.admin_view(self.rss_now)
        return [path("rss-now/", view, name="indexers_release_rss_now"), *super().get_urls()]

    def rss_now(self, request):
        from . import rss

        if request.method != "POST" or not request.user.has_perm("indexers.change_indexer"):
            raise PermissionDenied
        configs = list(rss.rss_indexers())
        outcome = rss.sync_many(configs)
        for config in configs:
            value = outcome.get(config.pk)
            if isinstance(value, str):
                messages.warning(request, f"{config.name}: {value}")
        new = sum(v for v in outcome.values() if isinstance(v, int))
        messages.info(request, f"RSS sync of {len(configs)} indexers: {new} new releases.")
        return HttpResponseRedirect(reverse("admin:indexers_release_changelist"))
