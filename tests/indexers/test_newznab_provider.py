"""The Newznab provider against the local indexer server (tests/indexerserver.py)."""

from __future__ import annotations

from datetime import UTC

import pytest
from pydantic import ValidationError

from integrations.base import HEALTHY, UNHEALTHY
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
    UnsupportedError,
)
from integrations.indexers.base import Protocol, QueryType, SearchQuery
from integrations.indexers.providers.newznab import Newznab, NewznabSettings
from tests.indexers.feeds import fixture
from tests.indexerserver import indexer_server  # noqa: F401 (fixture)


def newznab(srv, **settings) -> Newznab:
    base = {"base_url": srv.url, "api_key": srv.api_key, "api_path": srv.api_path}
    base.update(settings)
    return Newznab(NewznabSettings(**base), name="NZBTest")


@pytest.fixture
def usenet(indexer_server):
    return indexer_server(protocol="usenet", items=12)


# -- caps ----------------------------------------------------------------------------
def test_caps_are_read_with_the_key_and_remembered(usenet):
    provider = newznab(usenet)
    caps = provider.caps()
    assert caps.server_title == "idkarr test indexer"
    assert provider.known_caps is caps
    assert provider.caps_fetched_at is not None and provider.caps_fetched_at.tzinfo == UTC
    provider.caps()
    (request,) = usenet.api_requests("caps")
    assert request.query["apikey"] == usenet.api_key


def test_caps_refresh_fetches_again(usenet):
    provider = newznab(usenet)
    provider.caps()
    provider.caps(refresh=True)
    assert len(usenet.api_requests("caps")) == 2


def test_known_caps_handed_in_are_used_without_a_request(usenet):
    provider = newznab(usenet)
    provider.known_caps = newznab(usenet).caps()
    usenet.requests.clear()
    provider.search(SearchQuery(search_term="Severance"))
    assert [r.t for r in usenet.requests] == ["search"]


def test_custom_api_path_is_used(indexer_server):
    srv = indexer_server(protocol="usenet", api_path="/nab/api")
    newznab(srv).caps()
    assert srv.requests[0].path == "/nab/api"


# -- search --------------------------------------------------------------------------
def test_search_returns_usenet_results_named_for_the_indexer(usenet):
    provider = newznab(usenet)
    provider.indexer_id = 7
    results = provider.search(SearchQuery(search_term="Severance"))
    assert len(results) == 12
    first = results[0]
    assert (first.indexer_id, first.indexer_name, first.protocol) == (7, "NZBTest", Protocol.USENET)
    assert first.title == usenet.item(1).title
    assert first.grabs == usenet.item(1).grabs
    assert first.size == usenet.item(1).size


def test_search_request_carries_query_categories_and_key(usenet):
    newznab(usenet).search(SearchQuery(search_term="Severance", limit=5))
    (request,) = usenet.api_requests("search")
    assert request.query["q"] == "Severance"
    assert request.query["apikey"] == usenet.api_key
    assert request.query["extended"] == "1"
    assert request.query["limit"] == "5"


def test_title_tier_runs_when_the_id_search_finds_nothing(indexer_server):
    srv = indexer_server(protocol="usenet", items=12, filter_queries=True)
    query = SearchQuery(
        type=QueryType.EPISODE, search_term="Severance", tvdb_id=1, season=2, episodes=[2]
    )
    results = newznab(srv).search(query)
    sent = srv.api_requests("tvsearch")
    assert [("tvdbid" in r.query, "q" in r.query) for r in sent] == [(True, False), (False, True)]
    assert [r.title for r in results] == ["Severance.S02E02.2160p.WEB-DL.DDP5.1.DV.HDR.H.265-FLUX"]


def test_title_tier_is_skipped_when_the_id_search_found_results(indexer_server):
    srv = indexer_server(protocol="usenet", items=12, filter_queries=True)
    query = SearchQuery(
        type=QueryType.EPISODE, search_term="Severance", tvdb_id=371980, season=2, episodes=[2]
    )
    results = newznab(srv).search(query)
    assert len(srv.api_requests("tvsearch")) == 1
    assert len(results) == 1


