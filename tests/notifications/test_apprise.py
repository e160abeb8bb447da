"""Apprise notifier: API mode against a local apprise-api stand-in, library mode with real
Apprise URLs (json://, form://, xml://) pointed at a local HTTP receiver."""

from __future__ import annotations

import base64
import logging
import time
from urllib.parse import parse_qs

import apprise as apprise_lib
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
    ServerError,
)
from notifications.base import EventMessage
from notifications.message import Rendered, render
from notifications.providers.apprise import Apprise, AppriseSettings
from notifications.providers.apprise.common import (
    BODY_LIMIT,
    TITLE_LIMIT,
    build_body,
    load_service,
)
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

PASSWORD = "proxy-pass-Q7w"
URL_PASSWORD = "url-pass-Z3k"
URL_TOKEN = "tok3nAbCdEf123"
EVENTS = ("grab", "download", "upgrade", "health_issue", "manual_test")
TYPES = {
    "grab": "info",
    "download": "success",
    "upgrade": "success",
    "health_issue": "warning",  # the sample's check level is a warning
    "manual_test": "info",
}
TITLES = {
    "grab": "Grabbed: Test Title S01E01 [WEBDL-1080p]",
    "download": "Imported: Test Title S01E01 [WEBDL-1080p]",
    "upgrade": "Upgraded: Test Title S01E01 [WEBDL-1080p]",
    "health_issue": "Health issue: Download client qBittorrent is unavailable",
    "manual_test": "Test notification from idkarr",
}


@pytest.fixture
def server():
    with RecordingServer() as srv:
        yield srv


def api(server_url: str, **settings) -> Apprise:
    settings.setdefault("config_key", "" if "urls" in settings else "idkarr")
    return Apprise(AppriseSettings(mode="api", server_url=server_url, **settings))


def library(*urls: str, **settings) -> Apprise:
    return Apprise(AppriseSettings(mode="library", urls="\n".join(urls), **settings))


def send(notifier: Apprise, event_type: str = "grab", message: EventMessage | None = None):
    with notifier:
        return notifier.send(message or sample_message(event_type))


def fails(notifier: Apprise, exc=IntegrationError, event_type: str = "grab"):
    with pytest.raises(exc) as caught:
        send(notifier, event_type)
    return caught.value


def ok_json(details=None) -> Reply:
    return Reply(200, {"error": None, "details": details or []})


# -- API mode: request shape ---------------------------------------------------------
def test_stateful_posts_json_to_notify_key(server):
    send(api(server.url, config_key="tv-alerts"))
    request = server.last_request
    assert (request.method, request.path) == ("POST", "/notify/tv-alerts")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["X-Apprise-Log-Level"] == "WARNING"


def test_stateful_body_has_title_body_type_format_and_no_urls(server):
    send(api(server.url, config_key="tv"))
    body = server.last_request.json()
    assert set(body) == {"title", "body", "type", "format"}
    assert (body["title"], body["type"], body["format"]) == (TITLES["grab"], "info", "html")


def test_stateful_sends_the_tag_filter(server):
    send(api(server.url, config_key="tv", tags="family, admins tv"))
    assert server.last_request.json()["tag"] == "family, admins tv"


def test_stateless_posts_urls_to_notify_slash(server):
    urls = "json://a.lan/x\n# a comment\n\ndiscord://123/abc"
    send(api(server.url, urls=urls))
    request = server.last_request
    assert request.path == "/notify/"
    assert request.json()["urls"] == "json://a.lan/x discord://123/abc"
    assert "tag" not in request.json()


def test_server_url_path_prefix_is_kept(server):
    send(api(server.url + "/apprise/", config_key="k"))
    assert server.last_request.path == "/apprise/notify/k"


@pytest.mark.parametrize("event_type", EVENTS)
def test_api_title_and_type_per_event(server, event_type):
    send(api(server.url), event_type)
    body = server.last_request.json()
    assert (body["title"], body["type"]) == (TITLES[event_type], TYPES[event_type])


