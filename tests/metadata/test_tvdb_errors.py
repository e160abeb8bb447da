"""TheTVDB provider: failure envelopes, malformed payloads and transport failures."""

from __future__ import annotations

import pytest

from integrations.errors import (
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from tests.httpserver import Reply
from tests.metadata.fake_tvdb import (  # noqa: F401 (fixtures)
    envelope,
    fake_tvdb,
    make_tvdb,
    tvdb_token_cache,
)

EXTENDED = "/v4/series/81189/extended"
HTML = "<!DOCTYPE html><html><body><h1>Attention Required! | Cloudflare</h1></body></html>"


def test_failure_envelope_in_a_200_is_a_protocol_error_with_its_message(fake_tvdb, make_tvdb):
    failure = {"status": "failure", "message": "InvalidValueType: bad meta", "data": None}
    fake_tvdb.fail(EXTENDED, Reply(200, failure))

    with pytest.raises(ProtocolError, match="InvalidValueType: bad meta"):
        make_tvdb().series("81189")


def test_malformed_json_is_a_protocol_error(fake_tvdb, make_tvdb):
    truncated = '{"status": "success", "data": {'
    fake_tvdb.fail(EXTENDED, Reply(200, truncated, {"Content-Type": "application/json"}))

    with pytest.raises(ProtocolError, match="invalid JSON"):
        make_tvdb().series("81189")


def test_html_page_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(200, HTML, {"Content-Type": "text/html"}))

    with pytest.raises(ProtocolError, match="HTML page"):
        make_tvdb().series("81189")


def test_html_page_at_login_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/login", Reply(200, HTML, {"Content-Type": "text/html"}))

    with pytest.raises(ProtocolError, match="HTML page"):
        make_tvdb().series("81189")


def test_login_answer_without_a_token_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/login", Reply(200, envelope({"token": 12345})))

    with pytest.raises(ProtocolError, match="without a token"):
        make_tvdb().series("81189")


def test_a_json_array_instead_of_an_envelope_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(200, [1, 2, 3]))

    with pytest.raises(ProtocolError, match="not an object"):
        make_tvdb().series("81189")


def test_series_data_of_the_wrong_type_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(200, envelope(["Breaking Bad"])))

    with pytest.raises(ProtocolError, match="not a dict"):
        make_tvdb().series("81189")


def test_series_without_an_id_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(200, envelope({"id": "eighty", "name": "Breaking Bad"})))

    with pytest.raises(ProtocolError, match="without an id"):
        make_tvdb().series("81189")


def test_search_data_that_is_not_a_list_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/search", Reply(200, envelope({"series-81189": {}})))

    with pytest.raises(ProtocolError, match="not a list"):
        make_tvdb().search_series("breaking")


def test_episode_page_data_that_is_not_an_object_is_a_protocol_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/series/81189/episodes/default", Reply(200, envelope("episodes")))

    with pytest.raises(ProtocolError):
        make_tvdb().episodes("81189")


def test_wrong_typed_series_fields_read_as_missing(fake_tvdb, make_tvdb):
    fake_tvdb.series[81189].update(
        name=["Breaking Bad"],
        year=2008.5,
        status="Ended",
        genres={"name": "Drama"},
        airsDays=["sunday"],
        artworks="none",
        remoteIds=[{"id": 903747, "sourceName": "IMDB"}, "tt1"],
        seasons=[None, {"number": "one", "type": 1}],
        originalNetwork="AMC",
        latestNetwork=None,
        translations={"nameTranslations": {"eng": "Breaking Bad"}, "overviewTranslations": [1]},
        firstAired="20-01-2008",
        averageRuntime="about 47",
        image=None,
    )

    series = make_tvdb().series("81189")

    assert (series.title, series.year, series.status, series.genres) == ("", None, "", [])
    assert (series.air_days, series.imdb_id, series.network) == ([], "", "")
    assert (series.first_aired, series.runtime, series.season_count) == (None, None, 0)
    assert series.images.poster == series.images.fanart == ""


def test_wrong_typed_episode_fields_read_as_missing(fake_tvdb, make_tvdb):
    fake_tvdb.episodes[81189] = [
        {"id": 1, "seasonNumber": "1", "number": "2", "name": 7, "aired": 20080127},
        {"id": True, "seasonNumber": 1, "number": 3},
        None,
    ]

    (found,) = make_tvdb().episodes("81189")

    assert (found.season_number, found.episode_number, found.title, found.air_date) == (
        1,
        2,
        "",
        None,
    )


def test_server_error_is_a_server_error(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(500, "upstream exploded"))

    with pytest.raises(ServerError, match="HTTP 500"):
        make_tvdb().series("81189")


def test_server_error_makes_the_test_fail_instead_of_raising(fake_tvdb, make_tvdb):
    fake_tvdb.fail("/v4/series/81189", Reply(503, "maintenance"))

    result = make_tvdb().test()

    assert not result.ok
    assert result.details["code"] == "server_error"


def test_rate_limit_is_rate_limited_with_retry_after(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(429, "slow down", {"Retry-After": "30"}))

    with pytest.raises(RateLimited) as caught:
        make_tvdb().series("81189")

    assert caught.value.retry_after == 30


def test_hanging_api_is_request_timed_out(fake_tvdb, make_tvdb):
    fake_tvdb.fail(EXTENDED, Reply(hang=True))

    with pytest.raises(RequestTimedOut):
        make_tvdb(timeout_seconds=0.3).series("81189")


def test_404_without_the_failure_envelope_points_at_the_url(fake_tvdb, make_tvdb):
    with pytest.raises(NotFoundError, match="check the URL base"):
        make_tvdb(api_url=fake_tvdb.url).series("81189")  # without /v4
