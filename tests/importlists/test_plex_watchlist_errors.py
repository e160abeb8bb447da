"""``PlexWatchlist`` against a failing discover service: each failure's error, and
the token never in a message."""

from __future__ import annotations

import pytest

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from tests.httpserver import Reply

from .fake_plex_watchlist import (
    TOKEN,
    FakePlexWatchlist,
    container,
    json_reply,
    numbered,
    provider,
)


@pytest.fixture
def srv():
    with FakePlexWatchlist() as server:
        yield server


def fetch_error(srv: FakePlexWatchlist, **settings) -> Exception:
    with provider(srv, **settings) as plex, pytest.raises(Exception) as info:
        plex.fetch()
    return info.value


def test_a_refused_token_is_an_authentication_error(srv):
    error = fetch_error(srv, auth_token="not-the-token")
    assert isinstance(error, AuthenticationError)
    assert str(error).startswith("Plex refused the token: ")


def test_a_refused_token_is_not_in_the_message(srv):
    error = fetch_error(srv, auth_token="wrong-Tok3n-xyz")
    assert "wrong-Tok3n-xyz" not in str(error)


def test_429_is_rate_limited_with_retry_after(srv):
    srv.fail("429")
    error = fetch_error(srv)
    assert isinstance(error, RateLimited) and error.retry_after == 30


@pytest.mark.parametrize("mode", ["500", "502", "503"])
def test_5xx_is_a_transient_server_error(srv, mode):
    srv.fail(mode)
    error = fetch_error(srv)
    assert isinstance(error, ServerError) and error.permanent is False


def test_a_failure_on_a_later_page_fails_the_fetch(srv):
    srv.watchlist = numbered("show", 250)
    srv.script([json_reply(container(numbered("show", 100), total=250))])
    srv.fail("500")
    error = fetch_error(srv, media_type="series")
    assert isinstance(error, ServerError) and len(srv.requests) == 2


def test_an_html_page_with_200_is_a_protocol_error(srv):
    srv.fail("html")
    assert isinstance(fetch_error(srv), ProtocolError)


def test_malformed_json_is_a_protocol_error(srv):
    srv.fail("malformed")
    assert isinstance(fetch_error(srv), ProtocolError)


def test_an_xml_answer_is_a_protocol_error(srv):
    xml = '<?xml version="1.0"?><MediaContainer size="0" totalSize="0"/>'
    srv.script([Reply(200, xml, {"Content-Type": "text/xml"})])
    assert isinstance(fetch_error(srv), ProtocolError)


def test_json_without_a_media_container_is_a_protocol_error(srv):
    srv.fail("nocontainer")
    assert isinstance(fetch_error(srv), ProtocolError)


def test_a_media_container_that_is_not_an_object_is_a_protocol_error(srv):
    srv.script([json_reply({"MediaContainer": [1, 2]})])
    assert isinstance(fetch_error(srv), ProtocolError)


def test_a_json_array_answer_is_a_protocol_error(srv):
    srv.script([json_reply([{"MediaContainer": {}}])])
    assert isinstance(fetch_error(srv), ProtocolError)


def test_metadata_that_is_not_a_list_is_a_protocol_error(srv):
    srv.script([json_reply({"MediaContainer": {"totalSize": 1, "Metadata": {"title": "x"}}})])
    assert isinstance(fetch_error(srv), ProtocolError)


def test_an_unknown_path_is_not_found(srv):
    error = fetch_error(srv, api_url=srv.url + "/wrong")
    assert isinstance(error, NotFoundError)


def test_a_redirect_is_not_followed(srv):
    srv.fail("redirect", times=1)
    error = fetch_error(srv)
    assert isinstance(error, ConfigurationError) and len(srv.requests) == 1


def test_a_hanging_server_is_a_timeout(srv):
    srv.fail("hang")
    error = fetch_error(srv, timeout_seconds=0.3)
    assert isinstance(error, RequestTimedOut)


def test_a_page_echoing_the_token_never_shows_it(srv):
    srv.fail("echo")
    error = fetch_error(srv)
    assert isinstance(error, ProtocolError)
    assert TOKEN not in str(error) and "***" in str(error)


def test_a_403_page_echoing_the_token_never_shows_it(srv):
    srv.fail("403echo")
    error = fetch_error(srv)
    assert isinstance(error, AuthenticationError)
    assert TOKEN not in str(error) and "***" in str(error)


def test_test_turns_a_refused_token_into_a_failed_result(srv):
    with provider(srv, auth_token="not-the-token") as plex:
        result = plex.test()
    assert (result.ok, result.details["code"]) == (False, "authentication_failed")


def test_test_result_of_an_echoing_page_never_shows_the_token(srv):
    srv.fail("echo")
    with provider(srv) as plex:
        result = plex.test()
    assert result.ok is False and TOKEN not in result.message + str(result.details)
