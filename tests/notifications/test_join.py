"""Join notifier against a real scripted HTTP server on loopback (and ``responses``
for the official API address)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

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
from notifications.base import EventMessage
from notifications.providers.join import TEXT_BYTES, TITLE_BYTES, Join, JoinSettings
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

API_KEY = "0f3c9a7e5b1d4c2a8e6f0b9d7c5a3e1f"
PATH = "/_ah/api/messaging/v1/sendPush"
POSTER = "https://img.example/poster.jpg"
APP_URL = "http://idkarr.lan:8989"
WIKI = "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
OK = {"success": True, "kind": "messaging#messagingItem", "etag": '"abc"'}


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, OK)) as srv:
        yield srv


def join(url: str, **settings) -> Join:
    return Join(JoinSettings(base_url=url, api_key=API_KEY, **settings))


def rich(event_type: str) -> EventMessage:
    """A sample event with a poster and the instance's URL (the link)."""
    message = sample_message(event_type)
    for key in ("series", "movie"):
        if key in message.payload:
            message.payload[key]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    message.application_url = APP_URL
    return message


def send(notifier: Join, message: EventMessage | str = "grab") -> dict:
    if isinstance(message, str):
        message = rich(message)
    with notifier:
        return notifier.send(message)


def query(server) -> dict[str, str]:
    return {k: v[0] for k, v in server.last_request.query.items()}


# -- request shape ---------------------------------------------------------------
def test_it_gets_send_push_with_url_encoded_query_parameters(server):
    send(join(server.url))
    request = server.last_request
    assert (request.method, request.path) == ("GET", PATH)
    assert request.body == b""
    assert query(server)["apikey"] == API_KEY


@responses.activate
def test_default_base_url_is_the_official_join_api():
    responses.get("https://joinjoaomgcd.appspot.com" + PATH, json=OK)
    with Join(JoinSettings(api_key=API_KEY)) as notifier:
        notifier.send(rich("grab"))
    url = urlsplit(responses.calls[0].request.url)
    assert (url.scheme, url.netloc, url.path) == ("https", "joinjoaomgcd.appspot.com", PATH)
    assert parse_qs(url.query)["deviceId"] == ["group.all"]


def test_special_characters_are_percent_encoded(server):
    message = EventMessage("series_add", {"series": {"title": "A & B = 100% #1?"}})
    send(join(server.url), message)
    assert query(server)["title"] == "📺 Series added: A & B = 100% #1?"
    assert "%26" in server.last_request.raw_path


EXPECTED = {
    "grab": {
        "apikey": API_KEY,
        "deviceId": "group.all",
        "title": "📥 Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "text": "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Indexer: Test Indexer, Size: 1.4 GB, Client: qBittorrent\nQuality: WEBDL-1080p",
        "priority": "0",
        "url": APP_URL,
        "icon": POSTER,
    },
    "download": {
        "apikey": API_KEY,
        "deviceId": "group.all",
        "title": "✅ Imported: Test Title S01E01 [WEBDL-1080p]",
        "text": "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Size: 1.4 GB, Client: qBittorrent\nQuality: WEBDL-1080p",
        "priority": "0",
        "url": APP_URL,
        "icon": POSTER,
    },
    "upgrade": {
        "apikey": API_KEY,
        "deviceId": "group.all",
        "title": "⬆️ Upgraded: Test Title S01E01 [WEBDL-1080p]",
        "text": "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Size: 1.4 GB, Client: qBittorrent\nReplaced 1 file(s)\nQuality: WEBDL-1080p",
        "priority": "0",
        "url": APP_URL,
        "icon": POSTER,
    },
    "health_issue": {
        "apikey": API_KEY,
        "deviceId": "group.all",
        "title": "⚠️ Health issue: Download client qBittorrent is unavailable",
        "text": "Download client qBittorrent is unavailable\n"
        f"Level: warning, Check: DownloadClientCheck\n{WIKI}",
        "priority": "1",
        "url": WIKI,
    },
    "manual_test": {
        "apikey": API_KEY,
        "deviceId": "group.all",
        "title": "🧪 Test notification from idkarr",
        "text": f"This is a test message from idkarr ({APP_URL}). "
        "If you can read it, this target works.",
        "priority": "0",
        "url": APP_URL,
        "icon": POSTER,
    },
}


@pytest.mark.parametrize("event_type", list(EXPECTED))
def test_query_is_apikey_target_title_text_priority_url_and_icon(server, event_type):
    send(join(server.url), event_type)
    assert server.last_request.query == {k: [v] for k, v in EXPECTED[event_type].items()}


def test_several_device_ids_are_sent_as_device_ids(server):
    send(join(server.url, device_ids="abc123, def456"))
    params = query(server)
    assert params["deviceIds"] == "abc123,def456"
    assert "deviceId" not in params


def test_a_single_device_id_is_sent_as_device_id(server):
    send(join(server.url, device_ids=["abc123"]))
    assert query(server)["deviceId"] == "abc123"


def test_a_group_is_sent_as_device_id(server):
    send(join(server.url, device_ids="group.android"))
    assert query(server)["deviceId"] == "group.android"