def test_several_episodes_are_merged_without_duplicates(usenet):
    query = SearchQuery(type=QueryType.EPISODE, tvdb_id=371980, season=1, episodes=[1, 2, 3])
    results = newznab(usenet).search(query)
    assert len(usenet.api_requests("tvsearch")) == 3
    assert len(results) == 12  # each answer holds the same 12 items
    assert len({r.guid for r in results}) == 12


def test_a_query_the_indexer_cannot_serve_sends_nothing(indexer_server):
    srv = indexer_server(protocol="usenet", tv_params="q")
    provider = newznab(srv)
    provider.caps()
    query = SearchQuery(type=QueryType.EPISODE, tvdb_id=371980, season=1, episodes=[1])
    assert provider.search(query) == []
    assert [r.t for r in srv.requests] == ["caps"]


def test_search_on_a_torrent_feed_says_to_add_it_as_torznab(indexer_server):
    srv = indexer_server(protocol="torrent")
    with pytest.raises(ConfigurationError, match="Torznab"):
        newznab(srv).search(SearchQuery(search_term="x"))


def test_nntmux_shaped_feed_is_parsed(indexer_server):
    srv = indexer_server(protocol="usenet", feed_xml=fixture("nntmux_search.xml"))
    results = newznab(srv).search(SearchQuery(search_term="x"))
    assert len(results) == 3
    assert all(r.protocol == Protocol.USENET and r.size > 0 for r in results)


# -- RSS -----------------------------------------------------------------------------
def test_rss_asks_for_the_newest_releases_without_q(usenet):
    results = newznab(usenet, categories=[5030, 5040]).get_rss()
    (request,) = usenet.api_requests("tvsearch")
    assert "q" not in request.query
    assert request.query["cat"] == "5030,5040,5070"
    assert len(results) == 12


def test_rss_with_categories_given_uses_them(usenet):
    newznab(usenet).get_rss([2040])
    (request,) = usenet.api_requests("search")
    assert request.query["cat"] == "2040"


# -- errors --------------------------------------------------------------------------
def test_wrong_key_is_an_authentication_error_naming_the_indexer(usenet):
    with pytest.raises(AuthenticationError) as caught:
        newznab(usenet, api_key="not-the-key").search(SearchQuery(search_term="x"))
    assert "NZBTest" in caught.value.message
    assert "not-the-key" not in caught.value.message


def test_request_limit_document_is_rate_limited(usenet):
    usenet.fault("error", code=500, description="Request limit reached", only_t="search")
    with pytest.raises(RateLimited) as caught:
        newznab(usenet).search(SearchQuery(search_term="x"))
    assert caught.value.retry_after == 3600


def test_http_429_with_retry_after_is_rate_limited(usenet):
    usenet.fault("http", status=429, retry_after=120, only_t="search")
    with pytest.raises(RateLimited) as caught:
        newznab(usenet).search(SearchQuery(search_term="x"))
    assert caught.value.retry_after == 120


def test_http_500_is_a_server_error(usenet):
    usenet.fault("http", status=500, body="boom")
    with pytest.raises(ServerError, match="NZBTest had a server error"):
        newznab(usenet).caps()


def test_xml_error_document_with_http_error_status_is_mapped_by_its_code(usenet):
    usenet.fault("error", code=202, description="No such function", status=400)
    with pytest.raises(UnsupportedError):
        newznab(usenet).caps()


def test_http_404_without_xml_is_not_found(usenet):
    usenet.fault("http", status=404, body="nothing here")
    with pytest.raises(NotFoundError):
        newznab(usenet).caps()


def test_html_login_page_is_a_protocol_error(usenet):
    usenet.fault("html")
    with pytest.raises(ProtocolError, match="HTML"):
        newznab(usenet).caps()


def test_closed_connection_is_a_connection_failure(usenet):
    usenet.fault("close")
    with pytest.raises(ConnectionFailed):
        newznab(usenet).caps()


def test_hanging_indexer_times_out_after_its_timeout(usenet):
    usenet.fault("hang")
    with pytest.raises(RequestTimedOut):
        newznab(usenet, timeout_seconds=0.3).caps()


def test_oversized_answer_is_refused(usenet, settings):
    settings.INDEXER_MAX_RESPONSE_BYTES = 1024 * 1024
    usenet.fault("huge", size=3 * 1024 * 1024)
    with pytest.raises(ProtocolError, match="more than 1 MB"):
        newznab(usenet).search(SearchQuery(search_term="x"))


