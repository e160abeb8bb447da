"""Webhook notifier against a real HTTP receiver on loopback."""

from __future__ import annotations

import base64
import time

import pytest
from pydantic import ValidationError

from idkarr import __version__
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from notifications.base import EVENT_TYPES, EventMessage
from notifications.providers.webhook import Webhook, WebhookSettings
from notifications.registry import registry
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

PASSWORD = "basic-pass-7Qx"
BEARER = "bearer-tok-Z81"
HEADER_SECRET = "hdr-secret-K2p"
URL_PASSWORD = "url-pass-M4w"
URL_TOKEN = "query-tok-V9c"
SECRETS = (PASSWORD, BEARER, HEADER_SECRET, URL_PASSWORD, URL_TOKEN)


@pytest.fixture
def server():
    with RecordingServer() as srv:
        yield srv


def webhook(url: str, **settings) -> Webhook:
    return Webhook(WebhookSettings(url=url, **settings))


def send(hook: Webhook, event_type: str = "grab", **fields) -> dict:
    message = sample_message(event_type)
    for name, value in fields.items():
        setattr(message, name, value)
    with hook:
        return hook.send(message)


# -- transport -----------------------------------------------------------------
def test_it_posts_json_by_default(server):
    send(webhook(server.url + "/hook"))
    request = server.last_request
    assert (request.method, request.path) == ("POST", "/hook")
    assert request.headers["Content-Type"] == "application/json"
    assert request.json()["eventType"] == "Grab"


def test_it_puts_when_method_is_put(server):
    send(webhook(server.url + "/hook", method="PUT"))
    assert server.last_request.method == "PUT"


def test_it_keeps_the_query_string_of_the_url(server):
    send(webhook(server.url + "/hook?room=tv&x=1"))
    assert server.last_request.query == {"room": ["tv"], "x": ["1"]}


def test_user_agent_is_idkarr_version(server):
    send(webhook(server.url))
    assert server.last_request.headers["User-Agent"] == f"idkarr/{__version__}"


def test_event_type_header_names_the_event(server):
    send(webhook(server.url), "series_add")
    assert server.last_request.headers["X-Idkarr-Event"] == "series_add"


def test_delivery_id_header_is_sent_as_idempotency_key(server):
    send(webhook(server.url), delivery_id=4711, event_id=42)
    headers = server.last_request.headers
    assert headers["X-Idkarr-Delivery"] == "4711"
    assert headers["X-Idkarr-Event-Id"] == "42"


def test_ids_are_not_in_the_body(server):
    send(webhook(server.url), delivery_id=4711, event_id=42)
    body = server.last_request.json()
    assert not {"eventId", "deliveryId", "id"} & body.keys()


def test_delivery_header_is_absent_without_delivery_id(server):
    send(webhook(server.url))
    assert "X-Idkarr-Delivery" not in server.last_request.headers


def test_success_returns_status_and_response_excerpt(server):
    server.script([Reply(202, {"accepted": True})])
    details = send(webhook(server.url))
    assert details == {"status_code": 202, "response": '{"accepted": true}'}


def test_non_ascii_text_is_sent_as_utf8_json(server):
    message = EventMessage("series_add", {"series": {"id": 1, "title": "Só Ação 東京"}})
    with webhook(server.url) as hook:
        hook.send(message)
    assert "Só Ação 東京".encode() in server.last_request.body
    assert server.last_request.json()["series"]["title"] == "Só Ação 東京"


