"""Trakt: renewing the sign-in (before expiry, after a 401, refused) with the rotated
tokens kept on the instance and in ``updated_settings``, and the device sign-in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    RateLimited,
    ServerError,
)
from tests.importlists.fake_trakt import (
    CLIENT_ID,
    CLIENT_SECRET,
    EXPIRES_IN,
    NOW,
    build,  # noqa: F401 (fixture)
    fake_trakt,  # noqa: F401 (fixture)
    in_,
    signed_in,  # noqa: F401 (fixture)
)

EXPIRY = datetime.fromtimestamp(NOW + EXPIRES_IN, UTC)


def secret(value):
    return value.get_secret_value() if value is not None else None


# -- renewing before expiry ------------------------------------------------------------
def test_token_expiring_within_five_minutes_is_renewed_first(fake_trakt, signed_in):
    signed_in(expires_at=in_(minutes=4)).fetch()

    assert [r.path for r in fake_trakt.requests] == ["/oauth/token", "/users/me/watchlist/shows"]


def test_expired_token_is_renewed_first(fake_trakt, signed_in):
    signed_in(expires_at=in_(days=-2)).fetch()

    assert fake_trakt.requests[0].path == "/oauth/token"


def test_token_valid_for_longer_is_not_renewed(fake_trakt, signed_in):
    signed_in(expires_at=in_(minutes=10)).fetch()

    assert fake_trakt.requests_to("/oauth/token") == []


def test_token_without_expiry_is_not_renewed(fake_trakt, signed_in):
    signed_in(expires_at=None).fetch()

    assert fake_trakt.requests_to("/oauth/token") == []


def test_naive_expiry_counts_as_utc(fake_trakt, signed_in):
    signed_in(expires_at=in_(days=-1).replace(tzinfo=None)).fetch()

    assert fake_trakt.requests[0].path == "/oauth/token"


def test_renewal_sends_the_refresh_grant(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1))
    old_refresh = secret(provider.settings.refresh_token)
    provider.fetch()

    assert fake_trakt.requests[0].json() == {
        "refresh_token": old_refresh,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "grant_type": "refresh_token",
    }


def test_renewal_sends_no_bearer_token(fake_trakt, signed_in):
    signed_in(expires_at=in_(minutes=1)).fetch()

    assert fake_trakt.requests[0].headers.get("Authorization") is None


def test_renewal_puts_the_rotated_tokens_in_updated_settings(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1))
    provider.fetch()

    new_access = fake_trakt.requests[-1].headers["Authorization"].removeprefix("Bearer ")
    assert provider.updated_settings == {
        "access_token": new_access,
        "refresh_token": next(iter(fake_trakt.refresh_tokens)),
        "expires_at": EXPIRY.isoformat(),
    }


def test_renewal_keeps_the_rotated_tokens_on_the_instance(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1))
    provider.fetch()

    settings = provider.settings
    assert secret(settings.access_token) == provider.updated_settings["access_token"]
    assert secret(settings.refresh_token) == provider.updated_settings["refresh_token"]
    assert settings.expires_at == EXPIRY


def test_list_is_read_with_the_renewed_token(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1))
    old_access = secret(provider.settings.access_token)
    provider.fetch()

    sent = fake_trakt.last_request.headers["Authorization"]
    assert sent == f"Bearer {provider.updated_settings['access_token']}" != f"Bearer {old_access}"


def test_renewal_without_a_new_refresh_token_keeps_the_old_one(fake_trakt, signed_in):
    fake_trakt.omit_refresh_token = True
    provider = signed_in(expires_at=in_(minutes=1))
    old_refresh = secret(provider.settings.refresh_token)
    provider.fetch()

    assert provider.updated_settings["refresh_token"] == old_refresh


def test_no_renewal_without_the_client_secret(fake_trakt, signed_in):
    signed_in(expires_at=in_(minutes=1), client_secret=None).fetch()

    assert fake_trakt.requests_to("/oauth/token") == []


def test_read_without_renewal_leaves_updated_settings_empty(signed_in):
    provider = signed_in()
    provider.fetch()

    assert provider.updated_settings == {}


def test_test_renews_an_expiring_token_too(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1))

    assert provider.test().ok
    assert provider.updated_settings["access_token"]


def test_lists_renews_an_expiring_token_too(fake_trakt, signed_in):
    signed_in(expires_at=in_(minutes=1)).lists()

    assert [r.path for r in fake_trakt.requests] == ["/oauth/token", "/users/me/lists"]


# -- 401 → renew → retry -----------------------------------------------------------------
def test_401_renews_and_retries_once(fake_trakt, signed_in):
    provider = signed_in()
    fake_trakt.revoke(secret(provider.settings.access_token))
    items = provider.fetch()

    assert [(r.method, r.path) for r in fake_trakt.requests] == [
        ("GET", "/users/me/watchlist/shows"),
        ("POST", "/oauth/token"),
        ("GET", "/users/me/watchlist/shows"),
    ]
    assert len(items) == 2


def test_401_renewal_puts_the_new_tokens_in_updated_settings(fake_trakt, signed_in):
    provider = signed_in()
    fake_trakt.revoke(secret(provider.settings.access_token))
    provider.fetch()

    assert provider.updated_settings["access_token"] in fake_trakt.access_tokens


def test_401_again_after_renewal_is_an_authentication_error(fake_trakt, signed_in):
    fake_trakt.fail("401", path="/users/me/watchlist/shows")
    provider = signed_in()

    with pytest.raises(AuthenticationError, match="sign in to Trakt again"):
        provider.fetch()
    assert len(fake_trakt.requests_to("/oauth/token")) == 1


def test_401_without_a_refresh_token_is_an_authentication_error(fake_trakt, signed_in):
    provider = signed_in(refresh_token=None)
    fake_trakt.revoke(secret(provider.settings.access_token))

    with pytest.raises(AuthenticationError, match="sign in to Trakt again"):
        provider.fetch()
    assert fake_trakt.requests_to("/oauth/token") == []


def test_401_without_any_sign_in_asks_to_sign_in(fake_trakt, build):
    fake_trakt.fail("401")

    with pytest.raises(AuthenticationError, match="needs a sign-in"):
        build().fetch()


# -- refused renewal -------------------------------------------------------------------
def test_refused_renewal_asks_to_sign_in_again(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1), refresh_token="r3fresh-unknown")

    with pytest.raises(AuthenticationError) as caught:
        provider.fetch()
    assert caught.value.message == "Trakt refused the saved sign-in: sign in to Trakt again"


def test_used_refresh_token_is_refused_after_rotation(fake_trakt, signed_in):
    first = signed_in(expires_at=in_(minutes=1))
    stale = secret(first.settings.refresh_token)
    first.fetch()
    second = signed_in(expires_at=in_(minutes=1), refresh_token=stale)

    with pytest.raises(AuthenticationError, match="refused the saved sign-in"):
        second.fetch()


def test_refused_renewal_leaves_updated_settings_empty(fake_trakt, signed_in):
    provider = signed_in(expires_at=in_(minutes=1), refresh_token="r3fresh-unknown")

    with pytest.raises(AuthenticationError):
        provider.fetch()
    assert provider.updated_settings == {}


def test_renewal_refused_with_400_asks_to_sign_in_again(fake_trakt, signed_in):
    fake_trakt.refused_grant_status = 400

    with pytest.raises(AuthenticationError, match="sign in to Trakt again"):
        signed_in(expires_at=in_(minutes=1), refresh_token="r3fresh-unknown").fetch()


def test_renewal_server_error_is_a_server_error(fake_trakt, signed_in):
    fake_trakt.fail("500", path="/oauth/token")

    with pytest.raises(ServerError):
        signed_in(expires_at=in_(minutes=1)).fetch()


def test_renewal_answered_with_a_web_page_is_a_protocol_error(fake_trakt, signed_in):
    fake_trakt.fail("html", path="/oauth/token")

    with pytest.raises(ProtocolError, match="HTML"):
        signed_in(expires_at=in_(minutes=1)).fetch()


def test_renewal_answer_without_access_token_is_a_protocol_error(fake_trakt, signed_in):
    fake_trakt.replace("/oauth/token", {"token_type": "bearer", "expires_in": 86400})

    with pytest.raises(ProtocolError, match="without an access token"):
        signed_in(expires_at=in_(minutes=1)).fetch()


def test_renewal_answer_with_an_impossible_expiry_is_a_protocol_error(fake_trakt, signed_in):
    fake_trakt.replace("/oauth/token", {"access_token": "a", "expires_in": 10**20})

    with pytest.raises(ProtocolError, match="impossible expiry"):
        signed_in(expires_at=in_(minutes=1)).fetch()


# -- device sign-in --------------------------------------------------------------------
def test_start_device_auth_returns_the_codes_to_show(fake_trakt, build):
    started = build().start_device_auth()

    assert started == {
        "device_code": next(iter(fake_trakt.devices)),
        "user_code": started["user_code"],
        "verification_url": "https://trakt.tv/activate",
        "expires_in": 600,
        "interval": 5,
    }
    assert started["user_code"].endswith("ABCD")


def test_start_device_auth_sends_the_client_id_only(fake_trakt, build):
    build().start_device_auth()

    request = fake_trakt.last_request
    assert (request.method, request.path, request.json()) == (
        "POST",
        "/oauth/device/code",
        {"client_id": CLIENT_ID},
    )


def test_start_device_auth_with_an_unknown_app_blames_the_client_id(fake_trakt, build):
    with pytest.raises(AuthenticationError, match="client id or secret is not valid"):
        build(client_id="someone-elses-app").start_device_auth()


def test_poll_with_a_wrong_secret_blames_the_client_secret(fake_trakt, build):
    with pytest.raises(AuthenticationError, match="client id or secret is not valid"):
        build(client_secret="not-the-secret").poll_device_auth("d3vice-c0de-0001")


def test_poll_sends_code_client_id_and_secret(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    provider.poll_device_auth(code)

    assert fake_trakt.last_request.json() == {
        "code": code,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }


def test_poll_while_pending_returns_none(build):
    provider = build()
    code = provider.start_device_auth()["device_code"]

    assert provider.poll_device_auth(code) is None


def test_poll_after_approval_returns_the_tokens(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    fake_trakt.approve(code)
    tokens = provider.poll_device_auth(code)

    assert tokens == {
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "expires_at": EXPIRY.isoformat(),
    }
    assert fake_trakt.access_tokens[tokens["access_token"]] == "alice"


def test_approved_tokens_are_kept_for_saving(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    fake_trakt.approve(code)
    tokens = provider.poll_device_auth(code)

    assert provider.updated_settings == tokens
    assert secret(provider.settings.access_token) == tokens["access_token"]


def test_poll_after_denial_is_an_authentication_error(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    fake_trakt.deny(code)

    with pytest.raises(AuthenticationError, match="denied"):
        provider.poll_device_auth(code)


def test_poll_after_expiry_is_an_authentication_error(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    fake_trakt.expire(code)

    with pytest.raises(AuthenticationError, match="expired"):
        provider.poll_device_auth(code)


def test_poll_of_a_used_code_is_an_authentication_error(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    fake_trakt.approve(code)
    provider.poll_device_auth(code)

    with pytest.raises(AuthenticationError, match="already used"):
        provider.poll_device_auth(code)


def test_poll_of_an_unknown_code_is_an_authentication_error(build):
    with pytest.raises(AuthenticationError, match="does not know this sign-in code"):
        build().poll_device_auth("d3vice-c0de-never-issued")


def test_polling_too_fast_is_rate_limited(fake_trakt, build):
    provider = build()
    code = provider.start_device_auth()["device_code"]
    fake_trakt.slow_down = True

    with pytest.raises(RateLimited, match="polling too fast") as caught:
        provider.poll_device_auth(code)
    assert caught.value.retry_after == 10


def test_poll_without_the_client_secret_is_a_configuration_error(fake_trakt, build):
    with pytest.raises(ConfigurationError, match="client secret"):
        build(client_secret=None).poll_device_auth("d3vice-c0de-0001")
    assert fake_trakt.requests == []
