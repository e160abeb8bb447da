from django.contrib import admin

from .models import (
    Episode,
    EpisodeFile,
    Movie,
    MovieFile,
    QualityProfile,
    RootFolder,
    Season,
    Series,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["label"]


@admin.register(QualityProfile)
class QualityProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "cutoff", "upgrade_allowed"]


@admin.register(RootFolder)
class RootFolderAdmin(admin.ModelAdmin):
    list_display = ["path"]


class SeasonInline(admin.TabularInline):
    model = Season
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "series_type", "tvdb_id", "monitored"]
    list_filter = ["series_type", "monitored"]
    search_fields = ["title", "imdb_id"]
    filter_horizontal = ["tags"]
    inlines = [SeasonInline]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["series", "season_number", "episode_number", "title", "air_date", "monitored"]
    list_filter = ["monitored"]
    search_fields = ["title", "series__title"]
    list_select_related = ["series"]


@admin.register(EpisodeFile)
class EpisodeFileAdmin(admin.ModelAdmin):
    list_display = ["relative_path", "series", "quality", "size"]
    search_fields = ["relative_path"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "tmdb_id", "imdb_id", "monitored"]
    list_filter = ["monitored"]
    search_fields = ["title", "imdb_id"]
    filter_horizontal = ["tags"]


@admin.register(MovieFile)
class MovieFileAdmin(admin.ModelAdmin):
    list_display = ["relative_path", "movie", "quality", "size"]