def test_device_names_are_sent_as_device_names(server):
    send(join(server.url, device_names="Pixel, Office PC"))
    params = query(server)
    assert params["deviceNames"] == "Pixel,Office PC"
    assert not {"deviceId", "deviceIds"} & params.keys()


def test_configured_icons_and_priorities_are_used(server):
    notifier = join(
        server.url,
        icon_url="https://img.example/i.png",
        small_icon_url="https://img.example/s.png",
        priority=-2,
        health_priority=2,
    )
    send(notifier, "grab")
    grab = query(server)
    send(notifier, "health_issue")
    health = query(server)
    assert (grab["icon"], grab["smallicon"], grab["priority"]) == (
        "https://img.example/i.png",
        "https://img.example/s.png",
        "-2",
    )
    assert health["priority"] == "2"


def test_without_link_or_poster_there_is_no_url_or_icon(server):
    send(join(server.url), sample_message("series_delete"))
    assert not {"url", "icon", "smallicon"} & query(server).keys()


def test_success_returns_status_and_success(server):
    details = send(join(server.url))
    assert (details["status_code"], details["success"]) == (200, True)
    assert API_KEY not in details["response"]


def test_run_test_sends_a_manual_test_push(server):
    with join(server.url) as notifier:
        result = notifier.run_test()
    assert result.ok is True
    assert query(server)["title"] == "🧪 Test notification from idkarr"


def test_unknown_event_type_is_permanent_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type") as caught:
        send(join(server.url), EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.requests == []


# -- truncation ------------------------------------------------------------------
def test_text_is_cut_to_the_byte_limit_never_inside_a_character(server):
    message = sample_message("grab")
    message.payload["release"]["releaseTitle"] = "東京" * 2000
    send(join(server.url), message)
    text = query(server)["text"]
    assert TEXT_BYTES - 3 <= len(text.encode()) <= TEXT_BYTES
    assert text.endswith("…")


def test_title_is_cut_to_the_byte_limit(server):
    message = sample_message("series_add")
    message.payload["series"]["title"] = "é" * 300
    send(join(server.url), message)
    title = query(server)["title"]
    assert TITLE_BYTES - 3 <= len(title.encode()) <= TITLE_BYTES
    assert title.endswith("…")


# -- errors ----------------------------------------------------------------------
def test_user_auth_error_is_a_permanent_bad_key(server):
    server.script(
        [
            Reply(
                200,
                {"success": False, "userAuthError": True, "errorMessage": "User Not Authenticated"},
            )
        ]
    )
    with pytest.raises(AuthenticationError) as caught:
        send(join(server.url))
    assert caught.value.permanent is True
    assert str(caught.value) == "Join refused the API key: User Not Authenticated"


def test_user_not_authenticated_text_alone_is_a_bad_key(server):
    server.script([Reply(200, {"success": False, "errorMessage": "User Not Authenticated"})])
    with pytest.raises(AuthenticationError):
        send(join(server.url))


def test_no_device_to_send_message_to_means_a_bad_key(server):
    server.script([Reply(200, {"success": False, "errorMessage": "No device to send message to"})])
    with pytest.raises(AuthenticationError, match="No device to send message to"):
        send(join(server.url))


def test_no_devices_to_send_to_is_a_device_configuration_error(server):
    server.script([Reply(200, {"success": False, "errorMessage": "No devices to send to"})])
    with pytest.raises(ConfigurationError) as caught:
        send(join(server.url, device_ids="abc123"))
    assert caught.value.permanent is True
    assert str(caught.value) == (
        "Join did not send the push: No devices to send to (check the device ids or names)"
    )


def test_other_failure_is_permanent_with_joins_text(server):
    server.script([Reply(200, {"success": False, "errorMessage": "Quota exceeded for user"})])
    with pytest.raises(IntegrationError) as caught:
        send(join(server.url))
    assert caught.value.permanent is True
    assert str(caught.value) == "Join did not send the push: Quota exceeded for user"


def test_failure_without_a_message_says_so(server):
    server.script([Reply(200, {"success": False})])
    with pytest.raises(IntegrationError, match="no reason given"):
        send(join(server.url))


def test_json_without_success_flag_is_a_protocol_error(server):
    server.script([Reply(200, {"hello": "world"})])
    with pytest.raises(ProtocolError, match="without a success flag"):
        send(join(server.url))


def test_html_answer_with_200_is_a_protocol_error_naming_join(server):
    server.script([Reply(200, "<html><body>Sign in</body></html>")])
    with pytest.raises(
        ProtocolError, match="Join at .* returned an HTML page instead of Join's JSON"
    ):
        send(join(server.url))


def test_401_is_an_authentication_error(server):
    server.script([Reply(401, {"error": {"code": 401, "message": "Invalid Credentials"}})])
    with pytest.raises(AuthenticationError, match="HTTP 401: Invalid Credentials"):
        send(join(server.url))


def test_404_is_not_found_pointing_at_the_base_url(server):
    server.script([Reply(404, "Not Found")])
    with pytest.raises(NotFoundError, match="check the base URL"):
        send(join(server.url))


def test_429_is_rate_limited_with_retry_after(server):
    server.script([Reply(429, "Too Many Requests", headers={"Retry-After": "30"})])
    with pytest.raises(RateLimited) as caught:
        send(join(server.url))
    assert caught.value.retry_after == 30
    assert caught.value.permanent is False


def test_5xx_html_is_a_transient_server_error_with_its_text(server):
    server.script([Reply(503, "<html><h1>Error: Server Error</h1></html>")])
    with pytest.raises(ServerError, match="HTTP 503: Error: Server Error$") as caught:
        send(join(server.url))
    assert caught.value.permanent is False


def test_redirect_is_not_followed(server):
    server.script([Reply(302, headers={"Location": server.url + "/elsewhere"})])
    with pytest.raises(ConfigurationError, match="redirected"):
        send(join(server.url))
    assert len(server.requests) == 1


def test_connection_refused_is_transient_and_names_no_key():
    with pytest.raises(ConnectionFailed) as caught:
        send(join(f"http://127.0.0.1:{free_port()}"))
    assert caught.value.permanent is False
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"success": False, "errorMessage": f"bad key {API_KEY}"}),
        Reply(200, {"success": False, "userAuthError": True, "errorMessage": API_KEY}),
        Reply(400, f"GET {PATH}?apikey={API_KEY}&deviceId=group.all"),
        Reply(500, {"error": {"message": f"apikey={API_KEY}"}}),
        Reply(200, f"<html>{API_KEY}</html>"),
        Reply(200, {"echo": API_KEY}),
        Reply(302, headers={"Location": f"http://127.0.0.1:1/?apikey={API_KEY}"}),
    ],
    ids=["failure", "auth", "400", "500", "html", "no-flag", "302"],
)
def test_the_api_key_never_appears_in_error_messages(server, reply):
    server.script([reply])
    with pytest.raises(IntegrationError) as caught:
        send(join(server.url))
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value.details)


