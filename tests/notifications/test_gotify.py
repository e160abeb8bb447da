"""Gotify notifier against a real scripted HTTP server on loopback."""

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
    ServerError,
)
from notifications.base import EventMessage
from notifications.providers import gotify as gotify_module
from notifications.providers.gotify import MESSAGE_LIMIT, Gotify, GotifySettings
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

TOKEN = "AzX9-tok_Qw8Lm2"
POSTER = "https://img.example/poster.jpg"
APP_URL = "http://idkarr.lan:8989"
CREATED = {"id": 25, "appid": 5, "message": "m", "title": "t", "priority": 5, "date": "2024"}


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, CREATED)) as srv:
        yield srv


def gotify(url: str, **settings) -> Gotify:
    return Gotify(GotifySettings(server_url=url, app_token=TOKEN, **settings))


def rich(event_type: str) -> EventMessage:
    """A sample event with a poster and the instance's URL (the link)."""
    message = sample_message(event_type)
    for key in ("series", "movie"):
        if key in message.payload:
            message.payload[key]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    message.application_url = APP_URL
    return message


def send(notifier: Gotify, message: EventMessage | str = "grab") -> dict:
    if isinstance(message, str):
        message = rich(message)
    with notifier:
        return notifier.send(message)


# -- request shape ---------------------------------------------------------------
def test_it_posts_json_to_the_message_endpoint(server):
    send(gotify(server.url))
    request = server.last_request
    assert (request.method, request.path) == ("POST", "/message")
    assert request.headers["Content-Type"] == "application/json"


def test_the_app_token_goes_in_the_x_gotify_key_header_never_the_query(server):
    send(gotify(server.url))
    request = server.last_request
    assert request.headers["X-Gotify-Key"] == TOKEN
    assert request.query == {}
    assert TOKEN not in request.raw_path
    assert "Authorization" not in request.headers


def test_a_server_under_a_path_prefix_is_posted_under_it(server):
    send(gotify(server.url + "/gotify/"))
    assert server.last_request.path == "/gotify/message"


EXTRAS = {
    "client::display": {"contentType": "text/markdown"},
    "client::notification": {"click": {"url": APP_URL}, "bigImageUrl": POSTER},
}
EXPECTED = {
    "grab": {
        "title": "📥 Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "message": "Test title\n\nTest\\.Title\\.S01E01\\.1080p\\.WEB\\-DL\\.x264\\-GROUP\n\n"
        "Indexer: Test Indexer, Size: 1\\.4 GB, Client: qBittorrent\n\n"
        f"**Quality:** WEBDL\\-1080p\n\n<{APP_URL}>\n\n![]({POSTER})",
        "priority": 5,
        "extras": EXTRAS,
    },
    "download": {
        "title": "✅ Imported: Test Title S01E01 [WEBDL-1080p]",
        "message": "Test title\n\nTest\\.Title\\.S01E01\\.1080p\\.WEB\\-DL\\.x264\\-GROUP\n\n"
        "Size: 1\\.4 GB, Client: qBittorrent\n\n"
        f"**Quality:** WEBDL\\-1080p\n\n<{APP_URL}>\n\n![]({POSTER})",
        "priority": 5,
        "extras": EXTRAS,
    },
    "upgrade": {
        "title": "⬆️ Upgraded: Test Title S01E01 [WEBDL-1080p]",
        "message": "Test title\n\nTest\\.Title\\.S01E01\\.1080p\\.WEB\\-DL\\.x264\\-GROUP\n\n"
        "Size: 1\\.4 GB, Client: qBittorrent\n\nReplaced 1 file\\(s\\)\n\n"
        f"**Quality:** WEBDL\\-1080p\n\n<{APP_URL}>\n\n![]({POSTER})",
        "priority": 5,
        "extras": EXTRAS,
    },
    "health_issue": {
        "title": "⚠️ Health issue: Download client qBittorrent is unavailable",
        "message": "Download client qBittorrent is unavailable\n\n"
        "Level: warning, Check: DownloadClientCheck\n\n"
        "<https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable>",
        "priority": 8,
        "extras": {
            "client::display": {"contentType": "text/markdown"},
            "client::notification": {
                "click": {
                    "url": "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
                }
            },
        },
    },
    "manual_test": {
        "title": "🧪 Test notification from idkarr",
        "message": "This is a test message from idkarr \\(http://idkarr\\.lan:8989\\)\\. "
        f"If you can read it, this target works\\.\n\n![]({POSTER})",
        "priority": 5,
        "extras": EXTRAS,
    },
}


