from __future__ import annotations

import posixpath
import re

from django.core.exceptions import ValidationError
from django.db import models

from integrations.models import ProviderConfig, config_choices

from .base import FAMILY, DownloadStatus
from .registry import registry

_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/])")


class DownloadClient(ProviderConfig):
    """A configured download client (qBittorrent, Transmission, SABnzbd, …)."""

    registry = registry
    family = FAMILY
    column_settings = ("client_priority",)

    client_priority = models.PositiveSmallIntegerField(default=1, db_index=True)

    class Meta(ProviderConfig.Meta):
        verbose_name = "download client"


# -- remote path mappings -----------------------------------------------------
def is_windows_path(path: str) -> bool:
    """``C:\\x``, ``C:/x`` or ``\\\\server\\share``: a path the client reports from Windows."""
    return bool(_WINDOWS.match(path or ""))


def normalise_remote(path: str) -> str:
    """A remote directory with one trailing separator in its own style (``/`` or ``\\``)."""
    path = (path or "").strip()
    if is_windows_path(path):
        path = path.replace("/", "\\")
        head = "\\\\" if path.startswith("\\\\") else ""
        body = re.sub(r"\\+", r"\\", path[len(head) :]).rstrip("\\")
        return head + body + "\\"
    path = re.sub(r"/+", "/", path).rstrip("/")
    return path + "/"


def normalise_local(path: str) -> str:
    path = re.sub(r"/+", "/", (path or "").strip()).rstrip("/")
    return path + "/"


def map_path(mappings, host: str, path: str) -> str:
    """Translate ``path`` reported by the client on ``host`` through ``mappings``
    (objects with host/remote_path/local_path). The longest matching remote prefix
    wins; Windows remote paths match case-insensitively and turn ``\\`` into ``/``.
    A path no mapping covers comes back unchanged."""
    if not path:
        return path
    host = (host or "").strip().lower()
    windows = is_windows_path(path)
    probe = path.replace("/", "\\") if windows else path
    best = None
    for m in mappings:
        if m.host.strip().lower() != host:
            continue
        remote = normalise_remote(m.remote_path)
        if is_windows_path(remote) != windows:
            continue
        candidate = probe if probe.endswith(remote[-1]) else probe + remote[-1]
        hit = (
            candidate.lower().startswith(remote.lower())
            if windows
            else candidate.startswith(remote)
        )
        if hit and (best is None or len(remote) > len(normalise_remote(best.remote_path))):
            best = m
    if best is None:
        return path
    remote = normalise_remote(best.remote_path)
    rest = probe[len(remote) :] if len(probe) >= len(remote) else ""
    if windows:
        rest = rest.replace("\\", "/")
    local = normalise_local(best.local_path)
    return (local + rest) if rest else local.rstrip("/") or "/"


