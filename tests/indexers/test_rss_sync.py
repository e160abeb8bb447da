"""RSS sync: due indexers claimed once, feeds fetched, releases kept with first-seen time,
old rows pruned, failures backed off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.indexers import rss
from integrations.indexers.models import Indexer, Release
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_indexer_kind")]

KEY = "rss-key-abcdef"


def test_a_due_indexer_is_synced_and_its_releases_stored():
    make_indexer("A", items=["a1|Show.S01E01.720p.HDTV.x264-GRP", "a2|Show.S01E02.720p.HDTV"])
    assert rss.dispatch_due() == 1
    assert sorted(Release.objects.values_list("guid", flat=True)) == ["a1", "a2"]


def test_a_stored_release_carries_its_parse():
    make_indexer("A", items=["a1|Show.S01E01.720p.HDTV.x264-GRP"])
    rss.dispatch_due()
    assert Release.objects.get().data["quality"]["name"] == "HDTV-720p"


def test_a_claimed_indexer_is_not_due_again_until_its_interval():
    make_indexer("A", items=["a1|x"])
    rss.dispatch_due()
    assert rss.claim_due() == []


def test_a_known_release_keeps_its_first_seen_time():
    config = make_indexer("A", items=["a1|x"])
    rss.dispatch_due()
    first = Release.objects.get().first_seen_at
    rss.sync_many([Indexer.objects.get(pk=config.pk)])
    row = Release.objects.get()
    assert row.first_seen_at == first and row.last_seen_at > first


def test_sync_counts_only_new_releases():
    config = make_indexer("A", items=["a1|x", "a2|y"])
    assert rss.sync_many([config]) == {config.pk: 2}
    assert rss.sync_many([Indexer.objects.get(pk=config.pk)]) == {config.pk: 0}


def test_rss_off_indexers_are_not_due():
    make_indexer("A", enable_rss=False, items=["a1|x"])
    assert rss.claim_due() == []


def test_a_failing_feed_records_its_error_and_backs_off():
    config = make_indexer("bad", mode="server")
    rss.dispatch_due()
    config.refresh_from_db()
    assert config.last_rss_error == "bad had a server error (HTTP 500)"
    assert config.consecutive_failures == 1


def test_a_failing_feed_does_not_stop_the_others():
    make_indexer("bad", mode="auth")
    make_indexer("good", items=["g1|x"])
    rss.dispatch_due()
    assert list(Release.objects.values_list("guid", flat=True)) == ["g1"]


def test_old_releases_are_pruned(settings):
    settings.INDEXER_RELEASE_RETENTION_DAYS = 3
    config = make_indexer("A", items=["a1|x"])
    rss.dispatch_due()
    Release.objects.update(first_seen_at=timezone.now() - timedelta(days=4))
    assert rss.prune() == 1 and not Release.objects.filter(indexer=config).exists()


def test_stored_links_do_not_hold_the_api_key():
    make_indexer("A", api_key=KEY, items=["a1|x"])
    rss.dispatch_due()
    row = Release.objects.get()
    assert KEY not in row.download_url and KEY not in str(row.data)


def test_an_indexer_rss_interval_is_a_setting_kept_on_its_column():
    config = make_indexer("A", rss_interval=45)
    assert (Indexer.objects.get(pk=config.pk).rss_interval, config.rss_interval_minutes()) == (
        45,
        45,
    )


def test_an_rss_interval_below_ten_minutes_is_refused():
    with pytest.raises(ValueError, match="greater than or equal to 10"):
        make_indexer("A", rss_interval=2)


def test_the_next_rss_sync_is_due_after_the_indexer_interval():
    config = make_indexer("A", rss_interval=30, items=["a|x"])
    before = timezone.now()
    rss.dispatch_due()
    config.refresh_from_db()
    minutes = (config.next_rss_at - before).total_seconds() / 60
    assert 29.9 < minutes < 30.1


def test_an_indexer_backing_off_is_not_due():
    config = make_indexer("A", items=["a|x"])
    Indexer.objects.filter(pk=config.pk).update(
        disabled_until=timezone.now() + timedelta(minutes=5)
    )
    assert rss.claim_due() == []
