"""ntfy notifier against a real scripted HTTP server on loopback (and ``responses``
for the default ntfy.sh address)."""

from __future__ import annotations

import base64
import json

import pytest
import responses
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
from notifications.base import EVENT_TYPES, EventMessage
from notifications.providers import ntfy as ntfy_module
from notifications.providers.ntfy import EVENT_TAGS, MESSAGE_BYTES, Ntfy, NtfySettings
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

ACCESS_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"
PASSWORD = "ntfy-pass-Zq81"
POSTER = "https://img.example/poster.jpg"
APP_URL = "http://idkarr.lan:8989"
WIKI = "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
PUBLISHED = {"id": "hwQ2YpKdmg", "time": 1635528741, "event": "message", "topic": "tv"}


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, PUBLISHED)) as srv:
        yield srv


def ntfy(url: str, **settings) -> Ntfy:
    settings.setdefault("topic", "tv")
    return Ntfy(NtfySettings(server_url=url, **settings))


def rich(event_type: str) -> EventMessage:
    """A sample event with a poster and the instance's URL (the link)."""
    message = sample_message(event_type)
    for key in ("series", "movie"):
        if key in message.payload:
            message.payload[key]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    message.application_url = APP_URL
    return message


def send(notifier: Ntfy, message: EventMessage | str = "grab") -> dict:
    if isinstance(message, str):
        message = rich(message)
    with notifier:
        return notifier.send(message)


# -- request shape ---------------------------------------------------------------
def test_it_posts_json_to_the_server_root_not_the_topic_url(server):
    send(ntfy(server.url))
    request = server.last_request
    assert (request.method, request.raw_path) == ("POST", "/")
    assert request.headers["Content-Type"] == "application/json"


@responses.activate
def test_default_server_is_ntfy_sh():
    responses.post("https://ntfy.sh/", json=PUBLISHED)
    with Ntfy(NtfySettings(topic="tv")) as notifier:
        notifier.send(rich("grab"))
    assert responses.calls[0].request.url == "https://ntfy.sh/"
    assert json.loads(responses.calls[0].request.body)["topic"] == "tv"


EXPECTED = {
    "grab": {
        "topic": "tv",
        "title": "Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "message": "Test title\n\nTest\\.Title\\.S01E01\\.1080p\\.WEB\\-DL\\.x264\\-GROUP\n\n"
        "Indexer: Test Indexer, Size: 1\\.4 GB, Client: qBittorrent\n\n"
        "**Quality:** WEBDL\\-1080p",
        "tags": ["inbox_tray"],
        "priority": 3,
        "markdown": True,
        "click": APP_URL,
        "attach": POSTER,
    },
    "download": {
        "topic": "tv",
        "title": "Imported: Test Title S01E01 [WEBDL-1080p]",
        "message": "Test title\n\nTest\\.Title\\.S01E01\\.1080p\\.WEB\\-DL\\.x264\\-GROUP\n\n"
        "Size: 1\\.4 GB, Client: qBittorrent\n\n**Quality:** WEBDL\\-1080p",
        "tags": ["white_check_mark"],
        "priority": 3,
        "markdown": True,
        "click": APP_URL,
        "attach": POSTER,
    },
    "upgrade": {
        "topic": "tv",
        "title": "Upgraded: Test Title S01E01 [WEBDL-1080p]",
        "message": "Test title\n\nTest\\.Title\\.S01E01\\.1080p\\.WEB\\-DL\\.x264\\-GROUP\n\n"
        "Size: 1\\.4 GB, Client: qBittorrent\n\nReplaced 1 file\\(s\\)\n\n"
        "**Quality:** WEBDL\\-1080p",
        "tags": ["arrow_up"],
        "priority": 3,
        "markdown": True,
        "click": APP_URL,
        "attach": POSTER,
    },
    "health_issue": {
        "topic": "tv",
        "title": "Health issue: Download client qBittorrent is unavailable",
        "message": "Download client qBittorrent is unavailable\n\n"
        f"Level: warning, Check: DownloadClientCheck\n\n<{WIKI}>",
        "tags": ["warning"],
        "priority": 4,
        "markdown": True,
        "click": WIKI,
    },
    "manual_test": {
        "topic": "tv",
        "title": "Test notification from idkarr",
        "message": "This is a test message from idkarr \\(http://idkarr\\.lan:8989\\)\\. "
        "If you can read it, this target works\\.",
        "tags": ["test_tube"],
        "priority": 3,
        "markdown": True,
        "click": APP_URL,
        "attach": POSTER,
    },
}


