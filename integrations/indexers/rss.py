"""RSS sync: each enabled indexer's feed on its own interval, kept as ``Release`` rows.

Beat runs ``dispatch_due`` every minute; an indexer is due when its
``next_rss_at`` has passed. Due indexers are claimed with a conditional update
(two dispatchers never fetch the same feed), fetched concurrently (network only
in threads), and recorded here: new releases get their first-seen time, known
ones their last-seen time. Releases older than the retention are pruned.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.errors import IntegrationError, RateLimited

from . import usage
from .base import SearchResult
from .links import conceal_results
from .models import Indexer, Release
from .parsing import parse_release
from .search import call_indexer, record_failure, record_success

log = logging.getLogger(__name__)


def rss_indexers():
    """Enabled indexers with RSS on. Prowlarr has no aggregate feed: its synced indexers
    have theirs."""
    return Indexer.objects.filter(enabled=True, enable_rss=True).exclude(kind="prowlarr")


def claim_due(now=None) -> list[Indexer]:
    now = now or timezone.now()
    due = (
        rss_indexers()
        .filter(Q(next_rss_at__isnull=True) | Q(next_rss_at__lte=now))
        .exclude(disabled_until__gt=now)
    )
    claimed = []
    for config in due:
        nxt = now + timedelta(minutes=config.rss_interval_minutes())
        won = Indexer.objects.filter(pk=config.pk, next_rss_at=config.next_rss_at).update(
            next_rss_at=nxt
        )
        if won:
            claimed.append(config)
    return claimed


def _fetch(config: Indexer):
    started = time.monotonic()
    try:
        (results, caps, limits) = call_indexer(config, "get_rss")
        return results, caps, limits, None, int((time.monotonic() - started) * 1000)
    except IntegrationError as exc:
        return None, None, None, exc, int((time.monotonic() - started) * 1000)
    except Exception as exc:  # never let one provider's bug stop the round
        log.exception("RSS fetch of %s failed", config.name)
        return None, None, None, exc, None


def sync_many(configs: list[Indexer]) -> dict[int, int | str]:
    """Fetch and record each indexer's feed. Returns new-release counts or error texts."""
    out: dict[int, int | str] = dict(usage.out_of_queries(configs))
    configs = [c for c in configs if c.pk not in out]
    if not configs:
        return out
    Indexer.prepare(configs)
    with ThreadPoolExecutor(max_workers=min(16, len(configs)), thread_name_prefix="rss") as pool:
        fetched = list(pool.map(_fetch, configs))
    usage.record_queries(
        usage.QueryOutcome(config.pk, error is None, latency)
        for config, (_, _, _, error, latency) in zip(configs, fetched, strict=True)
    )
    now = timezone.now()
    for config, (results, caps, limits, error, latency) in zip(configs, fetched, strict=True):
        if error is not None:
            message = getattr(error, "message", None) or f"RSS failed: {type(error).__name__}"
            code = getattr(error, "code", "internal_error")
            retry_after = error.retry_after if isinstance(error, RateLimited) else None
            Indexer.objects.filter(pk=config.pk).update(
                last_rss_at=now, last_rss_error=message[:500]
            )
            record_failure(config, message, code, latency, retry_after)
            out[config.pk] = message
            continue
        if caps is not None:
            config.store_caps(caps)
        if limits is not None:
            usage.learn(config.pk, limits)
        conceal_results(results, config.get_secrets())
        out[config.pk] = store(config, results, now)
        Indexer.objects.filter(pk=config.pk).update(last_rss_at=now, last_rss_error="")
        record_success(config, latency, "RSS synced")
    return out


def store(config: Indexer, results: list[SearchResult], now=None) -> int:
    """Insert new releases, touch known ones. Returns how many were new."""
    now = now or timezone.now()
    by_guid = {}
    for r in results:
        by_guid.setdefault(r.guid[:1000], r)
    if not by_guid:
        return 0
    with transaction.atomic():
        known = set(
            Release.objects.filter(indexer=config, guid__in=list(by_guid)).values_list(
                "guid", flat=True
            )
        )
        if known:
            Release.objects.filter(indexer=config, guid__in=list(known)).update(last_seen_at=now)
        new = [_row(config, guid, r, now) for guid, r in by_guid.items() if guid not in known]
        Release.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _row(config: Indexer, guid: str, r: SearchResult, now) -> Release:
    r.quality = parse_release(r.title)
    return Release(
        indexer=config,
        guid=guid,
        title=r.title[:500],
        protocol=str(r.protocol),
        size=r.size,
        publish_date=r.publish_date,
        download_url=r.download_url,
        info_url=r.info_url,
        infohash=(r.infohash or "")[:64],
        seeders=r.seeders,
        leechers=r.leechers,
        grabs=r.grabs,
        categories=r.categories,
        data=r.to_dict(),
        first_seen_at=now,
        last_seen_at=now,
    )


def prune(now=None) -> int:
    now = now or timezone.now()
    days = getattr(settings, "INDEXER_RELEASE_RETENTION_DAYS", 14)
    deleted, _ = Release.objects.filter(first_seen_at__lt=now - timedelta(days=days)).delete()
    return deleted


def dispatch_due() -> int:
    """Beat entry point: sync every indexer whose feed is due, then prune. Returns how many."""
    configs = claim_due()
    sync_many(configs)
    prune()
    return len(configs)
