"""TMDB: settings, the connection test, both auth forms, and how failures map to the
error tree (401, 404, 429, 5xx, HTML, bad JSON, timeouts), never showing the key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from integrations.metadata.base import Capability
from integrations.metadata.providers.tmdb import Tmdb, TmdbSettings
from tests.conftest import free_port
from tests.metadata.fake_tmdb import (
    API_KEY,
    IMAGE_BASE,
    READ_TOKEN,
    FakeTmdb,
    fake_tmdb,  # noqa: F401 (fixture)
    make_tmdb,
    tmdb,  # noqa: F401 (fixture)
    tmdb_token,  # noqa: F401 (fixture)
)

WRONG_KEY = "0" * 32


# -- settings --------------------------------------------------------------------
def test_kind_label_and_official_address():
    assert (Tmdb.kind, Tmdb.label, Tmdb.default_api_url) == (
        "tmdb",
        "TMDB",
        "https://api.themoviedb.org/3",
    )


def test_empty_api_url_means_the_official_one():
    assert Tmdb(TmdbSettings(api_key=API_KEY)).url("/configuration") == (
        "https://api.themoviedb.org/3/configuration"
    )


def test_declares_series_movies_episodes_and_images():
    assert Tmdb.capabilities == {
        Capability.SERIES,
        Capability.MOVIES,
        Capability.EPISODES,
        Capability.IMAGES,
    }


def test_api_key_is_the_only_secret_setting():
    assert TmdbSettings.secret_fields() == ["api_key"]


def test_every_setting_is_described():
    undescribed = [name for name, f in TmdbSettings.model_fields.items() if not f.description]
    assert undescribed == []


def test_defaults_exclude_adult_titles_and_use_tmdbs_image_server():
    settings = TmdbSettings(api_key=API_KEY)
    assert (settings.include_adult, settings.image_base_url) == (False, IMAGE_BASE)


@pytest.mark.parametrize("key", [API_KEY, API_KEY.upper(), READ_TOKEN, f"  {READ_TOKEN}\n"])
def test_v3_key_or_v4_token_is_accepted(key):
    assert TmdbSettings(api_key=key).api_key.get_secret_value() == key.strip()


@pytest.mark.parametrize(
    "key",
    ["", "abc123", API_KEY + "0", "g" * 32, "eyJhbGciOiJIUzI1NiJ9", "eyJ a.b.c", "Bearer x.y.z"],
)
def test_key_of_another_shape_is_refused(key):
    with pytest.raises(ValidationError):
        TmdbSettings(api_key=key)


def test_refused_key_is_not_repeated_in_the_validation_error():
    almost = API_KEY[:-1] + "z"
    with pytest.raises(ValidationError) as caught:
        TmdbSettings(api_key=almost)
    assert almost not in str(caught.value)


def test_image_base_url_gets_a_trailing_slash():
    settings = TmdbSettings(api_key=API_KEY, image_base_url="https://images.example/t/p")
    assert settings.image_base_url == "https://images.example/t/p/"


def test_image_base_url_must_be_http():
    with pytest.raises(ValidationError):
        TmdbSettings(api_key=API_KEY, image_base_url="image.tmdb.org/t/p/")


# -- test() ----------------------------------------------------------------------
def test_test_passes_with_a_v3_key(tmdb):
    result = tmdb.test()
    assert result.ok
    assert result.message == f"Connected to TMDB with a v3 API key; images at {IMAGE_BASE}"


def test_test_passes_with_a_v4_token(tmdb_token):
    result = tmdb_token.test()
    assert result.ok
    assert result.message == (
        f"Connected to TMDB with a v4 read access token; images at {IMAGE_BASE}"
    )


def test_test_reads_the_configuration(fake_tmdb, tmdb):
    tmdb.test()
    assert fake_tmdb.paths == ["/configuration"]


def test_test_details_carry_the_image_base_url_from_the_configuration(fake_tmdb, tmdb):
    fake_tmdb.configuration["images"]["secure_base_url"] = "https://cdn.example/t/p/"
    details = tmdb.test().details
    assert details["image_base_url"] == "https://cdn.example/t/p/"
    assert details["auth"] == "api_key"
    assert "original" in details["poster_sizes"]


def test_test_fails_on_a_configuration_without_images(fake_tmdb, tmdb):
    fake_tmdb.replace("/configuration", {"change_keys": []})
    with pytest.raises(ProtocolError):
        tmdb.test()


def test_v3_key_travels_as_the_api_key_parameter(fake_tmdb, tmdb):
    tmdb.test()
    request = fake_tmdb.last_request
    assert request.query["api_key"] == [API_KEY]
    assert request.headers.get("Authorization") is None


def test_v4_token_travels_as_a_bearer_header_only(fake_tmdb, tmdb_token):
    tmdb_token.test()
    request = fake_tmdb.last_request
    assert request.headers.get("Authorization") == f"Bearer {READ_TOKEN}"
    assert "api_key" not in request.query


def test_every_request_carries_the_language(fake_tmdb):
    with make_tmdb(fake_tmdb, language="pt-BR") as provider:
        provider.test()
        provider.search_series("Breaking Bad")
        provider.series("1396")
    assert [r.query.get("language") for r in fake_tmdb.requests] == [["pt-BR"]] * 3


def test_requests_ask_for_json(fake_tmdb, tmdb):
    tmdb.test()
    assert fake_tmdb.last_request.headers.get("Accept") == "application/json"


# -- credentials -----------------------------------------------------------------
def test_wrong_v3_key_is_an_authentication_error_with_tmdbs_words(fake_tmdb):
    with (
        make_tmdb(fake_tmdb, api_key=WRONG_KEY) as provider,
        pytest.raises(AuthenticationError) as caught,
    ):
        provider.test()
    assert caught.value.message == (
        "TMDB refused the API key: Invalid API key: You must be granted a valid key."
    )


def test_wrong_v4_token_is_an_authentication_error(fake_tmdb):
    fake_tmdb.read_token = READ_TOKEN[:-4] + "AAAA"
    with make_tmdb(fake_tmdb, api_key=READ_TOKEN) as provider, pytest.raises(AuthenticationError):
        provider.series("1396")


def test_wrong_key_fails_run_test_without_raising(fake_tmdb):
    with make_tmdb(fake_tmdb, api_key=WRONG_KEY) as provider:
        result = provider.run_test()
    assert not result.ok
    assert result.details["code"] == "authentication_failed"


# -- failures --------------------------------------------------------------------
def test_unknown_series_is_not_found_naming_the_id(tmdb):
    with pytest.raises(NotFoundError) as caught:
        tmdb.series("424242")
    assert caught.value.message == "TMDB has no series with id 424242"


def test_unknown_movie_is_not_found_naming_the_id(tmdb):
    with pytest.raises(NotFoundError) as caught:
        tmdb.movie("424242")
    assert "424242" in caught.value.message


def test_non_numeric_id_is_not_found_without_asking(fake_tmdb, tmdb):
    with pytest.raises(NotFoundError):
        tmdb.series("../configuration")
    assert fake_tmdb.requests == []


def test_rate_limit_is_rate_limited_with_retry_after(fake_tmdb, tmdb):
    fake_tmdb.fail("429")
    with pytest.raises(RateLimited) as caught:
        tmdb.series("1396")
    assert caught.value.retry_after == 7.0


def test_rate_limit_message_carries_tmdbs_words(fake_tmdb, tmdb):
    fake_tmdb.fail("429")
    with pytest.raises(RateLimited) as caught:
        tmdb.search_movies("Dune")
    assert "over the allowed limit of (40)" in caught.value.message


def test_server_error_is_a_server_error(fake_tmdb, tmdb):
    fake_tmdb.fail("500")
    with pytest.raises(ServerError):
        tmdb.test()


def test_html_page_is_a_protocol_error(fake_tmdb, tmdb):
    fake_tmdb.fail("html")
    with pytest.raises(ProtocolError):
        tmdb.test()


def test_malformed_json_is_a_protocol_error(fake_tmdb, tmdb):
    fake_tmdb.fail("malformed")
    with pytest.raises(ProtocolError):
        tmdb.search_series("Breaking Bad")


def test_json_array_answer_is_a_protocol_error(fake_tmdb, tmdb):
    fake_tmdb.replace("/tv/1396", [{"id": 1396}])
    with pytest.raises(ProtocolError):
        tmdb.series("1396")


def test_redirect_is_not_followed(fake_tmdb, tmdb):
    fake_tmdb.fail("redirect")
    with pytest.raises(ConfigurationError):
        tmdb.test()
    assert len(fake_tmdb.requests) == 1


def test_server_that_does_not_answer_in_time_is_a_timeout():
    with FakeTmdb() as srv, make_tmdb(srv, timeout_seconds=0.3) as provider:
        srv.fail("hang")
        with pytest.raises(RequestTimedOut):
            provider.test()


# -- the key never shows -----------------------------------------------------------
@pytest.mark.parametrize("mode", ["429", "500", "html", "malformed", "echo", "redirect"])
def test_key_never_appears_in_a_failure_message(fake_tmdb, tmdb, mode):
    fake_tmdb.fail(mode)
    with pytest.raises(IntegrationError) as caught:
        tmdb.series("1396")
    assert API_KEY not in caught.value.message
    assert API_KEY not in str(caught.value)


def test_key_echoed_by_a_proxy_page_is_masked(fake_tmdb, tmdb):
    fake_tmdb.fail("echo")
    with pytest.raises(ServerError) as caught:
        tmdb.test()
    assert "api_key=***" in caught.value.message


def test_key_never_appears_in_a_not_found_message(tmdb):
    with pytest.raises(NotFoundError) as caught:
        tmdb.series("424242")
    assert API_KEY not in str(caught.value)


def test_key_never_appears_in_a_connection_refused_message():
    port = free_port()  # nothing listens there
    provider = Tmdb(TmdbSettings(api_url=f"http://127.0.0.1:{port}/3", api_key=API_KEY))
    with provider, pytest.raises(ConnectionFailed) as caught:
        provider.series("1396")
    assert "connection refused" in caught.value.message
    assert API_KEY not in str(caught.value)


def test_key_never_appears_in_a_timeout_message():
    with FakeTmdb() as srv, make_tmdb(srv, timeout_seconds=0.3) as provider:
        srv.fail("hang")
        with pytest.raises(RequestTimedOut) as caught:
            provider.search_movies("Inception")
    assert API_KEY not in str(caught.value)
