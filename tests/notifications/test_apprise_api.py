"""Apprise notifier, API mode: request shape and answers from a local apprise-api stand-in."""

from __future__ import annotations

import base64
import time

import pytest

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    NotFoundError,
    ProtocolError,
    RateLimited,
    ServerError,
)
from notifications.base import EventMessage
from notifications.message import Rendered, render
from notifications.providers.apprise.common import (
    BODY_LIMIT,
    TITLE_LIMIT,
    build_body,
)
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import Reply
from tests.notifications.apprise_support import (
    EVENTS,
    PASSWORD,
    TITLES,
    TYPES,
    URL_PASSWORD,
    URL_TOKEN,
    api,
    fails,
    long_render,
    ok_json,
    send,
    server,  # noqa: F401
)


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
