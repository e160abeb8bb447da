"""Pushover notifier: form request shape, priorities, limits and error forms.

Most tests run against a real recording HTTP server on loopback (the ``api_url``
override); ``responses`` checks the official endpoint without a network.
"""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
import responses
from pydantic import ValidationError

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    ProtocolError,
    RateLimited,
    ServerError,
)
from notifications.base import EventMessage
from notifications.providers.pushover import (
    MESSAGE_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    Pushover,
    PushoverSettings,
)
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

APP_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER_KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
OK = {"status": 1, "request": "647d2300-702c-4b38-8b2f-d56326ae460b"}
WIKI = "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
CORE_EVENTS = ("grab", "download", "upgrade", "health_issue", "manual_test")


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, OK)) as srv:
        yield srv


def settings(api_url: str = "https://api.pushover.net", **overrides) -> PushoverSettings:
    values = {"user_key": USER_KEY, "app_token": APP_TOKEN, "api_url": api_url, **overrides}
    return PushoverSettings(**values)


def pushover(server: RecordingServer, **overrides) -> Pushover:
    return Pushover(settings(server.url, **overrides))


def message(event_type: str = "grab", *, app_url: str = "") -> EventMessage:
    msg = sample_message(event_type)
    msg.application_url = app_url
    return msg


def send(notifier: Pushover, msg: EventMessage | None = None) -> dict:
    with notifier:
        return notifier.send(msg or message())


def form(server: RecordingServer) -> dict[str, str]:
    fields = parse_qs(server.last_request.text, keep_blank_values=True)
    assert all(len(v) == 1 for v in fields.values())
    return {k: v[0] for k, v in fields.items()}


def failure(server: RecordingServer, reply: Reply) -> IntegrationError:
    server.script([reply])
    with pytest.raises(IntegrationError) as caught:
        send(pushover(server))
    return caught.value


def error_reply(status: int, *errors: str, **params) -> Reply:
    return Reply(status, {**params, "errors": list(errors), "status": 0, "request": "r-1"})


# -- settings ----------------------------------------------------------------------
@pytest.mark.parametrize("field", ["user_key", "app_token"])
@pytest.mark.parametrize(
    "value", ["", "short", "azGDORePK8gMaC0QOYAMyEEuzJnyU", "azGDORePK8gMaC0QOYAMyEEuzJny-i"]
)
def test_keys_must_be_30_letters_and_digits(field, value):
    with pytest.raises(ValidationError, match=field):
        settings(**{field: value})


def test_rejected_key_is_not_echoed_in_the_validation_error():
    almost = APP_TOKEN + "X"
    with pytest.raises(ValidationError) as caught:
        settings(app_token=almost)
    assert almost not in str(caught.value)
    assert all(almost not in e["msg"] for e in caught.value.errors())


def test_keys_are_secrets_and_not_in_public_settings():
    s = settings()
    assert set(PushoverSettings.secret_fields()) == {"user_key", "app_token"}
    public = str(s.public_dict())
    assert APP_TOKEN not in public and USER_KEY not in public and APP_TOKEN not in repr(s)


@pytest.mark.parametrize("priority", [-3, 3])
def test_priority_outside_minus_two_to_two_is_rejected(priority):
    with pytest.raises(ValidationError, match="priority"):
        settings(priority=priority)


def test_emergency_priority_rejects_retry_under_30_seconds():
    with pytest.raises(ValidationError, match="retry of at least 30"):
        settings(priority=2, retry=29)


@pytest.mark.parametrize("expire", [0, 10801])
def test_emergency_priority_rejects_expire_outside_3_hours(expire):
    with pytest.raises(ValidationError, match="expire between 1 and 10800"):
        settings(priority=2, expire=expire)


def test_emergency_limits_do_not_apply_to_normal_priority():
    assert settings(priority=1, retry=5, expire=99999).priority == 1


def test_device_list_is_normalised_to_a_comma_list():
    assert settings(devices=" phone , tablet,, ").devices == "phone,tablet"


@pytest.mark.parametrize("devices", ["my phone", "x" * 26, "phone;tablet"])
def test_invalid_device_names_are_rejected(devices):
    with pytest.raises(ValidationError, match="device name"):
        settings(devices=devices)


def test_invalid_sound_name_is_rejected():
    with pytest.raises(ValidationError, match="sound"):
        settings(sound="bell ring")