@pytest.mark.parametrize("event_type", list(EXPECTED))
def test_body_is_the_documented_json_publish_form(server, event_type):
    send(ntfy(server.url), event_type)
    assert server.last_request.json() == EXPECTED[event_type]


def test_every_event_type_has_an_emoji_tag():
    assert set(EVENT_TAGS) == set(EVENT_TYPES)


def test_plain_mode_sends_unescaped_text_and_markdown_false(server):
    send(ntfy(server.url, markdown=False), "download")
    body = server.last_request.json()
    assert body["markdown"] is False
    assert body["message"] == (
        "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Size: 1.4 GB, Client: qBittorrent\nQuality: WEBDL-1080p"
    )


def test_user_tags_follow_the_event_tag(server):
    send(ntfy(server.url, tags="tv, idkarr,tv"), "grab")
    assert server.last_request.json()["tags"] == ["inbox_tray", "tv", "idkarr"]


def test_configured_priority_overrides_the_per_event_default(server):
    send(ntfy(server.url, priority="urgent"), "download")
    assert server.last_request.json()["priority"] == 5


def test_renames_default_to_low_priority(server):
    send(ntfy(server.url), sample_message("rename"))
    assert server.last_request.json()["priority"] == 2


def test_poster_attachment_can_be_turned_off(server):
    send(ntfy(server.url, attach_poster=False), "grab")
    assert "attach" not in server.last_request.json()


def test_icon_url_is_sent_as_icon(server):
    send(ntfy(server.url, icon_url="https://img.example/icon.png"), "grab")
    assert server.last_request.json()["icon"] == "https://img.example/icon.png"


def test_without_link_there_is_no_click(server):
    send(ntfy(server.url), sample_message("series_delete"))
    assert "click" not in server.last_request.json()


def test_no_auth_sends_no_authorization_header(server):
    send(ntfy(server.url))
    assert "Authorization" not in server.last_request.headers


def test_access_token_is_sent_as_bearer(server):
    send(ntfy(server.url, auth_type="token", access_token=ACCESS_TOKEN))
    assert server.last_request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_basic_auth_sends_utf8_base64_credentials(server):
    send(ntfy(server.url, auth_type="basic", username="józef", password=PASSWORD))
    expected = base64.b64encode(f"józef:{PASSWORD}".encode()).decode()
    assert server.last_request.headers["Authorization"] == f"Basic {expected}"


def test_success_returns_status_id_and_response(server):
    details = send(ntfy(server.url))
    assert (details["status_code"], details["id"]) == (200, "hwQ2YpKdmg")


def test_run_test_publishes_a_manual_test(server):
    with ntfy(server.url) as notifier:
        result = notifier.run_test()
    assert result.ok is True
    assert server.last_request.json()["tags"] == ["test_tube"]


