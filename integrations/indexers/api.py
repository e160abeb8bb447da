"""Indexer endpoints beyond CRUD: search fan-out, caps, recent RSS releases, grab,
RSS and Prowlarr sync on demand, and ``/api/v1/releases/parse``.

Result links never carry an indexer's API key (``{secret:api_key}`` stands in);
each result has a signed ``grab_token`` that ``POST /indexers/grab`` accepts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from idkarr.auth import WRITE
from integrations import health
from integrations.downloadclients import blocklist
from integrations.errors import UnsupportedError
from integrations.schemas import ErrorOut

from . import rss, search, usage
from .base import QueryType, SearchQuery, SearchResult
from .grab import grab
from .links import BadToken, grab_token, result_from_token
from .models import Indexer, IndexerUsage, Release
from .parsing import parse_release

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _error(status: int, code: str, message: str, details=None):
    return Status(status, {"code": code, "message": message, "details": details or {}})


class SearchIn(Schema):
    type: QueryType = QueryType.SEARCH
    search_term: str = Field("", max_length=300)
    tvdb_id: int | None = None
    imdb_id: str | None = Field(None, pattern=r"^(tt)?\d{1,10}$")
    tmdb_id: int | None = None
    tvmaze_id: int | None = None
    season: int | None = Field(None, ge=0, le=10000)
    episode: int | list[int] | None = None
    air_date: date | None = None
    absolute_episode: int | None = Field(None, ge=0)
    categories: list[int] = []
    limit: int | None = Field(None, ge=1, le=1000)
    offset: int | None = Field(None, ge=0)
    indexer_ids: list[int] | None = None
    series_id: int | None = Field(
        None, description="Search for this series: its ids fill the query, its tags pick indexers"
    )
    movie_id: int | None = Field(
        None, description="Search for this movie: its ids fill the query, its tags pick indexers"
    )


class IndexerOutcomeOut(Schema):
    id: int
    name: str
    ok: bool
    error: str
    latency_ms: int | None
    count: int
    code: str


class SearchOut(Schema):
    results: list[dict[str, Any]]
    indexers: list[IndexerOutcomeOut]


class GrabIn(Schema):
    token: str | None = Field(None, description="grab_token of a search result")
    release_id: int | None = Field(None, description="id of a stored RSS release")
    download_client_id: int | None = Field(None, description="Default: chosen by protocol")
    series_id: int | None = None
    episode_ids: list[int] = []
    movie_id: int | None = None
    force: bool = Field(False, description="Send it even if the release is on the blocklist")


class GrabOut(Schema):
    download_client_id: int
    download_client_name: str
    download_id: str
    item_id: int
    event_id: int | None


class ParseIn(Schema):
    titles: list[str] = Field(..., max_length=5000)


def _query(body: SearchIn) -> SearchQuery:
    episodes = body.episode if isinstance(body.episode, list) else [body.episode]
    return SearchQuery(
        type=body.type,
        search_term=body.search_term.strip(),
        tvdb_id=body.tvdb_id,
        imdb_id=_imdb(body.imdb_id),
        tmdb_id=body.tmdb_id,
        tvmaze_id=body.tvmaze_id,
        season=body.season,
        episodes=[e for e in episodes if e is not None],
        air_date=body.air_date,
        absolute_episode=body.absolute_episode,
        categories=list(body.categories),
        limit=body.limit,
        offset=body.offset,
    )


def _imdb(value: str | None) -> str | None:
    if not value:
        return None
    digits = value.lower().removeprefix("tt")
    return f"tt{int(digits):07d}"


def result_out(result: SearchResult) -> dict[str, Any]:
    data = result.to_dict()
    data["grab_token"] = grab_token(result)
    return data


router = Router(tags=["Indexers"])


@router.post("/search", response={200: SearchOut, **ERRORS}, auth=WRITE)
def search_all(request, body: SearchIn):
    """Search every enabled indexer at once (or ``indexer_ids``); one merged list.
    An indexer that fails or times out is reported in ``indexers`` and backs off."""
    from idkarr.library.models import Movie, Series, tag_labels

    if body.type == QueryType.SEARCH and not body.search_term.strip():
        return _error(422, "invalid_query", "A free-text search needs a search_term")
    if body.series_id and body.movie_id:
        return _error(422, "invalid_query", "Give at most one of series_id and movie_id")
    series = get_object_or_404(Series, pk=body.series_id) if body.series_id else None
    movie = get_object_or_404(Movie, pk=body.movie_id) if body.movie_id else None
    query = _query(body)
    search.fill_ids(query, series, movie)
    response = search.search(query, body.indexer_ids or None, tags=tag_labels(series, movie))
    return Status(
        200,
        {
            "results": [result_out(r) for r in response.results],
            "indexers": [o.to_dict() for o in response.indexers],
        },
    )


class UsageOut(Schema):
    id: int
    name: str
    day: date
    queries: int
    grabs: int
    query_limit: int | None
    grab_limit: int | None
    api_current: int | None = Field(None, description="What the indexer last said it counted")
    api_max: int | None = None
    grab_current: int | None = None
    grab_max: int | None = None


class StatsOut(Schema):
    id: int
    name: str
    queries: int
    failed_queries: int
    grabs: int
    average_response_ms: int | None = None


@router.get("/stats", response=list[StatsOut], summary="Each indexer's queries, failures, grabs")
def indexer_stats(request, days: int = Query(30, ge=1, le=366)):
    """Prowlarr's indexer stats over the last ``days`` UTC days (today included): searches
    and RSS fetches sent, how many failed, grabs, and the average answer time (ms)."""
    return usage.stats(days)


@router.get("/usage", response=list[UsageOut], summary="Queries and grabs of each indexer today")
def usage_today(request):
    """What idkarr sent each indexer today (UTC) against its daily limits."""
    day = usage.today()
    rows = {row.indexer_id: row for row in IndexerUsage.objects.filter(day=day)}
    out = []
    for config in Indexer.objects.order_by("priority", "name"):
        row = rows.get(config.pk) or IndexerUsage(indexer=config, day=day)
        settings = config.settings or {}
        out.append(
            {
                "id": config.pk,
                "name": config.name,
                "day": day,
                "queries": row.queries,
                "grabs": row.grabs,
                "query_limit": settings.get("query_limit"),
                "grab_limit": settings.get("grab_limit"),
                "api_current": row.api_current,
                "api_max": row.api_max,
                "grab_current": row.grab_current,
                "grab_max": row.grab_max,
            }
        )
    return out


@router.get("/{int:config_id}/caps", response={200: dict, **ERRORS})
def caps(request, config_id: int, refresh: bool = False):
    """The indexer's capabilities (cached for a day; ``refresh=true`` reads them again)."""
    config = get_object_or_404(Indexer, pk=config_id)
    cached = None if refresh else config.cached_caps()
    if cached is None:
        with health.providers.using(config) as provider:
            try:
                fresh = provider.caps(refresh=True)
            except UnsupportedError as exc:
                return _error(422, exc.code, exc.message)
        config.store_caps(fresh)
        cached = fresh
    data = cached.to_dict()
    data["fetched_at"] = config.caps_fetched_at.isoformat() if config.caps_fetched_at else None
    return Status(200, data)


