"""Search fan-out: every eligible indexer at once, each within its own timeout.

A slow indexer never holds the answer past its ``timeout_seconds``; a failing one
is reported in ``indexers`` and backs off on the health schedule (its
``disabled_until`` shows in the console), while the others' results come back
merged, de-duplicated (same infohash, else same guid) and sorted.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from integrations import health
from integrations.base import HEALTHY, UNHEALTHY, Health
from integrations.downloadclients import blocklist
from integrations.errors import IntegrationError, RateLimited

from . import usage
from .base import SearchQuery, SearchResult
from .links import conceal_results
from .models import Indexer
from .newznab_xml.values import normalize_imdb
from .parsing import parse_release

log = logging.getLogger(__name__)


@dataclass
class IndexerOutcome:
    id: int
    name: str
    ok: bool
    error: str = ""
    latency_ms: int | None = None
    count: int = 0
    code: str = ""

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "ok": self.ok,
            "error": self.error,
            "latency_ms": self.latency_ms,
            "count": self.count,
            "code": self.code,
        }


@dataclass
class SearchResponse:
    results: list[SearchResult] = field(default_factory=list)
    indexers: list[IndexerOutcome] = field(default_factory=list)


def eligible(
    indexer_ids: list[int] | None = None, tags: set[str] | None = None
) -> tuple[list[Indexer], list[IndexerOutcome]]:
    """Enabled indexers with search on whose tags serve ``tags`` (the series'/movie's
    labels; None: a search for neither, nothing restricted), minus those backing off or
    with today's query limit spent (reported, not searched). A Prowlarr whose indexers are synced into idkarr is not
    searched itself: its indexers are, one by one."""
    qs = Indexer.objects.filter(enabled=True, enable_search=True).order_by("priority", "name")
    if tags is not None:
        qs = qs.prefetch_related("tags")
    if indexer_ids:
        qs = qs.filter(pk__in=indexer_ids)
    now = timezone.now()
    chosen, skipped = [], []
    for config in qs:
        if not config.serves_tags(tags):
            continue
        if config.kind == "prowlarr" and (config.settings or {}).get("sync_level") not in (
            None,
            "disabled",
        ):
            if not indexer_ids:
                continue
        if config.disabled_until and config.disabled_until > now:
            until = timezone.localtime(config.disabled_until).strftime("%Y-%m-%d %H:%M:%S")
            skipped.append(
                IndexerOutcome(
                    config.pk,
                    config.name,
                    False,
                    f"Disabled until {until} after failures: {config.last_error}".strip(": "),
                    code="backing_off",
                )
            )
            continue
        chosen.append(config)
    spent = usage.out_of_queries(chosen)
    if spent:
        skipped += [
            IndexerOutcome(c.pk, c.name, False, spent[c.pk], code="query_limit")
            for c in chosen
            if c.pk in spent
        ]
        chosen = [c for c in chosen if c.pk not in spent]
    return chosen, skipped


def fill_ids(query: SearchQuery, series=None, movie=None) -> None:
    """Ids the query leaves out, from the library series or movie it is for."""
    media = series if series is not None else movie
    if media is None:
        return
    query.imdb_id = query.imdb_id or normalize_imdb(media.imdb_id)
    query.tmdb_id = query.tmdb_id or media.tmdb_id
    if series is not None:
        query.tvdb_id = query.tvdb_id or series.tvdb_id
        query.tvmaze_id = query.tvmaze_id or series.tvmaze_id


def call_indexer(config: Indexer, verb: str, *args):
    """Run ``provider.<verb>(*args)`` with the stored caps handed in (network only, no DB
    writes: it runs in worker threads). Returns (answer, caps fetched meanwhile or None,
    the limits the indexer stated in this answer or None)."""
    provider = health.providers.get(config)
    provider.indexer_id = config.pk
    if provider.known_caps is None:
        provider.known_caps = config.cached_caps()
    before = provider.caps_fetched_at
    provider.api_limits = None
    answer = getattr(provider, verb)(*args)
    fresh = provider.caps_fetched_at and provider.caps_fetched_at != before
    if isinstance(answer, list):
        for r in answer:
            r.indexer_id = config.pk
            if not r.indexer_name:
                r.indexer_name = config.name
    return answer, (provider.known_caps if fresh else None), provider.api_limits


def search(
    query: SearchQuery,
    indexer_ids: list[int] | None = None,
    *,
    parse: bool = True,
    tags: set[str] | None = None,
) -> SearchResponse:
    configs, outcomes = eligible(indexer_ids, tags)
    response = SearchResponse(indexers=list(outcomes))
    if not configs:
        return response
    Indexer.prepare(configs)
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=len(configs), thread_name_prefix="search")
    futures: dict[Future, tuple[Indexer, float]] = {}
    for config in configs:
        timeout = float((config.settings or {}).get("timeout_seconds") or 30.0)
        futures[pool.submit(_timed, call_indexer, config, "search", query)] = (
            config,
            started + timeout,
        )
    collected: list[list[SearchResult]] = []
    by_config: dict[int, IndexerOutcome] = {}
    pending = set(futures)
    try:
        while pending:
            deadline = min(futures[f][1] for f in pending)
            done, pending = wait(
                pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED
            )
            for fut in done:
                config, _ = futures[fut]
                by_config[config.pk] = _outcome(config, fut, collected)
            now = time.monotonic()
            for fut in [f for f in pending if futures[f][1] <= now]:
                pending.discard(fut)
                config, _ = futures[fut]
                timeout = futures[fut][1] - started
                by_config[config.pk] = _failed(
                    config,
                    f"{config.name} did not answer within {timeout:g} s",
                    "timeout",
                    int(timeout * 1000),
                )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    usage.record_queries(
        usage.QueryOutcome(c.pk, by_config[c.pk].ok, by_config[c.pk].latency_ms) for c in configs
    )
    response.indexers.extend(by_config[c.pk] for c in configs)
    response.results = merge(collected, {c.pk: c.priority for c in configs})
    blocklist.mark(response.results)
    if parse:
        for result in response.results:
            result.quality = parse_release(result.title)
        response.results.sort(key=_rank)
    return response


def _timed(fn, *args):
    started = time.monotonic()
    out = fn(*args)
    return out, int((time.monotonic() - started) * 1000)


def _outcome(config: Indexer, fut: Future, collected: list) -> IndexerOutcome:
    try:
        (results, caps, limits), latency = fut.result()
    except IntegrationError as exc:
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        return _failed(config, exc.message, exc.code, None, retry_after)
    except Exception as exc:  # a provider bug must not sink the other indexers' answers
        log.exception("search on indexer %s failed", config.name)
        return _failed(config, f"Search failed: {type(exc).__name__}", "internal_error", None)
    conceal_results(results, config.get_secrets())
    collected.append(results)
    if caps is not None:
        config.store_caps(caps)
    if limits is not None:
        usage.learn(config.pk, limits)
    record_success(config, latency, "Searched")
    return IndexerOutcome(config.pk, config.name, True, latency_ms=latency, count=len(results))


def record_success(config: Indexer, latency: int | None, message: str) -> None:
    """Clear a failing indexer's backoff after it answered (a search or an RSS fetch)."""
    if config.consecutive_failures or config.health == UNHEALTHY:
        transition = health.record(config, Health(HEALTHY, latency, datetime.now(UTC), message))
        if transition:
            health.emit_transition(transition)


