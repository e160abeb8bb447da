"""Newznab/Torznab result feeds: real-shaped feeds, every attr, skipped items, encodings."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from integrations.errors import (
    ConfigurationError,
)
from integrations.indexers.base import Protocol
from integrations.indexers.newznab_xml import (
    normalize_imdb,
    parse_rfc822,
)

from .feed_parsing import BASE, attrs, item, newznab, torznab
from .feeds import fixture, newznab_feed, torznab_feed


# -- real-shaped feeds ----------------------------------------------------------
def test_jackett_feed_gives_every_item():
    feed = torznab(fixture("jackett_search.xml"))
    assert [r.title for r in feed.results] == [
        "The.Last.of.Us.S01E02.Infected.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        "The.Last.of.Us.S01E02.2160p.HMAX.WEB-DL.DDP5.1.DV.HDR.H.265-FLUX",
        "The Last of Us S01E02 720p HDTV x264-SYNCOPY",
        "The.Last.of.Us.S01.1080p.BluRay.x264-BROADCAST",
    ]
    assert feed.skipped == []


def test_jackett_item_fields():
    first = torznab(fixture("jackett_search.xml")).results[0]
    assert first.indexer_id == 3
    assert first.indexer_name == "Jackett"
    assert first.protocol == Protocol.TORRENT
    assert first.guid == "https://tracker-one.example/torrents/558211"
    assert first.size == 3925812346
    assert first.publish_date == datetime(2023, 1, 23, 4, 12, 9, tzinfo=UTC)
    assert first.download_url.startswith("http://127.0.0.1:9117/dl/trackerone/?jackett_apikey=")
    assert first.info_url == "https://tracker-one.example/torrents/558211"
    assert first.categories == [5040, 100002]
    assert (first.seeders, first.leechers, first.grabs) == (154, 7, 2417)
    assert first.imdb_id == "tt3581920"
    assert first.tvdb_id == 392256
    assert first.infohash == "5d0a5b1e3a7e34f1f0e9b8e2c1d0a9f8e7d6c5b4"
    assert (first.minimum_ratio, first.minimum_seed_time) == (1.0, 259200)
    assert first.freeleech is False


def test_jackett_freeleech_item():
    result = torznab(fixture("jackett_search.xml")).results[1]
    assert result.freeleech is True
    assert result.download_volume_factor == 0.0
    assert "freeleech" in result.indexer_flags


def test_jackett_magnet_only_item():
    result = torznab(fixture("jackett_search.xml")).results[2]
    assert result.download_url.startswith("magnet:?xt=urn:btih:0F1E2D3C")
    assert result.magnet_url == result.download_url
    assert result.infohash == "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
    assert result.leechers == 530 - 412


def test_halfleech_and_double_upload_flags():
    result = torznab(fixture("jackett_search.xml")).results[3]
    assert result.freeleech is False
    assert (result.download_volume_factor, result.upload_volume_factor) == (0.5, 2.0)
    assert result.indexer_flags == ["halfleech", "double_upload"]


def test_prowlarr_tags_become_flags():
    results = torznab(fixture("prowlarr_torznab_search.xml")).results
    assert results[0].internal is True
    assert results[0].freeleech is True
    assert results[0].indexer_flags == ["internal", "freeleech"]
    assert results[1].scene is True


def test_prowlarr_ids():
    result = torznab(fixture("prowlarr_torznab_search.xml")).results[0]
    assert (result.imdb_id, result.tvdb_id, result.tmdb_id, result.tvmaze_id) == (
        "tt11280740",
        371980,
        95396,
        44933,
    )


def test_prowlarr_quarter_download_factor_is_freeleech75():
    result = torznab(fixture("prowlarr_torznab_search.xml")).results[2]
    assert result.indexer_flags == ["freeleech75"]
    assert result.freeleech is False


def test_nntmux_feed_items():
    feed = newznab(fixture("nntmux_search.xml"))
    assert len(feed.results) == 3
    first = feed.results[0]
    assert first.protocol == Protocol.USENET
    assert first.grabs == 317
    assert first.size == 2838163456
    assert first.categories == [5000, 5040]
    assert first.seeders is None and first.leechers is None
    assert first.tvmaze_id == 30894


def test_newznab_info_url_drops_comments_anchor():
    first = newznab(fixture("nntmux_search.xml")).results[0]
    assert (
        first.info_url == "https://nzb-indexer.example/details/4f0b6a1e-83c2-4c9e-9a54-2f7f0a1c3d11"
    )


def test_newznab_usenetdate_wins_over_pubdate():
    first = newznab(fixture("nntmux_search.xml")).results[0]
    assert first.publish_date == datetime(2024, 9, 18, 6, 12, 3, tzinfo=UTC)


def test_newznab_haspretime_marks_scene():
    last = newznab(fixture("nntmux_search.xml")).results[2]
    assert last.scene is True


def test_hundred_item_torznab_feed():
    feed = torznab(torznab_feed(100))
    assert len(feed.results) == 100
    assert sum(r.freeleech for r in feed.results) == 10


def test_hundred_item_newznab_feed_fixture_matches_generator():
    assert fixture("rss_newznab_100.xml") == newznab_feed(100)
    assert len(newznab(fixture("rss_newznab_100.xml")).results) == 100


def test_leading_newline_before_declaration_tolerated():
    assert len(newznab(b"\n\n" + fixture("nntmux_search.xml")).results) == 3


def test_utf8_bom_tolerated():
    assert len(newznab(b"\xef\xbb\xbf" + fixture("nntmux_search.xml")).results) == 3


def test_attr_with_value_before_name():
    body = BASE + '<torznab:attr value="33" name="seeders"/>'
    assert torznab(item(body)).results[0].seeders == 33


def test_attr_with_extra_attributes():
    body = BASE + '<torznab:attr name="seeders" value="44" description="x"/>'
    assert torznab(item(body)).results[0].seeders == 44


def test_empty_channel_is_no_results():
    feed = torznab(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    )
    assert feed.results == [] and feed.skipped == []


# -- single attrs ----------------------------------------------------------------
def test_leechers_attr_used_without_peers():
    result = torznab(item(BASE + attrs(seeders=5, leechers=3))).results[0]
    assert (result.seeders, result.leechers) == (5, 3)


def test_peers_below_seeders_gives_zero_leechers():
    result = torznab(item(BASE + attrs(seeders=9, peers=4))).results[0]
    assert result.leechers == 0


def test_size_attr_wins_over_size_element():
    result = torznab(item(BASE + attrs(size=5555))).results[0]
    assert result.size == 5555


def test_enclosure_length_used_when_no_size():
    body = (
        "<title>T</title><guid>g</guid>"
        '<enclosure url="http://127.0.0.1/a.torrent" length="777" type="application/x-bittorrent"/>'
    )
    result = torznab(item(body)).results[0]
    assert (result.size, result.download_url) == (777, "http://127.0.0.1/a.torrent")


def test_enclosure_url_preferred_over_link():
    body = (
        BASE
        + '<enclosure url="http://127.0.0.1/enc.torrent" length="1000" type="application/x-bittorrent"/>'
    )
    assert torznab(item(body)).results[0].download_url == "http://127.0.0.1/enc.torrent"


def test_magneturl_attr_alone_is_the_download():
    body = "<title>T</title><guid>g</guid><size>10</size>" + attrs(
        magneturl="magnet:?xt=urn:btih:ABCDEF0123456789ABCDEF0123456789ABCDEF01"
    )
    result = torznab(item(body)).results[0]
    assert result.download_url.startswith("magnet:")
    assert result.infohash == "abcdef0123456789abcdef0123456789abcdef01"


def test_newznab_namespace_attrs_accepted_on_torznab():
    body = BASE + '<newznab:attr name="seeders" value="12"/>'
    data = item(body).replace(
        b'xmlns:torznab="http://torznab.com/schemas/2015/feed"',
        b'xmlns:torznab="http://torznab.com/schemas/2015/feed" '
        b'xmlns:newznab="http://www.newznab.com/DTD/2010/feeds/attributes/"',
    )
    assert torznab(data).results[0].seeders == 12


def test_imdbid_attr_normalised():
    assert torznab(item(BASE + attrs(imdbid="tt0944947"))).results[0].imdb_id == "tt0944947"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("944947", "tt0944947"),
        ("0944947", "tt0944947"),
        ("tt0944947", "tt0944947"),
        ("11280740", "tt11280740"),
        ("0", None),
        ("abc", None),
        ("", None),
    ],
)
def test_normalize_imdb(raw, expected):
    assert normalize_imdb(raw) == expected


def test_zero_ids_are_none():
    result = torznab(item(BASE + attrs(tvdbid=0, tmdbid=0, tvmazeid=0))).results[0]
    assert (result.tvdb_id, result.tmdb_id, result.tvmaze_id) == (None, None, None)


def test_categories_from_elements_and_attrs_deduplicated():
    body = (
        BASE
        + "<category>5040</category><category>TV &gt; HD</category>"
        + attrs(category=5040)
        + '<torznab:attr name="category" value="100123"/>'
    )
    assert torznab(item(body)).results[0].categories == [5040, 100123]


def test_tag_freeleech_without_volume_factor():
    result = torznab(item(BASE + attrs(tag="freeleech"))).results[0]
    assert result.freeleech is True


def test_nuked_attr_flag():
    body = BASE.replace("torrent", "nzb") + '<newznab:attr name="nuked" value="1"/>'
    assert "nuked" in newznab(item(body, "newznab")).results[0].indexer_flags


def test_bad_pubdate_keeps_item_without_date():
    feed = torznab(fixture("bad_items.xml"))
    good = feed.results[0]
    assert good.title == "Good.Show.S01E01.1080p.WEB.h264-GOOD"
    assert good.publish_date is None


def test_missing_guid_falls_back_to_link():
    feed = torznab(fixture("bad_items.xml"))
    assert feed.results[1].guid == "https://bad-items.example/dl/7.torrent"


def test_relative_link_resolved_against_feed_url():
    body = "<title>T</title><guid>g</guid><size>10</size><link>/dl/5.torrent</link>"
    result = torznab(item(body), url="http://127.0.0.1:9117/api?apikey=K").results[0]
    assert result.download_url == "http://127.0.0.1:9117/dl/5.torrent"


def test_rfc822_without_zone_is_utc():
    assert parse_rfc822("Sat, 11 Apr 2015 21:34:00") == datetime(2015, 4, 11, 21, 34, tzinfo=UTC)


def test_rfc822_garbage_is_none():
    assert parse_rfc822("yesterday-ish") is None


def test_title_whitespace_collapsed():
    body = BASE.replace("<title>Show.S01E01.", "<title>  Show.S01E01\t\n")
    assert torznab(item(body)).results[0].title == "Show.S01E01 1080p.WEB.h264-GRP"


def test_control_characters_in_title_are_removed():
    body = BASE.replace("Show.S01E01", "Show.S01E01\x01\x02")
    feed = torznab(item(body))
    assert feed.results[0].title == "Show.S01E01.1080p.WEB.h264-GRP"


# -- skipped items -----------------------------------------------------------------
def skipped_reasons(feed) -> dict[str, str]:
    return {s.title: s.reason for s in feed.skipped}


def test_bad_items_are_skipped_not_fatal():
    feed = torznab(fixture("bad_items.xml"))
    assert len(feed.results) == 2
    assert len(feed.skipped) == 8


def test_missing_size_skipped():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert reasons["No.Size.S01E02.1080p.WEB.h264-GRP"].startswith("no size")


def test_negative_size_skipped():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert reasons["Negative.Size.S01E03.1080p.WEB.h264-GRP"] == "negative size (-1024)"


def test_absurd_size_skipped():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert "over 1 PB" in reasons["Absurd.Size.S01E04.1080p.WEB.h264-GRP"]


def test_zero_size_skipped():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert reasons["Zero.Size.S01E10.1080p.WEB.h264-GRP"] == "size is 0"


def test_text_size_skipped():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert "not a number" in reasons["Text.Size.S01E08.1080p.WEB.h264-GRP"]


def test_missing_link_skipped():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert reasons["No.Link.S01E05.1080p.WEB.h264-GRP"].startswith("no download link")


def test_missing_title_skipped_under_its_guid():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert reasons["https://bad-items.example/t/6"] == "no title"


def test_untitled_item_labelled_without_the_key(caplog):
    body = (
        "<link>http://127.0.0.1:9117/dl/x/?jackett_apikey=SECRETKEY&amp;path=p</link><size>5</size>"
    )
    with caplog.at_level(logging.INFO, logger="integrations.indexers.newznab_xml"):
        feed = torznab(item(body))
    assert feed.skipped[0].title == "http://127.0.0.1:9117/dl/x/?jackett_apikey=***&path=p"
    assert "SECRETKEY" not in caplog.text


def test_other_protocol_item_skipped_with_reason():
    reasons = skipped_reasons(torznab(fixture("bad_items.xml")))
    assert reasons["Usenet.Item.S01E09.1080p.WEB.h264-GRP"].startswith(
        "looks like a Newznab release on a Torznab indexer"
    )


def test_skipped_items_logged_with_indexer_name_not_url(caplog):
    with caplog.at_level(logging.INFO, logger="integrations.indexers.newznab_xml"):
        torznab(fixture("bad_items.xml"))
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("Jackett: skipped 'No.Size") for line in lines)
    assert not any("SECRETKEY" in line for line in lines)


def test_whole_newznab_feed_on_torznab_is_configuration_error():
    with pytest.raises(ConfigurationError, match="add it as a Newznab indexer instead of Torznab"):
        torznab(fixture("nntmux_search.xml"))


def test_whole_torznab_feed_on_newznab_is_configuration_error():
    with pytest.raises(ConfigurationError, match="as a Torznab indexer instead of Newznab"):
        newznab(fixture("jackett_search.xml"))


# -- encoding ------------------------------------------------------------------------
def test_latin1_feed_claiming_utf8_keeps_items():
    feed = newznab(fixture("non_utf8.xml"))
    assert [r.title for r in feed.results] == [
        "Amélie.2001.1080p.BluRay.x264-FRENCH",
        "Les.Misérables.S01E01.720p.HDTV.x264-GRÉP",
        "Plain.Ascii.S01E02.720p.HDTV.x264-GRP",
    ]


def test_latin1_feed_gives_a_warning(caplog):
    with caplog.at_level(logging.INFO, logger="integrations.indexers.newznab_xml"):
        feed = newznab(fixture("non_utf8.xml"))
    assert feed.warnings and "not valid UTF-8" in feed.warnings[0]
    assert any("not valid UTF-8" in r.getMessage() for r in caplog.records)


def test_declared_latin1_feed_parses_natively():
    data = fixture("non_utf8.xml").replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    feed = newznab(data)
    assert feed.results[0].title == "Amélie.2001.1080p.BluRay.x264-FRENCH"
    assert feed.warnings == []
