"""IMDb CSV exports for tests, written with the csv module the way IMDb writes them.

``export(rows, layout=…)`` builds a whole export: ``rows`` are dicts keyed by column
name (missing columns are empty), ``layout`` picks the header (``OLD``, ``CURRENT`` or
``RATINGS``), ``bom`` prefixes a UTF-8 byte order mark.
"""

from __future__ import annotations

import csv
import io

OLD = [
    "Position",
    "Const",
    "Created",
    "Modified",
    "Description",
    "Title",
    "URL",
    "Title Type",
    "IMDb Rating",
    "Runtime (mins)",
    "Year",
    "Genres",
    "Num Votes",
    "Release Date",
    "Directors",
]
CURRENT = OLD[:6] + ["Original Title"] + OLD[6:]
RATINGS = CURRENT + ["Your Rating", "Date Rated"]

LIST_ID = "ls012345678"
USER_ID = "ur87654321"
CSV_HEADERS = {"Content-Type": "text/csv; charset=utf-8"}


def row(const: str, title: str, title_type: str = "movie", **extra: str) -> dict[str, str]:
    """One export row; ``extra`` keys use underscores for spaces (``Num_Votes``)."""
    data = {"Const": const, "Title": title, "Title Type": title_type}
    data.update({key.replace("_", " "): value for key, value in extra.items()})
    return data


def export(rows: list[dict[str, str]], *, layout: list[str] = CURRENT, bom: bool = False) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=layout, extrasaction="raise", lineterminator="\r\n")
    writer.writeheader()
    for data in rows:
        writer.writerow({name: data.get(name, "") for name in layout})
    return ("\ufeff" if bom else "") + out.getvalue()


BREAKING_BAD = row(
    "tt0903747",
    "Breaking Bad",
    "tvSeries",
    Position="1",
    Created="2024-03-01",
    Description="Chemistry, but worse",
    Year="2008",
    Genres="Crime, Drama, Thriller",
    Num_Votes="2,100,000",
)
HEAT = row("tt0113277", "Heat", "movie", Position="2", Created="2024-03-02", Year="1995")
CHERNOBYL = row(
    "tt7366338", "Chernobyl", "tvMiniSeries", Position="3", Created="2024-03-03", Year="2019"
)
SAMPLE = [BREAKING_BAD, HEAT, CHERNOBYL]  # 1 movie, 2 series
