from __future__ import annotations

from celery import shared_task


@shared_task(name="indexers.sync_rss", ignore_result=True)
def sync_rss() -> int:
    """Beat entry point: fetch the RSS feed of every enabled indexer that is due."""
    from integrations.models import Heartbeat

    from . import rss

    synced = rss.dispatch_due()
    Heartbeat.beat("rss-dispatcher", synced=synced)
    return synced


@shared_task(name="indexers.sync_prowlarr", ignore_result=True)
def sync_prowlarr() -> int:
    """Beat entry point: pull-sync every Prowlarr instance whose sync is due."""
    from . import prowlarr_sync

    return prowlarr_sync.sync_due()
