"""Jackett: URL shapes (address, pasted feed URL, URL base, "all") and the aggregate warning."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.indexers.base import SearchQuery
from integrations.indexers.providers.jackett import Jackett, JackettSettings, split_feed_url
from tests.indexers.feeds import fixture
from tests.indexerserver import indexer_server  # noqa: F401 (fixture)

FEED = "http://jackett.lan:9117/api/v2.0/indexers/1337x/results/torznab/"


def jackett_api(indexer: str) -> str:
    return f"/api/v2.0/indexers/{indexer}/results/torznab/"


def test_address_and_indexer_make_the_torznab_path():
    provider = Jackett(JackettSettings(base_url="http://jackett.lan:9117", indexer="1337x"))
    assert provider.api_url == FEED


def test_indexer_defaults_to_the_all_aggregate():
    settings = JackettSettings(base_url="http://jackett.lan:9117")
    assert settings.indexer == "all"
    assert Jackett(settings).api_url.endswith("/indexers/all/results/torznab/")


def test_pasted_feed_url_is_split_into_address_and_indexer():
    settings = JackettSettings(base_url=FEED)
    assert (settings.base_url, settings.indexer) == ("http://jackett.lan:9117", "1337x")


def test_pasted_feed_url_with_api_suffix_is_split():
    settings = JackettSettings(base_url=FEED + "api")
    assert (settings.base_url, settings.indexer) == ("http://jackett.lan:9117", "1337x")


def test_url_base_is_kept():
    settings = JackettSettings(
        base_url="https://home.example/jackett/api/v2.0/indexers/nyaasi/results/torznab"
    )
    assert settings.base_url == "https://home.example/jackett"
    assert Jackett(settings).api_url == (
        "https://home.example/jackett/api/v2.0/indexers/nyaasi/results/torznab/"
    )


def test_legacy_torznab_url_is_understood():
    settings = JackettSettings(base_url="http://jackett.lan:9117/torznab/rarbg/api")
    assert (settings.base_url, settings.indexer) == ("http://jackett.lan:9117", "rarbg")


def test_pasted_url_with_apikey_fills_an_empty_key():
    settings = JackettSettings(base_url=FEED + "api?t=caps&apikey=abc123def456")
    assert settings.api_key.get_secret_value() == "abc123def456"
    assert settings.base_url == "http://jackett.lan:9117"


def test_pasted_url_apikey_does_not_replace_a_given_key():
    settings = JackettSettings(base_url=FEED + "?apikey=fromurl", api_key="given")
    assert settings.api_key.get_secret_value() == "given"


def test_pasted_url_naming_another_indexer_than_given_is_refused():
    with pytest.raises(ValidationError, match="names Jackett indexer '1337x'"):
        JackettSettings(base_url=FEED, indexer="nyaasi")


def test_filter_indexer_is_accepted_and_odd_ids_are_not():
    assert JackettSettings(base_url="http://j.lan", indexer="tag:anime").indexer == "tag:anime"
    with pytest.raises(ValidationError, match="Jackett indexer id"):
        JackettSettings(base_url="http://j.lan", indexer="../admin")


def test_split_feed_url_of_a_plain_address():
    assert split_feed_url("http://j.lan:9117/") == ("http://j.lan:9117", None, None)


def test_requests_go_to_jacketts_indexer_path(indexer_server):
    srv = indexer_server(api_path=jackett_api("1337x"))
    provider = Jackett(
        JackettSettings(base_url=srv.url + jackett_api("1337x"), api_key=srv.api_key)
    )
    results = provider.search(SearchQuery(search_term="x"))
    assert len(results) == 25
    assert {r.path for r in srv.requests} == {"/api/v2.0/indexers/1337x/results/torznab/"}


def test_test_of_the_aggregate_warns_it_is_slow_and_hides_failures(indexer_server):
    srv = indexer_server(api_path=jackett_api("all"), caps_xml=fixture("jackett_caps.xml"))
    result = Jackett(JackettSettings(base_url=srv.url, api_key=srv.api_key)).run_test()
    assert result.ok is True
    assert "slowest tracker" in result.message
    assert any("hides trackers that fail" in w for w in result.details["warnings"])


def test_test_of_a_single_indexer_has_no_aggregate_warning(indexer_server):
    srv = indexer_server(api_path=jackett_api("1337x"))
    settings = JackettSettings(base_url=srv.url, indexer="1337x", api_key=srv.api_key)
    result = Jackett(settings).run_test()
    assert result.ok is True
    assert "slowest" not in result.message


def test_kind_is_jackett_and_torrent():
    assert Jackett.kind == "jackett"
    assert str(Jackett.protocol) == "torrent"
