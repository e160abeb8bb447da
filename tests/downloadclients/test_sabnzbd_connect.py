"""SABnzbd ``test()``, settings and error answers, replayed with ``responses`` in the
shapes SABnzbd 3.0–5.0 send (key errors are bare text with HTTP 403, or 200 on 3.0–3.2)."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from integrations.downloadclients.base import Capability
from integrations.downloadclients.providers.sabnzbd import SABnzbd, SABnzbdSettings
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    ServerError,
    UnsupportedError,
)

from .sabnzbd_fixtures import API_KEY, NZB_KEY, fake_sabnzbd, load, make, text_reply


@pytest.fixture
def sab():
    yield from fake_sabnzbd()


# -- test(): the happy path and what makes it degraded -----------------------------------------


def test_test_reports_version_and_api(sab):
    result = make().run_test()
    assert result.ok
    assert result.message == "Connected to SABnzbd 4.5.1 (JSON API, full API key)"
    assert result.details["categories"] == ["audio", "movies", "software", "tv"]
    assert "degraded" not in result.details


def test_test_checks_categories_with_get_config(sab):
    make().test()
    assert [c.params.get("section") for c in sab.calls_to("get_config")] == [
        "categories",
        "sorters",
    ]


def test_missing_category_makes_the_test_degraded_and_says_to_create_it(sab):
    health = make(movie_category="films").health()
    assert health.status == "degraded"
    assert "SABnzbd has no category films; create it in SABnzbd" in health.message
    assert health.details["missing_categories"] == ["films"]


def test_two_missing_categories_are_named_together(sab):
    message = make(tv_category="shows", movie_category="films").run_test().message
    assert "SABnzbd has no categories shows, films; create them in SABnzbd" in message


def test_test_reads_only_the_queue_header(sab):
    make().test()
    assert sab.calls_to("queue")[0].params["limit"] == "1"


def test_category_without_job_folders_is_degraded(sab):
    sab.on("get_config", "get_config_categories_no_job_folder", sub="categories")
    health = make().health()
    assert health.status == "degraded"
    assert "category tv has job folders turned off" in health.message


def test_active_sorter_on_a_configured_category_is_degraded(sab):
    sab.on("get_config", "get_config_sorters", sub="sorters")
    health = make().health()
    assert health.status == "degraded"
    assert "sorter 'Series Sorting' renames and moves downloads of category tv" in health.message


def test_inactive_sorter_does_not_degrade(sab):
    sorters = load("get_config_sorters")
    sorters["config"]["sorters"][0]["is_active"] = 0
    sab.on("get_config", sorters, sub="sorters")
    assert make().health().status == "healthy"


def test_sabnzbd_3_without_sorters_section_is_healthy(sab):
    sab.on("get_config", "get_config_unknown_section", sub="sorters")
    assert make().health().status == "healthy"


def test_paused_queue_is_degraded(sab):
    sab.on("queue", "queue_paused")
    health = make().health()
    assert health.status == "degraded"
    assert "queue is paused" in health.message


# -- versions ----------------------------------------------------------------------------------
def test_version_older_than_3_is_unsupported_and_names_the_minimum(sab):
    sab.on("version", "version_old")
    with pytest.raises(UnsupportedError) as err:
        make().test()
    assert str(err.value) == "SABnzbd 2.3.9 is too old; idkarr needs SABnzbd 3.0.0 or newer"


def test_version_3_0_0_is_accepted(sab):
    sab.on("version", "version_3_0_0")
    assert make().run_test().ok


def test_develop_build_is_accepted_and_said_so(sab):
    sab.on("version", "version_develop")
    result = make().run_test()
    assert result.message.startswith("Connected to SABnzbd develop (a development build)")


def test_beta_version_string_is_parsed(sab):
    sab.on("version", "version_beta")
    assert make().run_test().details["version"] == "4.6.0Beta1"


def test_unreadable_version_does_not_look_like_sabnzbd(sab):
    sab.on("version", {"version": "banana"})
    with pytest.raises(ProtocolError, match="does not look like SABnzbd"):
        make().test()


def test_json_without_a_version_does_not_look_like_sabnzbd(sab):
    sab.on("version", {"status": True})
    with pytest.raises(ProtocolError, match="does not look like SABnzbd"):
        make().test()


def test_version_is_checked_once_per_instance_for_verbs(sab):
    client = make()
    client.get_downloads()
    client.get_downloads()
    assert len(sab.calls_to("version")) == 1


# -- key errors --------------------------------------------------------------------------------
def test_wrong_api_key_is_an_authentication_error_without_the_key(sab):
    sab.on("get_config", text_reply("api_key_incorrect"), sub="categories")
    sab.on("auth", "auth_badkey")
    with pytest.raises(AuthenticationError) as err:
        make().test()
    assert str(err.value).startswith("SABnzbd rejected the API key (API Key Incorrect)")
    assert "Config → General → Security" in str(err.value)
    assert API_KEY not in str(err.value)


def test_nzb_key_is_told_apart_and_the_full_api_key_asked_for(sab):
    sab.on("get_config", text_reply("api_key_incorrect"), sub="categories")
    sab.on("auth", "auth_nzbkey")
    result = make(api_key=NZB_KEY).run_test()
    assert not result.ok
    assert result.message.startswith("That is SABnzbd's NZB key, which can only add NZBs")
    assert "full API key" in result.message
    assert sab.calls_to("auth")[0].params["key"] == NZB_KEY


def test_missing_api_key_answer_is_an_authentication_error(sab):
    sab.on("get_config", text_reply("api_key_required"), sub="categories")
    with pytest.raises(AuthenticationError, match="SABnzbd requires an API key"):
        make().test()


def test_key_error_of_sabnzbd_3_0_with_http_200_is_an_authentication_error(sab):
    sab.on("queue", text_reply("api_key_incorrect_3_0"))
    with pytest.raises(AuthenticationError, match="API Key Incorrect"):
        make().get_downloads()


def test_bare_403_explains_that_the_key_is_most_likely_wrong(sab):
    sab.on("get_config", text_reply("api_key_hidden"), sub="categories")
    with pytest.raises(AuthenticationError, match="API warnings are off"):
        make().test()


def test_external_access_denied_says_where_to_allow_it(sab):
    sab.on("version", text_reply("external_access_denied"))
    with pytest.raises(ConfigurationError, match="External Internet Access"):
        make().test()


def test_hostname_verification_failure_names_host_whitelist(sab):
    sab.on("version", text_reply("hostname_check"))
    with pytest.raises(ConfigurationError, match="host_whitelist"):
        make().test()


# -- hostile or odd answers --------------------------------------------------------------------
def test_html_login_page_of_a_reverse_proxy_is_a_protocol_error(sab):
    sab.on("version", text_reply("proxy_login_page"))
    with pytest.raises(ProtocolError) as err:
        make().test()
    assert "HTML page" in str(err.value)
    assert "reverse proxy" in str(err.value)


def test_truncated_json_is_a_protocol_error(sab):
    sab.on("queue", {"content_type": "application/json", "status": 200, "body": '{"queue": {"sl'})
    with pytest.raises(ProtocolError, match="SABnzbd returned invalid JSON"):
        make().get_downloads()


def test_404_points_at_the_url_base(sab):
    sab.on("version", text_reply("cherrypy_404"))
    with pytest.raises(NotFoundError, match="check the port and the URL base"):
        make().test()


def test_401_of_a_reverse_proxy_asks_for_its_login(sab):
    sab.on("version", {"status": 401, "content_type": "text/html", "body": "Unauthorized"})
    with pytest.raises(AuthenticationError, match="reverse proxy's username and password"):
        make().test()


def test_json_error_for_an_unknown_mode_is_unsupported(sab):
    sab.on("switch", "error_not_implemented")
    sab.on("queue", "queue")
    with pytest.raises(UnsupportedError, match="does not implement mode=switch"):
        make().set_priority("SABnzbd_nzo_q1w2e3", "top")


def test_json_error_envelope_is_an_error_naming_sabnzbd(sab):
    sab.on("queue", "error_expects_one_parameter", sub="pause")
    with pytest.raises(IntegrationError, match="SABnzbd refused mode=queue: expects one parameter"):
        make().pause("SABnzbd_nzo_p86tgx")


def test_plain_text_error_of_sabnzbd_3_is_an_error(sab):
    sab.on("queue", text_reply("plain_error_3_x"))
    with pytest.raises(IntegrationError, match="SABnzbd refused mode=queue: not implemented"):
        make().get_downloads()


def test_a_server_error_page_echoing_the_key_is_scrubbed(sab):
    body = f"<html>500: crash handling /api?apikey={API_KEY}</html>"
    sab.on("queue", {"status": 500, "content_type": "text/html", "body": body})
    with pytest.raises(ServerError) as err:
        make().get_downloads()
    assert API_KEY not in str(err.value)
    assert "***" in str(err.value)


def test_queue_in_an_unexpected_shape_is_a_protocol_error(sab):
    sab.on("queue", {"queue": {"slots": "none"}})
    with pytest.raises(ProtocolError, match="queue in an unexpected shape"):
        make().get_downloads()


def test_history_false_is_a_protocol_error(sab):
    sab.on("history", "history_unchanged")
    with pytest.raises(ProtocolError, match="history in an unexpected shape"):
        make().get_downloads()


# -- request form ------------------------------------------------------------------------------
def test_every_call_sends_the_api_key_and_asks_for_json(sab):
    make().test()
    assert sab.calls
    assert all(c.params["apikey"] == API_KEY and c.params["output"] == "json" for c in sab.calls)


def test_url_base_prefixes_the_api_path():
    import responses

    from .sabnzbd_fixtures import FakeSabnzbd

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeSabnzbd(rsps, base="http://127.0.0.1:8080/sabnzbd/api")
        assert make(url_base="/sabnzbd/").run_test().ok
        assert fake.calls


def test_proxy_credentials_are_sent_as_basic_auth(sab):
    make(username="proxy", password="proxy-pw").test()
    token = base64.b64encode(b"proxy:proxy-pw").decode()
    assert sab.calls[0].headers["Authorization"] == f"Basic {token}"


def test_no_authorization_header_without_proxy_credentials(sab):
    make().test()
    assert "Authorization" not in sab.calls[0].headers


# -- settings and class attributes -------------------------------------------------------------
def test_settings_require_an_api_key():
    with pytest.raises(ValidationError):
        SABnzbdSettings()


def test_settings_refuse_a_blank_api_key():
    with pytest.raises(ValidationError, match="the API key is required"):
        SABnzbdSettings(api_key="   ")


def test_settings_strip_the_api_key():
    assert SABnzbdSettings(api_key=f" {API_KEY}\n").api_key.get_secret_value() == API_KEY


def test_settings_lowercase_categories_as_sabnzbd_does():
    assert SABnzbdSettings(api_key=API_KEY, tv_category="TV").tv_category == "tv"


def test_settings_defaults_match_a_stock_sabnzbd():
    s = SABnzbdSettings(api_key=API_KEY)
    assert (s.port, s.tv_category, s.movie_category, s.recent_priority) == (
        8080,
        "tv",
        "movies",
        "default",
    )


def test_every_settings_field_has_a_description():
    assert [n for n, f in SABnzbdSettings.model_fields.items() if not f.description] == []


def test_api_key_and_proxy_password_are_secrets():
    assert set(SABnzbdSettings.secret_fields()) == {"api_key", "password"}
    assert API_KEY not in str(SABnzbdSettings(api_key=API_KEY).public_dict())


def test_capabilities_are_usenet_only():
    caps = SABnzbd.capabilities
    assert {Capability.USENET, Capability.NZB, Capability.URL} <= caps
    assert not caps & {Capability.TORRENT, Capability.MAGNET, Capability.CREATE_CATEGORIES}
    assert (SABnzbd.kind, SABnzbd.label, SABnzbd.protocol) == ("sabnzbd", "SABnzbd", "usenet")