@pytest.mark.parametrize("event_type", list(EXPECTED))
def test_body_is_title_markdown_message_priority_and_extras(server, event_type):
    send(gotify(server.url), event_type)
    assert server.last_request.json() == EXPECTED[event_type]


def test_plain_text_mode_sends_unescaped_text_as_text_plain(server):
    send(gotify(server.url, markdown=False), "grab")
    body = server.last_request.json()
    assert body["message"] == (
        "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        f"Indexer: Test Indexer, Size: 1.4 GB, Client: qBittorrent\nQuality: WEBDL-1080p\n{APP_URL}"
    )
    assert body["extras"]["client::display"] == {"contentType": "text/plain"}


def test_markdown_special_characters_in_titles_of_the_text_are_escaped(server):
    message = EventMessage("series_add", {"series": {"title": "*Bold* [x](y)", "path": "/tv/a_b"}})
    send(gotify(server.url), message)
    assert server.last_request.json()["message"] == "Path: /tv/a\\_b"


def test_poster_can_be_left_out(server):
    send(gotify(server.url, include_poster=False), "download")
    body = server.last_request.json()
    assert "![](" not in body["message"]
    assert body["extras"]["client::notification"] == {"click": {"url": APP_URL}}


def test_without_link_or_poster_there_is_no_client_notification_extra(server):
    send(gotify(server.url), sample_message("series_delete"))
    assert server.last_request.json()["extras"] == {
        "client::display": {"contentType": "text/markdown"}
    }


def test_configured_priorities_are_used_for_normal_and_health_events(server):
    notifier = gotify(server.url, priority=2, health_priority=10)
    send(notifier, "download")
    send(notifier, "health_issue")
    assert [r.json()["priority"] for r in server.requests] == [2, 10]


def test_success_returns_status_message_id_and_response(server):
    details = send(gotify(server.url))
    assert details["status_code"] == 200
    assert details["id"] == 25
    assert '"appid": 5' in details["response"]


def test_run_test_sends_a_manual_test_message(server):
    with gotify(server.url) as notifier:
        result = notifier.run_test()
    assert result.ok is True
    assert server.last_request.json()["title"] == "🧪 Test notification from idkarr"


def test_health_url_is_the_server_url():
    assert gotify("http://gotify.lan:8080/").health_url() == "http://gotify.lan:8080"