def test_unknown_event_type_is_permanent_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type") as caught:
        send(ntfy(server.url), EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.requests == []


# -- truncation ------------------------------------------------------------------
def test_message_is_cut_to_4096_utf8_bytes_never_inside_a_character(server):
    message = sample_message("grab")
    message.payload["release"]["releaseTitle"] = "東京" * 3000
    send(ntfy(server.url, markdown=False), message)
    text = server.last_request.json()["message"]
    assert MESSAGE_BYTES - 3 <= len(text.encode()) <= MESSAGE_BYTES
    assert text.endswith("京…") or text.endswith("東…")


def test_short_message_is_not_cut(server):
    send(ntfy(server.url), "grab")
    assert not server.last_request.json()["message"].endswith("…")


def test_title_is_capped(server, monkeypatch):
    monkeypatch.setattr(ntfy_module, "TITLE_LIMIT", 10)
    send(ntfy(server.url), "grab")
    assert server.last_request.json()["title"] == "Grabbed: …"


# -- errors ----------------------------------------------------------------------
def ntfy_error(code: int, http: int, error: str) -> dict:
    return {"code": code, "http": http, "error": error, "link": "https://ntfy.sh/docs/publish/"}


def test_401_is_a_permanent_credentials_error_with_ntfys_text(server):
    server.script([Reply(401, ntfy_error(40101, 401, "unauthorized"))])
    with pytest.raises(AuthenticationError) as caught:
        send(ntfy(server.url))
    assert caught.value.permanent is True
    assert str(caught.value) == (
        f"ntfy at {server.url} answered HTTP 401, code 40101: unauthorized (check the credentials)"
    )


def test_403_means_no_write_access_to_the_topic(server):
    server.script([Reply(403, ntfy_error(40301, 403, "forbidden"))])
    with pytest.raises(AuthenticationError, match="no write access to this topic"):
        send(ntfy(server.url))


def test_invalid_or_disallowed_topic_is_a_configuration_error(server):
    server.script(
        [Reply(400, ntfy_error(40010, 400, "invalid request: topic name is not allowed"))]
    )
    with pytest.raises(ConfigurationError, match="topic name is not allowed") as caught:
        send(ntfy(server.url))
    assert caught.value.permanent is True


def test_other_400_is_permanent_with_ntfys_text(server):
    server.script([Reply(400, ntfy_error(40007, 400, "invalid priority parameter"))])
    with pytest.raises(IntegrationError, match="code 40007: invalid priority parameter") as caught:
        send(ntfy(server.url))
    assert caught.value.permanent is True


def test_404_is_not_found(server):
    server.script([Reply(404, ntfy_error(40401, 404, "page not found"))])
    with pytest.raises(NotFoundError, match="check the server URL"):
        send(ntfy(server.url))


def test_429_with_retry_after_header_is_rate_limited_for_that_long(server):
    server.script(
        [
            Reply(
                429,
                ntfy_error(42908, 429, "limit reached: daily message quota reached"),
                headers={"Retry-After": "120"},
            )
        ]
    )
    with pytest.raises(RateLimited, match="daily message quota") as caught:
        send(ntfy(server.url))
    assert caught.value.retry_after == 120
    assert caught.value.permanent is False


def test_429_request_limit_without_header_waits_for_the_bucket_refill(server):
    server.script([Reply(429, ntfy_error(42901, 429, "limit reached: too many requests"))])
    with pytest.raises(RateLimited) as caught:
        send(ntfy(server.url))
    assert caught.value.retry_after == 5


def test_other_429_without_header_leaves_the_wait_to_the_outbox(server):
    server.script([Reply(429, ntfy_error(42909, 429, "limit reached: too many auth failures"))])
    with pytest.raises(RateLimited) as caught:
        send(ntfy(server.url))
    assert caught.value.retry_after is None


def test_5xx_is_a_transient_server_error(server):
    server.script([Reply(500, ntfy_error(50001, 500, "internal server error"))])
    with pytest.raises(ServerError, match="code 50001: internal server error") as caught:
        send(ntfy(server.url))
    assert caught.value.permanent is False


def test_html_error_page_is_reported_with_its_text(server):
    server.script([Reply(502, "<html><h1>502 Bad Gateway</h1> nginx</html>")])
    with pytest.raises(ServerError, match="HTTP 502: 502 Bad Gateway nginx$"):
        send(ntfy(server.url))


def test_html_answer_with_200_is_a_protocol_error_naming_ntfy(server):
    server.script([Reply(200, "<!doctype html><title>Some site</title>")])
    with pytest.raises(ProtocolError, match="returned an HTML page instead of ntfy's JSON"):
        send(ntfy(server.url))


def test_json_without_message_id_is_a_protocol_error(server):
    server.script([Reply(200, {"ok": True})])
    with pytest.raises(ProtocolError, match="without a message id"):
        send(ntfy(server.url))


def test_redirect_is_not_followed_but_reported(server):
    server.script([Reply(302, headers={"Location": "https://elsewhere.example/"})])
    with pytest.raises(ConfigurationError, match="redirected"):
        send(ntfy(server.url, auth_type="token", access_token=ACCESS_TOKEN))
    assert len(server.requests) == 1


def test_connection_refused_is_transient():
    with pytest.raises(ConnectionFailed) as caught:
        send(ntfy(f"http://127.0.0.1:{free_port()}"))
    assert caught.value.permanent is False


BASIC = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()


@pytest.mark.parametrize(
    "reply",
    [
        Reply(401, ntfy_error(40101, 401, f"unauthorized {ACCESS_TOKEN} {PASSWORD}")),
        Reply(500, f"Authorization: Basic {BASIC} / Bearer {ACCESS_TOKEN}"),
        Reply(200, f"<html>{PASSWORD}</html>"),
        Reply(200, {"echo": ACCESS_TOKEN}),
        Reply(429, ntfy_error(42901, 429, PASSWORD)),
    ],
    ids=["401", "500", "html", "no-id", "429"],
)
@pytest.mark.parametrize("auth", ["token", "basic"])
def test_secrets_never_appear_in_error_messages(server, reply, auth):
    server.script([reply])
    settings = (
        {"auth_type": "token", "access_token": ACCESS_TOKEN}
        if auth == "token"
        else {"auth_type": "basic", "username": "bob", "password": PASSWORD}
    )
    with pytest.raises(IntegrationError) as caught:
        send(ntfy(server.url, **settings))
    for secret in (ACCESS_TOKEN,) if auth == "token" else (PASSWORD, BASIC):
        assert secret not in str(caught.value)


# -- settings --------------------------------------------------------------------
def test_defaults():
    s = NtfySettings(topic="tv")
    assert (s.server_url, s.auth_type, s.priority, s.tags, s.markdown, s.attach_poster) == (
        "https://ntfy.sh",
        "none",
        None,
        [],
        True,
        True,
    )


def test_topic_is_required():
    with pytest.raises(ValidationError, match="topic"):
        NtfySettings()


@pytest.mark.parametrize("topic", ["", "a b", "tv/shows", "ü", "x" * 65, "a,b"])
def test_topic_must_be_1_to_64_safe_characters(topic):
    with pytest.raises(ValidationError, match="a topic is 1-64 letters"):
        NtfySettings(topic=topic)


@pytest.mark.parametrize("topic", ["docs", "static", "file", "app", "settings", "v1", "Account"])
def test_reserved_topics_are_rejected(topic):
    with pytest.raises(ValidationError, match="is reserved by ntfy"):
        NtfySettings(topic=topic)


@pytest.mark.parametrize("url", ["ntfy.sh", "ftp://ntfy.sh", "https://u:p@ntfy.sh", "http://"])
def test_server_url_must_be_a_plain_http_url(url):
    with pytest.raises(ValidationError, match="server_url"):
        NtfySettings(topic="tv", server_url=url)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("min", 1),
        ("low", 2),
        ("default", 3),
        ("high", 4),
        ("max", 5),
        ("urgent", 5),
        (4, 4),
        ("", None),
    ],
)
def test_priority_accepts_numbers_and_ntfy_names(value, expected):
    assert NtfySettings(topic="tv", priority=value).priority == expected