@pytest.mark.parametrize("event_type", EVENTS)
def test_api_text_body_starts_with_the_rendered_text(server, event_type):
    send(api(server.url, body_format="text"), event_type)
    expected = render(sample_message(event_type)).text.splitlines()
    assert server.last_request.json()["body"].splitlines()[: len(expected)] == expected


def test_event_without_text_sends_the_title_as_body(server):
    message = EventMessage("series_add", {"series": {"id": 1, "title": "Show"}})
    send(api(server.url, body_format="text"), message=message)
    body = server.last_request.json()
    assert body["body"] == body["title"] != ""


def test_health_issue_at_error_level_is_a_failure(server):
    message = sample_message("health_issue")
    message.payload["level"] = "error"
    send(api(server.url), message=message)
    assert server.last_request.json()["type"] == "failure"


def test_grab_text_body_lists_fields_not_in_the_text(server):
    send(api(server.url, body_format="text"))
    body = server.last_request.json()["body"]
    assert body.splitlines()[:2] == ["Test title", "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP"]
    assert "Quality: WEBDL-1080p" in body
    assert "Indexer: Test Indexer" in body and "Indexer: Test Indexer\n" not in body


def test_html_body_escapes_text_and_bolds_labels(server):
    message = sample_message("grab")
    message.payload["release"]["releaseTitle"] = "Tom & <Jerry>"
    send(api(server.url, body_format="html"), message=message)
    body = server.last_request.json()["body"]
    assert "Tom &amp; &lt;Jerry&gt;" in body and "<Jerry>" not in body


def test_html_body_lines_are_joined_with_br(server):
    send(api(server.url, body_format="html"))
    body = server.last_request.json()["body"]
    assert "Test title<br>Test.Title" in body
    assert "<b>Quality:</b> WEBDL-1080p" in body


def test_markdown_body_escapes_only_what_changes_meaning(server):
    message = sample_message("grab")
    message.payload["release"]["releaseTitle"] = "*Bold* [x] Show.S01-a"
    send(api(server.url, body_format="markdown"), message=message)
    body = server.last_request.json()["body"]
    assert r"\*Bold\* \[x\] Show.S01-a" in body


def test_markdown_body_links_the_health_wiki_once(server):
    send(api(server.url, body_format="markdown"), "health_issue")
    body = server.last_request.json()["body"]
    assert body.count("wiki.servarr.com") == 1


def test_basic_auth_is_sent_to_the_proxy(server):
    send(api(server.url, username="alice", password=PASSWORD))
    expected = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert server.last_request.headers["Authorization"] == f"Basic {expected}"


def test_no_auth_header_without_credentials(server):
    send(api(server.url))
    assert "Authorization" not in server.last_request.headers


def test_poster_is_attached_when_asked(server):
    message = sample_message("series_add")
    message.payload["series"]["images"] = [
        {"coverType": "poster", "remoteUrl": "https://img.example/p.jpg"}
    ]
    send(api(server.url, include_poster=True), message=message)
    assert server.last_request.json()["attachment"] == "https://img.example/p.jpg"


def test_poster_is_not_attached_by_default(server):
    message = sample_message("series_add")
    message.payload["series"]["images"] = [{"coverType": "poster", "remoteUrl": "https://i/p"}]
    send(api(server.url), message=message)
    assert "attachment" not in server.last_request.json()


def long_render(monkeypatch) -> None:
    """Text far over every limit (payload summaries already cap their own lines)."""
    import notifications.providers.apprise as module

    long = Rendered("grab", "T" * 1_000, "\n".join(["x" * 1_000] * 100), [("Size", "1 GB")])
    monkeypatch.setattr(module, "render", lambda message: long)


