"""TheTVDB provider: login, token reuse and renewal, and secrets kept out of messages."""

from __future__ import annotations

import time

import pytest

from integrations.errors import AuthenticationError, ServerError
from integrations.metadata.providers import tvdb as tvdb_module
from tests.httpserver import Reply
from tests.metadata.fake_tvdb import (  # noqa: F401 (fixtures)
    API_KEY,
    FakeTvdb,
    fake_tvdb,
    make_tvdb,
    tvdb_token_cache,
)


def test_test_logs_in_and_reads_a_series(fake_tvdb, make_tvdb):
    result = make_tvdb().test()

    assert result.ok, result.message
    assert "works" in result.message
    assert fake_tvdb.paths("POST") == ["/v4/login"]
    assert fake_tvdb.paths("GET") == ["/v4/series/81189"]


def test_login_sends_only_the_api_key_without_a_pin(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")

    assert fake_tvdb.requests[0].json() == {"apikey": API_KEY}


def test_login_sends_the_pin_when_one_is_set(make_tvdb, fake_tvdb):
    fake_tvdb.pin = "4821"

    result = make_tvdb(pin="4821").test()

    assert result.ok, result.message
    assert fake_tvdb.requests[0].json() == {"apikey": API_KEY, "pin": "4821"}


def test_bad_api_key_fails_the_test_with_authentication_failed(make_tvdb):
    result = make_tvdb(api_key="not-a-key").test()

    assert not result.ok
    assert result.details["code"] == "authentication_failed"
    assert result.message.startswith("TheTVDB refused the API key: InvalidAPIKey")


def test_bad_api_key_raises_authentication_error_from_a_lookup(make_tvdb):
    with pytest.raises(AuthenticationError, match="refused the API key"):
        make_tvdb(api_key="not-a-key").series("81189")


def test_missing_pin_is_reported_as_a_subscriber_pin_being_needed(fake_tvdb, make_tvdb):
    fake_tvdb.pin = "4821"

    with pytest.raises(AuthenticationError, match="subscriber PIN") as caught:
        make_tvdb().series("81189")

    assert "pin required" in caught.value.message


def test_requests_carry_the_login_token_as_bearer(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")

    (token,) = fake_tvdb.tokens
    assert fake_tvdb.requests[-1].headers["Authorization"] == f"Bearer {token}"


def test_token_is_reused_across_calls(fake_tvdb, make_tvdb):
    provider = make_tvdb()
    provider.series("81189")
    provider.search_series("breaking")
    provider.episodes("81189")

    assert fake_tvdb.logins == 1


def test_token_is_shared_by_provider_instances(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")
    make_tvdb().series("334824")

    assert fake_tvdb.logins == 1
    assert len(fake_tvdb.tokens) == 1


def test_token_cache_is_kept_per_api_key(fake_tvdb, make_tvdb):
    fake_tvdb.api_keys.add("second-project-key")

    make_tvdb().series("81189")
    make_tvdb(api_key="second-project-key").series("81189")

    assert fake_tvdb.logins == 2


def test_token_cache_is_kept_per_api_url(fake_tvdb, make_tvdb):
    with FakeTvdb() as other:
        make_tvdb().series("81189")
        make_tvdb(api_url=other.api_url).series("81189")

        assert (fake_tvdb.logins, other.logins) == (1, 1)


def test_expired_token_is_renewed_and_the_call_retried_once(fake_tvdb, make_tvdb):
    provider = make_tvdb()
    provider.series("81189")
    fake_tvdb.expire_tokens()

    series = provider.series("334824")

    assert series.title == "Dark"
    assert fake_tvdb.logins == 2
    calls = [(r.method, r.path) for r in fake_tvdb.requests[2:]]
    assert calls == [
        ("GET", "/v4/series/334824/extended"),  # 401
        ("POST", "/v4/login"),
        ("GET", "/v4/series/334824/extended"),
    ]


def test_renewed_token_replaces_the_shared_one(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")
    fake_tvdb.expire_tokens()
    make_tvdb().series("81189")  # renews

    make_tvdb().series("81189")

    assert fake_tvdb.logins == 2


def test_token_refused_after_renewal_raises_without_looping(fake_tvdb, make_tvdb):
    fake_tvdb.refuse_tokens = True

    with pytest.raises(AuthenticationError, match="refused a fresh login token"):
        make_tvdb().series("81189")

    assert fake_tvdb.logins == 2
    assert fake_tvdb.paths("GET") == ["/v4/series/81189/extended"] * 2


def test_token_older_than_25_days_is_renewed_before_use(fake_tvdb, make_tvdb, monkeypatch):
    provider = make_tvdb()
    provider.series("81189")
    later = time.time() + 26 * 86400
    monkeypatch.setattr(tvdb_module.time, "time", lambda: later)

    provider.series("81189")

    assert fake_tvdb.logins == 2
    assert all(r.headers["Authorization"] for r in fake_tvdb.requests if r.method == "GET")
    assert len(fake_tvdb.paths("GET")) == 2  # no 401 was needed


def test_token_younger_than_25_days_is_reused(fake_tvdb, make_tvdb, monkeypatch):
    make_tvdb().series("81189")
    later = time.time() + 24 * 86400
    monkeypatch.setattr(tvdb_module.time, "time", lambda: later)

    make_tvdb().series("81189")

    assert fake_tvdb.logins == 1


def test_test_logs_in_afresh_despite_a_cached_token(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")

    assert make_tvdb().test().ok
    assert fake_tvdb.logins == 2


def test_test_reports_a_revoked_key_even_with_a_cached_token(fake_tvdb, make_tvdb):
    make_tvdb().series("81189")
    fake_tvdb.api_keys.clear()

    result = make_tvdb().test()

    assert not result.ok
    assert result.details["code"] == "authentication_failed"


def test_api_key_echoed_by_the_login_is_scrubbed_from_the_message(fake_tvdb, make_tvdb):
    fake_tvdb.echo_secrets = True

    result = make_tvdb(api_key="secret-key-7731").test()

    assert not result.ok
    assert "secret-key-7731" not in result.message
    assert "***" in result.message


def test_pin_echoed_by_the_login_is_scrubbed_from_the_message(fake_tvdb, make_tvdb):
    fake_tvdb.pin, fake_tvdb.echo_secrets = "4821", True

    with pytest.raises(AuthenticationError) as caught:
        make_tvdb(pin="9999").series("81189")

    assert "9999" not in caught.value.message
    assert "9999" not in str(caught.value)


def test_token_echoed_in_an_error_body_is_scrubbed_from_the_message(fake_tvdb, make_tvdb):
    provider = make_tvdb()
    provider.series("81189")
    (token,) = fake_tvdb.tokens
    fake_tvdb.fail("/v4/series/81189/extended", Reply(500, f"token {token} broke the cache"))

    with pytest.raises(ServerError) as caught:
        provider.series("81189")

    assert token not in caught.value.message
    assert "***" in caught.value.message


def test_secrets_never_appear_in_request_urls(fake_tvdb, make_tvdb):
    fake_tvdb.pin = "4821"
    provider = make_tvdb(pin="4821")
    provider.series("81189")
    provider.search_series("breaking", 2008)
    provider.episodes("81189", 1)

    (token,) = fake_tvdb.tokens
    for request in fake_tvdb.requests:
        for secret in (API_KEY, "4821", token):
            assert secret not in request.raw_path
