"""TheTVDB provider: the default-order episode list, page by page."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.errors import NotFoundError
from tests.httpserver import Reply
from tests.metadata.fake_tvdb import (  # noqa: F401 (fixtures)
    envelope,
    fake_tvdb,
    make_tvdb,
    tvdb_token_cache,
)

EPISODES = "/v4/series/81189/episodes/default"


def _pages(fake_tvdb) -> list[str]:
    return [r.query["page"][0] for r in fake_tvdb.requests if r.path == EPISODES]


def test_episodes_follow_next_links_page_by_page(fake_tvdb, make_tvdb):
    fake_tvdb.page_size = 2

    found = make_tvdb().episodes("81189")

    assert _pages(fake_tvdb) == ["0", "1", "2", "3"]
    assert [(e.season_number, e.episode_number) for e in found] == [
        (0, 1),
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
    ]


def test_episodes_map_the_fields(make_tvdb):
    pilot = make_tvdb().episodes("81189")[1]

    assert (pilot.id, pilot.tvdb_id, pilot.series_id) == ("349232", 349232, "81189")
    assert (pilot.title, pilot.absolute_number, pilot.runtime) == ("Pilot", 1, 47)
    assert pilot.air_date == date(2008, 1, 20)
    assert pilot.overview == "Overview of Pilot."
    assert pilot.image == "https://artworks.thetvdb.com/banners/episodes/81189/349232.jpg"


def test_episode_without_absolute_number_has_none(make_tvdb):
    special = make_tvdb().episodes("81189")[0]

    assert (special.season_number, special.absolute_number) == (0, None)


def test_episodes_skip_entries_without_numbers(make_tvdb):
    found = make_tvdb().episodes("81189")

    assert "Unnumbered" not in [e.title for e in found]
    assert len(found) == 6


def test_episodes_of_one_season_ask_for_that_season(fake_tvdb, make_tvdb):
    found = make_tvdb().episodes("81189", season=1)

    assert fake_tvdb.requests[-1].query == {"page": ["0"], "season": ["1"]}
    assert [e.episode_number for e in found] == [1, 2, 3]


def test_episodes_of_one_season_span_pages(fake_tvdb, make_tvdb):
    fake_tvdb.page_size = 2

    found = make_tvdb().episodes("81189", season=1)

    assert _pages(fake_tvdb) == ["0", "1"]
    assert [e.episode_number for e in found] == [1, 2, 3]


def test_episodes_of_season_zero_keep_only_specials_when_the_api_answers_all(fake_tvdb, make_tvdb):
    every = fake_tvdb.episodes[81189]
    fake_tvdb.fail(EPISODES, Reply(200, envelope({"episodes": every}, links={"next": None})))

    found = make_tvdb().episodes("81189", season=0)

    assert [(e.season_number, e.title) for e in found] == [(0, "Good Cop Bad Cop")]


def test_episode_picks_one_by_season_and_number(make_tvdb):
    assert make_tvdb().episode("81189", 2, 2).title == "Grilled"


def test_episodes_of_a_series_without_episodes_are_empty(make_tvdb):
    assert make_tvdb().episodes("334824") == []


def test_episodes_of_a_missing_series_raise_not_found_naming_it(make_tvdb):
    with pytest.raises(NotFoundError, match="series 424242"):
        make_tvdb().episodes("424242")


def test_episodes_ask_our_api_url_whatever_host_next_links_name(fake_tvdb, make_tvdb):
    fake_tvdb.page_size = 4
    fake_tvdb.next_link_host = "api4.thetvdb.com"

    found = make_tvdb().episodes("81189")

    assert _pages(fake_tvdb) == ["0", "1"]
    assert len(found) == 6


def test_episodes_stop_when_the_next_link_does_not_advance(fake_tvdb, make_tvdb):
    page = envelope(
        {"episodes": fake_tvdb.episodes[81189][:2]},
        links={"next": f"{fake_tvdb.api_url}/series/81189/episodes/default?page=0"},
    )
    fake_tvdb.fail(EPISODES, Reply(200, page), times=None)

    found = make_tvdb().episodes("81189")

    assert len(_pages(fake_tvdb)) == 1
    assert len(found) == 2


def test_episodes_stop_when_the_next_link_has_no_page(fake_tvdb, make_tvdb):
    page = envelope({"episodes": []}, links={"next": "https://api4.thetvdb.com/v4/whatever"})
    fake_tvdb.fail(EPISODES, Reply(200, page), times=None)

    assert make_tvdb().episodes("81189") == []
    assert len(_pages(fake_tvdb)) == 1