def test_api_long_title_and_body_are_truncated_at_the_limits(server, monkeypatch):
    long_render(monkeypatch)
    send(api(server.url, body_format="text"))
    body = server.last_request.json()
    assert len(body["title"]) == TITLE_LIMIT and body["title"].endswith("…")
    assert len(body["body"]) <= BODY_LIMIT and body["body"].startswith("x" * 1_000)


def test_text_over_the_limit_is_cut_with_a_marker():
    body = build_body(Rendered("grab", "t", "y" * 100_000), "text")
    assert len(body) == BODY_LIMIT // 2 and body.endswith("…")


# -- API mode: answers ---------------------------------------------------------------
def test_200_returns_status_and_the_log_lines(server):
    server.script([ok_json([["WARNING", "2026-01-01", "Sent JSON notification."]])])
    assert send(api(server.url)) == {"status_code": 200, "response": "Sent JSON notification."}


def test_200_with_empty_body_is_success(server):
    server.script([Reply(200, "")])
    assert send(api(server.url))["status_code"] == 200


def test_204_stateful_is_a_permanent_configuration_error(server):
    server.script([204])
    exc = fails(api(server.url, config_key="tv"), ConfigurationError)
    assert exc.permanent is True
    assert "no configuration (or an empty one) for key 'tv'" in str(exc)


def test_204_stateless_says_no_valid_url(server):
    server.script([204])
    exc = fails(api(server.url, urls="json://a.lan/x"), ConfigurationError)
    assert "found no valid Apprise URL" in str(exc)


def test_424_json_is_transient_with_the_services_reasons(server):
    details = [
        ["INFO", "t", "Loaded 2 URLs"],
        ["WARNING", "t", "Failed to send Discord notification: Unauthorized - Invalid token."],
    ]
    server.script(
        [Reply(424, {"error": "One or more notification could not be sent", "details": details})]
    )
    exc = fails(api(server.url), ServerError)
    assert exc.permanent is False
    assert str(exc) == (
        f"Apprise API {server.url} could not deliver to one or more services (HTTP 424): "
        "One or more notification could not be sent; "
        "Failed to send Discord notification: Unauthorized - Invalid token."
    )


def test_424_plain_text_body_is_quoted(server):
    server.script([Reply(424, "One or more notifications could not be sent")])
    exc = fails(api(server.url), ServerError)
    assert str(exc).endswith("(HTTP 424): One or more notifications could not be sent")


def test_400_is_permanent_with_the_server_error_text(server):
    server.script([Reply(400, {"error": "An invalid payload was specified."})])
    exc = fails(api(server.url))
    assert exc.permanent is True
    assert (
        str(exc) == f"Apprise API {server.url} answered HTTP 400: An invalid payload was specified."
    )


def test_431_payload_too_large_is_permanent(server):
    server.script([Reply(431, {"error": "Payload too large"})])
    assert fails(api(server.url)).permanent is True


def test_401_from_the_proxy_is_an_authentication_error(server):
    server.script([Reply(401, "<html><body>401 Authorization Required</body></html>")])
    exc = fails(api(server.url, username="a", password=PASSWORD), AuthenticationError)
    assert exc.permanent is True
    assert "HTTP 401: 401 Authorization Required" in str(exc)


def test_404_is_not_found(server):
    server.script([Reply(404, "Not Found")])
    assert fails(api(server.url), NotFoundError).permanent is True


def test_429_is_rate_limited_with_retry_after(server):
    server.script([Reply(429, "slow down", headers={"Retry-After": "12"})])
    exc = fails(api(server.url), RateLimited)
    assert (exc.retry_after, exc.permanent) == (12, False)


def test_500_is_a_transient_server_error(server):
    server.script([Reply(500, {"error": "Configuration could not be saved"})])
    exc = fails(api(server.url), ServerError)
    assert str(exc).endswith("HTTP 500: Configuration could not be saved")


