from __future__ import annotations

import logging

from celery import shared_task

from integrations.errors import IntegrationError

from . import sync

log = logging.getLogger(__name__)


@shared_task(name="importlists.dispatch_syncs", ignore_result=True)
def dispatch_syncs() -> int:
    """Enqueue a sync of every enabled list that is due."""
    due = sync.due_ids()
    for pk in due:
        sync_list.delay(pk)
    return len(due)


@shared_task(name="importlists.sync_list", ignore_result=True, acks_late=True)
def sync_list(list_id: int) -> dict | None:
    config = sync.claim(list_id)
    if config is None:  # not due any more, disabled or deleted: another run had it
        return None
    try:
        return sync.sync_list(config).to_dict()
    except IntegrationError as exc:  # recorded on the list; the next due time retries
        log.info("import list %s: %s", config.name, exc.message)
        return None
