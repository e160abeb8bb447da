"""``parse_export``: IMDb CSV exports parsed by header name, in every known layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from importlists.providers.imdb import parse_export
from integrations.errors import ProtocolError

from .fake_imdb import BREAKING_BAD, CURRENT, HEAT, OLD, RATINGS, SAMPLE, export, row


def only(text: str, media_type: str = "both"):
    items = parse_export(text, media_type)
    assert len(items) == 1, items
    return items[0]


def test_older_layout_maps_every_field():
    item = only(export([BREAKING_BAD], layout=OLD))
    assert item.to_dict() == {
        "media_type": "series",
        "title": "Breaking Bad",
        "year": 2008,
        "tvdb_id": None,
        "tmdb_id": None,
        "imdb_id": "tt0903747",
        "overview": "",
        "added_at": "2024-03-01T00:00:00+00:00",
        "rank": 1,
        "notes": "Chemistry, but worse",
    }


def test_current_layout_with_original_title_keeps_later_columns_in_place():
    text = export(
        [row("tt0113277", "Heat", "movie", Original_Title="Heat (orig)", Year="1995")],
        layout=CURRENT,
    )
    item = only(text)
    assert (item.title, item.year, item.media_type) == ("Heat", 1995, "movie")


def test_rating_export_columns_are_ignored():
    text = export([dict(HEAT, **{"Your Rating": "9", "Date Rated": "2024-01-01"})], layout=RATINGS)
    assert only(text).imdb_id == "tt0113277"


def test_original_title_is_used_when_title_is_empty():
    text = export([row("tt0113277", "", "movie", Original_Title="Heat")])
    assert only(text).title == "Heat"


def test_utf8_bom_before_the_header_is_ignored():
    item = only(export([HEAT], bom=True))
    assert item.rank == 2  # the first header, Position, was read as such


def test_quoted_fields_with_commas_stay_in_their_columns():
    text = export(
        [
            row(
                "tt0190332",
                "Crouching Tiger, Hidden Dragon",
                "movie",
                Description='A "wuxia" film, subtitled',
                Year="2000",
                Genres="Action, Adventure, Drama",
            )
        ]
    )
    assert 'Crouching Tiger, Hidden Dragon",' in text  # the fixture really quotes it
    item = only(text)
    assert (item.title, item.year, item.notes) == (
        "Crouching Tiger, Hidden Dragon",
        2000,
        'A "wuxia" film, subtitled',
    )


def test_description_spanning_lines_stays_one_row():
    item = only(export([row("tt0113277", "Heat", Description="first line\nsecond line")]))
    assert item.notes == "first line\nsecond line"


@pytest.mark.parametrize("title_type", ["movie", "tvMovie", "short", "video"])
def test_movie_like_title_types_become_movies(title_type):
    assert only(export([row("tt0000001", "X", title_type)])).media_type == "movie"


@pytest.mark.parametrize("title_type", ["tvSeries", "tvMiniSeries"])
def test_series_title_types_become_series(title_type):
    assert only(export([row("tt0000001", "X", title_type)])).media_type == "series"


@pytest.mark.parametrize(
    "title_type", ["tvEpisode", "tvSpecial", "videoGame", "podcastSeries", "podcastEpisode", ""]
)
def test_other_title_types_are_skipped(title_type):
    text = export([row("tt0000001", "Skipped", title_type), HEAT])
    assert [item.imdb_id for item in parse_export(text)] == ["tt0113277"]


@pytest.mark.parametrize("const", ["", "nm0000138", "tt", "tt12x4", "0113277", "ls012345678"])
def test_rows_without_a_title_id_are_skipped(const):
    text = export([row(const, "Bad row"), HEAT])
    assert [item.imdb_id for item in parse_export(text)] == ["tt0113277"]


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("series", ["tt0903747", "tt7366338"]),
        ("movie", ["tt0113277"]),
        ("both", ["tt0903747", "tt0113277", "tt7366338"]),
    ],
)
def test_media_type_keeps_only_those_titles(media_type, expected):
    assert [item.imdb_id for item in parse_export(export(SAMPLE), media_type)] == expected


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T12:30:00Z", datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
        ("2024-03-01 12:30:00", datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
        ("Fri Mar  1 12:30:00 2024", datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
        ("soon", None),
        ("", None),
    ],
)
def test_created_becomes_added_at(created, expected):
    assert only(export([row("tt0113277", "Heat", Created=created)])).added_at == expected


def test_empty_position_and_year_are_none():
    item = only(export([row("tt0113277", "Heat", Position="", Year="")]))
    assert (item.rank, item.year) == (None, None)


def test_a_short_row_is_read_with_what_it_has():
    text = "Const,Title Type,Title,Year\r\ntt0113277,movie\r\n"
    item = only(text)
    assert (item.imdb_id, item.title, item.year) == ("tt0113277", "", None)


def test_header_names_are_matched_whatever_their_case():
    item = only("CONST,title type,TITLE\r\ntt0113277,Movie,Heat\r\n")
    assert (item.imdb_id, item.media_type, item.title) == ("tt0113277", "movie", "Heat")


def test_a_header_only_export_is_an_empty_list():
    assert parse_export(export([])) == []


def test_missing_const_column_is_a_protocol_error_naming_it():
    with pytest.raises(ProtocolError, match="no Const column"):
        parse_export("Position,Title,Title Type\r\n1,Heat,movie\r\n")


def test_missing_title_type_column_is_a_protocol_error_naming_it():
    with pytest.raises(ProtocolError, match="no Title Type column"):
        parse_export("Position,Const,Title\r\n1,tt0113277,Heat\r\n")


def test_empty_text_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="no Const or Title Type column"):
        parse_export("")


def test_a_field_too_large_for_csv_is_a_protocol_error():
    text = export([row("tt0113277", "Heat", Description="x" * 200_000)])
    with pytest.raises(ProtocolError, match="not valid CSV"):
        parse_export(text)


def test_non_ascii_digits_in_year_and_position_are_ignored():
    item = only(export([row("tt0113277", "Heat", Position="²", Year="１９９５")]))
    assert (item.rank, item.year) == (None, None)