def test_200_html_page_is_a_protocol_error_naming_apprise_api(server):
    server.script([Reply(200, "<html><body>Login</body></html>", {"Content-Type": "text/html"})])
    exc = fails(api(server.url), ProtocolError)
    assert str(exc).startswith(f"Apprise API {server.url} answered an HTML page")


def test_200_garbage_is_a_protocol_error(server):
    server.script([Reply(200, "weird}{")])
    exc = fails(api(server.url), ProtocolError)
    assert "something that is not JSON" in str(exc)


def test_redirect_is_reported_not_followed(server):
    server.script([Reply(302, headers={"Location": server.url + "/login"})])
    fails(api(server.url), ConfigurationError)
    assert len(server.requests) == 1


def test_api_connection_refused_is_transient():
    exc = fails(api(f"http://127.0.0.1:{free_port()}"), ConnectionFailed)
    assert exc.permanent is False


def test_api_hanging_server_times_out_quickly(server):
    server.script([Reply(hang=True)])
    started = time.monotonic()
    exc = fails(api(server.url, timeout_seconds=0.5))
    assert exc.permanent is False and time.monotonic() - started < 5


def test_api_secrets_echoed_by_the_server_are_scrubbed(server):
    url = f"json://bob:{URL_PASSWORD}@a.lan/x?token={URL_TOKEN}"
    echo = f"Failed: {url} pw={PASSWORD} raw {URL_TOKEN}"
    server.script([Reply(424, {"error": echo, "details": [["ERROR", "t", echo]]})])
    exc = fails(api(server.url, urls=url, username="bob", password=PASSWORD))
    for secret in (URL_PASSWORD, URL_TOKEN, PASSWORD):
        assert secret not in str(exc) and secret not in repr(exc.details)


def test_api_run_test_sends_manual_test(server):
    with api(server.url) as notifier:
        result = notifier.run_test()
    assert result.ok is True
    assert server.last_request.json()["title"] == TITLES["manual_test"]


# -- library mode: real Apprise URLs -------------------------------------------------------
def json_url(server, path="/hook", auth="") -> str:
    return f"json://{auth}127.0.0.1:{server.port}{path}"


@pytest.mark.parametrize("event_type", EVENTS)
def test_library_json_url_receives_title_body_and_type(server, event_type):
    send(library(json_url(server), body_format="text"), event_type)
    request = server.last_request
    assert (request.method, request.path) == ("POST", "/hook")
    body = request.json()
    assert body["version"] == "1.0"
    assert (body["title"], body["type"]) == (TITLES[event_type], TYPES[event_type])
    assert body["message"]


def test_library_json_message_is_the_text_body(server):
    send(library(json_url(server), body_format="text"), "manual_test")
    assert server.last_request.json()["message"] == (
        "This is a test message from idkarr. If you can read it, this target works."
    )


def test_library_user_agent_is_idkarr(server):
    send(library(json_url(server)))
    assert server.last_request.headers["User-Agent"] == "idkarr"


def test_library_url_credentials_become_basic_auth(server):
    send(library(json_url(server, auth=f"bob:{URL_PASSWORD}@")))
    expected = base64.b64encode(f"bob:{URL_PASSWORD}".encode()).decode()
    assert server.last_request.headers["Authorization"] == f"Basic {expected}"


def test_library_form_url_posts_form_fields(server):
    send(library(f"form://127.0.0.1:{server.port}/form"), "download")
    request = server.last_request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = parse_qs(request.text)
    assert (fields["title"], fields["type"]) == ([TITLES["download"]], ["success"])


def test_library_xml_url_posts_xml(server):
    send(library(f"xml://127.0.0.1:{server.port}/xml"), "upgrade")
    request = server.last_request
    assert request.headers["Content-Type"].startswith("application/xml")
    assert TITLES["upgrade"] in request.text


def test_library_sends_to_every_url_and_reports_them(server):
    details = send(library(json_url(server, "/a"), json_url(server, "/b")))
    assert sorted(r.path for r in server.requests) == ["/a", "/b"]
    assert details == {"response": "Delivered to 2 of 2 services (JSON, JSON)"}


