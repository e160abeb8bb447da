"""Hostile or broken indexers in a real fan-out: each is reported with a clear error and
the healthy indexer's results still come back."""

from __future__ import annotations

import pytest

from integrations.indexers import search
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.models import Indexer
from tests.indexers.feeds import fixture
from tests.indexerserver import indexer_server  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True)]

QUERY = SearchQuery(type=QueryType.SEARCH, search_term="Expanse")


def torznab(name: str, srv, **settings) -> Indexer:
    config = Indexer(name=name, kind="torznab")
    data = {"base_url": srv.url, "api_key": srv.api_key, "timeout_seconds": 5, **settings}
    config.apply_settings(config.settings_model().model_validate(data))
    config.save()
    return config


def fan_out_with(indexer_server, fault: str, **options):
    good = indexer_server(items=5, filter_queries=True)
    bad = indexer_server(items=5)
    torznab("good", good)
    torznab("bad", bad)
    bad.fault(fault, only_t="search", **options)
    response = search.search(QUERY, parse=False)
    outcomes = {o.name: o for o in response.indexers}
    return response, outcomes["bad"]


def assert_good_results_survive(response):
    assert response.results and all(r.indexer_name == "good" for r in response.results)


def test_an_xxe_payload_is_refused_and_the_others_answer(indexer_server):
    response, bad = fan_out_with(
        indexer_server, "body", data=fixture("xxe.xml"), content_type="application/xml"
    )
    assert_good_results_survive(response)
    assert bad.code == "protocol_error" and "DOCTYPE" in bad.error


def test_a_billion_laughs_payload_is_refused_and_the_others_answer(indexer_server):
    response, bad = fan_out_with(
        indexer_server, "body", data=fixture("billion_laughs.xml"), content_type="text/xml"
    )
    assert_good_results_survive(response)
    assert bad.code == "protocol_error"


def test_a_50_mb_answer_is_refused_and_the_others_answer(indexer_server):
    response, bad = fan_out_with(indexer_server, "huge", size=50 * 2**20)
    assert_good_results_survive(response)
    assert "answered more than" in bad.error


def test_a_gzip_bomb_is_refused_and_the_others_answer(indexer_server):
    inflated = b"<rss>" + b" " * (60 * 2**20)  # sent gzip-compressed: about 60 KB on the wire
    response, bad = fan_out_with(
        indexer_server, "body", data=inflated, content_type="application/xml", gzip=True
    )
    assert_good_results_survive(response)
    assert "answered more than" in bad.error


def test_an_html_login_page_is_reported_and_the_others_answer(indexer_server):
    response, bad = fan_out_with(indexer_server, "html")
    assert_good_results_survive(response)
    assert "HTML page" in bad.error


def test_a_truncated_feed_is_reported_and_the_others_answer(indexer_server):
    response, bad = fan_out_with(
        indexer_server, "body", data=fixture("truncated.xml"), content_type="application/xml"
    )
    assert_good_results_survive(response)
    assert bad.code == "protocol_error"


def test_a_dropped_connection_is_reported_and_the_others_answer(indexer_server):
    response, bad = fan_out_with(indexer_server, "close")
    assert_good_results_survive(response)
    assert bad.code == "connection_failed"


def test_a_wrong_api_key_is_an_authentication_error(indexer_server):
    good = indexer_server(items=5, filter_queries=True)
    torznab("good", good, api_key="not-the-key")
    outcome = search.search(QUERY, parse=False).indexers[0]
    assert outcome.code == "authentication_failed"
    assert "not-the-key" not in outcome.error