def _failed(config, message, code, latency, retry_after=None) -> IndexerOutcome:
    record_failure(config, message, code, latency, retry_after)
    log.info("indexer %s failed a search: %s", config.name, message)
    return IndexerOutcome(config.pk, config.name, False, message, latency, 0, code)


def record_failure(config, message, code, latency=None, retry_after=None) -> None:
    """Back the indexer off on the health schedule (Retry-After honoured)."""
    details = {"code": code}
    if retry_after:
        details["retry_after"] = retry_after
    health.providers.discard(config)
    transition = health.record(
        config, Health(UNHEALTHY, latency, datetime.now(UTC), message, details)
    )
    if transition:
        health.emit_transition(transition)


def merge(batches: list[list[SearchResult]], priority: dict[int, int]) -> list[SearchResult]:
    """One list without duplicates: the same infohash (torrents) or guid is one release,
    kept from the indexer with the better (lower) priority, then the most seeders."""
    best: dict[str, SearchResult] = {}
    for batch in batches:
        for result in batch:
            key = result.dedupe_key()
            kept = best.get(key)
            if kept is None or _preference(result, priority) < _preference(kept, priority):
                best[key] = result
    return list(best.values())


def _preference(result: SearchResult, priority: dict[int, int]) -> tuple:
    return (priority.get(result.indexer_id, 25), -(result.seeders or 0), result.indexer_id or 0)


def _rank(result: SearchResult) -> tuple:
    """Blocklisted last; then better quality first, newer revision, more seeders/grabs,
    newer."""
    q = result.quality
    weight = getattr(q, "weight", None)
    if weight is None:
        weight = getattr(q, "resolution", None) or 0
    revision = getattr(q, "revision", 1) or 1
    popularity = result.seeders if result.seeders is not None else (result.grabs or 0)
    published = result.publish_date.timestamp() if result.publish_date else 0.0
    return (result.blocklisted is not None, -weight, -revision, -popularity, -published)
