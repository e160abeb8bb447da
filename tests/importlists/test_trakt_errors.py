"""Trakt: how failures map to the error tree, that no secret reaches a message or a
URL, ``test()`` as a result, and ``lists()``."""

from __future__ import annotations

import pytest

from importlists.base import ListInfo
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from tests.importlists.fake_trakt import (
    CLIENT_ID,
    CLIENT_SECRET,
    build,  # noqa: F401 (fixture)
    fake_trakt,  # noqa: F401 (fixture)
    in_,
    numbered_shows,
    signed_in,  # noqa: F401 (fixture)
)


# -- status codes ----------------------------------------------------------------------
def test_403_means_the_client_id_is_not_valid(build):
    with pytest.raises(AuthenticationError, match="the client id is not valid"):
        build(client_id="not-my-app").fetch()


def test_403_web_page_is_a_protocol_error(fake_trakt, build):
    fake_trakt.fail("403html")

    with pytest.raises(ProtocolError, match="Cloudflare"):
        build().fetch()


def test_404_custom_list_names_the_list_and_user(build):
    provider = build(list_type="custom", list_slug="no-such-list")

    with pytest.raises(NotFoundError) as caught:
        provider.fetch()
    assert (
        caught.value.message
        == "Trakt has no list 'no-such-list' for user 'alice', or it is private"
    )


def test_404_user_list_names_the_user(build):
    with pytest.raises(NotFoundError, match="no user 'nobody', or the profile is private"):
        build(username="nobody").fetch()


def test_private_profile_read_without_sign_in_is_not_found(build):
    with pytest.raises(NotFoundError, match="'carol'"):
        build(username="carol").fetch()


def test_other_users_private_list_is_not_found(fake_trakt, build):
    with pytest.raises(NotFoundError, match="'secret-stash' for user 'alice'"):
        build(list_type="custom", list_slug="secret-stash").fetch()


def test_420_account_limit_is_a_permanent_error(fake_trakt, build):
    fake_trakt.fail("420")

    with pytest.raises(IntegrationError, match="over a limit of its plan") as caught:
        build().fetch()
    assert caught.value.permanent


def test_423_locked_account_is_a_permanent_error(fake_trakt, build):
    fake_trakt.fail("423")

    with pytest.raises(IntegrationError, match="account is locked") as caught:
        build().fetch()
    assert caught.value.permanent


def test_429_is_rate_limited_with_retry_after(fake_trakt, build):
    fake_trakt.fail("429")

    with pytest.raises(RateLimited, match="retry in 30 s") as caught:
        build().fetch()
    assert caught.value.retry_after == 30


def test_500_is_a_server_error(fake_trakt, build):
    fake_trakt.fail("500")

    with pytest.raises(ServerError, match="HTTP 500"):
        build().fetch()


def test_cloudflare_502_page_is_a_transient_server_error(fake_trakt, build):
    fake_trakt.fail("502html")

    with pytest.raises(ServerError) as caught:
        build().fetch()
    assert not caught.value.permanent


def test_web_page_instead_of_json_is_a_protocol_error(fake_trakt, build):
    fake_trakt.fail("html")

    with pytest.raises(ProtocolError, match="HTML page"):
        build().fetch()


def test_malformed_json_is_a_protocol_error(fake_trakt, build):
    fake_trakt.fail("malformed")

    with pytest.raises(ProtocolError, match="invalid JSON"):
        build().fetch()


def test_redirect_is_not_followed(fake_trakt, build):
    fake_trakt.fail("redirect")

    with pytest.raises(ConfigurationError, match="redirected"):
        build().fetch()
    assert len(fake_trakt.requests) == 1


def test_no_answer_times_out(fake_trakt, build):
    fake_trakt.fail("hang")

    with pytest.raises(RequestTimedOut):
        build(timeout_seconds=0.2).fetch()


def test_failure_on_a_later_page_fails_the_read(fake_trakt, build):
    fake_trakt.public["shows"]["popular"] = numbered_shows(150)
    fake_trakt.fail("500", path="/shows/popular", after=1)

    with pytest.raises(ServerError):
        build(list_type="popular", limit=150).fetch()
    assert [r.query["page"] for r in fake_trakt.requests] == [["1"], ["2"]]


def test_recommendations_without_sign_in_ask_to_sign_in(build):
    with pytest.raises(AuthenticationError, match="needs a sign-in"):
        build(list_type="recommended").fetch()


# -- secrets -----------------------------------------------------------------------------
FAILURES = ["401", "403", "403html", "420", "423", "429", "500", "502html", "html", "malformed"]


