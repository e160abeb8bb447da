"""Grab: fetch a release through its indexer and send it to a download client.

The client is the one the user named, else the one the indexer's settings name
(``download_client_id``, Sonarr's per-indexer download client), else the enabled
client for the release's protocol with the lowest ``client_priority`` among those
whose tags serve the series or movie (clients sharing the best priority take turns:
the one grabbed to longest ago goes next). A successful grab is a
``Download`` row marked grabbed (linked to the series/movie when given) and a
``grab`` event with Sonarr's payload shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from idkarr.library.models import tag_labels
from integrations import health
from integrations.downloadclients import blocklist
from integrations.downloadclients.base import AddRequest
from integrations.downloadclients.base import Capability as ClientCapability
from integrations.downloadclients.models import Download, DownloadClient
from integrations.errors import ConfigurationError, NotFoundError, ReleaseBlocklisted

from . import usage
from .base import Protocol, SearchResult
from .links import reveal
from .models import Indexer
from .parsing import parse_release

ANIME_CATEGORIES = {5070}


@dataclass
class GrabOutcome:
    client: DownloadClient
    download_id: str
    item: Download
    event_id: int | None


def _serves(client: DownloadClient, protocol: str) -> bool:
    try:
        caps = client.provider_class().capabilities
    except LookupError:
        return False
    wanted = ClientCapability.USENET if protocol == Protocol.USENET else ClientCapability.TORRENT
    return wanted in caps


def choose_client(
    protocol: str, client_id: int | None = None, *, tags: set[str] | None = None
) -> DownloadClient:
    """The named client, else the best enabled one for ``protocol`` among those whose
    tags serve ``tags`` (the series'/movie's labels; None: no restriction)."""
    if client_id is not None:
        client = DownloadClient.objects.filter(pk=client_id).first()
        if client is None:
            raise NotFoundError(f"There is no download client {client_id}")
        if not _serves(client, protocol):
            raise ConfigurationError(f"{client.name} cannot download {protocol} releases")
        return client
    now = timezone.now()
    enabled = DownloadClient.objects.filter(enabled=True).prefetch_related("tags")
    candidates = [
        c
        for c in enabled.order_by("client_priority", "pk")
        if _serves(c, protocol) and not (c.disabled_until and c.disabled_until > now)
    ]
    if not candidates:
        raise ConfigurationError(
            f"No enabled download client takes {protocol} releases; add one under Download clients"
        )
    candidates = [c for c in candidates if c.serves_tags(tags)]
    if not candidates:
        shown = ", ".join(sorted(tags or ())) or "none"
        raise ConfigurationError(
            f"No enabled download client for {protocol} releases serves this series or movie "
            f"(its tags: {shown}); a client with tags only takes series and movies sharing one"
        )
    best = [c for c in candidates if c.client_priority == candidates[0].client_priority]
    if len(best) == 1:
        return best[0]
    last = dict(
        Download.objects.filter(client__in=best, grabbed=True)
        .values("client")
        .annotate(at=Max("first_seen_at"))
        .values_list("client", "at")
    )
    oldest = timezone.now() - timedelta(days=36500)
    return min(best, key=lambda c: (last.get(c.pk) or oldest, c.pk))


def pinned_client(indexer: Indexer, protocol: str) -> DownloadClient | None:
    """The download client the indexer's settings send its grabs to, or None when they
    name none. A named client that is gone, disabled or of the other protocol is an
    error that says which setting to change (never a silent fallback elsewhere)."""
    client_id = (indexer.settings or {}).get("download_client_id")
    if not client_id:
        return None
    where = f"Indexer {indexer.name} sends its grabs to download client"
    client = DownloadClient.objects.filter(pk=client_id).first()
    if client is None:
        raise ConfigurationError(
            f"{where} {client_id}, which no longer exists; choose another in its settings"
        )
    if not client.enabled:
        raise ConfigurationError(
            f"{where} {client.name}, which is disabled; enable it or choose another"
        )
    if not _serves(client, protocol):
        raise ConfigurationError(
            f"{where} {client.name}, which cannot download {protocol} releases; "
            "choose another in its settings"
        )
    return client


def media_type_of(result: SearchResult, series=None, movie=None) -> str:
    if movie is not None:
        return "movie"
    if series is not None:
        return "anime" if series.series_type == "anime" else "tv"
    cats = set(result.categories)
    if cats & ANIME_CATEGORIES:
        return "anime"
    if any(2000 <= c < 3000 for c in cats):
        return "movie"
    return "tv"


def _filename(result: SearchResult, fetched_name: str, suffix: str) -> str:
    name = fetched_name or result.title
    return name if name.lower().endswith(suffix) else name + suffix


def grab(
    result: SearchResult,
    *,
    client_id: int | None = None,
    series=None,
    movie=None,
    episodes=(),
    recent: bool | None = None,
    force: bool = False,
) -> GrabOutcome:
    """Send ``result`` to a download client. A blocklisted release is refused unless
    ``force`` (the user chose it knowing why it is on the blocklist)."""
    indexer = Indexer.objects.filter(pk=result.indexer_id).first()
    if indexer is None:
        raise NotFoundError("The indexer of this release no longer exists")
    result.indexer_name = result.indexer_name or indexer.name  # grab tokens leave it out
    reason = blocklist.reason_for(result)
    if reason and not force:
        raise ReleaseBlocklisted(
            f"{result.title} is on the blocklist ({reason.removeprefix('Blocklisted: ')}); "
            "grab it with force to send it anyway, or remove it from the blocklist"
        )
    secrets = indexer.get_secrets()
    result.download_url = reveal(result.download_url, secrets)
    if result.magnet_url:
        result.magnet_url = reveal(result.magnet_url, secrets)
    usage.check_grab(indexer)
    client = None if client_id is not None else pinned_client(indexer, str(result.protocol))
    if client is None:
        client = choose_client(str(result.protocol), client_id, tags=tag_labels(series, movie))

    fetched = health.providers.get(indexer).download(result)
    request = AddRequest(
        magnet=fetched.magnet,
        torrent=None if fetched.magnet else fetched.torrent,
        nzb=None if fetched.magnet else fetched.nzb,
        media_type=media_type_of(result, series, movie),
        recent=recent,
    )
    if result.protocol == Protocol.TORRENT:  # the tracker's seeding minimums, if it has any
        request.seed_ratio = result.minimum_ratio
        if result.minimum_seed_time is not None:
            request.seed_time_minutes = -(-result.minimum_seed_time // 60)  # whole minutes, up
    if request.torrent is not None:
        request.name = _filename(result, fetched.filename, ".torrent")
    elif request.nzb is not None:
        request.name = _filename(result, fetched.filename, ".nzb")
    with health.providers.using(client) as provider:
        download_id = provider.add(provider.with_defaults(request))

    with transaction.atomic():
        row = Download.record_grab(
            client,
            download_id,
            title=result.title,
            category=request.category or "",
            series=series,
            movie=movie,
            episodes=episodes,
            release=result,
        )
        event = _emit_grab(result, indexer, client, download_id, series, movie, episodes)
        usage.count_grab(indexer.pk)
    return GrabOutcome(client, download_id, row, event.pk if event else None)


def grab_payload(result, indexer, client, download_id, series=None, movie=None, episodes=()):
    from notifications import payloads

    parsed = parse_release(result.title)
    release = payloads.omit_nulls(
        {
            "quality": parsed.name,
            "qualityVersion": parsed.revision,
            "releaseGroup": parsed.release_group,
            "releaseTitle": result.title,
            "indexer": indexer.name,
            "size": result.size,
            "protocol": str(result.protocol),
        }
    )
    payload = {
        "release": release,
        "downloadClient": client.name,
        "downloadClientType": client.provider_class().label,
        "downloadId": download_id,
    }
    if series is not None:
        payload["series"] = payloads.series_info(series)
        payload["episodes"] = [payloads.episode_info(e) for e in episodes]
    if movie is not None:
        payload["movie"] = payloads.movie_info(movie)
    return payload


def _emit_grab(result, indexer, client, download_id, series, movie, episodes):
    from notifications.events import emit

    payload = grab_payload(result, indexer, client, download_id, series, movie, episodes)
    media = series or movie
    tags = [t.label for t in media.tags.all()] if media is not None else []
    return emit("grab", payload, tags=tags, source="grab")