def test_library_failing_service_is_transient_with_count_and_reason(server):
    server.script([Reply(500, "boom")])
    exc = fails(library(json_url(server)))
    assert exc.permanent is False
    assert str(exc) == (
        "Apprise could not deliver to 1 of 1 services: JSON: Failed to send JSON POST "
        "notification: Internal server error., error=500."
    )


def test_library_partial_failure_counts_only_the_failed(server):
    with RecordingServer(default_response=503) as dead:
        exc = fails(library(json_url(server), json_url(dead)))
    assert str(exc).startswith("Apprise could not deliver to 1 of 2 services: JSON: ")
    assert exc.details == {"delivered": 1, "failed": 1}


def test_library_dead_loopback_port_is_transient():
    exc = fails(library(f"json://127.0.0.1:{free_port()}/hook"))
    assert exc.permanent is False
    assert "could not deliver to 1 of 1 services: JSON: A Connection error" in str(exc)


def test_library_hanging_service_times_out_quickly(server):
    server.script([Reply(hang=True)])
    started = time.monotonic()
    exc = fails(library(json_url(server), timeout_seconds=0.5))
    assert exc.permanent is False and time.monotonic() - started < 5


def test_library_credentials_never_appear_in_errors(server):
    server.script([Reply(401, f"who is bob:{URL_PASSWORD}?")])
    url = json_url(server, f"/hook?token={URL_TOKEN}", auth=f"bob:{URL_PASSWORD}@")
    exc = fails(library(url))
    for text in (str(exc), repr(exc.details)):
        assert URL_PASSWORD not in text and URL_TOKEN not in text
        assert f"bob:{URL_PASSWORD}" not in text


def test_library_credentials_never_appear_in_public_settings():
    notifier = library(f"json://bob:{URL_PASSWORD}@127.0.0.1:9/hook", "discord://123/" + URL_TOKEN)
    for text in (repr(notifier.settings.public_dict()), repr(notifier.settings)):
        assert URL_PASSWORD not in text and URL_TOKEN not in text
    assert "urls" not in notifier.settings.public_dict()


def test_scrub_removes_the_secret_parts_apprise_masks():
    notifier = library(f"json://bob:{URL_PASSWORD}@127.0.0.1:9/hook", "discord://123/" + URL_TOKEN)
    text = notifier.scrub(f"pw {URL_PASSWORD} tok {URL_TOKEN} at 127.0.0.1")
    assert text == "pw *** tok *** at 127.0.0.1"


def test_apprise_log_records_mask_urls_after_the_scheme(caplog):
    with caplog.at_level(logging.DEBUG, logger="apprise"):
        apprise_lib.Apprise().add(f"notaservice://{URL_TOKEN}@x")
    assert caplog.records and URL_TOKEN not in caplog.text
    assert "notaservice://…" in caplog.text


def test_library_run_test_delivers_a_test_message(server):
    with library(json_url(server)) as notifier:
        result = notifier.run_test()
    assert result.ok is True
    assert server.last_request.json()["title"] == TITLES["manual_test"]


def test_loaded_services_truncate_and_use_our_timeouts_by_default():
    service = load_service("json://127.0.0.1:9/x", 12.0)
    assert service.overflow_mode == apprise_lib.OverflowMode.TRUNCATE
    assert (service.socket_connect_timeout, service.socket_read_timeout) == (5.0, 12.0)


def test_url_params_override_our_service_defaults():
    service = load_service("json://127.0.0.1:9/x?overflow=split&rto=2&cto=1", 12.0)
    assert service.overflow_mode == apprise_lib.OverflowMode.SPLIT
    assert (service.socket_connect_timeout, service.socket_read_timeout) == (1.0, 2.0)


