"""``t=caps`` documents: search modes, params, limits, categories, tags, defaults, errors."""

from __future__ import annotations

import pytest

from integrations.errors import AuthenticationError, ProtocolError, RateLimited
from integrations.indexers.newznab_xml import parse_caps

from .feeds import fixture


def caps(data: bytes, **kw):
    return parse_caps(data, service="Indexer", **kw)


def test_jackett_server_and_limits():
    result = caps(fixture("jackett_caps.xml"))
    assert result.server_title == "Jackett"
    assert (result.limit_max, result.limit_default) == (100, 100)


def test_jackett_tv_search_params():
    mode = caps(fixture("jackett_caps.xml")).search_modes["tv-search"]
    assert mode.available is True
    assert mode.supported_params == ["q", "season", "ep", "imdbid", "tvdbid", "tmdbid", "tvmazeid"]


def test_jackett_unavailable_mode():
    assert caps(fixture("jackett_caps.xml")).search_modes["book-search"].available is False


def test_jackett_flags():
    flags = caps(fixture("jackett_caps.xml")).summary()
    assert flags["supports_tvdb_search"] is True
    assert flags["supports_episode_search"] is True
    assert flags["supports_raw_search"] is False


def test_jackett_categories_with_subcats_and_custom():
    result = caps(fixture("jackett_caps.xml"))
    tv = next(c for c in result.categories if c.id == 5000)
    assert tv.name == "TV"
    assert [s.id for s in tv.subcategories] == [5010, 5030, 5040, 5045, 5070, 5080]
    assert tv.subcategories[2].name == "TV/HD"
    assert 100002 in result.category_ids()


def test_prowlarr_raw_search_engine():
    result = caps(fixture("prowlarr_caps.xml"))
    assert result.search_modes["search"].search_engine == "raw"
    assert result.supports_raw_search is True


def test_prowlarr_tags():
    assert caps(fixture("prowlarr_caps.xml")).tags == ["freeleech", "internal", "scene"]


def test_prowlarr_movie_params():
    mode = caps(fixture("prowlarr_caps.xml")).search_modes["movie-search"]
    assert mode.supported_params == ["q", "imdbid", "tmdbid", "traktid"]


def test_nntmux_version_and_title():
    result = caps(fixture("nntmux_caps.xml"))
    assert (result.server_title, result.server_version) == ("NZB Indexer", "0.1")


def test_nntmux_audio_search_without_params_gets_q_and_music_alias():
    result = caps(fixture("nntmux_caps.xml"))
    assert result.search_modes["audio-search"].supported_params == ["q"]
    assert result.search_modes["music-search"].available is False


def test_nntmux_short_subcat_names_kept():
    result = caps(fixture("nntmux_caps.xml"))
    movies = next(c for c in result.categories if c.id == 2000)
    assert movies.subcategories[0].name == "Foreign"


def test_params_lowercased_stripped_deduplicated():
    data = b"""<caps><searching>
      <tv-search available="yes" supportedParams=" q, Season ,EP,,tvdbId,q"/>
    </searching></caps>"""
    assert caps(data).search_modes["tv-search"].supported_params == ["q", "season", "ep", "tvdbid"]


def test_tv_search_without_params_uses_sonarr_defaults():
    data = b'<caps><searching><tv-search available="yes"/></searching></caps>'
    assert caps(data).search_modes["tv-search"].supported_params == ["q", "rid", "season", "ep"]


def test_no_searching_element_assumes_search_and_tv_search():
    result = caps(b"<caps><server title='Bare'/></caps>")
    assert result.search_modes["search"].available is True
    assert result.search_modes["tv-search"].supported_params == ["q", "rid", "season", "ep"]
    assert "movie-search" not in result.search_modes


def test_missing_limits_default_to_100():
    result = caps(b"<caps/>")
    assert (result.limit_max, result.limit_default) == (100, 100)


def test_sonarr_caps_limits():
    data = b'<caps><limits max="60" default="25"/></caps>'
    result = caps(data)
    assert (result.limit_max, result.limit_default) == (60, 25)


def test_default_above_max_is_clamped():
    result = caps(b'<caps><limits max="50" default="200"/></caps>')
    assert (result.limit_max, result.limit_default) == (50, 50)


def test_only_max_given_default_follows():
    result = caps(b'<caps><limits max="40"/></caps>')
    assert (result.limit_max, result.limit_default) == (40, 40)


def test_bad_category_ids_skipped():
    data = b"""<caps><categories>
      <category id="abc" name="Broken"/>
      <category id="5000" name="TV"><subcat id="" name="x"/><subcat id="5040" name="HD"/></category>
    </categories></caps>"""
    result = caps(data)
    assert [c.id for c in result.categories] == [5000]
    assert [s.id for s in result.categories[0].subcategories] == [5040]


def test_available_true_accepted():
    data = b'<caps><searching><search available="TRUE" supportedParams="q"/></searching></caps>'
    assert caps(data).search_modes["search"].available is True


def test_caps_round_trips_through_dict():
    result = caps(fixture("prowlarr_caps.xml"))
    again = type(result).from_dict(result.to_dict())
    assert again.search_modes == result.search_modes
    assert again.category_ids() == result.category_ids()


def test_error_in_caps_raised():
    with pytest.raises(AuthenticationError):
        caps(fixture("error_100.xml"))


def test_rate_limit_in_caps_raised():
    with pytest.raises(RateLimited):
        caps(fixture("error_request_limit.xml"))


def test_feed_instead_of_caps():
    with pytest.raises(
        ProtocolError, match=r"did not return a capabilities document \(root element <rss>\)"
    ):
        caps(fixture("jackett_search.xml"))


def test_html_instead_of_caps():
    with pytest.raises(ProtocolError, match="HTML page"):
        caps(fixture("login.html"))


def test_doctype_in_caps_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE caps [<!ENTITY x SYSTEM "file:///etc/hostname">]><caps><server title="&x;"/></caps>'
    with pytest.raises(ProtocolError, match="DOCTYPE"):
        caps(data)
