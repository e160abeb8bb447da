"""The Torznab provider: Newznab plus torrent attributes and seed rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.indexers.base import Protocol, QueryType, SearchQuery
from integrations.indexers.providers.torznab import Torznab, TorznabSettings
from tests.indexers.feeds import fixture
from tests.indexerserver import indexer_server  # noqa: F401 (fixture)


def torznab(srv, **settings) -> Torznab:
    base = {"base_url": srv.url, "api_key": srv.api_key}
    base.update(settings)
    return Torznab(TorznabSettings(**base), name="TZTest")


def test_results_are_torrents_with_infohash_and_seeders(indexer_server):
    srv = indexer_server(items=5)
    results = torznab(srv).search(SearchQuery(search_term="x"))
    first, item = results[0], srv.item(1)
    assert first.protocol == Protocol.TORRENT
    assert (first.infohash, first.seeders) == (item.infohash, item.seeders)
    assert first.leechers == item.peers - item.seeders


def test_results_below_minimum_seeders_are_dropped(indexer_server):
    srv = indexer_server(items=12)
    results = torznab(srv, minimum_seeders=150).search(SearchQuery(search_term="x"))
    expected = [i.title for i in srv.items if i.seeders >= 150]
    assert [r.title for r in results] == expected
    assert 0 < len(expected) < 12


def test_results_without_seeder_count_are_kept(indexer_server):
    feed = fixture("jackett_search.xml").replace(b'name="seeders"', b'name="unrelated"')
    srv = indexer_server(feed_xml=feed)
    results = torznab(srv, minimum_seeders=1000).search(SearchQuery(search_term="x"))
    assert len(results) == 4
    assert all(r.seeders is None for r in results)


def test_seed_goals_from_settings_fill_results_without_their_own(indexer_server):
    srv = indexer_server(feed_xml=fixture("jackett_search.xml"))
    results = torznab(srv, seed_ratio=1.5, seed_time_minutes=90).search(
        SearchQuery(search_term="x")
    )
    by_own = {r.title: (r.minimum_ratio, r.minimum_seed_time) for r in results}
    assert by_own["The.Last.of.Us.S01E02.Infected.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb"] == (
        1.0,
        259200,
    )
    assert by_own["The Last of Us S01E02 720p HDTV x264-SYNCOPY"] == (1.5, 5400)


PACK = "The.Last.of.Us.S01.1080p.BluRay.x264-BROADCAST"
EPISODE = "The Last of Us S01E02 720p HDTV x264-SYNCOPY"


def test_season_packs_get_the_season_pack_seed_time(indexer_server):
    srv = indexer_server(feed_xml=fixture("jackett_search.xml"))
    results = torznab(srv, seed_time_minutes=90, season_pack_seed_time_minutes=600).search(
        SearchQuery(search_term="x")
    )
    seed_time = {r.title: r.minimum_seed_time for r in results}
    assert (seed_time[PACK], seed_time[EPISODE]) == (36000, 5400)


def test_without_a_season_pack_seed_time_packs_take_the_seed_time(indexer_server):
    srv = indexer_server(feed_xml=fixture("jackett_search.xml"))
    results = torznab(srv, seed_time_minutes=90).search(SearchQuery(search_term="x"))
    assert {r.title: r.minimum_seed_time for r in results}[PACK] == 5400


def test_required_flags_keep_only_releases_carrying_one(indexer_server):
    srv = indexer_server(feed_xml=fixture("jackett_search.xml"))
    results = torznab(srv, required_flags=["freeleech"]).search(SearchQuery(search_term="x"))
    assert results and all("freeleech" in r.indexer_flags for r in results)
    assert PACK not in {r.title for r in results}  # half leech only


def test_required_flags_accept_any_of_several(indexer_server):
    srv = indexer_server(feed_xml=fixture("jackett_search.xml"))
    wanted = ["freeleech", "halfleech"]
    results = torznab(srv, required_flags=wanted).search(SearchQuery(search_term="x"))
    assert sorted(r.title for r in results) == sorted(
        r.title
        for r in torznab(srv).search(SearchQuery(search_term="x"))
        if set(wanted) & set(r.indexer_flags)
    )
    assert len(results) == 3


def test_an_unknown_required_flag_is_refused():
    with pytest.raises(ValidationError, match="required_flags"):
        TorznabSettings(base_url="http://127.0.0.1:1", api_key="k", required_flags=["golden"])


def test_without_seed_settings_results_keep_none(indexer_server):
    srv = indexer_server(items=3)
    results = torznab(srv).search(SearchQuery(search_term="x"))
    assert {(r.minimum_ratio, r.minimum_seed_time) for r in results} == {(None, None)}


def test_seed_rules_apply_to_rss_too(indexer_server):
    srv = indexer_server(items=12)
    results = torznab(srv, minimum_seeders=150, seed_ratio=2.0).get_rss()
    assert results and all(r.seeders >= 150 and r.minimum_ratio == 2.0 for r in results)


def test_jackett_fixture_flags_survive_the_provider(indexer_server):
    srv = indexer_server(feed_xml=fixture("jackett_search.xml"))
    results = torznab(srv).search(SearchQuery(search_term="x"))
    assert sum(r.freeleech for r in results) == 2
    assert any(r.magnet_url and r.magnet_url.startswith("magnet:") for r in results)


def test_usenet_feed_on_torznab_says_to_add_it_as_newznab(indexer_server):
    srv = indexer_server(protocol="usenet")
    with pytest.raises(Exception, match="Newznab"):
        torznab(srv).search(SearchQuery(search_term="x"))


def test_movie_search_by_imdb_sends_digits(indexer_server):
    srv = indexer_server(movie_params="q,imdbid")
    torznab(srv).search(SearchQuery(type=QueryType.MOVIE, imdb_id="tt15239678"))
    (request,) = srv.api_requests("movie")
    assert request.query["imdbid"] == "15239678"
    assert request.query["cat"] == "2000,2040,2030,2045,2050,2080"


def test_seed_settings_are_validated():
    with pytest.raises(ValidationError):
        TorznabSettings(base_url="http://x.example", minimum_seeders=-1)
    settings = TorznabSettings(base_url="http://x.example")
    assert (settings.minimum_seeders, settings.seed_ratio, settings.seed_time_minutes) == (
        1,
        None,
        None,
    )


def test_kind_and_protocol():
    assert (Torznab.kind, Torznab.protocol) == ("torznab", Protocol.TORRENT)
    assert "torrent" in Torznab.capabilities and "usenet" not in Torznab.capabilities
