"""RSS sync on beat, end to end: a real worker with embedded beat fetches a local Torznab
indexer's feed and stores its releases."""

from __future__ import annotations

import time

import pytest

from integrations.indexers.models import Indexer, Release
from tests.indexerserver import indexer_server  # noqa: F401

pytestmark = [pytest.mark.worker]


def test_beat_runs_rss_sync_and_the_releases_are_stored(worker, indexer_server):
    srv = indexer_server(items=7)
    config = Indexer(name="Local", kind="torznab")
    config.apply_settings(
        config.settings_model().model_validate({"base_url": srv.url, "api_key": srv.api_key})
    )
    config.save()
    w = worker(IDKARR_RSS_DISPATCH_SECONDS="1")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Release.objects.count() < 7:
        time.sleep(0.2)
    assert Release.objects.count() == 7, w.tail()
    config.refresh_from_db()
    assert config.last_rss_at is not None and config.last_rss_error == ""
    assert srv.api_requests("search") or srv.api_requests("tvsearch")