def test_unknown_event_type_is_permanent_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type") as caught:
        send(gotify(server.url), EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.requests == []


# -- truncation ------------------------------------------------------------------
def long_release(size: int) -> EventMessage:
    message = sample_message("grab")
    message.payload["release"]["releaseTitle"] = "R" * size
    message.payload["series"]["title"] = "S" * 400
    return message


def test_over_long_title_is_cut_to_the_limit_with_an_ellipsis(server, monkeypatch):
    # Titles from render() are at most ~200 characters; the cap is a safety net.
    monkeypatch.setattr(gotify_module, "TITLE_LIMIT", 20)
    send(gotify(server.url), long_release(10))
    assert server.last_request.json()["title"] == "📥 Grabbed: SSSSSSSS…"


def test_over_long_message_is_cut_to_the_limit_not_rejected(server):
    send(gotify(server.url, markdown=False), long_release(50_000))
    message = server.last_request.json()["message"]
    assert len(message) == MESSAGE_LIMIT
    assert message.endswith("…")


def test_truncated_markdown_message_keeps_the_poster_image(server):
    message = long_release(50_000)
    message.payload["series"]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    send(gotify(server.url), message)
    body = server.last_request.json()["message"]
    assert len(body) == MESSAGE_LIMIT
    assert body.endswith(f"…\n\n![]({POSTER})")


# -- errors ----------------------------------------------------------------------
UNAUTHORIZED = {
    "error": "Unauthorized",
    "errorCode": 401,
    "errorDescription": "you need to provide a valid access token or user credentials to access "
    "this api",
}


def test_401_is_a_permanent_bad_token_error_with_gotifys_description(server):
    server.script([Reply(401, UNAUTHORIZED)])
    with pytest.raises(AuthenticationError) as caught:
        send(gotify(server.url))
    assert caught.value.permanent is True
    assert str(caught.value) == (
        f"Gotify at {server.url} answered HTTP 401: Unauthorized: you need to provide a valid "
        "access token or user credentials to access this api (the application token is invalid)"
    )


def test_403_says_a_client_token_cannot_send(server):
    server.script([Reply(403, {"error": "Forbidden", "errorCode": 403, "errorDescription": "x"})])
    with pytest.raises(AuthenticationError, match="not a client token") as caught:
        send(gotify(server.url))
    assert caught.value.permanent is True


def test_400_is_permanent_with_the_error_description(server):
    description = "Field 'message' is required"
    server.script(
        [Reply(400, {"error": "Bad Request", "errorCode": 400, "errorDescription": description})]
    )
    with pytest.raises(IntegrationError) as caught:
        send(gotify(server.url))
    assert caught.value.permanent is True
    assert str(caught.value).endswith(f"HTTP 400: Bad Request: {description}")


def test_404_is_not_found_pointing_at_the_server_url(server):
    server.script([Reply(404, {"error": "Not Found", "errorCode": 404, "errorDescription": "x"})])
    with pytest.raises(NotFoundError, match="check the server URL"):
        send(gotify(server.url))


def test_429_is_rate_limited_with_retry_after(server):
    server.script([Reply(429, "slow down", headers={"Retry-After": "7"})])
    with pytest.raises(RateLimited) as caught:
        send(gotify(server.url))
    assert caught.value.retry_after == 7
    assert caught.value.permanent is False


def test_5xx_is_a_transient_server_error(server):
    server.script([Reply(500, {"error": "Internal", "errorCode": 500, "errorDescription": "db"})])
    with pytest.raises(ServerError) as caught:
        send(gotify(server.url))
    assert caught.value.permanent is False
    assert str(caught.value).endswith("HTTP 500: Internal: db")


def test_html_error_page_is_reported_with_its_text(server):
    server.script([Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")])
    with pytest.raises(ServerError, match="HTTP 502: 502 Bad Gateway$"):
        send(gotify(server.url))


def test_html_answer_with_200_is_a_protocol_error_naming_gotify(server):
    server.script([Reply(200, "<html><title>My NAS</title></html>")])
    with pytest.raises(ProtocolError, match="returned an HTML page instead of Gotify's JSON"):
        send(gotify(server.url))


def test_json_without_message_id_is_a_protocol_error(server):
    server.script([Reply(200, {"status": "ok"})])
    with pytest.raises(ProtocolError, match="without a message id"):
        send(gotify(server.url))


def test_redirect_is_not_followed_but_reported(server):
    server.script([Reply(301, headers={"Location": server.url + "/new"})])
    with pytest.raises(ConfigurationError, match="redirected"):
        send(gotify(server.url))
    assert len(server.requests) == 1


def test_connection_refused_is_transient():
    with pytest.raises(ConnectionFailed) as caught:
        send(gotify(f"http://127.0.0.1:{free_port()}"))
    assert caught.value.permanent is False


@pytest.mark.parametrize(
    "reply",
    [
        Reply(401, {"error": "Unauthorized", "errorCode": 401, "errorDescription": TOKEN}),
        Reply(400, f"bad token {TOKEN}"),
        Reply(500, f"<p>X-Gotify-Key: {TOKEN}</p>"),
        Reply(200, f"<html>{TOKEN}</html>"),
        Reply(200, {"echo": TOKEN}),
    ],
    ids=["401", "400", "500", "html", "no-id"],
)
def test_the_token_never_appears_in_error_messages(server, reply):
    server.script([reply])
    with pytest.raises(IntegrationError) as caught:
        send(gotify(server.url))
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value.details)


# -- settings --------------------------------------------------------------------
def test_server_url_is_required():
    with pytest.raises(ValidationError, match="server_url"):
        GotifySettings(app_token=TOKEN)


@pytest.mark.parametrize("url", ["gotify.lan", "ftp://gotify.lan", "http://", "http://a b"])
def test_server_url_must_be_http_or_https(url):
    with pytest.raises(ValidationError, match="must be an http:// or https:// URL"):
        GotifySettings(server_url=url, app_token=TOKEN)


def test_server_url_with_credentials_is_rejected():
    with pytest.raises(ValidationError, match="must not contain credentials"):
        GotifySettings(server_url="http://u:p@gotify.lan", app_token=TOKEN)


def test_server_url_trailing_slash_is_dropped():
    assert GotifySettings(server_url="https://g.lan/x/", app_token=TOKEN).server_url == (
        "https://g.lan/x"
    )


def test_token_is_required():
    with pytest.raises(ValidationError, match="app_token"):
        GotifySettings(server_url="http://g.lan")


@pytest.mark.parametrize("token", ["CzX9-tok_Qw8Lm2", "gtfy_client.abcdefghijklmnop"])
def test_a_client_token_is_rejected_with_the_reason(token):
    with pytest.raises(ValidationError, match="this is a client token"):
        GotifySettings(server_url="http://g.lan", app_token=token)


@pytest.mark.parametrize("token", ["", "short", "has space in it", "tok?token=x&y"])
def test_malformed_token_is_rejected(token):
    with pytest.raises(ValidationError, match="app_token"):
        GotifySettings(server_url="http://g.lan", app_token=token)


def test_enhanced_application_token_is_accepted():
    token = "gtfy_app.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
    assert GotifySettings(server_url="http://g.lan", app_token=token).app_token.get_secret_value()


@pytest.mark.parametrize("field", ["priority", "health_priority"])
@pytest.mark.parametrize("value", [-1, 11])
def test_priorities_are_0_to_10(field, value):
    with pytest.raises(ValidationError, match=field):
        GotifySettings(server_url="http://g.lan", app_token=TOKEN, **{field: value})


def test_defaults():
    s = GotifySettings(server_url="http://g.lan", app_token=TOKEN)
    assert (s.priority, s.health_priority, s.markdown, s.include_poster, s.verify_tls) == (
        5,
        8,
        True,
        True,
        True,
    )


def test_unknown_field_is_rejected():
    with pytest.raises(ValidationError) as caught:
        GotifySettings(server_url="http://g.lan", app_token=TOKEN, token_in_query=True)
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_the_token_is_the_only_secret_and_not_in_public_settings():
    s = GotifySettings(server_url="http://g.lan", app_token=TOKEN)
    assert GotifySettings.secret_fields() == ["app_token"]
    assert TOKEN not in str(s.public_dict())
    assert TOKEN not in repr(s)


def test_every_setting_has_a_description():
    properties = GotifySettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_event_flags_are_inherited():
    s = GotifySettings(server_url="http://g.lan", app_token=TOKEN, on_grab=False)
    assert (s.on_grab, s.on_health_issue, s.on_manual_test) == (False, True, True)


def test_describe_names_the_kind():
    described = Gotify.describe()
    assert (described["kind"], described["label"], described["secret_fields"]) == (
        "gotify",
        "Gotify",
        ["app_token"],
    )