@pytest.mark.parametrize("value", [0, 6, "loud"])
def test_priority_out_of_range_is_rejected(value):
    with pytest.raises(ValidationError, match="priority"):
        NtfySettings(topic="tv", priority=value)


def test_token_auth_needs_a_token():
    with pytest.raises(ValidationError, match="token auth needs an access_token"):
        NtfySettings(topic="tv", auth_type="token")


@pytest.mark.parametrize("token", ["AgQdq7mVBoFD37zQVN29RhuMzNIz2", "tk_ short", "tk_abc"])
def test_malformed_access_token_is_rejected(token):
    with pytest.raises(ValidationError, match="not an ntfy access token"):
        NtfySettings(topic="tv", auth_type="token", access_token=token)


def test_basic_auth_needs_username_and_password():
    with pytest.raises(ValidationError, match="basic auth needs a username and a password"):
        NtfySettings(topic="tv", auth_type="basic", username="bob")


def test_username_with_colon_is_rejected():
    with pytest.raises(ValidationError, match="username must not contain"):
        NtfySettings(topic="tv", auth_type="basic", username="a:b", password="x")


def test_tag_too_long_is_rejected():
    with pytest.raises(ValidationError, match="up to 64 characters"):
        NtfySettings(topic="tv", tags=["x" * 65])


def test_unknown_field_is_rejected():
    with pytest.raises(ValidationError) as caught:
        NtfySettings(topic="tv", topics=["a"])
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_secrets_are_the_access_token_and_password_and_stay_private():
    s = NtfySettings(topic="tv", auth_type="token", access_token=ACCESS_TOKEN, password=PASSWORD)
    assert NtfySettings.secret_fields() == ["access_token", "password"]
    assert ACCESS_TOKEN not in str(s.public_dict())
    assert PASSWORD not in repr(s)


def test_every_setting_has_a_description():
    properties = NtfySettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_health_url_is_the_server_url():
    assert ntfy("https://ntfy.example/").health_url() == "https://ntfy.example"


def test_describe_names_the_kind():
    described = Ntfy.describe()
    assert (described["kind"], described["label"]) == ("ntfy", "ntfy")