def test_library_long_messages_are_truncated_at_the_limits(server, monkeypatch):
    long_render(monkeypatch)
    send(library(json_url(server), body_format="text"))
    body = server.last_request.json()
    assert len(body["title"]) == TITLE_LIMIT and body["title"].endswith("…")
    assert 0 < len(body["message"]) <= BODY_LIMIT


# -- settings ------------------------------------------------------------------------
def errors_of(**settings) -> str:
    with pytest.raises(ValidationError) as caught:
        AppriseSettings(**settings)
    return repr(caught.value.errors(include_input=False))


def test_library_bad_url_is_rejected_with_its_line_number():
    text = errors_of(mode="library", urls=f"json://127.0.0.1/x\n\ndiscord://{URL_TOKEN}")
    assert "line 3: not a valid 'discord://' URL" in text
    assert URL_TOKEN not in text


def test_library_unknown_scheme_is_rejected_with_its_line_number():
    text = errors_of(mode="library", urls=f"nosuch://u:{URL_PASSWORD}@h/x")
    assert "line 1: Apprise has no service 'nosuch://'" in text
    assert URL_PASSWORD not in text


def test_a_line_that_is_not_a_url_is_rejected():
    assert "line 1: not a URL" in errors_of(mode="library", urls="just words")


def test_library_needs_at_least_one_url():
    assert "library mode needs at least one Apprise URL" in errors_of(
        mode="library", urls="# only a comment\n"
    )


def test_too_many_urls_are_rejected():
    urls = "\n".join(f"json://127.0.0.1/{i}" for i in range(51))
    assert "at most 50 URLs" in errors_of(mode="library", urls=urls)


def test_api_needs_a_server_url():
    assert "api mode needs the server_url" in errors_of(mode="api", config_key="k")


def test_api_needs_a_key_or_urls():
    assert "needs a config_key or at least one URL" in errors_of(server_url="http://h:8000")


def test_api_key_and_urls_are_exclusive():
    text = errors_of(server_url="http://h", config_key="k", urls="json://a/b")
    assert "either config_key (stateful) or urls (stateless)" in text


def test_tags_need_a_config_key():
    text = errors_of(server_url="http://h", urls="json://a/b", tags="tv")
    assert "tags filter a stored configuration" in text


@pytest.mark.parametrize("key", ["has space", "a/b", "x" * 129, "ünï"])
def test_config_key_format_is_checked(key):
    assert "a config key has 1-128" in errors_of(server_url="http://h", config_key=key)


@pytest.mark.parametrize(
    "url", ["ftp://h", "h:8000", "http://", "http://h:99999", "http://u:p@h", "http://h/?k=v"]
)
def test_server_url_must_be_a_plain_http_url(url):
    text = errors_of(server_url=url, config_key="k")
    assert "server_url" in text


def test_api_stateless_urls_only_need_a_scheme():
    settings = AppriseSettings(server_url="http://h", urls="customplugin://x/y")
    assert settings.urls is not None


def test_username_with_colon_is_rejected():
    assert "must not contain ':'" in errors_of(
        server_url="http://h", config_key="k", username="a:b"
    )


def test_unknown_field_is_rejected():
    assert "extra_forbidden" in errors_of(server_url="http://h", config_key="k", apikey="x")


def test_secret_fields_are_urls_and_password():
    assert AppriseSettings.secret_fields() == ["urls", "password"]


def test_every_setting_has_a_description():
    properties = AppriseSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_event_flags_come_from_the_base():
    settings = AppriseSettings(server_url="http://h", config_key="k")
    assert settings.on_grab is True and settings.on_rename is False


def test_health_url_is_the_server_in_api_mode_only():
    assert api("http://h:8000").health_url() == "http://h:8000"
    assert library("json://127.0.0.1/x").health_url() is None


def test_describe_names_the_kind():
    described = Apprise.describe()
    assert (described["kind"], described["label"]) == ("apprise", "Apprise")
