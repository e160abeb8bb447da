"""Daily query and grab limits per indexer (Prowlarr's): many indexers suspend an
account that goes over its API hits a day, so idkarr counts what it sends each one
per UTC day (``IndexerUsage``) and leaves an indexer out once its ``query_limit`` is
spent, or refuses a grab past its ``grab_limit``.

A query is a search or an RSS fetch that reached the indexer (answered or not); a
grab is a release fetched through it and sent to a download client.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db import connection, transaction

from integrations.errors import LimitReached

from .models import Indexer, IndexerUsage

QUERIES, GRABS = "queries", "grabs"


def today() -> date:
    return datetime.now(UTC).date()


def count(what: str, indexer_ids: Iterable[int], day: date | None = None) -> None:
    """Add one query (or grab) to each indexer's count for the day: one statement."""
    if what not in (QUERIES, GRABS):
        raise ValueError(f"count queries or grabs, not {what!r}")
    ids = list(indexer_ids)
    if not ids:
        return
    table = connection.ops.quote_name(IndexerUsage._meta.db_table)
    first = (1, 0) if what == QUERIES else (0, 1)
    # Only identifiers are formatted in: the model's quoted table and one of the two
    # column names checked above; the values go as parameters.
    sql = (
        f"INSERT INTO {table} (indexer_id, day, queries, grabs) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (indexer_id, day) DO UPDATE SET {what} = {table}.{what} + 1"
    )
    day = day or today()
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        cursor.executemany(sql, [(pk, day, *first) for pk in ids])


def used(indexer_ids: Iterable[int] | None = None, day: date | None = None) -> dict[int, tuple]:
    """``{indexer_id: (queries, grabs)}`` for the day (indexers with no use are absent)."""
    qs = IndexerUsage.objects.filter(day=day or today())
    if indexer_ids is not None:
        qs = qs.filter(indexer_id__in=list(indexer_ids))
    return {pk: (q, g) for pk, q, g in qs.values_list("indexer_id", "queries", "grabs")}


def query_limit_message(config: Indexer, queries: int) -> str | None:
    """Why the indexer is left out of queries today, or None while it has some left."""
    limit = (config.settings or {}).get("query_limit")
    if limit and queries >= limit:
        return (
            f"{config.name} has used its query limit ({queries} of {limit} today); "
            "it is queried again after 00:00 UTC"
        )
    return None


def out_of_queries(configs: Iterable[Indexer]) -> dict[int, str]:
    """The configs (by id) whose daily query limit is spent, with the reason."""
    limited = [c for c in configs if (c.settings or {}).get("query_limit")]
    if not limited:
        return {}
    counts = used(c.pk for c in limited)
    out = {}
    for config in limited:
        message = query_limit_message(config, counts.get(config.pk, (0, 0))[0])
        if message:
            out[config.pk] = message
    return out


def check_grab(config: Indexer) -> None:
    """Raise LimitReached when the indexer's daily grab limit is spent."""
    limit = (config.settings or {}).get("grab_limit")
    if not limit:
        return
    grabs = used([config.pk]).get(config.pk, (0, 0))[1]
    if grabs >= limit:
        raise LimitReached(
            f"{config.name} has used its grab limit ({grabs} of {limit} today); "
            "grab again after 00:00 UTC or raise the limit in its settings"
        )