# -- settings --------------------------------------------------------------------
def test_defaults():
    s = JoinSettings(api_key=API_KEY)
    assert (s.base_url, s.device_ids, s.device_names, s.priority, s.health_priority) == (
        "https://joinjoaomgcd.appspot.com",
        [],
        [],
        0,
        1,
    )


def test_api_key_is_required():
    with pytest.raises(ValidationError, match="api_key"):
        JoinSettings()


@pytest.mark.parametrize(
    "key", ["", "short", "0f3c9a7e 5b1d4c2a8e6f0b9d7c5a3e1f", "k" * 65, "ab&apikey=x" * 2]
)
def test_malformed_api_key_is_rejected(key):
    with pytest.raises(ValidationError, match="api_key"):
        JoinSettings(api_key=key)


def test_unknown_group_is_rejected():
    with pytest.raises(ValidationError, match="unknown Join group 'group.tv'"):
        JoinSettings(api_key=API_KEY, device_ids="group.tv")


def test_group_cannot_be_mixed_with_device_ids():
    with pytest.raises(ValidationError, match="cannot be combined"):
        JoinSettings(api_key=API_KEY, device_ids="group.all,abc123")


def test_device_id_with_symbols_is_rejected():
    with pytest.raises(ValidationError, match="letters and digits only"):
        JoinSettings(api_key=API_KEY, device_ids="abc&x=1")


def test_device_ids_and_names_together_are_rejected():
    with pytest.raises(ValidationError, match="device ids or device names, not both"):
        JoinSettings(api_key=API_KEY, device_ids="abc123", device_names="Pixel")


@pytest.mark.parametrize("value", [-3, 3])
def test_priority_is_minus_2_to_2(value):
    with pytest.raises(ValidationError, match="priority"):
        JoinSettings(api_key=API_KEY, priority=value)


@pytest.mark.parametrize("field", ["base_url", "icon_url", "small_icon_url"])
def test_urls_must_be_http_or_https(field):
    with pytest.raises(ValidationError, match=field):
        JoinSettings(api_key=API_KEY, **{field: "javascript:alert(1)"})


def test_base_url_with_a_query_is_rejected():
    with pytest.raises(ValidationError, match="query string"):
        JoinSettings(api_key=API_KEY, base_url="https://join.example/?apikey=x")


def test_unknown_field_is_rejected():
    with pytest.raises(ValidationError) as caught:
        JoinSettings(api_key=API_KEY, device_id="abc")
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_the_api_key_is_the_only_secret_and_stays_private():
    s = JoinSettings(api_key=API_KEY)
    assert JoinSettings.secret_fields() == ["api_key"]
    assert API_KEY not in str(s.public_dict())
    assert API_KEY not in repr(s)


def test_every_setting_has_a_description():
    properties = JoinSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_health_url_is_the_base_url_without_the_key():
    assert join("https://join.example/").health_url() == "https://join.example"


def test_describe_names_the_kind():
    described = Join.describe()
    assert (described["kind"], described["label"], described["secret_fields"]) == (
        "join",
        "Join",
        ["api_key"],
    )