@pytest.mark.parametrize("mode", FAILURES)
def test_no_secret_in_any_failure_message(fake_trakt, signed_in, mode):
    provider = signed_in()
    secrets = [CLIENT_ID, CLIENT_SECRET, *provider.settings.secret_dict().values()]
    fake_trakt.fail(mode)

    with pytest.raises(IntegrationError) as caught:
        provider.fetch()
    assert not [s for s in secrets if s in caught.value.message or s in str(caught.value)]


def test_secret_echoed_by_a_web_page_is_masked(fake_trakt, signed_in):
    provider = signed_in()
    token = provider.settings.access_token.get_secret_value()
    fake_trakt.fail("echo")

    with pytest.raises(ProtocolError) as caught:
        provider.fetch()
    assert token not in caught.value.message
    assert CLIENT_ID not in caught.value.message
    assert "Bearer ***" in caught.value.message


def test_no_secret_in_any_url(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1))
    secrets = [CLIENT_ID, CLIENT_SECRET, *provider.settings.secret_dict().values()]
    provider.fetch()
    provider.lists()
    provider.start_device_auth()
    secrets += provider.settings.secret_dict().values()

    assert not [r.raw_path for r in fake_trakt.requests if any(s in r.raw_path for s in secrets)]


def test_refused_sign_in_message_has_no_secret(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1), refresh_token="r3fresh-unknown")

    result = provider.test()
    assert "r3fresh-unknown" not in result.message
    assert CLIENT_SECRET not in result.message


# -- test() ------------------------------------------------------------------------------
def test_test_says_the_list_can_be_read(build):
    result = build().test()

    assert (result.ok, result.message) == (True, "Trakt: watchlist of alice (series) can be read")


def test_test_names_the_signed_in_user_as_me(signed_in):
    assert signed_in().test().message == "Trakt: watchlist of me (series) can be read"


def test_test_names_a_custom_list(build):
    result = build(list_type="custom", list_slug="sci-fi-picks", media_type="movie").test()

    assert result.message == "Trakt: list 'sci-fi-picks' of alice (movie) can be read"


def test_test_names_a_public_list(build):
    assert build(list_type="trending").test().message == "Trakt: trending (series) can be read"


def test_test_reads_one_item_of_the_first_page(fake_trakt, build):
    build().test()

    assert [(r.path, r.query) for r in fake_trakt.requests] == [
        ("/users/alice/watchlist/shows", {"limit": ["1"], "page": ["1"]})
    ]


def test_test_failure_is_a_failed_result(build):
    result = build(username="nobody").test()

    assert (result.ok, result.details["code"]) == (False, "not_found")
    assert "no user 'nobody'" in result.message


def test_test_rate_limit_is_a_failed_result(fake_trakt, build):
    fake_trakt.fail("429")
    result = build().test()

    assert (result.ok, result.details["code"]) == (False, "rate_limited")


# -- lists() -----------------------------------------------------------------------------
def test_lists_reads_the_users_lists(fake_trakt, build):
    found = build().lists()

    assert fake_trakt.last_request.path == "/users/alice/lists"
    assert [info.id for info in found] == ["sci-fi-picks", "secret-stash"]


def test_lists_maps_name_description_count_and_url(build):
    first = build().lists()[0]

    assert first == ListInfo(
        id="sci-fi-picks",
        name="Sci-fi picks",
        description="Sci-fi picks, kept by alice",
        item_count=2,
        public=True,
        url="https://trakt.tv/users/alice/lists/sci-fi-picks",
    )


def test_lists_marks_a_private_list(build):
    assert [info.public for info in build().lists()] == [True, False]


def test_lists_of_the_signed_in_user_read_me_and_link_the_owner(fake_trakt, signed_in):
    found = signed_in().lists()

    assert fake_trakt.last_request.path == "/users/me/lists"
    assert found[0].url == "https://trakt.tv/users/alice/lists/sci-fi-picks"


def test_lists_skip_entries_without_a_slug(fake_trakt, build):
    fake_trakt.replace("/users/alice/lists", [None, {"name": "x"}, {"ids": {"slug": "ok"}}])

    assert [(info.id, info.name) for info in build().lists()] == [("ok", "ok")]


def test_lists_of_an_unknown_user_is_not_found(build):
    with pytest.raises(NotFoundError, match="no user 'nobody'"):
        build(username="nobody").lists()


def test_lists_answer_that_is_not_a_list_is_a_protocol_error(fake_trakt, build):
    fake_trakt.replace("/users/alice/lists", {"lists": []})

    with pytest.raises(ProtocolError, match="the lists of alice"):
        build().lists()
