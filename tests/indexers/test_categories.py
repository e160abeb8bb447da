"""Newznab category constants, names and the media-type mapping."""

from __future__ import annotations

import pytest

from integrations.indexers.categories import (
    MEDIA_TYPE_TO_CATEGORIES,
    NEWZNAB,
    NEWZNAB_CATEGORIES,
    STANDARD_CATEGORIES,
    categories_for,
    category_name,
    parent_id,
)


def test_seed_constants():
    assert (NEWZNAB.TV, NEWZNAB.TV_HD, NEWZNAB.TV_UHD, NEWZNAB.TV_ANIME) == (5000, 5040, 5045, 5070)
    assert (NEWZNAB.MOVIES, NEWZNAB.MOVIES_BLURAY, NEWZNAB.AUDIO_LOSSLESS) == (2000, 2050, 3040)


def test_webdl_numbers_follow_indexers():
    assert NEWZNAB.TV_WEBDL == 5010
    assert NEWZNAB.MOVIES_WEBDL == 2080
    assert NEWZNAB.MOVIES_DVD == 2070


def test_x265_categories():
    assert (NEWZNAB.TV_X265, NEWZNAB.MOVIES_X265) == (5090, 2090)


def test_constants_table_by_name():
    assert NEWZNAB_CATEGORIES["TV_SD"] == 5030


def test_every_constant_has_a_standard_name():
    assert {int(c) for c in NEWZNAB} == set(STANDARD_CATEGORIES)


@pytest.mark.parametrize(
    "number, name",
    [(5040, "TV/HD"), (5000, "TV"), (2080, "Movies/WEB-DL"), (7000, "Books"), (8010, "Other/Misc")],
)
def test_standard_names(number, name):
    assert category_name(number) == name


def test_unknown_number_in_standard_range():
    assert category_name(5999) == "TV/5999"


def test_custom_category_name():
    assert category_name(100123) == "Custom 100123"


def test_parent_of_subcategory():
    assert parent_id(5045) == 5000
    assert parent_id(100001) is None


def test_tv_media_type():
    assert categories_for("tv") == [5000, 5040, 5030, 5045, 5010]


def test_movie_media_type_has_webdl_and_seed_numbers():
    movie = categories_for("movie")
    assert movie[:5] == [2000, 2040, 2030, 2045, 2050]
    assert 2080 in movie and 2070 in movie


def test_anime_media_type():
    assert categories_for("anime") == [5070]


def test_media_type_aliases_and_case():
    assert categories_for("Series") == categories_for("tv")
    assert categories_for("movies") == categories_for("movie")


def test_unknown_media_type_raises():
    with pytest.raises(ValueError, match="use one of anime, movie, tv"):
        categories_for("podcast")


def test_mapping_returns_plain_ints_and_a_copy():
    cats = categories_for("anime")
    cats.append(1)
    assert type(categories_for("tv")[0]) is int
    assert MEDIA_TYPE_TO_CATEGORIES["anime"] == [5070]
