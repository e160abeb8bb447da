"""The limits an indexer states itself (``<newznab:apilimits>``, sent by nZEDb/NNTmux
and Newznab sites): read from each answer, kept for the day, and held to like the
query and grab limit settings."""

from __future__ import annotations

import pytest

from integrations.errors import LimitReached
from integrations.indexers import usage
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.grab import grab
from integrations.indexers.models import Indexer, IndexerUsage
from integrations.indexers.newznab_xml.feed import ApiLimits
from integrations.indexers.search import search
from tests.fakes import FakeClient
from tests.indexers.fake_indexer import fake_indexer_kind  # noqa: F401
from tests.indexers.feed_parsing import item, newznab
from tests.indexers.feeds import fixture
from tests.indexers.test_grab import client, release
from tests.indexerserver import indexer_server  # noqa: F401

QUERY = SearchQuery(type=QueryType.SEARCH, search_term="show")


def feed_with_limits(**attrs) -> bytes:
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return item(
        "<title>Show.S01E01.720p.HDTV-GRP</title><size>100</size><link>http://127.0.0.1:9/1.nzb</link>",
        ns="newznab",
    ).replace(b"<item>", f"<newznab:apilimits {text}/><item>".encode(), 1)


def test_an_nntmux_answer_states_its_limits():
    limits = newznab(fixture("nntmux_search.xml")).api_limits
    assert limits == ApiLimits(api_current=12, api_max=100, grab_current=3, grab_max=50)


def test_an_answer_without_apilimits_states_none():
    assert newznab(item("<title>x</title>", ns="newznab")).api_limits is None


def test_unreadable_limit_values_are_left_out():
    data = item("", ns="newznab").replace(
        b"<item>", b'<newznab:apilimits apicurrent="-4" apimax="lots" grabmax="50"/><item>', 1
    )
    assert newznab(data).api_limits == ApiLimits(None, None, None, 50)


@pytest.mark.django_db(transaction=True)
def test_a_search_keeps_what_the_indexer_said_of_its_limits(indexer_server):
    indexer = newznab_indexer(indexer_server, apicurrent=12, apimax=100)
    search(QUERY)
    row = IndexerUsage.objects.get(indexer=indexer)
    assert (row.api_current, row.api_max, row.queries) == (12, 100, 1)


@pytest.mark.django_db(transaction=True)
def test_an_indexer_that_says_its_queries_are_used_up_is_left_out(indexer_server):
    newznab_indexer(indexer_server, apicurrent=100, apimax=100)
    search(QUERY)
    [outcome] = search(QUERY).indexers
    assert outcome.code == "query_limit"
    assert "says its query limit is used up (100 of 100)" in outcome.error


@pytest.mark.django_db
@pytest.mark.usefixtures("fake_providers")
def test_a_grab_from_an_indexer_that_says_its_grabs_are_used_up_is_refused(
    fake_indexer_kind,
):
    from tests.indexers.fake_indexer import make_indexer

    FakeClient.reset()
    client("box")
    indexer = make_indexer("A")
    usage.learn(indexer.pk, ApiLimits(grab_current=50, grab_max=50))
    with pytest.raises(LimitReached, match="says its grab limit is used up \\(50 of 50\\)"):
        grab(release(indexer))


def newznab_indexer(indexer_server, **limits) -> Indexer:
    srv = indexer_server(protocol="usenet", items=2)
    srv.fault("body", on="api", only_t="search", data=feed_with_limits(**limits))
    config = Indexer(name="nzb", kind="newznab")
    config.apply_settings(
        config.settings_model().model_validate({"base_url": srv.url, "api_key": srv.api_key})
    )
    config.save()
    return config


@pytest.mark.django_db(transaction=True)
def test_the_console_shows_what_the_indexer_said_of_its_limits(indexer_server, console_for):
    newznab_indexer(indexer_server, apicurrent=12, apimax=100, grabcurrent=3, grabmax=50)
    search(QUERY)
    page = console_for("viewer").get("/admin/indexers/indexer/").content.decode()
    assert "1 queries, 0 grabs; indexer says 12 / 100 API hits, 3 / 50 grabs" in page
    assert "idk-pill--warn" not in page


@pytest.mark.django_db(transaction=True)
def test_the_console_flags_an_indexer_that_says_its_queries_are_used_up(
    indexer_server, console_for
):
    newznab_indexer(indexer_server, apicurrent=100, apimax=100)
    search(QUERY)
    page = console_for("viewer").get("/admin/indexers/indexer/").content.decode()
    assert 'idk-pill--warn" title="' in page
    assert "says its query limit is used up (100 of 100)" in page
