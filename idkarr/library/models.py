"""The minimal media library the integrations act on: what events describe,
what import lists add and what media servers refresh."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.text import slugify

RECENT_DAYS = 14


def aired_recently(episodes) -> bool | None:
    """Sonarr's rule: a release is recent when one of its episodes aired in the last 14
    days (picks a client's recent vs older priority). None when no air date is known."""
    dates = [e.air_date for e in episodes if e.air_date]
    if not dates:
        return None
    return max(dates) >= timezone.localdate() - timedelta(days=RECENT_DAYS)


def tag_labels(series=None, movie=None) -> set[str] | None:
    """The tag labels of the series or movie a search or grab is for; None when it is
    for neither (then tags restrict nothing)."""
    media = series if series is not None else movie
    if media is None:
        return None
    return {t.label for t in media.tags.all()}


class Tag(models.Model):
    label = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def resolve(cls, labels: list[str]) -> list[Tag]:
        """Tags for these labels (normalised lowercase), created if missing."""
        out = []
        for label in dict.fromkeys(lbl.strip().lower() for lbl in labels if lbl and lbl.strip()):
            tag, _ = cls.objects.get_or_create(label=label[:64])
            out.append(tag)
        return out


class QualityProfile(models.Model):
    name = models.CharField(max_length=100, unique=True)
    cutoff = models.CharField(max_length=64, default="WEBDL-1080p")
    allowed = models.JSONField(
        default=list, blank=True, help_text="Quality names in order, best last"
    )
    upgrade_allowed = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class RootFolder(models.Model):
    path = models.CharField(max_length=500, unique=True)

    def __str__(self) -> str:
        return self.path


class MediaItem(models.Model):
    """Fields series and movies share."""

    title = models.CharField(max_length=300)
    sort_title = models.CharField(max_length=300, blank=True)
    title_slug = models.SlugField(max_length=300, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    overview = models.TextField(blank=True)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    imdb_id = models.CharField(max_length=16, blank=True, db_index=True)
    path = models.CharField(max_length=500, blank=True)
    root_folder = models.ForeignKey(RootFolder, null=True, blank=True, on_delete=models.SET_NULL)
    quality_profile = models.ForeignKey(
        QualityProfile, null=True, blank=True, on_delete=models.SET_NULL
    )
    monitored = models.BooleanField(default=True)
    genres = models.JSONField(default=list, blank=True)
    poster_url = models.URLField(max_length=500, blank=True)
    original_language = models.CharField(max_length=3, blank=True, help_text="ISO 639-2")
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["sort_title", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def save(self, *args, **kwargs):
        if not self.title_slug:
            base = f"{self.title} {self.year}" if self.year else self.title
            self.title_slug = slugify(base)[:300]
        if not self.sort_title:
            self.sort_title = self.title.lower().removeprefix("the ").strip()
        super().save(*args, **kwargs)


class Series(MediaItem):
    class SeriesType(models.TextChoices):
        STANDARD = "standard"
        DAILY = "daily"
        ANIME = "anime"

    tvdb_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    tvmaze_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    series_type = models.CharField(
        max_length=16, choices=SeriesType.choices, default=SeriesType.STANDARD
    )
    network = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=32, blank=True, help_text="continuing, ended…")

    class Meta(MediaItem.Meta):
        verbose_name_plural = "series"


class Season(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveIntegerField()
    monitored = models.BooleanField(default=True)

    class Meta:
        ordering = ["series", "number"]
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="uniq_season")]

    def __str__(self) -> str:
        return f"{self.series} S{self.number:02d}"


class EpisodeFile(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="episode_files")
    relative_path = models.CharField(max_length=500)
    path = models.CharField(max_length=1000)
    size = models.BigIntegerField(default=0)
    quality = models.CharField(max_length=64, blank=True)
    quality_version = models.PositiveSmallIntegerField(default=1)
    release_group = models.CharField(max_length=100, blank=True)
    scene_name = models.CharField(max_length=300, blank=True)
    media_info = models.JSONField(default=dict, blank=True)
    date_added = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.relative_path


class Episode(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="episodes")
    season_number = models.PositiveIntegerField()
    episode_number = models.PositiveIntegerField()
    absolute_number = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300, blank=True)
    overview = models.TextField(blank=True)
    air_date = models.DateField(null=True, blank=True)
    air_date_utc = models.DateTimeField(null=True, blank=True)
    tvdb_id = models.PositiveIntegerField(null=True, blank=True)
    monitored = models.BooleanField(default=True)
    episode_file = models.ForeignKey(
        EpisodeFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )

    class Meta:
        ordering = ["series", "season_number", "episode_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "season_number", "episode_number"], name="uniq_episode"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series.title} S{self.season_number:02d}E{self.episode_number:02d}"


class Movie(MediaItem):
    studio = models.CharField(max_length=200, blank=True)
    runtime = models.PositiveIntegerField(null=True, blank=True, help_text="minutes")
    release_date = models.DateField(null=True, blank=True)

    class Meta(MediaItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tmdb_id"],
                condition=models.Q(tmdb_id__isnull=False),
                name="uniq_movie_tmdb",
            )
        ]


class MovieFile(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="files")
    relative_path = models.CharField(max_length=500)
    path = models.CharField(max_length=1000)
    size = models.BigIntegerField(default=0)
    quality = models.CharField(max_length=64, blank=True)
    quality_version = models.PositiveSmallIntegerField(default=1)
    release_group = models.CharField(max_length=100, blank=True)
    scene_name = models.CharField(max_length=300, blank=True)
    edition = models.CharField(max_length=100, blank=True)
    media_info = models.JSONField(default=dict, blank=True)
    date_added = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.relative_path
