"""Daily query and grab limits per indexer (Prowlarr's): many indexers suspend an
account that goes over its API hits a day, so idkarr counts what it sends each one
per UTC day (``IndexerUsage``) and leaves an indexer out once its ``query_limit`` is
spent, or refuses a grab past its ``grab_limit``. Newznab indexers also state their
own limits in each answer (``<newznab:apilimits>``): when the indexer says they are used
up, idkarr holds back the same way, with no setting needed.

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


def learn(indexer_id: int, limits, day: date | None = None) -> None:
    """Keep what the indexer said of its limits (``newznab_xml.ApiLimits``) on the day's row."""
    IndexerUsage.objects.update_or_create(
        indexer_id=indexer_id,
        day=day or today(),
        defaults={
            "api_current": limits.api_current,
            "api_max": limits.api_max,
            "grab_current": limits.grab_current,
            "grab_max": limits.grab_max,
        },
    )


USAGE_FIELDS = ("queries", "grabs", "api_current", "api_max", "grab_current", "grab_max")


def _rows(indexer_ids: Iterable[int] | None = None, day: date | None = None) -> dict[int, tuple]:
    """``{indexer_id: (queries, grabs, api_current, api_max, grab_current, grab_max)}`` for
    the day (indexers with no row yet are absent)."""
    qs = IndexerUsage.objects.filter(day=day or today())
    if indexer_ids is not None:
        qs = qs.filter(indexer_id__in=list(indexer_ids))
    return {row[0]: row[1:] for row in qs.values_list("indexer_id", *USAGE_FIELDS)}


def spent(name: str, what: str, ours: tuple[int, int | None], theirs: tuple) -> str | None:
    """The reason a limit is spent: ours (a count against the setting) or the indexer's
    own (``current`` of ``max`` as it last said), else None."""
    count, limit = ours
    if limit and count >= limit:
        return f"{name} has used its {what} limit ({count} of {limit} today)"
    current, maximum = theirs
    if maximum and current is not None and current >= maximum:
        return f"{name} says its {what} limit is used up ({current} of {maximum})"
    return None


_NO_ROW = (0, 0, None, None, None, None)


def out_of_queries(configs: Iterable[Indexer]) -> dict[int, str]:
    """The configs (by id) whose daily query limit is spent, with the reason."""
    configs = list(configs)
    if not configs:
        return {}
    rows = _rows(c.pk for c in configs)
    out = {}
    for config in configs:
        row = rows.get(config.pk, _NO_ROW)
        limit = (config.settings or {}).get("query_limit")
        reason = spent(config.name, "query", (row[0], limit), row[2:4])
        if reason:
            out[config.pk] = f"{reason}; it is queried again after 00:00 UTC"
    return out


def check_grab(config: Indexer) -> None:
    """Raise LimitReached when the indexer's daily grab limit is spent."""
    row = _rows([config.pk]).get(config.pk, _NO_ROW)
    limit = (config.settings or {}).get("grab_limit")
    reason = spent(config.name, "grab", (row[1], limit), row[4:6])
    if reason:
        raise LimitReached(
            f"{reason}; grab again after 00:00 UTC or raise the limit in its settings"
        )