@pytest.mark.parametrize("url", ["ftp://api.pushover.net", "api.pushover.net", "https://x/?t=1"])
def test_api_url_must_be_a_plain_http_url(url):
    with pytest.raises(ValidationError, match="api_url"):
        settings(url)


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError, match="extra"):
        settings(device="phone")


def test_every_setting_has_a_description():
    assert all(f.description for f in PushoverSettings.model_fields.values())


def test_health_url_is_the_api_base():
    assert Pushover(settings("http://127.0.0.1:9/")).health_url() == "http://127.0.0.1:9"


# -- request shape -------------------------------------------------------------------
@responses.activate
def test_default_endpoint_is_the_official_messages_json():
    responses.post("https://api.pushover.net/1/messages.json", json=OK)
    with Pushover(settings()) as notifier:
        notifier.send(message())
    request = responses.calls[0].request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body)["token"] == [APP_TOKEN]


def test_message_is_a_form_post_to_1_messages_json(server):
    send(pushover(server))
    request = server.last_request
    assert (request.method, request.path) == ("POST", "/1/messages.json")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_form_carries_token_user_title_html_message_priority_and_timestamp(server):
    msg = message()
    msg.created_at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    send(pushover(server), msg)
    assert form(server) == {
        "token": APP_TOKEN,
        "user": USER_KEY,
        "title": "Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "message": (
            "Test title\n"
            "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
            "Indexer: Test Indexer, Size: 1.4 GB, Client: qBittorrent\n"
            "<b>Quality:</b> WEBDL-1080p\n"
            "<b>Size:</b> 1.4 GB\n"
            "<b>Indexer:</b> Test Indexer\n"
            "<b>Release group:</b> GROUP\n"
            "<b>Download client:</b> qBittorrent"
        ),
        "html": "1",
        "priority": "0",
        "timestamp": "1714564800",
    }


@pytest.mark.parametrize(
    ("event_type", "title"),
    [
        ("grab", "Grabbed: Test Title S01E01 [WEBDL-1080p]"),
        ("download", "Imported: Test Title S01E01 [WEBDL-1080p]"),
        ("upgrade", "Upgraded: Test Title S01E01 [WEBDL-1080p]"),
        ("health_issue", "Health issue: Download client qBittorrent is unavailable"),
        ("manual_test", "Test notification from idkarr"),
    ],
)
def test_each_event_sends_its_title(server, event_type, title):
    send(pushover(server), message(event_type))
    assert form(server)["title"] == title


@pytest.mark.parametrize("event_type", CORE_EVENTS)
def test_each_event_sends_a_non_empty_html_message(server, event_type):
    send(pushover(server), message(event_type))
    fields = form(server)
    assert fields["html"] == "1" and fields["message"].strip()


def test_download_message_names_quality_and_release_group_in_bold(server):
    send(pushover(server), message("download"))
    body = form(server)["message"]
    assert "<b>Quality:</b> WEBDL-1080p" in body and "<b>Release group:</b> GROUP" in body


def test_upgrade_message_says_how_many_files_it_replaced(server):
    send(pushover(server), message("upgrade"))
    assert "Replaced 1 file(s)" in form(server)["message"]


def test_manual_test_message_is_the_test_text(server):
    send(pushover(server), message("manual_test"))
    assert form(server)["message"] == (
        "This is a test message from idkarr. If you can read it, this target works."
    )


def test_health_issue_sends_the_wiki_as_url_with_a_title_not_in_the_text(server):
    send(pushover(server), message("health_issue"))
    fields = form(server)
    assert (fields["url"], fields["url_title"]) == (WIKI, "Health check help")
    assert WIKI not in fields["message"]


def test_application_url_becomes_the_supplementary_url(server):
    send(pushover(server), message("download", app_url="http://idkarr.lan:8989"))
    fields = form(server)
    assert (fields["url"], fields["url_title"]) == ("http://idkarr.lan:8989", "Open idkarr")


def test_no_url_fields_without_a_link(server):
    send(pushover(server), message("grab"))
    assert not {"url", "url_title"} & form(server).keys()


