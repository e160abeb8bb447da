"""TMDB: a series' episodes (one season or all, specials included) and the images
of series and movies."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.errors import NotFoundError, UnsupportedError
from tests.metadata.fake_tmdb import (
    IMAGE_BASE,
    fake_tmdb,  # noqa: F401 (fixture)
    make_tmdb,
    tmdb,  # noqa: F401 (fixture)
)


# -- episodes --------------------------------------------------------------------
def test_episodes_of_one_season_are_mapped(tmdb):
    first = tmdb.episodes("1396", 1)[0]

    assert (first.id, first.series_id, first.season_number, first.episode_number) == (
        "62085",
        "1396",
        1,
        1,
    )
    assert (first.title, first.overview) == ("Pilot", "Pilot: what happens.")
    assert (first.air_date, first.runtime) == (date(2008, 1, 20), 59)
    assert first.image == f"{IMAGE_BASE}original/still62085.jpg"


def test_episodes_of_one_season_come_in_episode_order(tmdb):
    assert [e.episode_number for e in tmdb.episodes("1396", 1)] == [1, 2, 3]


def test_episodes_of_one_season_ask_for_that_season_only(fake_tmdb, tmdb):
    tmdb.episodes("1396", 2)

    assert fake_tmdb.paths == ["/tv/1396/season/2"]


def test_episodes_of_all_seasons_include_the_specials(tmdb):
    numbers = [(e.season_number, e.episode_number) for e in tmdb.episodes("1396")]

    assert numbers == [(0, 1), (0, 2), (1, 1), (1, 2), (1, 3), (2, 1), (2, 2)]


def test_episodes_of_all_seasons_read_the_seasons_of_the_series(fake_tmdb, tmdb):
    tmdb.episodes("1396")

    assert fake_tmdb.paths == [
        "/tv/1396",
        "/tv/1396/season/0",
        "/tv/1396/season/1",
        "/tv/1396/season/2",
    ]


def test_episodes_of_all_seasons_skip_seasons_without_a_valid_number(fake_tmdb, tmdb):
    seasons = fake_tmdb.tv[1396]["seasons"]
    seasons += [{"season_number": -1}, {"season_number": "3"}, None]

    tmdb.episodes("1396")

    assert [p for p in fake_tmdb.paths if "/season/" in p] == [
        "/tv/1396/season/0",
        "/tv/1396/season/1",
        "/tv/1396/season/2",
    ]


def test_episodes_skip_entries_without_numbers(fake_tmdb, tmdb):
    season = fake_tmdb.seasons[(1396, 1)]
    season["episodes"] = [None, {"id": 1, "name": "no number"}, *season["episodes"]]

    assert [e.id for e in tmdb.episodes("1396", 1)] == ["62085", "62086", "62087"]


def test_episodes_of_an_unknown_season_are_not_found_naming_it(tmdb):
    with pytest.raises(NotFoundError) as caught:
        tmdb.episodes("1396", 9)

    assert caught.value.message == "TMDB has no season 9 of series with id 1396"


def test_episodes_of_an_unknown_series_are_not_found(tmdb):
    with pytest.raises(NotFoundError) as caught:
        tmdb.episodes("424242")

    assert "424242" in caught.value.message


def test_episode_finds_one_by_number(tmdb):
    assert tmdb.episode("1396", 2, 2).title == "Grilled"


# -- images ----------------------------------------------------------------------
def test_best_poster_has_the_highest_vote_average(tmdb):
    images = tmdb.images("1396", "series")

    assert images.poster == f"{IMAGE_BASE}original/ggFHVNu6YYI5L9pCfOacjizRGt.jpg"


def test_best_fanart_and_logo_are_picked(tmdb):
    images = tmdb.images("1396", "series")

    assert images.fanart == f"{IMAGE_BASE}original/tsRy63Mu5cu8etL1X7ZLyf7UP1M.jpg"
    assert images.clearlogo == f"{IMAGE_BASE}original/aOXMG1bkU4ftxfTKsmLhiifqsnY.png"


def test_images_list_posters_with_resolution_language_and_votes(tmdb):
    posters = tmdb.images("1396", "series").posters

    assert [(p.resolution, p.language, p.vote_count, p.vote_average) for p in posters] == [
        ("2000x3000", "en", 12, 5.522),
        ("1000x1500", "en", 20, 5.8),
    ]


def test_image_without_a_language_has_an_empty_language(tmdb):
    fanarts = tmdb.images("1396", "series").fanarts

    assert [f.language for f in fanarts] == ["", "en"]


def test_images_ask_for_the_language_and_language_less_images(fake_tmdb):
    with make_tmdb(fake_tmdb, language="pt-BR") as provider:
        provider.images("1396", "series")

    request = fake_tmdb.last_request
    assert request.path == "/tv/1396/images"
    assert request.query["include_image_language"] == ["pt,null"]


def test_movie_images_come_from_the_movie(fake_tmdb, tmdb):
    images = tmdb.images("27205", "movie")

    assert fake_tmdb.last_request.path == "/movie/27205/images"
    assert images.poster == f"{IMAGE_BASE}original/9gk7adHYeDvHkCSEqAvQNLV5Uge.jpg"
    assert images.clearlogo == ""


def test_images_skip_entries_without_a_file_path(fake_tmdb, tmdb):
    fake_tmdb.replace(
        "/tv/1396/images",
        {
            "id": 1396,
            "posters": [None, {"file_path": None, "vote_average": 9.9}, {"file_path": "/a.jpg"}],
            "backdrops": "none",
        },
    )

    images = tmdb.images("1396", "series")

    assert [p.url for p in images.posters] == [f"{IMAGE_BASE}original/a.jpg"]
    assert (images.poster, images.fanarts, images.fanart) == (images.posters[0].url, [], "")


def test_images_of_an_unknown_item_are_not_found(tmdb):
    with pytest.raises(NotFoundError) as caught:
        tmdb.images("424242", "movie")

    assert "424242" in caught.value.message


def test_images_of_another_media_type_are_unsupported(tmdb):
    with pytest.raises(UnsupportedError):
        tmdb.images("1396", "person")  # type: ignore[arg-type]
