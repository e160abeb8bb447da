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
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum

from integrations.errors import LimitReached

from .models import Indexer, IndexerUsage


def today() -> date:
    return datetime.now(UTC).date()


def count_grab(indexer_id: int, day: date | None = None) -> None:
    """Add one grab to the indexer's count for the day."""
    _upsert("grabs = {t}.grabs + 1", [(indexer_id, day or today(), 0, 1, 0, 0, 0)])


@dataclass(frozen=True)
class QueryOutcome:
    indexer_id: int
    ok: bool
    latency_ms: int | None  # the answer's time, when it answered


def record_queries(outcomes: Iterable[QueryOutcome], day: date | None = None) -> None:
    """Count one query per outcome, with its failure or answer time: one statement."""
    day = day or today()
    rows = [
        (
            o.indexer_id,
            day,
            1,
            0,
            0 if o.ok else 1,
            1 if o.ok and o.latency_ms is not None else 0,
            max(0, o.latency_ms or 0) if o.ok else 0,
        )
        for o in outcomes
    ]
    _upsert(
        "queries = {t}.queries + 1, failed_queries = {t}.failed_queries + "
        "EXCLUDED.failed_queries, answered = {t}.answered + EXCLUDED.answered, "
        "answer_ms_total = {t}.answer_ms_total + EXCLUDED.answer_ms_total",
        rows,
    )


def _upsert(update: str, rows: list[tuple]) -> None:
    """Insert the day's rows, or add to them (``update``, ``{t}`` the table)."""
    if not rows:
        return
    table = connection.ops.quote_name(IndexerUsage._meta.db_table)
    # Only identifiers are formatted in (the model's quoted table, in our own fixed
    # update clauses); the values go as parameters.
    sql = (
        f"INSERT INTO {table} (indexer_id, day, queries, grabs, failed_queries, answered, "  # noqa: S608
        "answer_ms_total) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (indexer_id, day) DO UPDATE SET {update.format(t=table)}"
    )
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        cursor.executemany(sql, rows)


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


def stats(days: int = 30) -> list[dict]:
    """Each indexer's queries, failed queries, grabs and average answer time over the
    last ``days`` UTC days (today included), as Prowlarr's indexer stats."""
    since = today() - timedelta(days=days - 1)
    totals = {
        row["indexer"]: row
        for row in IndexerUsage.objects.filter(day__gte=since)
        .values("indexer")
        .annotate(
            q=Sum("queries"), f=Sum("failed_queries"), g=Sum("grabs"),
            n=Sum("answered"), ms=Sum("answer_ms_total"),
        )
    }  # fmt: skip
    out = []
    for pk, name in Indexer.objects.order_by("name").values_list("pk", "name"):
        row = totals.get(pk, {})
        answered = row.get("n") or 0
        out.append(
            {
                "id": pk,
                "name": name,
                "queries": row.get("q") or 0,
                "failed_queries": row.get("f") or 0,
                "grabs": row.get("g") or 0,
                "average_response_ms": round(row["ms"] / answered) if answered else None,
            }
        )
    return out
