"""The Prowlarr indexer provider: settings, test(), search through ``/api/v1/search``,
result mapping, errors and downloads through Prowlarr's proxy — against a fake Prowlarr
with Prowlarr's documented shapes (and one real loopback server)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

import pytest
import responses
from pydantic import ValidationError

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    ProtocolError,
    RateLimited,
    ServerError,
    UnsupportedError,
)
from integrations.indexers.base import Protocol, QueryType, SearchQuery, SearchResult
from integrations.indexers.providers.prowlarr import ProwlarrSettings
from tests.httpserver import Reply

from .prowlarr_fixtures import API_KEY, BASE, Failure, fake_prowlarr, load, make, release

TORRENT = b"d8:announce30:http://tracker.example/announce4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"
NZB = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">\n<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"><file/></nzb>'


@pytest.fixture
def prowlarr():
    yield from fake_prowlarr()


def search_params(prowlarr, n=0) -> dict[str, list[str]]:
    return prowlarr.calls_to("search")[n]


# -- settings ---------------------------------------------------------------------------------


def test_base_url_must_be_http_or_https():
    with pytest.raises(ValidationError, match="http:// or https://"):
        ProwlarrSettings(base_url="ftp://127.0.0.1:9696", api_key=API_KEY)


def test_base_url_loses_its_trailing_slash():
    assert ProwlarrSettings(base_url=BASE + "/prowlarr/", api_key="k").base_url == (
        BASE + "/prowlarr"
    )


def test_api_key_is_the_only_secret():
    assert ProwlarrSettings.secret_fields() == ["api_key"]


def test_unknown_sync_level_is_rejected():
    with pytest.raises(ValidationError):
        ProwlarrSettings(base_url=BASE, api_key="k", sync_level="sometimes")


def test_default_sync_categories_are_sonarrs_and_radarrs():
    s = ProwlarrSettings(base_url=BASE, api_key="k")
    assert s.sync_categories == [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5090] + [
        2000,
        2010,
        2020,
        2030,
        2040,
        2045,
        2050,
        2060,
        2070,
        2080,
        2090,
    ]
    assert s.anime_sync_categories == [5070]
    assert s.sync_level == "full"


# -- test() -----------------------------------------------------------------------------------


def test_test_reports_version_and_indexer_count(prowlarr):
    result = make().run_test()
    assert result.ok
    assert result.message == "Connected to Prowlarr 1.28.2.4885: 6 indexers"
    assert result.details["version"] == "1.28.2.4885"


def test_test_counts_the_indexers_matching_the_tags(prowlarr):
    result = make(tags=[1]).run_test()
    assert result.message == "Connected to Prowlarr 1.28.2.4885: 6 indexers (2 match the tags)"
    assert result.details["matching"] == 2


def test_test_is_degraded_by_a_tag_prowlarr_does_not_have(prowlarr):
    health = make(tags=[1, 9]).health()
    assert health.status == "degraded"
    assert health.message.endswith("; Prowlarr has no tag 9")


def test_wrong_api_key_is_an_authentication_error_about_the_key(prowlarr):
    with pytest.raises(AuthenticationError, match="refused the API key") as caught:
        make(api_key="0" * 32).test()
    assert "Settings → General" in caught.value.message


def test_api_key_travels_in_the_header_only(prowlarr):
    make().test()
    _, query, headers = prowlarr.calls[0]
    assert headers["X-Api-Key"] == API_KEY
    assert "apikey" not in {k.lower() for k in query}


def test_another_servarr_at_the_url_is_a_configuration_error(prowlarr):
    prowlarr.data["system/status"]["appName"] = "Sonarr"
    with pytest.raises(ConfigurationError, match="is Sonarr, not Prowlarr"):
        make().test()


def test_html_login_page_is_a_protocol_error(prowlarr):
    prowlarr.failures["system/status"] = Failure(
        200, "<!DOCTYPE html><html><title>Login</title></html>", "text/html"
    )
    with pytest.raises(ProtocolError, match="HTML page instead of JSON"):
        make().test()


def test_server_error_is_transient(prowlarr):
    prowlarr.failures["indexer"] = Failure(500, '{"message": "database is locked"}')
    with pytest.raises(ServerError) as caught:
        make().test()
    assert caught.value.permanent is False


def test_missing_api_key_says_where_to_find_it():
    result = make(api_key=None).run_test()
    assert not result.ok
    assert "Set the API key (Prowlarr → Settings → General" in result.message


# -- search parameters -------------------------------------------------------------------------


def test_free_text_search_sends_type_search_and_the_query(prowlarr):
    make().search(SearchQuery(search_term="Game of Thrones"))
    params = search_params(prowlarr)
    assert params["type"] == ["search"]
    assert params["query"] == ["Game of Thrones"]
    assert "categories" not in params


def test_series_search_puts_ids_into_query_tokens(prowlarr):
    query = SearchQuery(type=QueryType.SERIES, tvdb_id=121361, imdb_id="tt944947", tvmaze_id=82)
    make().search(query)
    params = search_params(prowlarr)
    assert params["type"] == ["tvsearch"]
    assert params["query"] == ["{ImdbId:tt0944947}{TvdbId:121361}{TvMazeId:82}"]


def test_episode_search_adds_season_and_episode_tokens(prowlarr):
    query = SearchQuery(
        type=QueryType.EPISODE, search_term="Game of Thrones", season=1, episodes=[2]
    )
    make().search(query)
    assert search_params(prowlarr)["query"] == ["Game of Thrones {Season:1}{Episode:2}"]


def test_season_zero_is_still_sent(prowlarr):
    make().search(SearchQuery(type=QueryType.SEASON, tvdb_id=121361, season=0))
    assert search_params(prowlarr)["query"] == ["{TvdbId:121361}{Season:0}"]


def test_several_episodes_are_one_request_each_and_merged(prowlarr):
    query = SearchQuery(type=QueryType.EPISODE, tvdb_id=121361, season=1, episodes=[2, 3])
    results = make().search(query)
    queries = [p["query"] for p in prowlarr.calls_to("search")]
    assert queries == [
        ["{TvdbId:121361}{Season:1}{Episode:2}"],
        ["{TvdbId:121361}{Season:1}{Episode:3}"],
    ]
    assert len(results) == 3  # the same three releases both times, de-duplicated


def test_daily_search_sends_the_year_as_season_and_month_day_as_episode(prowlarr):
    query = SearchQuery(type=QueryType.DAILY, tvdb_id=71256, air_date=date(2024, 11, 5))
    make().search(query)
    assert search_params(prowlarr)["query"] == ["{TvdbId:71256}{Season:2024}{Episode:11/05}"]


def test_movie_search_uses_movie_type_with_imdb_and_tmdb(prowlarr):
    query = SearchQuery(
        type=QueryType.MOVIE, search_term="Dune", imdb_id="tt1160419", tmdb_id=438631
    )
    make().search(query)
    params = search_params(prowlarr)
    assert params["type"] == ["movie"]
    assert params["query"] == ["Dune {ImdbId:tt1160419}{TmdbId:438631}"]
    assert params["categories"] == [
        str(c) for c in [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]
    ]


def test_anime_search_appends_the_absolute_number(prowlarr):
    query = SearchQuery(type=QueryType.ANIME, search_term="One Piece", absolute_episode=7)
    make().search(query)
    params = search_params(prowlarr)
    assert (params["type"], params["query"], params["categories"]) == (
        ["search"],
        ["One Piece 07"],
        ["5070"],
    )


def test_tv_search_defaults_to_the_tv_sync_categories(prowlarr):
    make().search(SearchQuery(type=QueryType.SERIES, tvdb_id=1))
    assert search_params(prowlarr)["categories"] == [
        "5000",
        "5010",
        "5020",
        "5030",
        "5040",
        "5045",
        "5050",
        "5090",
    ]


def test_query_categories_are_repeated_parameters(prowlarr):
    make().search(SearchQuery(search_term="x", categories=[5040, 5045]))
    assert search_params(prowlarr)["categories"] == ["5040", "5045"]


def test_search_indexer_ids_limit_and_offset_are_sent(prowlarr):
    make(search_indexer_ids=[2, 5]).search(SearchQuery(search_term="x", limit=50, offset=100))
    params = search_params(prowlarr)
    assert (params["indexerIds"], params["limit"], params["offset"]) == (
        ["2", "5"],
        ["50"],
        ["100"],
    )


def test_braces_in_the_search_term_cannot_forge_tokens(prowlarr):
    make().search(SearchQuery(type=QueryType.SERIES, search_term="Show {TvdbId:1}", tvdb_id=2))
    assert search_params(prowlarr)["query"] == ["Show TvdbId:1 {TvdbId:2}"]


# -- results ----------------------------------------------------------------------------------


def first(prowlarr, item: dict) -> SearchResult:
    prowlarr.data["search"] = [item]
    results = make().search(SearchQuery(search_term="x"))
    assert len(results) == 1
    return results[0]


def test_torrent_release_maps_every_field(prowlarr):
    r = make().search(SearchQuery(search_term="x"))[0]
    assert (r.title, r.size, r.seeders, r.leechers, r.grabs) == (
        "Game.of.Thrones.S01E02.720p.BluRay.x264-DEMAND",
        1503238553,
        112,
        9,
        8821,
    )
    assert r.protocol == Protocol.TORRENT
    assert r.indexer_name == "1337x (Prowlarr)"
    assert r.indexer_id == 1
    assert (
        r.guid == "https://1337x.to/torrent/5882211/Game-of-Thrones-S01E02-720p-BluRay-x264-DEMAND/"
    )
    assert r.infohash == "8d6a5e6e9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"
    assert (r.imdb_id, r.tmdb_id, r.tvdb_id, r.tvmaze_id) == ("tt0944947", 1399, 121361, None)
    assert r.categories == [5040, 100041]
    assert r.publish_date == datetime(2020, 3, 14, 18, 22, tzinfo=UTC)
    assert r.info_url.startswith("https://1337x.to/torrent/5882211/")


def test_usenet_release_carries_usenet_protocol_and_grabs(prowlarr):
    r = make().search(SearchQuery(search_term="x"))[1]
    assert (r.protocol, r.grabs, r.seeders, r.tvmaze_id) == (Protocol.USENET, 312, None, 82)
    assert r.indexer_name == "NZBgeek (Prowlarr)"


def test_download_links_lose_the_api_key(prowlarr):
    for r in make().search(SearchQuery(search_term="x")):
        assert API_KEY not in r.download_url
        assert "apikey" not in r.download_url
        assert r.download_url.startswith(f"{BASE}/{r.indexer_id}/download?link=")


def test_proxied_magnet_link_is_not_reported_as_a_magnet(prowlarr):
    r = make().search(SearchQuery(search_term="x"))[0]
    assert r.magnet_url is None


def test_magnet_only_release_downloads_through_the_proxied_magnet_link(prowlarr):
    item = release()
    proxied_magnet = item.pop("downloadUrl") and item["magnetUrl"]
    r = first(prowlarr, item)
    assert r.download_url == proxied_magnet.replace(f"apikey={API_KEY}&", "")


def test_a_real_magnet_is_kept_as_magnet(prowlarr):
    magnet = "magnet:?xt=urn:btih:8d6a5e6e9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a&dn=x"
    r = first(prowlarr, release(magnetUrl=magnet))
    assert r.magnet_url == magnet


def test_freeleech_and_internal_flags(prowlarr):
    r = make().search(SearchQuery(search_term="x"))[2]
    assert (r.freeleech, r.internal, r.scene, r.download_volume_factor) == (True, True, False, 0.0)
    assert r.indexer_flags == ["freeleech", "internal"]


def test_halfleech_and_double_upload_set_the_volume_factors(prowlarr):
    r = first(prowlarr, release(indexerFlags=["halfleech", "doubleupload", "scene"]))
    assert (r.freeleech, r.scene) == (False, True)
    assert (r.download_volume_factor, r.upload_volume_factor) == (0.5, 2.0)


def test_release_without_guid_is_skipped_with_a_logged_reason(prowlarr, caplog):
    with caplog.at_level(logging.WARNING):
        results = make().search(SearchQuery(search_term="x"))
    assert [r.title for r in results if "NOGUID" in r.title] == []
    assert "Game.of.Thrones.S01E02.480p.HDTV.x264-NOGUID' has no guid" in caplog.text


@pytest.mark.parametrize(
    "change",
    [
        {"size": -5},
        {"size": "big"},
        {"protocol": "unknown"},
        {"title": ""},
        {"downloadUrl": None, "magnetUrl": None},
    ],
)
def test_unusable_release_is_skipped_and_the_others_kept(prowlarr, change):
    prowlarr.data["search"] = [release(**change), release(guid="second")]
    results = make().search(SearchQuery(search_term="x"))
    assert [r.guid for r in results] == ["second"]


def test_zero_ids_mean_unknown(prowlarr):
    r = first(prowlarr, release(imdbId=0, tmdbId=0, tvdbId=0, tvMazeId=0))
    assert (r.imdb_id, r.tmdb_id, r.tvdb_id, r.tvmaze_id) == (None, None, None, None)


def test_publish_date_without_zone_is_read_as_utc(prowlarr):
    r = first(prowlarr, release(publishDate="2024-06-01T12:30:00"))
    assert r.publish_date == datetime(2024, 6, 1, 12, 30, tzinfo=UTC)


# -- search errors ----------------------------------------------------------------------------


def test_search_400_shows_prowlarrs_message(prowlarr):
    prowlarr.failures["search"] = Failure(
        400, '{"message": "Search failed due to all selected indexers being unavailable"}'
    )
    with pytest.raises(IntegrationError) as caught:
        make().search(SearchQuery(search_term="x"))
    assert caught.value.message == (
        "Prowlarr: Search failed due to all selected indexers being unavailable"
    )
    assert caught.value.permanent is False


def test_search_with_bad_json_is_a_protocol_error(prowlarr):
    prowlarr.failures["search"] = Failure(200, '[{"guid": "a", ')
    with pytest.raises(ProtocolError, match="invalid JSON"):
        make().search(SearchQuery(search_term="x"))


def test_search_answering_an_object_is_a_protocol_error(prowlarr):
    prowlarr.failures["search"] = Failure(200, '{"records": []}')
    with pytest.raises(ProtocolError, match="not the list its API promises"):
        make().search(SearchQuery(search_term="x"))


def test_huge_search_answer_is_refused(prowlarr, settings):
    settings.INDEXER_MAX_RESPONSE_BYTES = 1024
    prowlarr.data["search"] = [release(guid=str(n)) for n in range(20)]
    with pytest.raises(ProtocolError, match=r"answered more than .*; refusing: narrow the search"):
        make().search(SearchQuery(search_term="x"))


def test_rate_limit_carries_retry_after(prowlarr):
    prowlarr.failures["search"] = Failure(429, "", headers={"Retry-After": "120"})
    with pytest.raises(RateLimited) as caught:
        make().search(SearchQuery(search_term="x"))
    assert caught.value.retry_after == 120


@pytest.mark.parametrize(
    "failure",
    [
        Failure(401),
        Failure(500, f'{{"message": "boom at {BASE}/api/v1/search"}}'),
        Failure(200, "<html>login</html>", "text/html"),
        Failure(400, '{"message": "bad"}'),
    ],
)
def test_error_messages_never_contain_the_api_key(prowlarr, failure):
    prowlarr.failures["search"] = failure
    with pytest.raises(IntegrationError) as caught:
        make().search(SearchQuery(search_term="x"))
    assert API_KEY not in caught.value.message


def test_search_through_a_real_loopback_server(recording_server):
    recording_server.script([Reply(200, load("search_tv"))])
    provider = make(base_url=recording_server.url)
    results = provider.search(SearchQuery(type=QueryType.SERIES, tvdb_id=121361))
    request = recording_server.last_request
    assert request.path == "/api/v1/search"
    assert request.query["query"] == ["{TvdbId:121361}"]
    assert request.headers["X-Api-Key"] == API_KEY
    assert [r.protocol for r in results] == [Protocol.TORRENT, Protocol.USENET, Protocol.TORRENT]


# -- caps and RSS ------------------------------------------------------------------------------


def test_caps_are_the_union_of_the_enabled_indexers(prowlarr):
    caps = make().caps()
    assert caps.mode("tv-search").supported_params == [
        "ep",
        "imdbid",
        "q",
        "rid",
        "season",
        "tvdbid",
        "tvmazeid",
    ]
    assert caps.supports_tvdb_search
    assert [c.id for c in caps.categories] == [2000, 3000, 5000, 7000]
    assert 100001 not in caps.category_ids()


def test_caps_follow_the_searched_indexer_ids(prowlarr):
    caps = make(search_indexer_ids=[1]).caps()
    assert caps.mode("tv-search").supported_params == ["ep", "q", "season"]
    assert not caps.supports_imdb_search


def test_rss_is_unsupported_and_says_to_sync_instead():
    with pytest.raises(UnsupportedError, match="sync its indexers"):
        make().get_rss()


# -- download ---------------------------------------------------------------------------------

PROXY = re.compile(re.escape(BASE) + r"/\d+/download\?.*")


def proxied(prowlarr, n=0) -> SearchResult:
    return make().search(SearchQuery(search_term="x"))[n]


def test_download_fetches_the_torrent_through_prowlarrs_proxy(prowlarr):
    result = proxied(prowlarr)
    prowlarr.mock.add(
        responses.GET,
        PROXY,
        body=TORRENT,
        headers={"Content-Disposition": 'attachment; filename="GoT.S01E02.torrent"'},
        content_type="application/x-bittorrent",
    )
    fetched = make().download(result)
    assert (fetched.torrent, fetched.filename) == (TORRENT, "GoT.S01E02.torrent")
    sent = prowlarr.mock.calls[-1].request.url
    assert sent.startswith(f"{BASE}/1/download?apikey={API_KEY}&link=")


def test_download_redirected_to_a_magnet_gives_the_magnet(prowlarr):
    result = proxied(prowlarr)
    magnet = "magnet:?xt=urn:btih:8d6a5e6e9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"
    prowlarr.mock.add(responses.GET, PROXY, status=301, headers={"Location": magnet})
    assert make().download(result).magnet == magnet


def test_download_redirected_to_the_indexer_does_not_send_the_key_there(prowlarr):
    result = proxied(prowlarr, 1)
    target = "https://api.nzbgeek.info/api?t=get&id=8f3c1a2b"
    prowlarr.mock.add(responses.GET, PROXY, status=301, headers={"Location": target})
    prowlarr.mock.add(responses.GET, target, body=NZB, content_type="application/x-nzb")
    fetched = make().download(result)
    assert fetched.nzb == NZB
    request = prowlarr.mock.calls[-1].request
    assert request.url == target
    assert API_KEY not in str(request.headers)


def test_download_of_an_html_page_is_a_protocol_error(prowlarr):
    result = proxied(prowlarr)
    prowlarr.mock.add(responses.GET, PROXY, body="<!DOCTYPE html><html>Cloudflare</html>")
    with pytest.raises(ProtocolError, match="HTML page instead of a .torrent file") as caught:
        make().download(result)
    assert API_KEY not in caught.value.message


def test_download_of_a_torrent_for_a_usenet_release_is_refused(prowlarr):
    result = proxied(prowlarr, 1)
    prowlarr.mock.add(responses.GET, PROXY, body=TORRENT)
    with pytest.raises(ProtocolError, match="is not an NZB"):
        make().download(result)


def test_download_of_a_magnet_result_needs_no_request(prowlarr):
    magnet = "magnet:?xt=urn:btih:8d6a5e6e9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"
    result = first(prowlarr, release(magnetUrl=magnet))
    before = len(prowlarr.mock.calls)
    assert make().download(result).magnet == magnet
    assert len(prowlarr.mock.calls) == before


def test_download_that_redirects_forever_stops(prowlarr):
    result = proxied(prowlarr)
    prowlarr.mock.add(responses.GET, PROXY, status=302, headers={"Location": result.download_url})
    with pytest.raises(ProtocolError, match="redirected the download more than"):
        make().download(result)


def test_download_rate_limit_from_prowlarr_is_rate_limited(prowlarr):
    result = proxied(prowlarr)
    prowlarr.mock.add(responses.GET, PROXY, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as caught:
        make().download(result)
    assert caught.value.retry_after == 3600
