"""Daily query and grab limits per indexer: what idkarr sends each indexer is counted per
UTC day; a spent query limit leaves the indexer out of searches and RSS sync, a spent
grab limit refuses the grab; the counts show in the API and the console."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integrations.errors import LimitReached
from integrations.indexers import rss, usage
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.grab import grab
from integrations.indexers.models import IndexerUsage
from integrations.indexers.search import search
from tests.fakes import FakeClient
from tests.indexers.fake_indexer import FakeIndexer, fake_indexer_kind, make_indexer  # noqa: F401
from tests.indexers.test_grab import client, release

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]

TITLE = "Show.S01E01.1080p.WEB-DL.x264-GRP"
QUERY = SearchQuery(type=QueryType.SEARCH, search_term="show")


@pytest.fixture(autouse=True)
def _reset():
    FakeClient.reset()


def counts(indexer) -> tuple[int, int]:
    row = IndexerUsage.objects.filter(indexer=indexer, day=usage.today())
    return row.values_list("queries", "grabs").first() or (0, 0)


def test_each_search_counts_one_query_per_indexer_searched():
    a, b = make_indexer("A"), make_indexer("B")
    search(QUERY)
    search(QUERY)
    assert (counts(a), counts(b)) == ((2, 0), (2, 0))


def test_a_failed_search_still_counts_as_a_query():
    failing = make_indexer("A", mode="server")
    search(QUERY)
    assert counts(failing) == (1, 0)


def test_an_rss_fetch_counts_as_a_query():
    indexer = make_indexer("A", items=[f"a1|{TITLE}"])
    rss.sync_many([indexer])
    assert counts(indexer) == (1, 0)


def test_a_grab_counts_for_its_indexer():
    client("box")
    indexer = make_indexer("A")
    grab(release(indexer))
    assert counts(indexer) == (0, 1)


def test_an_indexer_with_its_query_limit_spent_is_not_searched():
    make_indexer("A", query_limit=2)
    search(QUERY)
    search(QUERY)
    FakeIndexer.searches.clear()
    response = search(QUERY)
    assert FakeIndexer.searches == []
    [outcome] = response.indexers
    assert (outcome.code, outcome.ok) == ("query_limit", False)
    assert "used its query limit (2 of 2 today)" in outcome.error


def test_a_spent_query_limit_does_not_count_as_a_failure():
    indexer = make_indexer("A", query_limit=1)
    search(QUERY)
    search(QUERY)
    indexer.refresh_from_db()
    assert (indexer.consecutive_failures, indexer.disabled_until) == (0, None)


def test_an_indexer_with_its_query_limit_spent_gets_no_rss_fetch():
    indexer = make_indexer("A", query_limit=1, items=[f"a1|{TITLE}"])
    rss.sync_many([indexer])
    outcome = rss.sync_many([indexer])
    assert "used its query limit" in outcome[indexer.pk]
    assert counts(indexer) == (1, 0)


def test_yesterdays_queries_do_not_count_against_today():
    indexer = make_indexer("A", query_limit=1)
    IndexerUsage.objects.create(indexer=indexer, day=usage.today() - timedelta(days=1), queries=9)
    assert search(QUERY).indexers[0].ok is True


def test_a_grab_past_the_grab_limit_is_refused():
    client("box")
    indexer = make_indexer("A", grab_limit=1)
    grab(release(indexer, guid="g1"))
    with pytest.raises(LimitReached, match="used its grab limit \\(1 of 1 today\\)"):
        grab(release(indexer, guid="g2"))
    assert len(FakeClient.added) == 1


def test_the_usage_api_lists_todays_counts_and_limits(api_client_for):
    indexer = make_indexer("A", query_limit=100)
    search(QUERY)
    [row] = api_client_for("viewer").get("/api/v1/indexers/usage").json()
    assert (row["id"], row["queries"], row["grabs"], row["query_limit"]) == (
        indexer.pk,
        1,
        0,
        100,
    )


def test_a_grab_past_the_limit_is_a_429_through_the_api(api_client_for):
    client("box")
    make_indexer("A", grab_limit=1, items=[f"a1|{TITLE}", "a2|Other.S01E01"])
    api = api_client_for("operator")
    results = api.post(
        "/api/v1/indexers/search", {"search_term": "x"}, content_type="application/json"
    ).json()["results"]
    for result in results:
        response = api.post(
            "/api/v1/indexers/grab",
            {"token": result["grab_token"]},
            content_type="application/json",
        )
    assert (response.status_code, response.json()["code"]) == (429, "limit_reached")


def test_the_console_list_shows_todays_use_against_the_limit(console_for):
    make_indexer("A", query_limit=5)
    search(QUERY)
    page = console_for("viewer").get("/admin/indexers/indexer/").content.decode()
    assert "1 / 5 queries, 0 grabs" in page
