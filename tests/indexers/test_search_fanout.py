"""Search fan-out: concurrent, bounded by each indexer's timeout, merged and de-duplicated,
failures reported and backed off."""

from __future__ import annotations

import threading
import time

import pytest

from integrations.indexers import search
from integrations.indexers.base import QueryType, SearchQuery
from integrations.indexers.models import Indexer
from tests.indexers.fake_indexer import (  # noqa: F401
    FakeIndexer,
    fake_indexer_kind,
    make_indexer,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_indexer_kind")]

QUERY = SearchQuery(type=QueryType.SEARCH, search_term="Show")
HASH = "c" * 40


def run(**kw):
    return search.search(QUERY, parse=False, **kw)


def test_every_enabled_indexer_is_searched():
    make_indexer("A", items=["a1|Show.S01E01.720p.HDTV.x264-A"])
    make_indexer("B", items=["b1|Show.S01E02.720p.HDTV.x264-B"])
    response = run()
    assert sorted(r.guid for r in response.results) == ["a1", "b1"]


def test_indexers_are_queried_concurrently(monkeypatch):
    for n in range(5):
        make_indexer(f"slow{n}", items=[f"g{n}|Show.S01E0{n}.HDTV"])
    # Each answer waits until all five queries are in flight: in series the first
    # would wait alone until the gate breaks and fails.
    monkeypatch.setattr(FakeIndexer, "gate", threading.Barrier(5, timeout=5))
    response = run()
    assert [o.error for o in response.indexers if not o.ok] == []
    assert len(response.results) == 5


def test_a_slow_indexer_is_cut_off_at_its_timeout():
    make_indexer("fast", items=["f1|Show.S01E01"])
    make_indexer("slow", delay=3, timeout_seconds=0.3, items=["s1|Show.S01E01.x"])
    started = time.monotonic()
    response = run()
    assert time.monotonic() - started < 1.5
    assert [r.guid for r in response.results] == ["f1"]


def test_a_timed_out_indexer_is_reported_with_its_timeout():
    make_indexer("slow", delay=3, timeout_seconds=0.3)
    outcome = run().indexers[0]
    assert (outcome.ok, outcome.code, outcome.error) == (
        False,
        "timeout",
        "slow did not answer within 0.3 s",
    )


def test_a_failing_indexer_does_not_sink_the_others():
    make_indexer("good", items=["g1|Show.S01E01"])
    make_indexer("bad", mode="server")
    response = run()
    assert [r.guid for r in response.results] == ["g1"]
    assert {o.name: o.ok for o in response.indexers} == {"good": True, "bad": False}


def test_a_provider_bug_is_reported_not_raised():
    make_indexer("buggy", mode="bug")
    outcome = run().indexers[0]
    assert (outcome.ok, outcome.error) == (False, "Search failed: KeyError")


def test_the_outcome_reports_count_and_latency():
    make_indexer("A", delay=0.05, items=["a1|x", "a2|y"])
    outcome = run().indexers[0]
    assert outcome.ok and outcome.count == 2 and outcome.latency_ms >= 50


def test_same_guid_from_two_indexers_is_one_result():
    make_indexer("A", items=["same|Show.S01E01.1080p"])
    make_indexer("B", items=["same|Show.S01E01.1080p"])
    assert len(run().results) == 1


def test_same_infohash_under_different_guids_is_one_result():
    make_indexer("A", items=[f"a|Show.S01E01|{HASH}|5"])
    make_indexer("B", items=[f"b|Show.S01E01|{HASH.upper()}|9"])
    assert len(run().results) == 1


def test_the_duplicate_from_the_higher_priority_indexer_is_kept():
    make_indexer("low", priority=40, items=[f"a|Show|{HASH}|50"])
    make_indexer("high", priority=5, items=[f"b|Show|{HASH}|1"])
    assert run().results[0].indexer_name == "high"


def test_results_carry_the_indexer_id():
    config = make_indexer("A", items=["a1|x"])
    assert run().results[0].indexer_id == config.pk


def test_the_api_key_never_leaves_in_a_result_link():
    make_indexer("A", api_key="K3y-abcdef-123", items=["a1|x"])
    result = run().results[0]
    assert "K3y-abcdef-123" not in result.download_url
    assert result.download_url.endswith("apikey={secret:api_key}")


def test_indexer_ids_limit_the_search():
    make_indexer("A", items=["a1|x"])
    b = make_indexer("B", items=["b1|y"])
    assert [r.guid for r in run(indexer_ids=[b.pk]).results] == ["b1"]


def test_disabled_and_search_off_indexers_are_skipped():
    make_indexer("off", enable_search=False, items=["o|x"])
    config = make_indexer("disabled", items=["d|y"])
    Indexer.objects.filter(pk=config.pk).update(enabled=False)
    assert run().results == []


def test_a_second_failure_backs_the_indexer_off():
    config = make_indexer("bad", mode="server")
    run()
    run()
    config.refresh_from_db()
    assert config.consecutive_failures == 2 and config.disabled_until is not None


def test_an_indexer_backing_off_is_reported_and_not_searched(fake_indexer_kind):
    make_indexer("bad", mode="server")
    run()
    run()
    fake_indexer_kind.searches.clear()
    outcome = run().indexers[0]
    assert fake_indexer_kind.searches == []
    assert outcome.code == "backing_off" and outcome.error.startswith("Disabled until ")


def test_a_rate_limit_backs_off_at_least_as_long_as_retry_after():
    config = make_indexer("limited", mode="ratelimit")
    run()
    config.refresh_from_db()
    seconds = (config.disabled_until - config.last_checked_at).total_seconds()
    assert seconds >= 7200


def test_a_success_clears_an_earlier_failure():
    config = make_indexer("flaky", mode="server")
    run()
    config.refresh_from_db()
    config.apply_settings(config.settings_model().model_validate({"items": ["a|x"]}))
    config.save()
    run()
    config.refresh_from_db()
    assert (config.consecutive_failures, config.health) == (0, "healthy")


def test_caps_fetched_during_a_search_are_stored():
    config = make_indexer("A", items=["a|x"])
    run()
    config.refresh_from_db()
    assert config.caps_fetched_at is not None
    assert config.caps["search_modes"]["search"]["supported_params"] == ["q"]


def test_no_enabled_indexer_gives_an_empty_answer():
    response = run()
    assert (response.results, response.indexers) == ([], [])


def test_indexers_are_health_checked_every_15_minutes_by_default():
    assert make_indexer("A").interval_seconds() == 900


def test_an_indexer_health_interval_can_be_set():
    config = make_indexer("A")
    config.health_interval = 120
    assert config.interval_seconds() == 120