def test_no_error_message_contains_the_key(usenet):
    provider = newznab(usenet, timeout_seconds=0.3)
    messages = []
    for kind, options in [
        ("error", {"code": 100, "description": "Incorrect user credentials"}),
        ("http", {"status": 500}),
        ("html", {}),
        ("close", {}),
        ("body", {"data": b"not xml at all"}),
    ]:
        usenet.fault(kind, times=1, **options)
        with pytest.raises(Exception) as caught:
            provider.caps(refresh=True)
        messages.append(str(caught.value))
    assert len(messages) == 5
    assert all(usenet.api_key not in m for m in messages)


# -- test() and health() ---------------------------------------------------------------
def test_test_reports_server_modes_and_categories(usenet):
    result = newznab(usenet).run_test()
    assert result.ok is True
    assert result.message.startswith("Connected to idkarr test indexer: search (q), tv-search (")
    assert "14 categories" in result.message
    assert result.details["caps"]["server_title"] == "idkarr test indexer"
    assert result.details["flags"]["supports_tvdb_search"] is True


def test_test_sends_one_small_feed_request_after_caps(usenet):
    newznab(usenet).run_test()
    assert [r.t for r in usenet.requests] == ["caps", "search"]
    assert usenet.requests[1].query["limit"] == "1"


def test_test_catches_a_wrong_key_that_caps_does_not_check(indexer_server):
    srv = indexer_server(protocol="usenet", caps_needs_key=False)
    result = newznab(srv, api_key="wrong-key-123").run_test()
    assert result.ok is False
    assert "API key" in result.message
    assert [r.t for r in srv.requests] == ["caps", "search"]


def test_test_fails_when_the_indexer_has_no_search_modes(indexer_server):
    srv = indexer_server(protocol="usenet", search_params=None, tv_params=None)
    result = newznab(srv).run_test()
    assert result.ok is False
    assert "neither search nor TV search" in result.message


def test_test_warns_about_categories_the_indexer_lacks(usenet):
    result = newznab(usenet, categories=[5040, 5090]).run_test()
    assert result.ok is True
    assert "Not offered by the indexer, ignored: 5090" in result.details["warnings"]


def test_health_reads_caps_only(usenet):
    health = newznab(usenet).health()
    assert health.status == HEALTHY
    assert [r.t for r in usenet.requests] == ["caps"]


def test_health_is_unhealthy_with_the_reason(usenet):
    usenet.fault("error", code=100, description="Incorrect user credentials")
    health = newznab(usenet).health()
    assert health.status == UNHEALTHY
    assert health.details["code"] == "authentication_failed"


# -- settings ------------------------------------------------------------------------
def test_settings_need_an_http_address():
    with pytest.raises(ValidationError, match="http:// or https://"):
        NewznabSettings(base_url="nzbgeek.info")


def test_settings_refuse_a_query_in_the_address():
    with pytest.raises(ValidationError, match="without \\?query"):
        NewznabSettings(base_url="https://nzb.example/api?apikey=x")


def test_settings_normalise_address_and_api_path():
    settings = NewznabSettings(base_url="https://nzb.example/", api_path="nab/api/")
    assert (settings.base_url, settings.api_path) == ("https://nzb.example", "/nab/api")


def test_default_categories_are_the_seeds_tv_and_movie_ones():
    settings = NewznabSettings(base_url="https://nzb.example")
    assert settings.categories[:5] == [5000, 5040, 5030, 5045, 5010]
    assert 2000 in settings.categories and 2040 in settings.categories
    assert settings.anime_categories == [5070]


def test_additional_parameters_must_start_with_ampersand():
    with pytest.raises(ValidationError, match="start with &"):
        NewznabSettings(base_url="https://nzb.example", additional_parameters="attrs=poster")


def test_additional_parameters_may_not_set_the_key():
    with pytest.raises(ValidationError, match="may not set t or apikey"):
        NewznabSettings(base_url="https://nzb.example", additional_parameters="&apikey=x")


def test_additional_parameters_are_sent(usenet):
    newznab(usenet, additional_parameters="&attrs=poster").search(SearchQuery(search_term="x"))
    assert usenet.api_requests("search")[0].query["attrs"] == "poster"


def test_api_key_is_a_secret_field():
    assert NewznabSettings.secret_fields() == ["api_key"]
