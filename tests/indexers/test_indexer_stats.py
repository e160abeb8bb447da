"""Indexer stats (Prowlarr's): queries, failed queries, grabs and the average answer
time per indexer over the last days, from what searches and RSS syncs recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integrations.indexers import rss, usage
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.models import IndexerUsage
from integrations.indexers.search import search
from tests.indexers.fake_indexer import FakeIndexer, fake_indexer_kind, make_indexer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_indexer_kind")]

QUERY = SearchQuery(type=QueryType.SEARCH, search_term="show")


def stats_of(name: str, days: int = 30) -> dict:
    return next(row for row in usage.stats(days) if row["name"] == name)


def test_a_search_counts_a_query_with_its_answer_time():
    make_indexer("A", items=["a1|Show.S01E01.720p.HDTV-GRP"], delay=0.05)
    search(QUERY)
    row = stats_of("A")
    assert (row["queries"], row["failed_queries"]) == (1, 0)
    assert row["average_response_ms"] >= 50


def test_a_failed_search_counts_as_a_failed_query_without_an_answer_time():
    make_indexer("A", mode="server")
    search(QUERY)
    row = stats_of("A")
    assert (row["queries"], row["failed_queries"], row["average_response_ms"]) == (1, 1, None)


def test_an_rss_fetch_counts_as_a_query():
    indexer = make_indexer("A", items=["a1|Show.S01E01.720p.HDTV-GRP"])
    rss.sync_many([indexer])
    assert stats_of("A")["queries"] == 1


def test_the_average_is_over_answered_queries_only():
    indexer = make_indexer("A")
    usage.record_queries(
        [
            usage.QueryOutcome(indexer.pk, True, 100),
            usage.QueryOutcome(indexer.pk, True, 300),
            usage.QueryOutcome(indexer.pk, False, 5000),
        ]
    )
    row = stats_of("A")
    assert (row["queries"], row["failed_queries"], row["average_response_ms"]) == (3, 1, 200)


def test_days_before_the_window_are_left_out():
    indexer = make_indexer("A")
    old = usage.today() - timedelta(days=7)
    IndexerUsage.objects.create(indexer=indexer, day=old, queries=5, grabs=2)
    usage.record_queries([usage.QueryOutcome(indexer.pk, True, 10)])
    assert (stats_of("A", days=7)["queries"], stats_of("A", days=8)["queries"]) == (1, 6)


def test_an_indexer_never_queried_shows_zeros():
    make_indexer("Quiet")
    assert stats_of("Quiet") == {
        "id": stats_of("Quiet")["id"], "name": "Quiet", "queries": 0, "failed_queries": 0,
        "grabs": 0, "average_response_ms": None,
    }  # fmt: skip


def test_the_stats_api_takes_the_number_of_days(api_client_for):
    indexer = make_indexer("A")
    usage.record_queries([usage.QueryOutcome(indexer.pk, True, 40)])
    rows = api_client_for("viewer").get("/api/v1/indexers/stats?days=1").json()
    assert [(r["name"], r["queries"], r["average_response_ms"]) for r in rows] == [("A", 1, 40)]


def test_the_stats_api_refuses_zero_days(api_client_for):
    response = api_client_for("viewer").get("/api/v1/indexers/stats?days=0")
    assert response.status_code == 422


def test_the_console_stats_page_shows_each_indexer(console_for):
    indexer = make_indexer("Tracker A")
    usage.record_queries(
        [usage.QueryOutcome(indexer.pk, True, 120), usage.QueryOutcome(indexer.pk, False, None)]
    )
    page = console_for("viewer").get("/admin/indexers/indexer/stats/?days=7").content.decode()
    assert '<th scope="row">Tracker A</th>' in page
    assert "1 (50 %)" in page and "120 ms" in page


def test_the_console_home_links_the_stats(console_for):
    page = console_for("viewer").get("/admin/").content.decode()
    assert 'id="indexer-stats-link"' in page