class RemotePathMapping(models.Model):
    """A download client on ``host`` sees ``remote_path``; idkarr sees it as ``local_path``."""

    host = models.CharField(
        max_length=255, help_text="Host of the download client, as in its settings"
    )
    remote_path = models.CharField(
        max_length=500, help_text="Path as the download client reports it"
    )
    local_path = models.CharField(max_length=500, help_text="The same directory as idkarr sees it")

    class Meta:
        ordering = ["host", "remote_path"]
        constraints = [
            models.UniqueConstraint(fields=["host", "remote_path"], name="uniq_remote_path_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.host}:{self.remote_path} → {self.local_path}"

    def clean(self) -> None:
        errors = {}
        self.host = (self.host or "").strip().lower()
        if not self.host:
            errors["host"] = "Enter the download client's host."
        remote = (self.remote_path or "").strip()
        if not (remote.startswith("/") or is_windows_path(remote)):
            errors["remote_path"] = (
                "The remote path must be absolute (/data/… or C:\\…, \\\\server\\share\\…)."
            )
        else:
            self.remote_path = normalise_remote(remote)
        local = (self.local_path or "").strip()
        if not posixpath.isabs(local):
            errors["local_path"] = "The local path must be absolute (/…)."
        else:
            self.local_path = normalise_local(local)
        if not errors:
            clash = RemotePathMapping.objects.filter(
                host=self.host, remote_path=self.remote_path
            ).exclude(pk=self.pk)
            if clash.exists():
                errors["remote_path"] = "This host already has a mapping for that remote path."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def translate(cls, client_host: str, path: str) -> str:
        return map_path(
            cls.objects.filter(host__iexact=(client_host or "").strip()), client_host, path
        )


# -- the queue ------------------------------------------------------------------
class Download(models.Model):
    """One item a download client reports (or reported: rows are never deleted on errors)."""

    client = models.ForeignKey(DownloadClient, on_delete=models.CASCADE, related_name="downloads")
    download_id = models.CharField(max_length=200, help_text="The client's id: infohash, nzo id…")
    title = models.CharField(max_length=500, blank=True)
    category = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(
        max_length=16,
        choices=[(s.value, s.value) for s in DownloadStatus],
        default=DownloadStatus.QUEUED.value,
        db_index=True,
    )
    raw_state = models.CharField(max_length=100, blank=True)
    progress = models.FloatField(default=0.0)
    size = models.BigIntegerField(default=0)
    size_left = models.BigIntegerField(default=0)
    download_speed = models.BigIntegerField(default=0)
    upload_speed = models.BigIntegerField(default=0)
    eta = models.IntegerField(null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    seeding_time = models.IntegerField(null=True, blank=True)
    seeds = models.IntegerField(null=True, blank=True)
    peers = models.IntegerField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    save_path = models.CharField(max_length=1000, blank=True)
    output_path = models.CharField(
        max_length=1000, blank=True, help_text="After remote path mapping"
    )
    raw_output_path = models.CharField(max_length=1000, blank=True)
    message = models.CharField(max_length=500, blank=True)
    added_on = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    unknown_since = models.DateTimeField(
        null=True, blank=True, help_text="Set while the client does not report this item"
    )
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Removed from the client by idkarr"
    )
    grabbed = models.BooleanField(default=False, help_text="Sent to the client by idkarr")
    # The release behind a grabbed item (what the blocklist needs if it fails).
    indexer_id = models.IntegerField(null=True, blank=True)  # not a FK: indexers come and go
    indexer_name = models.CharField(max_length=100, blank=True)
    release_guid = models.CharField(max_length=500, blank=True)
    protocol = models.CharField(max_length=10, blank=True)
    infohash = models.CharField(max_length=64, blank=True)
    series = models.ForeignKey(
        "library.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    movie = models.ForeignKey(
        "library.Movie", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episodes = models.ManyToManyField("library.Episode", blank=True, related_name="+")

    class Meta:
        ordering = ["client__name", "first_seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "download_id"], name="uniq_client_download")
        ]

    def __str__(self) -> str:
        return self.title or self.download_id

    @property
    def linked(self) -> bool:
        return self.series_id is not None or self.movie_id is not None

    @classmethod
    def record_grab(
        cls,
        client,
        download_id: str,
        *,
        title="",
        category="",
        series=None,
        movie=None,
        episodes=(),
        release=None,
    ) -> Download:
        """The queue row of an item idkarr sent to ``client``: marked grabbed and linked to
        its series/movie/episodes (made now if the next poll has not seen it yet).
        ``release`` (the indexer's SearchResult) is remembered for the blocklist."""
        from django.db import transaction
        from django.utils import timezone

        with transaction.atomic():
            row, _ = cls.objects.get_or_create(
                client=client,
                download_id=download_id,
                defaults={"title": (title or "")[:500], "category": category or ""},
            )
            row.grabbed = True
            row.removed_at = None
            row.title = row.title or (title or "")[:500]
            row.series, row.movie = series, movie
            if release is not None:
                row.indexer_id = release.indexer_id
                row.indexer_name = (release.indexer_name or "")[:100]
                row.release_guid = (release.guid or "")[:500]
                row.protocol = str(release.protocol)[:10]
                row.infohash = (release.infohash or "").lower()[:64]
            if row.first_seen_at is None:
                row.first_seen_at = timezone.now()
            row.save()
            if episodes:
                row.episodes.set(episodes)
        return row


class BlocklistedRelease(models.Model):
    """A release idkarr does not grab again unless told to (Sonarr's blocklist): its
    download failed, or a user removed it from the queue with "blocklist". Search results
    that match one are marked, sorted last, and refused by a grab without ``force``."""

    FAILED, MANUAL = "failed", "manual"

    title = models.CharField(max_length=500)
    protocol = models.CharField(max_length=10, blank=True)
    indexer_id = models.IntegerField(null=True, blank=True)  # not a FK: indexers come and go
    indexer_name = models.CharField(max_length=100, blank=True)
    release_guid = models.CharField(max_length=500, blank=True)
    infohash = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    client_name = models.CharField(max_length=100, blank=True)
    download_id = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=8,
        choices=[(FAILED, "Download failed"), (MANUAL, "Removed from the queue by a user")],
    )
    message = models.CharField(max_length=500, blank=True)
    series = models.ForeignKey(
        "library.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    movie = models.ForeignKey(
        "library.Movie", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "blocklisted release"

    def __str__(self) -> str:
        return self.title

    @property
    def reason(self) -> str:
        """Why a matching search result is marked, in the user's words."""
        if self.source == self.MANUAL:
            return "Blocklisted: removed from the queue by a user"
        if self.message:
            return f"Blocklisted: the download failed ({self.message})"
        return "Blocklisted: the download failed"


class ClientPollState(models.Model):
    """When a client's queue was polled and is next due (kept off ProviderConfig)."""

    client = models.OneToOneField(
        DownloadClient, primary_key=True, on_delete=models.CASCADE, related_name="poll_state"
    )
    poll_interval = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds between queue polls (empty: the global default)"
    )
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    item_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"poll state of {self.client_id}"


__all__ = ["ClientPollState", "Download", "DownloadClient", "RemotePathMapping", "map_path"]


def client_choices() -> list[tuple[int, str]]:
    """Every configured download client as ``(id, "name (Kind)")``, for settings that
    name one (an indexer's download client)."""
    return config_choices(DownloadClient)
