"""Query building from caps (integrations.indexers.query), per capability combination."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.errors import ConfigurationError
from integrations.indexers.base import Capabilities, Category, QueryType, SearchMode, SearchQuery
from integrations.indexers.query import (
    QueryOptions,
    imdb_digits,
    plan_rss,
    plan_search,
    resolve_categories,
)

TV_CATS = [5000, 5030, 5040]
MOVIE_CATS = [2000, 2040]


def caps(
    search: str | None = "q",
    tv: str | None = "q,season,ep,tvdbid,imdbid,tvmazeid",
    movie: str | None = "q,imdbid,tmdbid",
    categories: list[int] | None = None,
    limit_max: int = 100,
    limit_default: int = 100,
) -> Capabilities:
    def mode(params):
        return SearchMode(params is not None, (params or "").split(",") if params else [])

    cats = categories if categories is not None else [2000, 2040, 5000, 5030, 5040, 5070]
    return Capabilities(
        search_modes={"search": mode(search), "tv-search": mode(tv), "movie-search": mode(movie)},
        categories=[Category(c, str(c)) for c in cats],
        limit_max=limit_max,
        limit_default=limit_default,
    )


def opts(**kw) -> QueryOptions:
    base = dict(categories=TV_CATS + MOVIE_CATS, anime_categories=[5070], name="Geek")
    base.update(kw)
    return QueryOptions(**base)


def episode(**kw) -> SearchQuery:
    base = dict(type=QueryType.EPISODE, search_term="Severance", tvdb_id=371980, season=2)
    base["episodes"] = [3]
    base.update(kw)
    return SearchQuery(**base)


# -- TV: ids, season/ep, fallbacks ---------------------------------------------------
def test_episode_with_supported_tvdb_id_searches_by_id_first_then_by_title():
    plan = plan_search(episode(), caps(), opts())
    assert len(plan.tiers) == 2
    (by_id,), (by_title,) = plan.tiers
    assert by_id["t"] == "tvsearch"
    assert (by_id["tvdbid"], by_id["season"], by_id["ep"]) == ("371980", "2", "3")
    assert "q" not in by_id
    assert (by_title["q"], by_title["season"], by_title["ep"]) == ("Severance", "2", "3")
    assert "tvdbid" not in by_title


def test_episode_without_id_support_uses_title_with_season_and_ep():
    plan = plan_search(episode(), caps(tv="q,season,ep"), opts())
    assert plan.tiers == [[plan.tiers[0][0]]]
    only = plan.tiers[0][0]
    assert only["t"] == "tvsearch"
    assert (only["q"], only["season"], only["ep"]) == ("Severance", "2", "3")


def test_episode_without_season_ep_support_falls_back_to_sxxeyy_text():
    plan = plan_search(episode(), caps(tv="q,tvdbid"), opts())
    (only,) = plan.requests
    assert only["t"] == "search"
    assert only["q"] == "Severance S02E03"
    assert "season" not in only and "tvdbid" not in only


def test_episode_on_indexer_without_tv_search_uses_text_search():
    plan = plan_search(episode(), caps(tv=None), opts())
    (only,) = plan.requests
    assert (only["t"], only["q"]) == ("search", "Severance S02E03")


def test_season_zero_is_sent_as_double_zero():
    plan = plan_search(episode(season=0, episodes=[1]), caps(), opts())
    assert {r["season"] for r in plan.requests} == {"00"}


def test_season_search_sends_season_only():
    query = SearchQuery(type=QueryType.SEASON, search_term="Severance", tvdb_id=371980, season=1)
    by_id = plan_search(query, caps(), opts()).tiers[0][0]
    assert (by_id["tvdbid"], by_id["season"]) == ("371980", "1")
    assert "ep" not in by_id


def test_season_search_without_season_param_uses_sxx_text():
    query = SearchQuery(type=QueryType.SEASON, search_term="Severance", season=1)
    (only,) = plan_search(query, caps(tv="q"), opts()).requests
    assert (only["t"], only["q"]) == ("search", "Severance S01")


def test_several_episodes_make_one_request_each_in_the_same_tier():
    plan = plan_search(episode(episodes=[3, 4, 5]), caps(), opts())
    assert [r["ep"] for r in plan.tiers[0]] == ["3", "4", "5"]
    assert [r["ep"] for r in plan.tiers[1]] == ["3", "4", "5"]


def test_several_episodes_fall_back_to_one_text_request_each():
    plan = plan_search(episode(episodes=[3, 4]), caps(tv=None), opts())
    assert [r["q"] for r in plan.requests] == ["Severance S02E03", "Severance S02E04"]


def test_series_search_by_id_sends_no_season():
    query = SearchQuery(type=QueryType.SERIES, tvdb_id=371980)
    (only,) = plan_search(query, caps(), opts()).requests
    assert only["tvdbid"] == "371980"
    assert "season" not in only and "q" not in only


def test_tv_ids_follow_sonarrs_order_tvdb_before_imdb_before_tvmaze():
    query = episode(imdb_id="tt11280740", tvmaze_id=44933)
    by_id = plan_search(query, caps(), opts()).tiers[0][0]
    assert by_id["tvdbid"] == "371980"
    assert "imdbid" not in by_id and "tvmazeid" not in by_id


def test_tv_id_falls_through_to_the_first_supported_one():
    query = episode(tvdb_id=None, imdb_id="tt11280740", tvmaze_id=44933)
    by_id = plan_search(query, caps(tv="q,season,ep,tvmazeid"), opts()).tiers[0][0]
    assert by_id["tvmazeid"] == "44933"
    assert "imdbid" not in by_id


def test_tv_imdb_id_keeps_its_tt_prefix_like_sonarr():
    query = episode(tvdb_id=None, imdb_id="tt11280740")
    by_id = plan_search(query, caps(tv="q,season,ep,imdbid"), opts()).tiers[0][0]
    assert by_id["imdbid"] == "tt11280740"


def test_ids_without_title_and_without_support_send_nothing_and_say_why():
    query = episode(search_term="")
    plan = plan_search(query, caps(tv="q,season,ep"), opts())
    assert plan.tiers == []
    assert "give a title" in plan.reason


def test_ids_without_title_but_supported_send_only_the_id_tier():
    plan = plan_search(episode(search_term=""), caps(), opts())
    assert len(plan.tiers) == 1
    assert plan.tiers[0][0]["tvdbid"] == "371980"


def test_episode_query_without_season_sends_nothing():
    plan = plan_search(episode(season=None), caps(), opts())
    assert plan.tiers == []
    assert "season" in plan.reason


# -- daily ----------------------------------------------------------------------------
def test_daily_uses_sonarrs_year_and_month_slash_day():
    query = SearchQuery(
        type=QueryType.DAILY, search_term="The Daily Show", tvdb_id=71256, air_date=date(2024, 3, 5)
    )
    by_id = plan_search(query, caps(), opts()).tiers[0][0]
    assert (by_id["season"], by_id["ep"]) == ("2024", "03/05")


def test_daily_without_episode_support_uses_dated_text():
    query = SearchQuery(
        type=QueryType.DAILY, search_term="The Daily Show", air_date=date(2024, 3, 15)
    )
    (only,) = plan_search(query, caps(tv="q"), opts()).requests
    assert (only["t"], only["q"]) == ("search", "The Daily Show 2024 03 15")


# -- anime ----------------------------------------------------------------------------
def test_anime_searches_absolute_number_with_id_and_as_text_in_anime_categories():
    query = SearchQuery(
        type=QueryType.ANIME, search_term="One Piece", tvdb_id=81797, absolute_episode=7
    )
    plan = plan_search(query, caps(), opts())
    assert len(plan.tiers) == 1
    by_id, text = plan.tiers[0]
    assert (by_id["t"], by_id["tvdbid"], by_id["q"]) == ("tvsearch", "81797", "07")
    assert (text["t"], text["q"]) == ("search", "One Piece 07")
    assert {r["cat"] for r in plan.requests} == {"5070"}


def test_anime_standard_format_adds_season_episode_requests():
    query = SearchQuery(
        type=QueryType.ANIME,
        search_term="One Piece",
        tvdb_id=81797,
        absolute_episode=1100,
        season=21,
        episodes=[12],
    )
    plan = plan_search(query, caps(), opts(anime_standard_format_search=True))
    shapes = [(r["t"], r.get("q"), r.get("season"), r.get("ep")) for r in plan.requests]
    assert shapes == [
        ("tvsearch", "1100", None, None),
        ("tvsearch", None, "21", "12"),
        ("search", "One Piece 1100", None, None),
        ("tvsearch", "One Piece", "21", "12"),
    ]


def test_anime_without_standard_format_sends_no_season_requests():
    query = SearchQuery(
        type=QueryType.ANIME, search_term="One Piece", absolute_episode=5, season=1, episodes=[5]
    )
    plan = plan_search(query, caps(), opts())
    assert all("season" not in r for r in plan.requests)


# -- movies ---------------------------------------------------------------------------
def test_movie_prefers_tmdb_id_like_radarr():
    query = SearchQuery(
        type=QueryType.MOVIE, search_term="Dune Part Two", imdb_id="tt15239678", tmdb_id=693134
    )
    by_id = plan_search(query, caps(), opts()).tiers[0][0]
    assert (by_id["t"], by_id["tmdbid"]) == ("movie", "693134")
    assert "imdbid" not in by_id


def test_movie_imdb_id_is_sent_without_tt_like_radarr():
    query = SearchQuery(type=QueryType.MOVIE, imdb_id="tt0944947", tmdb_id=1)
    (only,) = plan_search(query, caps(movie="q,imdbid"), opts()).requests
    assert only["imdbid"] == "0944947"


def test_movie_title_is_the_second_tier():
    query = SearchQuery(type=QueryType.MOVIE, search_term="Dune", tmdb_id=693134)
    plan = plan_search(query, caps(), opts())
    assert [list(t[0].keys() & {"tmdbid", "q"}) for t in plan.tiers] == [["tmdbid"], ["q"]]
    assert plan.tiers[1][0]["t"] == "movie"


def test_movie_without_movie_search_uses_text_search():
    query = SearchQuery(type=QueryType.MOVIE, search_term="Dune", tmdb_id=693134)
    (only,) = plan_search(query, caps(movie=None), opts()).requests
    assert (only["t"], only["q"]) == ("search", "Dune")


def test_imdb_digits_strips_tt_only():
    assert imdb_digits("tt0944947") == "0944947"
    assert imdb_digits("0944947") == "0944947"


# -- free text ------------------------------------------------------------------------
def test_free_text_uses_t_search_with_normalised_spaces():
    query = SearchQuery(search_term="  dune   part two ")
    (only,) = plan_search(query, caps(), opts()).requests
    assert (only["t"], only["q"]) == ("search", "dune part two")


def test_free_text_without_term_sends_nothing():
    plan = plan_search(SearchQuery(), caps(), opts())
    assert plan.tiers == [] and "search term" in plan.reason


# -- categories, limits, extras -------------------------------------------------------
def test_tv_query_narrows_settings_categories_to_tv():
    only = plan_search(episode(), caps(), opts()).requests[0]
    assert only["cat"] == "5000,5030,5040"


def test_movie_query_narrows_settings_categories_to_movies():
    query = SearchQuery(type=QueryType.MOVIE, search_term="Dune")
    (only,) = plan_search(query, caps(), opts()).requests
    assert only["cat"] == "2000,2040"


def test_query_categories_win_and_are_intersected_with_caps():
    query = SearchQuery(search_term="x", categories=[5040, 5045, 2040])
    (only,) = plan_search(query, caps(), opts()).requests
    assert only["cat"] == "5040,2040"


def test_settings_categories_none_of_which_the_indexer_offers_are_an_error():
    with pytest.raises(ConfigurationError, match="Geek offers none of the categories 7020"):
        plan_search(
            SearchQuery(search_term="x"), caps(), opts(categories=[7020], anime_categories=[7030])
        )


def test_query_categories_the_indexer_lacks_send_nothing_without_error():
    plan = plan_search(SearchQuery(search_term="x", categories=[7020]), caps(), opts())
    assert plan.tiers == []
    assert "offers none of the categories 7020" in plan.reason


def test_movie_query_on_a_tv_only_indexer_sends_nothing_without_error():
    query = SearchQuery(type=QueryType.MOVIE, search_term="Dune", tmdb_id=693134)
    plan = plan_search(query, caps(categories=[5000, 5040]), opts())
    assert plan.tiers == []
    assert "2000, 2040" in plan.reason


def test_caps_without_categories_keep_the_wanted_ones():
    assert resolve_categories([5040, 100123], caps(categories=[]), "Geek") == [5040, 100123]


def test_no_categories_at_all_omits_cat():
    (only,) = plan_search(SearchQuery(search_term="x"), caps(), opts(categories=[])).requests
    assert "cat" not in only


def test_limit_is_capped_by_caps_max_and_offset_passed():
    query = SearchQuery(search_term="x", limit=500, offset=200)
    (only,) = plan_search(query, caps(limit_max=75), opts()).requests
    assert (only["limit"], only["offset"]) == ("75", "200")


def test_limit_defaults_to_caps_default():
    (only,) = plan_search(SearchQuery(search_term="x"), caps(limit_default=40), opts()).requests
    assert (only["limit"], only["offset"]) == ("40", "0")


def test_extended_is_always_asked_for():
    plan = plan_search(episode(), caps(), opts())
    assert {r["extended"] for r in plan.requests} == {"1"}


def test_additional_parameters_are_added_but_cannot_override_t_or_apikey():
    o = opts(additional_parameters="&attrs=poster,language&t=movie&apikey=x")
    (only,) = plan_search(SearchQuery(search_term="x"), caps(), o).requests
    assert only["attrs"] == "poster,language"
    assert only["t"] == "search"
    assert "apikey" not in only


# -- RSS ------------------------------------------------------------------------------
def test_rss_over_tv_categories_is_sonarrs_tvsearch_without_q():
    params = plan_rss(caps(), opts(categories=TV_CATS))
    assert params["t"] == "tvsearch"
    assert params["cat"] == "5000,5030,5040,5070"
    assert "q" not in params
    assert params["extended"] == "1"


def test_rss_over_tv_and_movie_categories_uses_t_search():
    params = plan_rss(caps(), opts())
    assert params["t"] == "search"
    assert params["cat"] == "5000,5030,5040,2000,2040,5070"


def test_rss_with_given_categories_uses_them():
    params = plan_rss(caps(), opts(), categories=[2040])
    assert (params["t"], params["cat"]) == ("search", "2040")


def test_rss_on_indexer_with_only_tv_search_uses_tvsearch():
    params = plan_rss(caps(search=None), opts())
    assert params["t"] == "tvsearch"


def test_rss_on_indexer_without_search_modes_is_an_error():
    with pytest.raises(ConfigurationError, match="neither search nor TV search"):
        plan_rss(caps(search=None, tv=None), opts())


def test_episode_text_goes_to_tvsearch_q_when_there_is_no_plain_search():
    (only,) = plan_search(episode(), caps(search=None, tv="q"), opts()).requests
    assert (only["t"], only["q"]) == ("tvsearch", "Severance S02E03")
    assert "season" not in only


def test_episode_on_indexer_without_any_text_search_sends_nothing():
    plan = plan_search(episode(tvdb_id=None), caps(search=None, tv="tvdbid"), opts())
    assert plan.tiers == []
    assert "neither TV search nor text search" in plan.reason
