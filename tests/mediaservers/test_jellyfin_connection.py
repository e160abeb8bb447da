"""Jellyfin provider: settings, auth, the connection test and error mapping, against the
fake Jellyfin 12 server on loopback."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from integrations.mediaservers.base import Capability
from integrations.mediaservers.providers.jellyfin import Jellyfin
from tests.httpserver import Reply
from tests.mediaservers.fake_jellyfin import (
    API_KEY,
    FAILURES,
    USER_TOKEN,
    FakeJellyfin,
    fake_jellyfin,  # noqa: F401 (a fixture)
    make_jellyfin,
)


# -- settings ---------------------------------------------------------------------------
def test_settings_require_an_api_key():
    with pytest.raises(ValidationError) as info:
        Jellyfin.Settings(host="127.0.0.1")
    assert "api_key" in str(info.value)


def test_a_blank_api_key_is_refused():
    with pytest.raises(ValidationError, match="API key is required"):
        Jellyfin.Settings(host="127.0.0.1", api_key="   ")


def test_the_api_key_is_a_secret_kept_out_of_the_public_settings():
    settings = Jellyfin.Settings(host="127.0.0.1", api_key=API_KEY, user_id="u1")
    assert Jellyfin.Settings.secret_fields() == ["api_key"]
    assert API_KEY not in str(settings.public_dict())


def test_the_default_port_is_8096_and_the_user_is_optional():
    settings = Jellyfin.Settings(api_key=API_KEY)
    assert (settings.port, settings.user_id) == (8096, "")


def test_every_setting_has_a_description():
    fields = Jellyfin.Settings.model_fields
    assert [name for name, field in fields.items() if not field.description] == []


def test_it_declares_every_media_server_capability():
    assert Jellyfin.capabilities == {c.value for c in Capability}


# -- auth ---------------------------------------------------------------------------------
def test_the_key_goes_in_a_mediabrowser_authorization_header(fake_jellyfin):
    make_jellyfin(fake_jellyfin).libraries()
    header = fake_jellyfin.last_request.headers["Authorization"]
    assert header.startswith("MediaBrowser ")
    assert f'Token="{API_KEY}"' in header
    assert 'Client="idkarr"' in header and 'Version="0.1.0"' in header


def test_no_legacy_auth_header_is_sent(fake_jellyfin):
    make_jellyfin(fake_jellyfin).libraries()
    headers = fake_jellyfin.last_request.headers
    assert headers.get("X-Emby-Token") is None and headers.get("X-MediaBrowser-Token") is None


def test_the_key_is_never_put_in_a_url(fake_jellyfin):
    make_jellyfin(fake_jellyfin).run_test()
    assert fake_jellyfin.requests
    assert all(API_KEY not in r.raw_path for r in fake_jellyfin.requests)


# -- the connection test ----------------------------------------------------------------
def test_a_working_server_passes_naming_its_version_and_libraries(fake_jellyfin):
    result = make_jellyfin(fake_jellyfin).test()
    assert result.ok is True
    assert result.message == 'Jellyfin 10.10.7 "Home" (3 libraries: Shows, Movies, Home videos)'


def test_the_test_details_carry_version_server_name_and_libraries(fake_jellyfin):
    details = make_jellyfin(fake_jellyfin).test().details
    assert details["version"] == "10.10.7"
    assert details["server_name"] == "Home"
    assert details["libraries"] == ["Shows", "Movies", "Home videos"]


def test_a_server_with_one_library_says_library(fake_jellyfin):
    fake_jellyfin.virtual_folders = fake_jellyfin.virtual_folders[:1]
    assert make_jellyfin(fake_jellyfin).test().message.endswith("(1 library: Shows)")


def test_a_wrong_key_fails_the_test_saying_where_to_create_one(fake_jellyfin):
    result = make_jellyfin(fake_jellyfin, api_key="0" * 32).test()
    assert result.ok is False
    assert result.message == ("Jellyfin refused the API key: create one in Dashboard → API Keys")
    assert result.details["code"] == "authentication_failed"


def test_a_non_administrator_fails_the_test_saying_an_administrator_key_is_needed(
    fake_jellyfin,
):
    result = make_jellyfin(fake_jellyfin, api_key=USER_TOKEN).test()
    assert result.ok is False
    assert "HTTP 403" in result.message and "administrator" in result.message
    assert fake_jellyfin.requests_to("/Library/VirtualFolders")


def test_an_emby_server_fails_the_test_naming_the_emby_kind(fake_jellyfin):
    fake_jellyfin.system_info["ProductName"] = "Emby Server"
    result = make_jellyfin(fake_jellyfin).test()
    assert result.ok is False
    assert "choose the Emby kind" in result.message
    assert result.details["code"] == "configuration_error"


def test_a_server_that_names_no_product_is_not_refused(fake_jellyfin):
    del fake_jellyfin.system_info["ProductName"]
    assert make_jellyfin(fake_jellyfin).test().ok is True


def test_run_test_reports_a_failure_with_its_latency(fake_jellyfin):
    result = make_jellyfin(fake_jellyfin, api_key="0" * 32).run_test()
    assert result.ok is False and result.latency_ms is not None


def test_a_server_under_a_base_url_is_asked_under_it():
    with FakeJellyfin("jellyfin", base="/jellyfin") as srv:
        result = make_jellyfin(srv, url_base="/jellyfin/").test()
    assert result.ok is True
    assert srv.requests[0].path == "/jellyfin/System/Info"


# -- errors -------------------------------------------------------------------------------
def test_an_html_page_is_a_protocol_error(fake_jellyfin):
    fake_jellyfin.override("*", FAILURES["html"])
    with pytest.raises(ProtocolError, match="HTML page"):
        make_jellyfin(fake_jellyfin).libraries()


def test_malformed_json_is_a_protocol_error(fake_jellyfin):
    fake_jellyfin.override("*", FAILURES["malformed"])
    with pytest.raises(ProtocolError, match="invalid JSON"):
        make_jellyfin(fake_jellyfin).recently_added()


def test_an_object_where_a_list_is_expected_is_a_protocol_error(fake_jellyfin):
    fake_jellyfin.virtual_folders = {"Name": "Shows", "Locations": ["/tv"]}
    with pytest.raises(ProtocolError, match="not a list"):
        make_jellyfin(fake_jellyfin).libraries()


def test_an_items_answer_without_items_is_a_protocol_error(fake_jellyfin):
    fake_jellyfin.override("/Items", Reply(200, {"TotalRecordCount": 0}))
    with pytest.raises(ProtocolError, match="without an Items list"):
        make_jellyfin(fake_jellyfin).recently_added()


def test_a_system_info_that_is_not_an_object_fails_the_test(fake_jellyfin):
    fake_jellyfin.override("/System/Info", Reply(200, ["Home"]))
    result = make_jellyfin(fake_jellyfin).test()
    assert result.ok is False and result.details["code"] == "protocol_error"


def test_a_server_error_is_a_server_error(fake_jellyfin):
    fake_jellyfin.override("*", FAILURES["500"])
    with pytest.raises(ServerError, match="HTTP 500"):
        make_jellyfin(fake_jellyfin).users()


def test_a_rate_limit_is_rate_limited_with_its_retry_after(fake_jellyfin):
    fake_jellyfin.override("*", Reply(429, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimited) as info:
        make_jellyfin(fake_jellyfin).users()
    assert info.value.retry_after == 30


def test_a_server_that_never_answers_is_a_read_timeout(fake_jellyfin):
    fake_jellyfin.override("*", FAILURES["hang"])
    with pytest.raises(RequestTimedOut):
        make_jellyfin(fake_jellyfin, timeout_seconds=0.2).libraries()


def test_an_unknown_endpoint_is_not_found(fake_jellyfin):
    fake_jellyfin.override("/Users", Reply(404))
    with pytest.raises(NotFoundError):
        make_jellyfin(fake_jellyfin).users()


def test_a_redirect_is_not_followed_with_the_key(fake_jellyfin):
    with FakeJellyfin("jellyfin") as elsewhere:
        fake_jellyfin.override("*", Reply(302, headers={"Location": elsewhere.url + "/Users"}))
        with pytest.raises(ConfigurationError, match="redirected"):
            make_jellyfin(fake_jellyfin).users()
        assert elsewhere.requests == []


@pytest.mark.parametrize(
    "failure",
    [
        Reply(401),
        Reply(403),
        Reply(500, f"invalid token {API_KEY}"),
        Reply(200, f"<html>token {API_KEY}</html>", {"Content-Type": "text/html"}),
        Reply(200, f'{{"Items": "{API_KEY}', {"Content-Type": "application/json"}),
        Reply(hang=True),
    ],
    ids=["401", "403", "500-echoing-the-key", "html-echoing-the-key", "malformed", "hang"],
)
def test_the_key_never_appears_in_an_error_message(fake_jellyfin, failure):
    fake_jellyfin.override("*", failure)
    provider = make_jellyfin(fake_jellyfin, timeout_seconds=0.2)
    with pytest.raises((AuthenticationError, ServerError, ProtocolError, RequestTimedOut)) as info:
        provider.recently_added()
    assert API_KEY not in str(info.value)
    assert API_KEY not in provider.run_test().message
