"""Prowlarr JSON ↔ idkarr objects: search parameters, releases, indexer resources.

Facts from Prowlarr's source (``Search/SearchController.cs``, ``SearchResource.cs``,
``ReleaseResource.cs``, ``IndexerSearch/NewznabRequest.cs``, ``Indexers/IndexerResource.cs``):

* ``GET /api/v1/search`` takes ``query``, ``type`` (search, tvsearch, movie, music,
  book), ``indexerIds`` and ``categories`` (each repeated), ``limit``, ``offset``.
  Ids, season and episode travel *inside* ``query`` as tokens that Prowlarr strips
  out: ``{ImdbId:tt0944947}{TvdbId:121361}{TmdbId:1399}{TvMazeId:82}{Season:1}{Episode:2}``
  (tvsearch) and ``{ImdbId:…}{TmdbId:…}`` (movie); names are case-insensitive.
  A daily episode is ``{Season:2024}{Episode:11/25}`` (Prowlarr reads "yyyy MM/dd").
* A release: ``guid, title, size, indexerId, indexer, publishDate`` (UTC, "…Z"),
  ``downloadUrl``/``magnetUrl`` (both rewritten to Prowlarr's own
  ``/{indexerId}/download?apikey=…&link=…&file=…`` proxy), ``infoUrl``, ``commentUrl``,
  ``seeders``, ``leechers``, ``grabs``, ``infoHash``, ``imdbId``/``tmdbId``/``tvdbId``/
  ``tvMazeId`` (ints, 0 = unknown), ``categories`` [{id, name, subCategories}],
  ``indexerFlags`` (names: freeleech, neutralleech, halfleech, doubleupload, internal,
  scene, exclusive), ``protocol`` ("torrent"/"usenet"). Nulls are omitted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from integrations.indexers.base import Protocol, QueryType, SearchQuery, SearchResult

log = logging.getLogger(__name__)

TV_TYPES = {QueryType.SERIES, QueryType.SEASON, QueryType.EPISODE, QueryType.DAILY}
MAX_SIZE = 2**50  # 1 PiB: anything larger is a broken indexer, not a release
_FREE_FLAGS = {"freeleech", "neutralleech"}


# -- search parameters -----------------------------------------------------------------
def search_requests(
    query: SearchQuery,
    *,
    indexer_ids: list[int],
    default_categories: dict[str, list[int]],
) -> list[list[tuple[str, Any]]]:
    """The ``/api/v1/search`` parameter lists for one query: one request, or one per
    episode when several are asked (Prowlarr takes a single episode token)."""
    episodes = list(query.episodes) if query.type == QueryType.EPISODE else []
    variants = [[e] for e in episodes] if len(episodes) > 1 else [episodes]
    return [_params(query, eps, indexer_ids, default_categories) for eps in variants]


def _params(
    query: SearchQuery,
    episodes: list[int],
    indexer_ids: list[int],
    default_categories: dict[str, list[int]],
) -> list[tuple[str, Any]]:
    kind, text = _type_and_query(query, episodes)
    params: list[tuple[str, Any]] = [("type", kind)]
    if text:
        params.append(("query", text))
    params += [("indexerIds", i) for i in indexer_ids]
    categories = query.categories or default_categories.get(_media(query), [])
    params += [("categories", c) for c in categories]
    if query.limit:
        params.append(("limit", query.limit))
    if query.offset:
        params.append(("offset", query.offset))
    return params


def _media(query: SearchQuery) -> str:
    if query.type == QueryType.MOVIE:
        return "movie"
    if query.type == QueryType.ANIME:
        return "anime"
    return "tv" if query.type in TV_TYPES else ""


def _type_and_query(query: SearchQuery, episodes: list[int]) -> tuple[str, str]:
    term = " ".join((query.search_term or "").split())
    if query.type == QueryType.SEARCH:
        return "search", term
    if query.type == QueryType.MOVIE:
        tokens = _tokens(imdb=query.imdb_id, tmdb=query.tmdb_id)
        return "movie", _join(term, tokens)
    if query.type == QueryType.ANIME and term and query.absolute_episode is not None:
        # Sonarr's anime form: the title and the absolute number, as a plain search.
        return "search", f"{term} {query.absolute_episode:02d}"
    tokens = _tokens(
        imdb=query.imdb_id, tvdb=query.tvdb_id, tmdb=query.tmdb_id, tvmaze=query.tvmaze_id
    )
    if query.type == QueryType.DAILY and query.air_date is not None:
        tokens += f"{{Season:{query.air_date.year}}}"
        tokens += f"{{Episode:{query.air_date.month:02d}/{query.air_date.day:02d}}}"
    elif query.season is not None and query.type in (QueryType.SEASON, QueryType.EPISODE):
        tokens += f"{{Season:{query.season}}}"
        if query.type == QueryType.EPISODE and episodes:
            tokens += f"{{Episode:{episodes[0]}}}"
    return "tvsearch", _join(term, tokens)


def _tokens(*, imdb=None, tvdb=None, tmdb=None, tvmaze=None) -> str:
    out = ""
    if imdb:
        normal = normalize_imdb(imdb)
        if normal:
            out += f"{{ImdbId:{normal}}}"
    if tvdb:
        out += f"{{TvdbId:{int(tvdb)}}}"
    if tmdb:
        out += f"{{TmdbId:{int(tmdb)}}}"
    if tvmaze:
        out += f"{{TvMazeId:{int(tvmaze)}}}"
    return out


def _join(term: str, tokens: str) -> str:
    # Prowlarr's token pattern stops at "{", so a term with braces would swallow ids.
    term = term.replace("{", "").replace("}", "")
    return f"{term} {tokens}".strip() if term else tokens


def normalize_imdb(value: Any) -> str | None:
    """``"tt0944947"`` from "tt944947", "0944947", 944947; None for 0/empty/garbage."""
    text = str(value or "").strip().lower().removeprefix("tt")
    if not text.isdigit() or int(text) <= 0:
        return None
    return f"tt{int(text):07d}"


# -- releases --------------------------------------------------------------------------
class SkipRelease(ValueError):
    """One release is unusable; the reason is logged and the others are kept."""


def to_results(items: list[Any]) -> list[SearchResult]:
    results = []
    for position, item in enumerate(items):
        try:
            results.append(to_result(item))
        except SkipRelease as exc:
            log.warning("Prowlarr search result %d skipped: %s", position, exc)
    return results


def to_result(item: Any) -> SearchResult:
    if not isinstance(item, dict):
        raise SkipRelease("not a JSON object")
    title = _text(item.get("title"))
    guid = _text(item.get("guid"))
    if not title:
        raise SkipRelease("no title")
    if not guid:
        raise SkipRelease(f"{title!r} has no guid")
    protocol = {"torrent": Protocol.TORRENT, "usenet": Protocol.USENET}.get(
        _text(item.get("protocol")).lower()
    )
    if protocol is None:
        raise SkipRelease(f"{title!r} has an unknown protocol {item.get('protocol')!r}")
    size = _int(item.get("size"))
    if size is None or size < 0 or size > MAX_SIZE:
        raise SkipRelease(f"{title!r} has no usable size ({item.get('size')!r})")
    download_url = strip_api_key(_text(item.get("downloadUrl")))
    magnet = strip_api_key(_text(item.get("magnetUrl")))
    if not download_url and magnet and not magnet.startswith("magnet:"):
        download_url, magnet = magnet, ""  # Prowlarr's proxy link that redirects to the magnet
    if not download_url and not magnet:
        raise SkipRelease(f"{title!r} has no download link")
    flags = [f.lower() for f in _strings(item.get("indexerFlags"))]
    indexer = _text(item.get("indexer"))
    return SearchResult(
        indexer_id=_int(item.get("indexerId")),
        indexer_name=f"{indexer} (Prowlarr)" if indexer else "Prowlarr",
        guid=guid,
        title=title,
        size=size,
        publish_date=parse_date(item.get("publishDate")),
        download_url=download_url or magnet,
        protocol=protocol,
        info_url=_text(item.get("infoUrl")) or _text(item.get("commentUrl")),
        seeders=_count(item.get("seeders")),
        leechers=_count(item.get("leechers")),
        grabs=_count(item.get("grabs")),
        categories=category_ids(item.get("categories")),
        imdb_id=normalize_imdb(item.get("imdbId")),
        tvdb_id=_positive(item.get("tvdbId")),
        tvmaze_id=_positive(item.get("tvMazeId")),
        tmdb_id=_positive(item.get("tmdbId")),
        infohash=(_text(item.get("infoHash")).lower() or None),
        magnet_url=magnet if magnet.startswith("magnet:") else None,
        freeleech=bool(_FREE_FLAGS & set(flags)),
        internal="internal" in flags,
        scene="scene" in flags,
        download_volume_factor=_download_factor(flags),
        upload_volume_factor=2.0 if "doubleupload" in flags else 1.0,
        indexer_flags=flags,
    )


def strip_api_key(url: str) -> str:
    """A Prowlarr proxy link without its ``apikey`` (idkarr sends the key as a header)."""
    if not url or "apikey=" not in url.lower():
        return url
    parts = urlsplit(url)
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "apikey"
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _download_factor(flags: list[str]) -> float:
    if _FREE_FLAGS & set(flags):
        return 0.0
    return 0.5 if "halfleech" in flags else 1.0


def category_ids(value: Any) -> list[int]:
    ids: set[int] = set()
    for cat in value if isinstance(value, list) else []:
        if isinstance(cat, dict):
            if (cid := _int(cat.get("id"))) is not None:
                ids.add(cid)
            ids.update(category_ids(cat.get("subCategories")))
        elif (cid := _int(cat)) is not None:
            ids.add(cid)
    return sorted(ids)


def parse_date(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # Prowlarr writes UTC
    return when.astimezone(UTC)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _count(value: Any) -> int | None:
    number = _int(value)
    return number if number is not None and number >= 0 else None


def _positive(value: Any) -> int | None:
    number = _int(value)
    return number if number and number > 0 else None


# -- indexer resources -----------------------------------------------------------------
@dataclass
class RemoteIndexer:
    """One entry of ``GET /api/v1/indexer`` (IndexerResource), as sync needs it."""

    id: int
    name: str
    enable: bool
    protocol: str  # "torrent" | "usenet" | anything else Prowlarr invents
    priority: int
    tags: set[int] = field(default_factory=set)
    categories: set[int] = field(default_factory=set)
    search_params: list[str] = field(default_factory=list)
    tv_search_params: list[str] = field(default_factory=list)
    movie_search_params: list[str] = field(default_factory=list)
    app_profile_id: int | None = None
    implementation: str = ""
    category_tree: list[dict] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # the "fields" array, by name

    @property
    def searchable(self) -> bool:
        return bool(self.search_params or self.tv_search_params or self.movie_search_params)


def to_remote_indexer(item: Any) -> RemoteIndexer | None:
    """None for an entry without a usable id or name (logged)."""
    if not isinstance(item, dict) or _int(item.get("id")) is None or not _text(item.get("name")):
        log.warning("Prowlarr indexer entry without id or name ignored")
        return None
    caps = item.get("capabilities") if isinstance(item.get("capabilities"), dict) else {}
    tree = [c for c in caps.get("categories") or [] if isinstance(c, dict)]
    return RemoteIndexer(
        id=_int(item["id"]),
        name=_text(item["name"]),
        enable=item.get("enable") is True,
        protocol=_text(item.get("protocol")).lower(),
        priority=_int(item.get("priority")) or 25,
        tags={t for t in (_int(x) for x in item.get("tags") or []) if t is not None},
        categories=set(category_ids(tree)),
        search_params=_params_of(caps.get("searchParams")),
        tv_search_params=_params_of(caps.get("tvSearchParams")),
        movie_search_params=_params_of(caps.get("movieSearchParams")),
        app_profile_id=_int(item.get("appProfileId")),
        implementation=_text(item.get("implementation")),
        category_tree=tree,
        fields={
            f["name"]: f.get("value")
            for f in item.get("fields") or []
            if isinstance(f, dict) and isinstance(f.get("name"), str)
        },
    )


def number_field(indexer: RemoteIndexer, name: str) -> float | None:
    """A non-negative number from the indexer's settings fields, else None."""
    value = indexer.fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return value


def _params_of(value: Any) -> list[str]:
    """Prowlarr's camelCase enum names ("tvdbId", "rId") as Newznab's ("tvdbid", "rid")."""
    return [v.lower() for v in _strings(value)]


__all__ = [
    "RemoteIndexer",
    "SkipRelease",
    "category_ids",
    "normalize_imdb",
    "number_field",
    "parse_date",
    "search_requests",
    "strip_api_key",
    "to_remote_indexer",
    "to_result",
    "to_results",
]