def test_html_special_characters_are_escaped(server):
    msg = long_download("Law & Order <SVU>")
    msg.payload["downloadClient"] = "<i>"
    send(pushover(server), msg)
    body = form(server)["message"]
    assert "Law &amp; Order &lt;SVU&gt;" in body
    assert "<b>Download client:</b> &lt;i&gt;" in body
    assert "<SVU>" not in body and "<i>" not in body


def test_devices_are_sent_comma_joined(server):
    send(pushover(server, devices="phone, tablet"))
    assert form(server)["device"] == "phone,tablet"


def test_sound_is_sent_when_set(server):
    send(pushover(server, sound="magic"))
    assert form(server)["sound"] == "magic"


def test_no_device_or_sound_fields_by_default(server):
    send(pushover(server))
    assert not {"device", "sound", "retry", "expire", "ttl"} & form(server).keys()


@pytest.mark.parametrize("priority", [-2, -1, 1])
def test_non_emergency_priority_is_sent_without_retry_or_expire(server, priority):
    send(pushover(server, priority=priority, retry=90, expire=600))
    fields = form(server)
    assert fields["priority"] == str(priority)
    assert "retry" not in fields and "expire" not in fields


def test_emergency_priority_sends_retry_and_expire(server):
    send(pushover(server, priority=2, retry=45, expire=1800))
    fields = form(server)
    assert (fields["priority"], fields["retry"], fields["expire"]) == ("2", "45", "1800")


def test_ttl_is_sent_for_normal_priority(server):
    send(pushover(server, ttl_seconds=3600))
    assert form(server)["ttl"] == "3600"


def test_ttl_is_not_sent_for_emergency_priority(server):
    send(pushover(server, priority=2, ttl_seconds=3600))
    assert "ttl" not in form(server)


def test_success_returns_status_request_id_and_remaining_quota(server):
    server.script([Reply(200, OK, {"X-Limit-App-Remaining": "7496"})])
    details = send(pushover(server))
    assert details["status_code"] == 200
    assert details["request"] == OK["request"]
    assert details["app_remaining"] == "7496"


def test_emergency_receipt_is_returned(server):
    server.script([Reply(200, {**OK, "receipt": "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"})])
    assert send(pushover(server, priority=2))["receipt"] == "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"


