"""IMDb list: the CSV export of a public list (``ls…``) or watchlist (``ur…``).

``GET {api_url}/list/{ls…}/export`` (watchlists ``/user/{ur…}/watchlist/export``), or a
CSV export the user made public elsewhere (``export_url``). The CSV is parsed by header
name: IMDb added ``Original Title`` in 2024, which shifted every later column, and
quoted fields hold commas. Since 2024 IMDb prepares exports asynchronously and first
answers ``202 Accepted`` with an empty body: a transient error, never an empty list.
Private lists answer 404 or a login page.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from integrations.base import TestResult
from integrations.bounded import megabytes, read_limited
from integrations.errors import AuthenticationError, NotFoundError, ProtocolError, ServerError
from integrations.http import raise_for_response, redact

from ..base import ImportListSettings, ListItem, ListProvider

MAX_EXPORT_BYTES = 20 * 1024 * 1024
REQUIRED_COLUMNS = ("Const", "Title Type")
_ID = re.compile(r"(ls|ur)\d+")
_ID_IN_PATH = re.compile(r"/(?:list/(ls\d+)|user/(ur\d+))(?:/|$)")
_IMDB_ID = re.compile(r"tt\d+")
_MOVIE_TYPES = frozenset({"movie", "tvmovie", "short", "video"})
_SERIES_TYPES = frozenset({"tvseries", "tvminiseries"})
_DATE_FORMATS = ("%a %b %d %H:%M:%S %Y",)  # exports before ~2017 wrote ctime-style dates


def _http_url(value: str, what: str) -> str:
    value = value.strip()
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{what} must be an http:// or https:// address")
    return value


class ImdbListSettings(ImportListSettings):
    api_url: str = Field(
        "",
        title="API URL",
        description="Base address of IMDb (empty: https://www.imdb.com)",
        json_schema_extra={"fieldset": "Connection"},
    )
    list_id: str = Field(
        "",
        title="List",
        description="The public IMDb list's id (ls followed by digits) or its address, or "
        "a public watchlist's user id (ur followed by digits)",
    )
    export_url: str = Field(
        "",
        title="CSV export URL",
        description="Instead of a list id: the address of an IMDb CSV export you made "
        "public (any http or https URL)",
    )
    media_type: Literal["series", "movie", "both"] = Field(
        "both", description="Which titles of the list to keep: series, movies or both"
    )

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value, "The API URL").rstrip("/")

    @field_validator("export_url")
    @classmethod
    def _export_url(cls, value: str) -> str:
        return _http_url(value, "The CSV export URL")

    @field_validator("list_id")
    @classmethod
    def _list_id(cls, value: str) -> str:
        value = value.strip()
        if not value or _ID.fullmatch(value.lower()):
            return value.lower()
        match = _ID_IN_PATH.search(urlsplit(value).path) if "/" in value else None
        if match is None:
            raise ValueError(
                "Enter an IMDb list id (ls followed by digits, e.g. ls012345678), the list's "
                "address, or a watchlist's user id (ur followed by digits)"
            )
        return match.group(1) or match.group(2)

    @model_validator(mode="after")
    def _one_source(self) -> ImdbListSettings:
        if bool(self.list_id) == bool(self.export_url):
            raise ValueError("Set exactly one of the list id and the CSV export URL")
        return self


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _added_at(value: str | None) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                when = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        else:
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _media_type(title_type: str | None) -> str | None:
    kind = (title_type or "").strip().lower()
    if kind in _MOVIE_TYPES:
        return "movie"
    if kind in _SERIES_TYPES:
        return "series"
    return None  # tvEpisode, tvSpecial, videoGame, podcast…: nothing idkarr adds


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def parse_export(text: str, media_type: str = "both") -> list[ListItem]:
    """The titles of an IMDb CSV export (any column layout), kept by ``media_type``
    ("series", "movie" or "both"). Rows without a ``tt…`` id or of a title type idkarr
    does not add are skipped. ProtocolError if a needed column is missing."""
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    except csv.Error as exc:  # e.g. a field longer than csv.field_size_limit()
        raise ProtocolError(f"The IMDb export is not valid CSV: {exc}") from None
    header = rows.pop(0) if rows else []
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in columns]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip())[:200] or "nothing"
        raise ProtocolError(
            f"The IMDb export has no {' or '.join(missing)} column (header: {found})"
        )
    items = []
    for row in rows:
        record = {name: row[i] for name, i in columns.items() if i < len(row)}
        imdb_id = record.get("const", "").strip()
        kind = _media_type(record.get("title type"))
        if not _IMDB_ID.fullmatch(imdb_id) or kind is None:
            continue
        if media_type != "both" and kind != media_type:
            continue
        items.append(
            ListItem(
                media_type=kind,
                title=(record.get("title") or record.get("original title") or "").strip(),
                year=_int(record.get("year")),
                imdb_id=imdb_id,
                added_at=_added_at(record.get("created")),
                rank=_int(record.get("position")),
                notes=(record.get("description") or "").strip(),
            )
        )
    return items


class ImdbList(ListProvider):
    """A public IMDb list or watchlist, read through its CSV export."""

    kind = "imdb"
    label = "IMDb list"
    Settings = ImdbListSettings
    settings: ImdbListSettings
    default_api_url = "https://www.imdb.com"
    min_refresh_minutes = 720

    def export_url(self) -> str:
        if self.settings.export_url:
            return self.settings.export_url
        list_id = self.settings.list_id
        if list_id.startswith("ur"):
            return self.url(f"/user/{list_id}/watchlist/export")
        return self.url(f"/list/{list_id}/export")

    def _what(self) -> str:
        """What messages call the list: its id, or the export's (redacted) address."""
        if self.settings.list_id:
            return f"IMDb list {self.settings.list_id}"
        return f"IMDb CSV export at {redact(self.settings.export_url)}"

    def _download(self) -> str:
        """The export's CSV text, or the error tree (transient while IMDb prepares it)."""
        url = self.export_url()
        response = self.http.get(
            url, stream=True, raise_status=False, headers={"Accept": "text/csv, */*"}
        )
        hint = f"an IMDb export is at most {megabytes(MAX_EXPORT_BYTES)}"
        body = read_limited(response, MAX_EXPORT_BYTES, self.name, url, too_big_hint=hint)
        status, what = response.status_code, self._what()
        public = "it must exist and be public for idkarr to read it"
        if status == 404:
            raise NotFoundError(f"{what} was not found (HTTP 404); {public}")
        if status in (401, 403):
            raise AuthenticationError(f"IMDb refused to export {what} (HTTP {status}); {public}")
        raise_for_response(response, self.name)
        text = body.decode("utf-8-sig", errors="replace")
        if status == 202 or not text.strip():
            source = self.settings.list_id or redact(self.settings.export_url)
            raise ServerError(
                f"IMDb is still preparing the export of {source}; idkarr will try again",
                permanent=False,
            )
        content_type = response.headers.get("Content-Type", "").lower()
        if "html" in content_type or text.lstrip()[:1] == "<":
            raise AuthenticationError(
                f"IMDb answered a login page instead of the CSV of {what}: the list is "
                f"private; {public}"
            )
        return text

    def fetch(self) -> list[ListItem]:
        return parse_export(self._download(), self.settings.media_type)

    def test(self) -> TestResult:
        """Fetch and parse the export. Raises the error tree."""
        items = self.fetch()
        movies = sum(1 for item in items if item.media_type == "movie")
        series = len(items) - movies
        return TestResult(
            True,
            f"{self._what()}: {_count(len(items), 'title')} "
            f"({_count(movies, 'movie')}, {series} series)",
            details={"titles": len(items), "movies": movies, "series": series},
        )