@router.get("/releases", response=list[dict[str, Any]])
def releases(
    request,
    indexer_id: int | None = None,
    protocol: Literal["torrent", "usenet"] | None = None,
    q: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Recent releases from RSS sync, newest first."""
    qs = Release.objects.select_related("indexer").order_by("-first_seen_at", "-pk")
    if indexer_id is not None:
        qs = qs.filter(indexer_id=indexer_id)
    if protocol:
        qs = qs.filter(protocol=protocol)
    if q:
        qs = qs.filter(title__icontains=q.strip())
    if since:
        qs = qs.filter(first_seen_at__gte=since)
    limit = max(1, min(limit, 1000))
    matcher = blocklist.Matcher()
    out = []
    for row in qs[max(0, offset) : max(0, offset) + limit]:
        data = dict(row.data or {})
        entry = matcher.entry_for(row) if matcher else None
        data.update(
            id=row.pk,
            indexer_id=row.indexer_id,
            indexer_name=row.indexer.name,
            first_seen_at=row.first_seen_at.isoformat(),
            last_seen_at=row.last_seen_at.isoformat(),
            blocklisted=entry.reason if entry is not None else None,
        )
        out.append(data)
    return out


@router.post("/rss/sync", response={200: dict, **ERRORS}, auth=WRITE)
def rss_now(request, indexer_id: int | None = None):
    """Fetch RSS now (every RSS-enabled indexer, or one). Returns new releases per indexer
    or its error."""
    qs = rss.rss_indexers()
    if indexer_id is not None:
        qs = qs.filter(pk=indexer_id)
    configs = list(qs)
    outcome = rss.sync_many(configs)
    by_id = {c.pk: c.name for c in configs}
    return Status(
        200,
        {
            "indexers": [
                {
                    "id": pk,
                    "name": by_id[pk],
                    "ok": isinstance(v, int),
                    "new": v if isinstance(v, int) else 0,
                    "error": "" if isinstance(v, int) else v,
                }
                for pk, v in outcome.items()
            ]
        },
    )


@router.post("/grab", response={201: GrabOut, **ERRORS}, auth=WRITE)
def grab_release(request, body: GrabIn):
    """Send a search result (``token``) or a stored RSS release (``release_id``) to a
    download client; emits the ``grab`` event."""
    from idkarr.library.models import Episode, Movie, Series, aired_recently

    if bool(body.token) == bool(body.release_id):
        return _error(422, "invalid_request", "Give exactly one of token or release_id")
    if body.token:
        try:
            result = result_from_token(body.token)
        except BadToken as exc:
            return _error(422, "invalid_token", str(exc))
    else:
        row = get_object_or_404(Release, pk=body.release_id)
        result = _release_result(row)
    series = get_object_or_404(Series, pk=body.series_id) if body.series_id else None
    movie = get_object_or_404(Movie, pk=body.movie_id) if body.movie_id else None
    episodes = list(Episode.objects.filter(pk__in=body.episode_ids)) if body.episode_ids else []
    outcome = grab(
        result,
        client_id=body.download_client_id,
        series=series,
        movie=movie,
        episodes=episodes,
        recent=aired_recently(episodes),
        force=body.force,
    )
    return Status(
        201,
        {
            "download_client_id": outcome.client.pk,
            "download_client_name": outcome.client.name,
            "download_id": outcome.download_id,
            "item_id": outcome.item.pk,
            "event_id": outcome.event_id,
        },
    )


def _release_result(row: Release) -> SearchResult:
    from .base import Protocol

    data = row.data or {}
    return SearchResult(
        indexer_id=row.indexer_id,
        indexer_name=row.indexer.name,
        guid=row.guid,
        title=row.title,
        size=row.size,
        publish_date=row.publish_date,
        download_url=row.download_url,
        protocol=Protocol(row.protocol),
        magnet_url=data.get("magnet_url"),
        categories=list(row.categories or []),
        infohash=row.infohash or None,
        minimum_ratio=data.get("minimum_ratio"),
        minimum_seed_time=data.get("minimum_seed_time"),
    )


@router.post("/{int:config_id}/sync", response={200: dict, **ERRORS}, auth=WRITE)
def prowlarr_sync_now(request, config_id: int):
    """Pull-sync a Prowlarr instance's indexers now; returns added/updated/removed."""
    from . import prowlarr_sync

    config = get_object_or_404(Indexer, pk=config_id)
    if config.kind != "prowlarr":
        return _error(422, "unsupported", f"{config.name} is not a Prowlarr instance")
    report = prowlarr_sync.sync(config)
    return Status(200, report.to_dict())


# -- /api/v1/releases ----------------------------------------------------------------
releases_router = Router(tags=["Releases"])


@releases_router.post("/parse", response=list[dict[str, Any]])
def parse(request, body: ParseIn):
    """Parse release titles (quality, source, resolution, episodes, group…)."""
    out = []
    for title in body.titles:
        data = parse_release(title).to_dict()
        data["release_title"] = title
        out.append(data)
    return out
