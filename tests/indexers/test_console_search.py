"""The console's Search page: the form becomes the right query; bad input is said plainly."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.indexers.admin import _query_from
from integrations.indexers.base import QueryType
from tests.conftest import make_user
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401

FORM = dict.fromkeys(
    ("type", "q", "tvdb", "imdb", "tmdb", "tvmaze", "season", "ep", "date", "absolute"), ""
)


def form(**values):
    return {**FORM, **values}


def test_several_episodes_become_one_query_with_each():
    query = _query_from(form(type="episode", q="Show", season="1", ep="2, 3"))
    assert (query.type, query.season, query.episodes) == (QueryType.EPISODE, 1, [2, 3])


def test_a_daily_search_takes_the_air_date():
    query = _query_from(form(type="daily", q="Show", date="2024-03-15"))
    assert query.air_date == date(2024, 3, 15)


def test_an_anime_search_takes_the_absolute_number():
    assert _query_from(form(type="anime", q="Show", absolute="1071")).absolute_episode == 1071


def test_imdb_ids_are_normalised():
    assert _query_from(form(type="movie", imdb="944947")).imdb_id == "tt0944947"


def test_a_bad_air_date_is_said_plainly():
    with pytest.raises(ValueError, match="Air date must be YYYY-MM-DD"):
        _query_from(form(type="daily", q="Show", date="15/03/2024"))


def test_a_search_without_term_or_id_is_refused():
    with pytest.raises(ValueError, match="Enter a search term or an id"):
        _query_from(form(type="series"))


def staff(role: str, client):
    user = make_user(role)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)


@pytest.mark.django_db
@pytest.mark.usefixtures("fake_indexer_kind")
def test_operators_see_results_with_a_grab_button(client):
    make_indexer("A", items=["a1|Show.S01E01.1080p.WEB-DL.x264-GRP"])
    staff("operator", client)
    page = client.get("/admin/indexers/indexer/search/", {**FORM, "type": "search", "q": "Show"})
    html = page.content.decode()
    assert "Show.S01E01.1080p.WEB-DL.x264-GRP" in html and ">Grab<" in html


@pytest.mark.django_db
def test_viewers_may_not_search_from_the_console(client):
    staff("viewer", client)
    page = client.get("/admin/indexers/indexer/search/", {**FORM, "type": "search", "q": "x"})
    assert page.status_code == 403
