"""Turn a SearchQuery into Newznab/Torznab request parameters, from the indexer's caps.

The shapes follow Sonarr's and Radarr's Newznab request generators:

* ``t`` is ``tvsearch`` for TV queries, ``movie`` for movies and ``search`` for free
  text (and for anime's absolute-number text search). A mode the caps mark unavailable
  is never used.
* Ids go out only when the mode's ``supportedParams`` list them, one id per request
  in Sonarr's order (TV: tvdbid, imdbid, tvmazeid, tmdbid; movies, Radarr's: tmdbid,
  then imdbid *without* its ``tt``, which Radarr strips; Sonarr sends TV imdb ids as
  they are).
* ``season`` (``00`` for specials, as Sonarr sends it for NNTmux), ``ep``; several
  episodes make one request each; daily episodes are ``season=YYYY&ep=MM/DD``.
* Anime uses the anime categories, ``q=NN`` with the id (absolute number, two digits
  at least) and ``q="Title NN"`` on ``t=search``; with ``anime_standard_format_search``
  also ``season``/``ep``.
* Categories: the query's, else the settings' narrowed to the query's kind (see
  ``default_categories``), kept only where the caps list them.
* Where an id or ``season``/``ep`` cannot be sent, the text forms take over:
  ``q="Title S01E02"``, ``"Title S01"``, ``"Title 2024 03 15"``.

A plan is a list of *tiers*: the provider sends the requests of the first tier, and
goes on to the next only when a tier found nothing (id searches first, then the
title; Sonarr's ``AddTier``). A query the indexer cannot serve (no usable id and no
title, a mode it lacks) gives an empty plan with a ``reason``: the provider sends
nothing and returns no results, so an indexer is never backed off for a query shape
it does not support — nor for a query in categories it does not carry (a movie search
on a TV tracker). Only settings none of whose categories the indexer offers are a
ConfigurationError (the user must change the indexer's categories).

Parameters never hold the API key: the provider adds it when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl

from integrations.errors import ConfigurationError

from .base import Capabilities, QueryType, SearchQuery
from .categories import CUSTOM_CATEGORY_MIN

PROTECTED_PARAMS = frozenset({"t", "apikey"})
TV_ID_ORDER = (("tvdb_id", "tvdbid"), ("imdb_id", "imdbid"), ("tvmaze_id", "tvmazeid"))
TV_ID_ORDER += (("tmdb_id", "tmdbid"),)

Params = dict[str, str]


@dataclass
class SearchPlan:
    tiers: list[list[Params]] = field(default_factory=list)
    reason: str = ""  # why nothing is sent, when ``tiers`` is empty

    @property
    def requests(self) -> list[Params]:
        return [params for tier in self.tiers for params in tier]


@dataclass
class QueryOptions:
    """The indexer settings that shape requests (decoupled from the pydantic model)."""

    categories: list[int]
    anime_categories: list[int]
    anime_standard_format_search: bool = False
    additional_parameters: str = ""
    name: str = "The indexer"

    @classmethod
    def from_settings(cls, settings, name: str) -> QueryOptions:
        return cls(
            categories=list(settings.categories),
            anime_categories=list(settings.anime_categories),
            anime_standard_format_search=settings.anime_standard_format_search,
            additional_parameters=settings.additional_parameters,
            name=name,
        )


# -- small helpers ---------------------------------------------------------------
def imdb_digits(imdb_id: str) -> str:
    """``tt0944947`` → ``0944947`` (what Radarr sends as a movie's ``imdbid``)."""
    value = imdb_id.strip()
    return value[2:] if value.lower().startswith("tt") else value


def season_param(season: int) -> str:
    return "00" if season == 0 else str(season)


def additional_pairs(text: str) -> list[tuple[str, str]]:
    """``"&attrs=poster&x=1"`` → ``[("attrs", "poster"), ("x", "1")]`` (t/apikey dropped)."""
    pairs = parse_qsl(text.lstrip("&"), keep_blank_values=True)
    return [(k, v) for k, v in pairs if k and k.lower() not in PROTECTED_PARAMS]


def resolve_categories(wanted: list[int], caps: Capabilities | None, name: str) -> list[int]:
    """``wanted`` (in order, without repeats) restricted to what the caps list, if they
    list any. ConfigurationError when none of them is offered."""
    wanted = list(dict.fromkeys(int(c) for c in wanted))
    offered = caps.category_ids() if caps is not None else set()
    if not wanted or not offered:
        return wanted
    kept = [c for c in wanted if c in offered]
    if not kept:
        shown = ", ".join(str(c) for c in wanted[:8])
        raise ConfigurationError(
            f"{name} offers none of the categories {shown}; "
            "choose categories it lists (see its capabilities) in its settings"
        )
    return kept


def _in_range(category: int, low: int) -> bool:
    return low <= category < low + 1000 or category >= CUSTOM_CATEGORY_MIN


def default_categories(query: SearchQuery, opts: QueryOptions) -> list[int]:
    """The query's categories, else the settings': the anime categories for anime, and
    for TV or movie queries only the settings' TV (5000-5999) or movie (2000-2999) ones
    plus site categories, as long as that leaves any (Sonarr and Radarr each keep
    their own list; idkarr's one list holds both)."""
    if query.categories:
        return list(query.categories)
    if query.type == QueryType.ANIME:
        return list(opts.anime_categories or opts.categories)
    low = 2000 if query.type == QueryType.MOVIE else 5000 if query.is_tv else None
    if low is not None:
        narrowed = [c for c in opts.categories if _in_range(c, low)]
        if narrowed:
            return narrowed
    return list(opts.categories)


def paging(query_limit: int | None, query_offset: int | None, caps: Capabilities | None) -> Params:
    limit_max = caps.limit_max if caps else 100
    limit_default = caps.limit_default if caps else 100
    limit = query_limit or limit_default
    return {"limit": str(max(1, min(limit, limit_max))), "offset": str(max(0, query_offset or 0))}


def _base(t: str, categories: list[int], opts: QueryOptions) -> Params:
    params: Params = {"t": t}
    if categories:
        params["cat"] = ",".join(str(c) for c in categories)
    params["extended"] = "1"
    params.update(additional_pairs(opts.additional_parameters))
    return params


# -- the planner -----------------------------------------------------------------
class _Planner:
    def __init__(self, query: SearchQuery, caps: Capabilities, opts: QueryOptions):
        self.q = query
        self.caps = caps
        self.opts = opts
        self.term = " ".join(query.search_term.split())
        self.page = paging(query.limit, query.offset, caps)
        self.categories: list[int] = []
        self.missing = ""  # why the indexer has none of the wanted categories
        wanted = default_categories(query, opts)
        try:
            self.categories = resolve_categories(wanted, caps, opts.name)
        except ConfigurationError as exc:
            # Settings that name no category the indexer has are a misconfiguration; a
            # query for a kind the indexer does not carry (movies on a TV tracker) is not.
            every = opts.categories + opts.anime_categories
            if not query.categories and not set(every) & caps.category_ids():
                raise
            self.missing = exc.message

    # capability checks
    def tv(self, param: str) -> bool:
        return self.caps.supports("tv-search", param)

    def can_text(self) -> bool:
        return bool(self.term) and self.caps.supports("search", "q")

    def request(self, t: str, extra: Params) -> Params:
        params = _base(t, self.categories, self.opts)
        params.update(extra)
        params.update(self.page)
        return params

    def tv_id(self) -> Params:
        """The first id Sonarr would send that the caps support, or {}."""
        for attr, param in TV_ID_ORDER:
            value = getattr(self.q, attr)
            if value and self.tv(param):
                return {param: str(value)}
        return {}

    def movie_id(self) -> Params:
        if self.q.tmdb_id and self.caps.supports("movie-search", "tmdbid"):
            return {"tmdbid": str(self.q.tmdb_id)}
        if self.q.imdb_id and self.caps.supports("movie-search", "imdbid"):
            return {"imdbid": imdb_digits(self.q.imdb_id)}
        return {}

    def tv_tiers(self, variants: list[tuple[Params, str]], needs: tuple[str, ...]) -> SearchPlan:
        """``variants``: (tvsearch params such as season/ep, text suffix like "S01E02").
        ``needs``: the tv-search params those requests use."""
        structured = all(self.tv(p) for p in needs)
        ids = self.tv_id() if structured else {}
        first = [self.request("tvsearch", {**ids, **extra}) for extra, _ in variants] if ids else []
        text: list[Params] = []
        if self.term:
            if structured and self.tv("q"):
                text = [self.request("tvsearch", {"q": self.term, **e}) for e, _ in variants]
            else:
                # Text forms: on t=search, else on t=tvsearch with q alone.
                t = "search" if self.can_text() else "tvsearch" if self.tv("q") else ""
                text = [self.request(t, {"q": f"{self.term} {s}".strip()}) for _, s in variants]
                text = text if t else []
        tiers = [tier for tier in (first, text) if tier]
        if tiers:
            return SearchPlan(tiers)
        if not self.term:
            return SearchPlan(reason=f"{self.opts.name} cannot search by these ids; give a title")
        return SearchPlan(reason=f"{self.opts.name} supports neither TV search nor text search")

    # query types
    def search(self) -> SearchPlan:
        if not self.term:
            return SearchPlan(reason="A free-text search needs a search term")
        if not self.caps.supports("search", "q"):
            return SearchPlan(reason=f"{self.opts.name} does not offer free-text search")
        return SearchPlan([[self.request("search", {"q": self.term})]])

    def series(self) -> SearchPlan:
        return self.tv_tiers([({}, "")], ())

    def season(self) -> SearchPlan:
        if self.q.season is None:
            return SearchPlan(reason="A season search needs a season number")
        extra = {"season": season_param(self.q.season)}
        return self.tv_tiers([(extra, f"S{self.q.season:02d}")], ("season",))

    def episode(self) -> SearchPlan:
        if self.q.season is None or not self.q.episodes:
            return SearchPlan(reason="An episode search needs a season and an episode number")
        variants = [
            ({"season": season_param(self.q.season), "ep": str(e)}, f"S{self.q.season:02d}E{e:02d}")
            for e in dict.fromkeys(self.q.episodes)
        ]
        return self.tv_tiers(variants, ("season", "ep"))

    def daily(self) -> SearchPlan:
        day: date | None = self.q.air_date
        if day is None:
            return SearchPlan(reason="A daily search needs an air date")
        extra = {"season": f"{day:%Y}", "ep": f"{day:%m}/{day:%d}"}
        return self.tv_tiers([(extra, f"{day:%Y %m %d}")], ("season", "ep"))

    def anime(self) -> SearchPlan:
        number = self.q.absolute_episode
        standard = self.q.season is not None and bool(self.q.episodes)
        if number is None:
            if standard:
                return self.episode()
            return SearchPlan(reason="An anime search needs an absolute episode number")
        use_standard = (
            standard
            and self.opts.anime_standard_format_search
            and self.tv("season")
            and self.tv("ep")
        )
        episodes = list(dict.fromkeys(self.q.episodes)) if use_standard else []
        ids = self.tv_id()
        tier: list[Params] = []
        if ids and self.tv("q"):
            tier.append(self.request("tvsearch", {**ids, "q": f"{number:02d}"}))
        for e in episodes if ids else []:
            tier.append(
                self.request(
                    "tvsearch", {**ids, "season": season_param(self.q.season), "ep": str(e)}
                )
            )
        if self.can_text():
            tier.append(self.request("search", {"q": f"{self.term} {number:02d}"}))
        if self.term and self.tv("q"):
            for e in episodes:
                extra = {"q": self.term, "season": season_param(self.q.season), "ep": str(e)}
                tier.append(self.request("tvsearch", extra))
        if tier:
            return SearchPlan([tier])
        if not self.term:
            return SearchPlan(reason=f"{self.opts.name} cannot search anime by id; give a title")
        return SearchPlan(reason=f"{self.opts.name} does not offer text search for anime")

    def movie(self) -> SearchPlan:
        movie_mode = self.caps.mode("movie-search").available
        ids = self.movie_id() if movie_mode else {}
        first = [self.request("movie", ids)] if ids else []
        text: list[Params] = []
        if self.term:
            if self.caps.supports("movie-search", "q"):
                text = [self.request("movie", {"q": self.term})]
            elif self.can_text():
                text = [self.request("search", {"q": self.term})]
        tiers = [tier for tier in (first, text) if tier]
        if tiers:
            return SearchPlan(tiers)
        if not self.term:
            return SearchPlan(reason=f"{self.opts.name} cannot search movies by these ids")
        return SearchPlan(reason=f"{self.opts.name} supports neither movie search nor text search")


def plan_search(query: SearchQuery, caps: Capabilities, opts: QueryOptions) -> SearchPlan:
    """The requests that answer ``query`` on an indexer with ``caps`` (see module doc)."""
    planner = _Planner(query, caps, opts)
    if planner.missing:
        return SearchPlan(reason=planner.missing)
    handler = {
        QueryType.SEARCH: planner.search,
        QueryType.SERIES: planner.series,
        QueryType.SEASON: planner.season,
        QueryType.EPISODE: planner.episode,
        QueryType.DAILY: planner.daily,
        QueryType.ANIME: planner.anime,
        QueryType.MOVIE: planner.movie,
    }[QueryType(query.type)]
    return handler()


def plan_rss(caps: Capabilities, opts: QueryOptions, categories: list[int] | None = None) -> Params:
    """The RSS request: no ``q``, newest first, over ``categories`` (default: the
    indexer's categories plus its anime categories).

    Sonarr sends ``t=tvsearch`` here because it only wants TV; idkarr's categories may
    include movies, which NNTmux's ``tvsearch`` never returns, so ``t=tvsearch`` is used
    only when every category is a TV one (5000-5999) and ``t=search`` otherwise
    (falling back to the mode the indexer has)."""
    wanted = list(categories) if categories else opts.categories + opts.anime_categories
    tv = caps.mode("tv-search").available
    plain = caps.mode("search").available
    all_tv = bool(wanted) and all(5000 <= c < 6000 for c in wanted)
    if tv and (all_tv or not plain):
        t = "tvsearch"
    elif plain:
        t = "search"
    else:
        raise ConfigurationError(f"{opts.name} offers neither search nor TV search for RSS")
    params = _base(t, resolve_categories(wanted, caps, opts.name), opts)
    params.update(paging(None, 0, caps))
    return params