def test_unknown_event_type_is_a_permanent_error_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type 'bogus'") as caught:
        with webhook(server.url) as hook:
            hook.send(EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.requests == []


def test_payload_json_cannot_hold_is_a_permanent_error(server):
    with pytest.raises(IntegrationError, match="cannot be sent as JSON") as caught:
        with webhook(server.url) as hook:
            hook.send(EventMessage("manual_test", {"x": float("nan")}))
    assert caught.value.permanent is True
    assert server.requests == []


# -- auth ------------------------------------------------------------------------
def test_no_auth_sends_no_authorization_header(server):
    send(webhook(server.url))
    assert "Authorization" not in server.last_request.headers


def test_basic_auth_sends_base64_credentials(server):
    send(webhook(server.url, auth_type="basic", username="alice", password=PASSWORD))
    expected = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert server.last_request.headers["Authorization"] == f"Basic {expected}"


def test_basic_auth_encodes_non_latin1_credentials_as_utf8(server):
    send(webhook(server.url, auth_type="basic", username="józef", password="пароль"))
    expected = base64.b64encode("józef:пароль".encode()).decode()
    assert server.last_request.headers["Authorization"] == f"Basic {expected}"


def test_bearer_auth_sends_bearer_token(server):
    send(webhook(server.url, auth_type="bearer", bearer_token=BEARER))
    assert server.last_request.headers["Authorization"] == f"Bearer {BEARER}"


def test_header_auth_sends_the_custom_header(server):
    send(
        webhook(server.url, auth_type="header", header_name="X-Api-Key", header_value=HEADER_SECRET)
    )
    headers = server.last_request.headers
    assert headers["X-Api-Key"] == HEADER_SECRET
    assert "Authorization" not in headers


def test_url_userinfo_is_basic_auth_when_auth_type_is_none(server):
    send(webhook(server.url.replace("http://", "http://bob:s%40fe@") + "/hook"))
    expected = base64.b64encode(b"bob:s@fe").decode()
    assert server.last_request.headers["Authorization"] == f"Basic {expected}"


def test_explicit_auth_wins_over_url_userinfo(server):
    url = server.url.replace("http://", f"http://bob:{URL_PASSWORD}@") + "/hook"
    send(webhook(url, auth_type="bearer", bearer_token=BEARER))
    assert server.last_request.headers["Authorization"] == f"Bearer {BEARER}"


# -- body per event ------------------------------------------------------------
EVENT_NAMES = {
    "grab": "Grab",
    "download": "Download",
    "upgrade": "Download",
    "rename": "Rename",
    "series_add": "SeriesAdd",
    "series_delete": "SeriesDelete",
    "episode_file_delete": "EpisodeFileDelete",
    "movie_add": "MovieAdded",
    "movie_delete": "MovieDelete",
    "movie_file_delete": "MovieFileDelete",
    "health_issue": "Health",
    "health_restored": "HealthRestored",
    "app_update": "ApplicationUpdate",
    "manual_test": "Test",
}
HEALTH = ("health_issue", "health_restored")


def test_event_name_table_covers_every_event_type():
    assert set(EVENT_NAMES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_event_type_is_the_sonarr_pascal_name(server, event_type):
    send(webhook(server.url), event_type)
    assert server.last_request.json()["eventType"] == EVENT_NAMES[event_type]


@pytest.mark.parametrize("event_type", [e for e in EVENT_TYPES if e not in HEALTH])
def test_body_starts_with_event_type_instance_name_and_application_url(server, event_type):
    send(webhook(server.url), event_type, instance_name="Home", application_url="http://idkarr.lan")
    body = server.last_request.json()
    assert list(body)[:3] == ["eventType", "instanceName", "applicationUrl"]
    assert (body["instanceName"], body["applicationUrl"]) == ("Home", "http://idkarr.lan")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_body_carries_the_payload_keys_unchanged(server, event_type):
    message = sample_message(event_type)
    with webhook(server.url) as hook:
        hook.send(message)
    body = server.last_request.json()
    assert {k: body[k] for k in message.payload} == message.payload


@pytest.mark.parametrize("event_type", HEALTH)
def test_health_body_has_level_message_type_wiki_url_and_no_application_url(server, event_type):
    send(webhook(server.url), event_type, application_url="http://idkarr.lan")
    body = server.last_request.json()
    assert set(body) == {"eventType", "instanceName", "level", "message", "type", "wikiUrl"}


def test_download_body_says_it_is_not_an_upgrade(server):
    send(webhook(server.url), "download")
    assert server.last_request.json()["isUpgrade"] is False


def test_upgrade_body_is_a_download_with_is_upgrade_true(server):
    send(webhook(server.url), "upgrade")
    body = server.last_request.json()
    assert (body["eventType"], body["isUpgrade"]) == ("Download", True)


def test_null_values_are_omitted_at_every_depth(server):
    payload = {
        "series": {
            "id": 1,
            "title": "Show",
            "imdbId": None,
            "images": [{"url": None, "coverType": "poster"}],
        },
        "release": {"releaseTitle": "Show.S01E01", "releaseGroup": None},
        "downloadId": None,
    }
    with webhook(server.url) as hook:
        hook.send(EventMessage("grab", payload))
    body = server.last_request.json()
    assert body["series"] == {"id": 1, "title": "Show", "images": [{"coverType": "poster"}]}
    assert body["release"] == {"releaseTitle": "Show.S01E01"}
    assert "downloadId" not in body


# -- failures ------------------------------------------------------------------
def test_hanging_receiver_times_out_as_transient_error(server):
    server.script([Reply(hang=True)])
    started = time.monotonic()
    with pytest.raises(RequestTimedOut) as caught:
        send(webhook(server.url, timeout_seconds=0.5))
    assert time.monotonic() - started < 5
    assert caught.value.permanent is False


def test_slow_receiver_within_the_timeout_is_delivered(server):
    server.script([Reply(200, "ok", delay=0.2)])
    assert send(webhook(server.url, timeout_seconds=5))["status_code"] == 200


def test_4xx_is_permanent_with_status_and_body_excerpt(server):
    server.script([Reply(400, "<html><body><h1>Bad payload</h1> missing field</body></html>")])
    with pytest.raises(IntegrationError) as caught:
        send(webhook(server.url + "/hook"))
    assert caught.value.permanent is True
    assert (
        str(caught.value)
        == f"Webhook {server.url}/hook answered HTTP 400: Bad payload missing field"
    )
    assert caught.value.details["status_code"] == 400


def test_401_is_a_permanent_authentication_error(server):
    server.script([Reply(401, "unauthorized")])
    with pytest.raises(AuthenticationError) as caught:
        send(webhook(server.url))
    assert caught.value.permanent is True
    assert "HTTP 401: unauthorized" in str(caught.value)


def test_408_is_transient(server):
    server.script([408])
    with pytest.raises(RequestTimedOut) as caught:
        send(webhook(server.url))
    assert caught.value.permanent is False


def test_5xx_is_a_transient_server_error(server):
    server.script([Reply(500, "database is locked")])
    with pytest.raises(ServerError) as caught:
        send(webhook(server.url))
    assert caught.value.permanent is False
    assert str(caught.value).endswith("answered HTTP 500: database is locked")


def test_429_is_rate_limited_with_retry_after(server):
    server.script([Reply(429, "slow down", headers={"Retry-After": "7"})])
    with pytest.raises(RateLimited) as caught:
        send(webhook(server.url))
    assert caught.value.retry_after == 7
    assert caught.value.permanent is False


def test_redirect_is_not_followed_but_reported(server):
    server.script([Reply(301, headers={"Location": server.url + "/new"})])
    with pytest.raises(ConfigurationError) as caught:
        send(webhook(server.url + "/old"))
    assert "HTTP 301 redirecting to " + server.url + "/new" in str(caught.value)
    assert len(server.requests) == 1


def test_connection_refused_is_connection_failed():
    with pytest.raises(ConnectionFailed) as caught:
        send(webhook(f"http://127.0.0.1:{free_port()}/hook"))
    assert caught.value.permanent is False
    assert "connection refused" in str(caught.value)


def test_connection_closed_without_answer_is_transient_connection_failed(server):
    server.script([Reply(close=True)])
    with pytest.raises(ConnectionFailed) as caught:
        send(webhook(server.url))
    assert caught.value.permanent is False
    assert len(server.requests) == 1


# -- test button -----------------------------------------------------------------
def test_run_test_sends_a_test_event_and_reports_ok(server):
    with webhook(server.url) as hook:
        result = hook.run_test()
    assert result.ok is True
    assert result.details["status_code"] == 200
    body = server.last_request.json()
    assert body["eventType"] == "Test"
    assert server.last_request.headers["X-Idkarr-Event"] == "manual_test"


def test_run_test_reports_a_failing_receiver_without_raising(server):
    server.script([Reply(503, "maintenance")])
    with webhook(server.url) as hook:
        result = hook.run_test()
    assert result.ok is False
    assert result.details["code"] == "server_error"
    assert "HTTP 503: maintenance" in result.message


# -- secrets -------------------------------------------------------------------
def secret_laden(server_url: str, **extra) -> Webhook:
    url = server_url.replace("http://", f"http://bob:{URL_PASSWORD}@") + f"/hook?token={URL_TOKEN}"
    return webhook(
        url,
        auth_type="basic",
        username="bob",
        password=PASSWORD,
        bearer_token=BEARER,
        header_name="X-Api-Key",
        header_value=HEADER_SECRET,
        **extra,
    )


def assert_secret_free(*texts: str) -> None:
    basic = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    for text in texts:
        for secret in (*SECRETS, basic):
            assert secret not in text, f"{secret!r} leaked into {text!r}"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(
            500,
            f"echo: Authorization: Basic {base64.b64encode(f'bob:{PASSWORD}'.encode()).decode()}",
        ),
        Reply(
            400, f"bad request to /hook?token={URL_TOKEN} pw={PASSWORD} {BEARER} {HEADER_SECRET}"
        ),
        Reply(404, f"no hook at bob:{URL_PASSWORD}"),
        Reply(429, "slow", headers={"Retry-After": "1"}),
        Reply(302, headers={"Location": f"http://127.0.0.1:1/x?token={URL_TOKEN}"}),
        Reply(close=True),
    ],
    ids=["500-echo", "400-echo", "404", "429", "302", "closed"],
)
def test_secrets_never_appear_in_error_messages(server, reply):
    server.script([reply])
    hook = secret_laden(server.url)
    with pytest.raises(IntegrationError) as caught:
        send(hook)
    assert_secret_free(str(caught.value), caught.value.message, repr(caught.value.details))