def test_unknown_event_type_is_permanent_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type") as caught:
        send(pushover(server), EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.requests == []


# -- limits ------------------------------------------------------------------------
def long_download(scene_name: str, **kwargs) -> EventMessage:
    msg = message("download", **kwargs)
    msg.payload["episodeFile"]["sceneName"] = scene_name
    return msg


def test_message_over_1024_characters_is_truncated_with_an_ellipsis(server):
    send(pushover(server), long_download("m" * 5000))
    body = form(server)["message"]
    assert len(body) == MESSAGE_LIMIT and body.endswith("m…")


def test_message_exactly_at_the_limit_is_not_cut(server):
    send(pushover(server), long_download("m"))
    overhead = len(form(server)["message"]) - 1
    send(pushover(server), long_download("m" * (MESSAGE_LIMIT - overhead)))
    body = form(server)["message"]
    assert len(body) == MESSAGE_LIMIT and "…" not in body


def test_truncation_never_cuts_an_entity_or_tag(server):
    send(pushover(server), long_download("&" * 2000))
    body = form(server)["message"]
    assert len(body) <= MESSAGE_LIMIT
    assert re.search(r"&(?!amp;)", body) is None
    assert html.unescape(body).endswith("&…")


def test_truncation_counts_characters_not_bytes(server):
    send(pushover(server), long_download("東" * 2000))
    body = form(server)["message"]
    assert len(body) == MESSAGE_LIMIT and body.endswith("東…")


def test_title_over_250_characters_is_truncated(server):
    msg = EventMessage("app_update", {"newVersion": "9" * 400})
    send(pushover(server), msg)
    title = form(server)["title"]
    assert len(title) <= TITLE_LIMIT and title.endswith("…")


def test_url_over_512_characters_is_left_out_and_kept_in_the_text(server):
    long_url = "https://wiki.example/" + "p" * URL_LIMIT
    msg = message("health_issue")
    msg.payload["wikiUrl"] = long_url
    send(pushover(server), msg)
    fields = form(server)
    assert "url" not in fields and "url_title" not in fields
    assert long_url[:100] in fields["message"]


def test_url_exactly_512_characters_is_sent(server):
    url = "https://wiki.example/" + "p" * (URL_LIMIT - len("https://wiki.example/"))
    msg = message("health_issue")
    msg.payload["wikiUrl"] = url
    send(pushover(server), msg)
    assert form(server)["url"] == url


# -- errors ------------------------------------------------------------------------
def test_invalid_user_key_is_an_authentication_error_with_pushovers_text(server):
    exc = failure(server, error_reply(400, "user identifier is invalid", user="invalid"))
    assert isinstance(exc, AuthenticationError) and exc.permanent
    assert "user identifier is invalid" in exc.message
    assert exc.details["status_code"] == 400


def test_invalid_app_token_is_an_authentication_error(server):
    exc = failure(server, error_reply(400, "application token is invalid", token="invalid"))
    assert isinstance(exc, AuthenticationError)
    assert "application token is invalid" in exc.message


def test_other_4xx_is_permanent_with_every_error_joined(server):
    exc = failure(
        server,
        error_reply(400, "device name is not valid for user", "sound is invalid", device="invalid"),
    )
    assert isinstance(exc, ConfigurationError) and exc.permanent
    assert "device name is not valid for user; sound is invalid" in exc.message


def test_monthly_quota_429_is_rate_limited_until_the_app_reset(server):
    reset = int(time.time()) + 3600
    reply = error_reply(429, "application over quota")
    reply.headers.update({"X-Limit-App-Reset": str(reset), "X-Limit-App-Remaining": "0"})
    exc = failure(server, reply)
    assert isinstance(exc, RateLimited) and not exc.permanent
    assert 3590 <= exc.retry_after <= 3600
    assert "monthly message limit" in exc.message


def test_429_without_reset_header_falls_back_to_retry_after(server):
    reply = error_reply(429, "application over quota")
    reply.headers["Retry-After"] = "30"
    exc = failure(server, reply)
    assert isinstance(exc, RateLimited) and exc.retry_after == 30


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_is_transient(server, status):
    exc = failure(server, error_reply(status, "internal error"))
    assert isinstance(exc, ServerError) and not exc.permanent


def test_html_error_page_is_transient_on_5xx_and_says_html(server):
    exc = failure(
        server, Reply(502, "<html><h1>Bad Gateway</h1></html>", {"Content-Type": "text/html"})
    )
    assert isinstance(exc, ServerError)
    assert "Pushover" in exc.message and "HTML page" in exc.message


def test_html_answer_with_200_is_a_clear_protocol_error(server):
    exc = failure(
        server, Reply(200, "<!doctype html><p>captive portal</p>", {"Content-Type": "text/html"})
    )
    assert isinstance(exc, ProtocolError) and exc.permanent
    assert "Pushover" in exc.message and "HTML page" in exc.message


def test_garbage_answer_is_a_protocol_error(server):
    exc = failure(server, Reply(200, "OK"))
    assert isinstance(exc, ProtocolError) and "not a Pushover API response" in exc.message


def test_status_other_than_1_with_200_is_a_failure(server):
    exc = failure(server, Reply(200, {"status": 0, "errors": ["message cannot be blank"]}))
    assert exc.permanent and "message cannot be blank" in exc.message


def test_connection_refused_is_transient():
    notifier = Pushover(settings(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(ConnectionFailed) as caught:
        send(notifier)
    assert not caught.value.permanent


ERROR_REPLIES = [
    error_reply(400, "user identifier is invalid", user="invalid"),
    error_reply(400, "application token is invalid", token="invalid"),
    error_reply(429, "over quota"),
    error_reply(500, "boom"),
    Reply(502, "<html>bad gateway</html>", {"Content-Type": "text/html"}),
    error_reply(400, f"token {APP_TOKEN} is invalid for user {USER_KEY}"),
    Reply(503, f"upstream said token={APP_TOKEN}&user={USER_KEY}"),
]


@pytest.mark.parametrize("reply", ERROR_REPLIES)
def test_keys_never_appear_in_an_error(server, reply):
    exc = failure(server, reply)
    for secret in (APP_TOKEN, USER_KEY):
        assert secret not in str(exc)
        assert secret not in repr(exc.args)
        assert secret not in str(exc.details)


def test_keys_are_scrubbed_from_the_success_response_excerpt(server):
    server.script([Reply(200, {**OK, "echo": APP_TOKEN})])
    details = send(pushover(server))
    assert APP_TOKEN not in str(details)