def test_secrets_never_appear_in_timeout_messages(server):
    server.script([Reply(hang=True)])
    hook = secret_laden(server.url, timeout_seconds=0.3)
    with pytest.raises(RequestTimedOut) as caught:
        send(hook)
    assert_secret_free(str(caught.value))


def test_secrets_never_appear_in_connection_refused_messages():
    hook = secret_laden(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ConnectionFailed) as caught:
        send(hook)
    assert_secret_free(str(caught.value))


def test_secrets_never_appear_in_test_results(server):
    server.script([Reply(500, f"{PASSWORD} {URL_TOKEN}")])
    with secret_laden(server.url) as hook:
        result = hook.run_test()
    assert_secret_free(result.message, repr(result.details))


def test_secrets_are_not_in_public_settings():
    settings = secret_laden("http://127.0.0.1:9").settings
    public = repr(settings.public_dict())
    assert PASSWORD not in public and BEARER not in public and HEADER_SECRET not in public


# -- settings --------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "javascript:alert(1)",
        "example.org/hook",
        "file:///etc/passwd",
        "http://",
        "http:///path-only",
        "http://example.org:99999/hook",
        "http://exa mple.org/hook",
        "",
    ],
)
def test_url_must_be_http_or_https(url):
    with pytest.raises(ValidationError) as caught:
        WebhookSettings(url=url)
    errors = caught.value.errors()
    assert errors[0]["loc"] == ("url",)
    assert "must be an http:// or https:// URL" in errors[0]["msg"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8123/api/webhook/x", "HTTPS://hooks.example.org", "http://[::1]:8080/h"],
)
def test_http_and_https_urls_are_accepted(url):
    assert WebhookSettings(url=url).url == url


def test_url_is_required():
    with pytest.raises(ValidationError) as caught:
        WebhookSettings()
    assert caught.value.errors()[0]["loc"] == ("url",)


def test_bearer_auth_without_token_is_rejected():
    with pytest.raises(ValidationError, match="bearer auth needs a bearer_token"):
        WebhookSettings(url="http://h/x", auth_type="bearer")


def test_bearer_auth_with_empty_token_is_rejected():
    with pytest.raises(ValidationError, match="bearer auth needs a bearer_token"):
        WebhookSettings(url="http://h/x", auth_type="bearer", bearer_token="")


def test_basic_auth_without_username_or_password_is_rejected():
    with pytest.raises(ValidationError, match="basic auth needs a username or a password"):
        WebhookSettings(url="http://h/x", auth_type="basic")


def test_basic_auth_username_with_colon_is_rejected():
    with pytest.raises(ValidationError, match="must not contain ':'"):
        WebhookSettings(url="http://h/x", auth_type="basic", username="a:b", password="p")


def test_header_auth_without_name_is_rejected():
    with pytest.raises(ValidationError, match="header auth needs a header_name"):
        WebhookSettings(url="http://h/x", auth_type="header", header_value="v")


def test_header_auth_without_value_is_rejected():
    with pytest.raises(ValidationError, match="header auth needs a header_value"):
        WebhookSettings(url="http://h/x", auth_type="header", header_name="X-Key")


@pytest.mark.parametrize("name", ["X Key", "X-Key:", "Ключ", "X-Key\r\nX-Evil: 1"])
def test_header_name_must_be_an_http_token(name):
    with pytest.raises(ValidationError):
        WebhookSettings(url="http://h/x", auth_type="header", header_name=name, header_value="v")


@pytest.mark.parametrize("name", ["Host", "content-type", "X-Idkarr-Delivery"])
def test_header_name_cannot_replace_headers_idkarr_sets(name):
    with pytest.raises(ValidationError, match="is set by idkarr itself"):
        WebhookSettings(url="http://h/x", auth_type="header", header_name=name, header_value="v")


def test_header_value_with_line_break_is_rejected():
    with pytest.raises(ValidationError, match="header_value must not contain"):
        WebhookSettings(
            url="http://h/x", auth_type="header", header_name="X-Key", header_value="v\r\nX-Evil: 1"
        )


def test_unknown_field_is_rejected():
    with pytest.raises(ValidationError) as caught:
        WebhookSettings(url="http://h/x", headers={"a": "b"})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("timeout", [0, -1, 301])
def test_timeout_must_be_positive_and_bounded(timeout):
    with pytest.raises(ValidationError):
        WebhookSettings(url="http://h/x", timeout_seconds=timeout)


def test_defaults_follow_the_seed():
    settings = WebhookSettings(url="http://h/x")
    assert (settings.method, settings.auth_type, settings.timeout_seconds, settings.verify_tls) == (
        "POST",
        "none",
        30,
        True,
    )


def test_secret_fields_are_password_bearer_token_and_header_value():
    assert WebhookSettings.secret_fields() == ["password", "bearer_token", "header_value"]


def test_every_setting_has_a_description():
    properties = WebhookSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_webhook_is_registered():
    assert registry.get("webhook") is Webhook
    assert Webhook.describe()["label"] == "Webhook"
