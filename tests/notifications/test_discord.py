"""Discord notifier against a real HTTP server on loopback speaking Discord's webhook API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
from notifications.message import Rendered
from notifications.providers.discord import Discord, DiscordSettings, build_embed, units
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

WEBHOOK_ID = "112233445566778899"
TOKEN = "Zx9-secretWebhookToken_0123456789abcdefGHIJ"
PATH = f"/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
POSTER = "https://artworks.thetvdb.com/banners/posters/1234-1.jpg"
CREATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
MESSAGE_OK = {"id": "1234567890123456789", "type": 0, "content": "", "webhook_id": WEBHOOK_ID}


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, MESSAGE_OK)) as srv:
        yield srv


def discord(server_url: str, **settings) -> Discord:
    return Discord(DiscordSettings(webhook_url=server_url + PATH, **settings))


def send(hook: Discord, event_type: str = "grab", **fields) -> dict:
    message = sample_message(event_type)
    message.created_at = CREATED
    for name, value in fields.items():
        setattr(message, name, value)
    with hook:
        return hook.send(message)


def embed_of(server) -> dict:
    body = server.last_request.json()
    assert len(body["embeds"]) == 1
    return body["embeds"][0]


# -- request shape ----------------------------------------------------------------
def test_it_posts_json_to_the_webhook_url_with_wait_true(server):
    send(discord(server.url))
    request = server.last_request
    assert (request.method, request.path, request.query) == ("POST", PATH, {"wait": ["true"]})
    assert request.headers["Content-Type"] == "application/json"


def test_thread_id_setting_is_sent_as_query_parameter(server):
    send(discord(server.url, thread_id="998877665544332211"))
    assert server.last_request.query == {"thread_id": ["998877665544332211"], "wait": ["true"]}


def test_query_of_the_pasted_url_is_kept_and_wait_forced(server):
    hook = Discord(DiscordSettings(webhook_url=f"{server.url}{PATH}?thread_id=42&wait=false"))
    send(hook)
    assert server.last_request.query == {"thread_id": ["42"], "wait": ["true"]}


def test_grab_embed(server):
    send(discord(server.url), "grab")
    assert embed_of(server) == {
        "title": "📥 Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "color": 0xFFC230,
        "description": "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP",
        "fields": [
            {"name": "Quality", "value": "WEBDL-1080p", "inline": True},
            {"name": "Size", "value": "1.4 GB", "inline": True},
            {"name": "Indexer", "value": "Test Indexer", "inline": True},
            {"name": "Release group", "value": "GROUP", "inline": True},
            {"name": "Download client", "value": "qBittorrent", "inline": True},
        ],
        "footer": {"text": "idkarr"},
        "timestamp": "2024-05-06T07:08:09+00:00",
    }


def test_download_embed_is_green_with_import_title(server):
    send(discord(server.url), "download")
    embed = embed_of(server)
    assert (embed["title"], embed["color"]) == (
        "✅ Imported: Test Title S01E01 [WEBDL-1080p]",
        0x27C24C,
    )
    assert [f["name"] for f in embed["fields"]] == [
        "Quality",
        "Size",
        "Release group",
        "Download client",
    ]


def test_upgrade_embed_says_what_it_replaced(server):
    send(discord(server.url), "upgrade")
    embed = embed_of(server)
    assert embed["title"] == "⬆️ Upgraded: Test Title S01E01 [WEBDL-1080p]"
    assert embed["description"].endswith("Replaced 1 file(s)")


def test_health_issue_embed_is_red_and_links_the_wiki(server):
    send(discord(server.url), "health_issue")
    embed = embed_of(server)
    assert embed["color"] == 0xF05050
    assert embed["url"] == "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
    assert embed["fields"] == [
        {"name": "Level", "value": "warning", "inline": True},
        {"name": "Check", "value": "DownloadClientCheck", "inline": True},
    ]


def test_manual_test_embed_has_no_fields(server):
    send(discord(server.url), "manual_test")
    embed = embed_of(server)
    assert embed["title"] == "🧪 Test notification from idkarr"
    assert "fields" not in embed and "thumbnail" not in embed


def test_footer_is_the_instance_name(server):
    send(discord(server.url), instance_name="Living room")
    assert embed_of(server)["footer"] == {"text": "Living room"}


def poster_message():
    message = sample_message("download")
    message.payload["series"]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    return message


def test_poster_is_the_thumbnail(server):
    with discord(server.url) as hook:
        hook.send(poster_message())
    assert embed_of(server)["thumbnail"] == {"url": POSTER}


def test_poster_is_left_out_when_disabled(server):
    with discord(server.url, include_poster=False) as hook:
        hook.send(poster_message())
    assert "thumbnail" not in embed_of(server)


def test_username_and_avatar_are_sent_only_when_set(server):
    send(discord(server.url))
    assert not {"username", "avatar_url", "content"} & server.last_request.json().keys()
    send(discord(server.url, username="idkarr", avatar_url="https://img.example/a.png"))
    body = server.last_request.json()
    assert (body["username"], body["avatar_url"]) == ("idkarr", "https://img.example/a.png")


def test_nobody_is_pinged_by_default(server):
    send(discord(server.url))
    assert server.last_request.json()["allowed_mentions"] == {"parse": []}


def test_mention_is_the_content_and_pings_only_what_it_names(server):
    send(discord(server.url, mention="<@&111222333444555666> <@222333444555666777> @here"))
    body = server.last_request.json()
    assert body["content"] == "<@&111222333444555666> <@222333444555666777> @here"
    assert body["allowed_mentions"] == {
        "parse": ["everyone"],
        "roles": ["111222333444555666"],
        "users": ["222333444555666777"],
    }


def test_plain_text_mode_sends_content_without_embeds(server):
    send(discord(server.url, embed=False), "grab")
    body = server.last_request.json()
    assert "embeds" not in body
    assert body["content"].splitlines()[:2] == [
        "**📥 Grabbed: Test Title S01E01 [WEBDL-1080p]**",
        "Test title",
    ]
    assert "Indexer: Test Indexer" in body["content"]


def test_non_ascii_is_sent_as_utf8(server):
    message = sample_message("series_add")
    message.payload["series"]["title"] = "Só Ação 東京"
    with discord(server.url) as hook:
        hook.send(message)
    assert "Só Ação 東京".encode() in server.last_request.body


# -- answers -----------------------------------------------------------------------
def test_success_returns_status_and_message_id(server):
    details = send(discord(server.url))
    assert (details["status_code"], details["id"]) == (200, "1234567890123456789")


def test_204_without_body_is_success(server):
    server.script([204])
    assert send(discord(server.url)) == {"status_code": 204, "response": ""}


def test_200_html_page_is_a_protocol_error_naming_discord(server):
    server.script(
        [Reply(200, "<html><body>Welcome to nginx</body></html>", {"Content-Type": "text/html"})]
    )
    with pytest.raises(ProtocolError) as caught:
        send(discord(server.url))
    assert "Discord webhook" in str(caught.value)
    assert "an HTML page instead of Discord's JSON message" in str(caught.value)


def test_200_garbage_is_a_protocol_error(server):
    server.script([Reply(200, "okay!!")])
    with pytest.raises(ProtocolError, match="a non-JSON answer"):
        send(discord(server.url))


def test_invalid_token_401_is_permanent_authentication_error(server):
    server.script([Reply(401, {"message": "Invalid Webhook Token", "code": 50027})])
    with pytest.raises(AuthenticationError) as caught:
        send(discord(server.url))
    assert caught.value.permanent is True
    assert "HTTP 401: Invalid Webhook Token (code 50027)" in str(caught.value)
    assert "copy the webhook URL again" in str(caught.value)


def test_unknown_webhook_404_is_permanent_and_says_it_was_deleted(server):
    server.script([Reply(404, {"message": "Unknown Webhook", "code": 10015})])
    with pytest.raises(NotFoundError) as caught:
        send(discord(server.url))
    assert caught.value.permanent is True
    assert caught.value.details == {"status_code": 404, "discord_code": 10015}
    assert "Unknown Webhook (code 10015). The webhook was deleted" in str(caught.value)


def test_invalid_form_body_names_the_failing_path(server):
    error = {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "embeds": {
                "0": {
                    "title": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_MAX_LENGTH",
                                "message": "Must be 256 or fewer in length.",
                            }
                        ]
                    }
                }
            }
        },
    }
    server.script([Reply(400, error)])
    with pytest.raises(IntegrationError) as caught:
        send(discord(server.url))
    assert caught.value.permanent is True
    assert str(caught.value).endswith(
        "HTTP 400: Invalid Form Body (code 50035): embeds.0.title: Must be 256 or fewer in length."
    )


def test_429_retry_after_float_from_the_json_body(server):
    body = {"message": "You are being rate limited.", "retry_after": 2.5, "global": False}
    server.script([Reply(429, body)])
    with pytest.raises(RateLimited) as caught:
        send(discord(server.url))
    assert caught.value.retry_after == 2.5
    assert caught.value.permanent is False


def test_429_retry_after_header_when_the_body_has_none(server):
    server.script([Reply(429, "slow down", headers={"Retry-After": "7"})])
    with pytest.raises(RateLimited) as caught:
        send(discord(server.url))
    assert caught.value.retry_after == 7


def test_429_waits_for_the_longer_of_header_and_body_and_says_global(server):
    body = {"message": "You are being rate limited.", "retry_after": 64.57, "global": True}
    server.script([Reply(429, body, headers={"Retry-After": "65"})])
    with pytest.raises(RateLimited) as caught:
        send(discord(server.url))
    assert caught.value.retry_after == 65
    assert "(global limit)" in str(caught.value)


def test_5xx_is_a_transient_server_error(server):
    server.script([Reply(500, {"message": "500: Internal Server Error", "code": 0})])
    with pytest.raises(ServerError) as caught:
        send(discord(server.url))
    assert caught.value.permanent is False


def test_502_html_page_is_transient_and_says_html(server):
    server.script(
        [Reply(502, "<html><h1>502 Bad Gateway</h1></html>", {"Content-Type": "text/html"})]
    )
    with pytest.raises(ServerError, match="HTTP 502: an HTML page instead of Discord's JSON error"):
        send(discord(server.url))


def test_redirect_is_a_configuration_error(server):
    server.script([Reply(301, headers={"Location": server.url + "/elsewhere"})])
    with pytest.raises(ConfigurationError):
        send(discord(server.url))
    assert len(server.requests) == 1


def test_connection_refused_is_transient():
    with pytest.raises(ConnectionFailed) as caught:
        send(discord(f"http://127.0.0.1:{free_port()}"))
    assert caught.value.permanent is False


def test_run_test_sends_the_manual_test_embed(server):
    with discord(server.url) as hook:
        result = hook.run_test()
    assert result.ok is True
    assert embed_of(server)["title"] == "🧪 Test notification from idkarr"


# -- limits ------------------------------------------------------------------------
def rendered(**overrides) -> Rendered:
    values = {"event_type": "health_issue", "title": "t", "text": "x", "colour": 1}
    return Rendered(**{**values, **overrides})


def embed(r: Rendered) -> dict:
    return build_embed(r, sample_message("health_issue"), include_poster=True)


def total(e: dict) -> int:
    fields = e.get("fields", [])
    texts = [e["title"], e.get("description", ""), e["footer"]["text"]]
    return sum(map(units, texts)) + sum(units(f["name"] + f["value"]) for f in fields)


def test_title_is_cut_to_256_with_an_ellipsis():
    title = embed(rendered(title="T" * 300))["title"]
    assert (len(title), title[-1]) == (256, "…")


def test_limits_count_utf16_units_so_emoji_titles_fit():
    title = embed(rendered(title="😀" * 300))["title"]
    assert units(title) <= 256


def test_description_is_cut_to_4096():
    assert len(embed(rendered(text="d" * 5000))["description"]) == 4096


def test_field_values_are_cut_to_1024_and_names_to_256():
    field = embed(rendered(fields=[("n" * 300, "v" * 2000)]))["fields"][0]
    assert (len(field["name"]), len(field["value"]), field["inline"]) == (256, 1024, False)


def test_at_most_25_fields():
    fields = [(f"F{i}", "v") for i in range(30)]
    assert len(embed(rendered(fields=fields))["fields"]) == 25


def test_empty_field_values_are_dropped():
    assert "fields" not in embed(rendered(fields=[("Quality", "  ")]))


def test_whole_embed_stays_within_6000():
    fields = [(f"F{i}", "v" * 1024) for i in range(25)]
    e = embed(rendered(title="T" * 300, text="d" * 5000, fields=fields))
    assert total(e) <= 6000
    assert e["description"]  # the text is kept, trailing fields give way


def test_huge_health_message_is_truncated_not_rejected(server):
    send(discord(server.url), "health_issue", payload={"level": "error", "message": "m" * 10000})
    e = embed_of(server)
    assert len(e["description"]) <= 4096 and total(e) <= 6000


def test_plain_text_content_is_cut_to_2000(server, monkeypatch):
    long = rendered(text="m" * 5000, fields=[("Quality", "q" * 900)])
    monkeypatch.setattr("notifications.providers.discord.render", lambda message: long)
    send(discord(server.url, embed=False), "health_issue")
    content = server.last_request.json()["content"]
    assert (len(content), content[-1]) == (2000, "…")


# -- secrets -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "reply",
    [
        Reply(401, {"message": f"Invalid Webhook Token {TOKEN}", "code": 50027}),
        Reply(404, f"<html>no webhook at {PATH}</html>"),
        Reply(400, {"message": "bad", "errors": {TOKEN: {"_errors": [{"message": TOKEN}]}}}),
        Reply(429, {"retry_after": 1}),
        Reply(500, f"boom {PATH}?wait=true"),
        Reply(200, f"<html>{TOKEN}</html>"),
        Reply(302, headers={"Location": f"http://127.0.0.1:1{PATH}"}),
        Reply(close=True),
    ],
    ids=["401", "404-html", "400", "429", "500", "200-html", "302", "closed"],
)
def test_token_never_appears_in_error_messages(server, reply):
    server.script([reply])
    with pytest.raises(IntegrationError) as caught:
        send(discord(server.url))
    for text in (str(caught.value), repr(caught.value.details)):
        assert TOKEN not in text
    assert f"webhooks/{WEBHOOK_ID}/***" in str(caught.value)


def test_token_never_appears_in_connection_errors():
    with pytest.raises(ConnectionFailed) as caught:
        send(discord(f"http://127.0.0.1:{free_port()}"))
    assert TOKEN not in str(caught.value)


def test_token_echoed_by_a_successful_answer_is_scrubbed(server):
    server.script([Reply(200, {"id": "1", "echo": PATH})])
    assert TOKEN not in json.dumps(send(discord(server.url)))


def test_webhook_url_is_not_in_public_settings():
    settings = DiscordSettings(webhook_url=f"https://discord.com{PATH}")
    assert TOKEN not in repr(settings.public_dict()) and TOKEN not in repr(settings)


def test_health_url_is_the_host_without_the_token():
    hook = Discord(DiscordSettings(webhook_url=f"https://discord.com{PATH}"))
    assert hook.health_url() == "https://discord.com/"


# -- settings ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        f"https://discord.com{PATH}",
        f"https://discord.com/api/v10/webhooks/{WEBHOOK_ID}/{TOKEN}",
        f"https://canary.discordapp.com{PATH}",
        "http://127.0.0.1:8080/any/compatible/hook",
    ],
)
def test_discord_and_compatible_urls_are_accepted(url):
    assert DiscordSettings(webhook_url=url).webhook_url.get_secret_value() == url


@pytest.mark.parametrize(
    "url",
    [
        "https://discord.com/api/webhooks/112233445566778899",
        "https://discord.com/channels/1/2",
        f"http://discord.com{PATH}",
        f"https://discord.com/api/webhooks/notanid/{TOKEN}",
    ],
)
def test_incomplete_discord_urls_are_rejected_with_the_reason(url):
    with pytest.raises(ValidationError, match="is not a complete Discord webhook URL"):
        DiscordSettings(webhook_url=url)


@pytest.mark.parametrize("url", ["ftp://h/x", "discord.com/api/webhooks/1/2", "", "http://"])
def test_non_http_urls_are_rejected(url):
    with pytest.raises(ValidationError, match="must be a Discord webhook URL"):
        DiscordSettings(webhook_url=url)


def test_rejected_url_does_not_echo_the_token():
    with pytest.raises(ValidationError) as caught:
        DiscordSettings(webhook_url=f"http://discord.com{PATH}")
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("username", ["My Discord Bot", "clyde", "x" * 81, "a\nb"])
def test_usernames_discord_refuses_are_rejected(username):
    with pytest.raises(ValidationError):
        DiscordSettings(webhook_url=f"https://discord.com{PATH}", username=username)


def test_avatar_url_must_be_http():
    with pytest.raises(ValidationError, match="must be an http"):
        DiscordSettings(webhook_url=f"https://discord.com{PATH}", avatar_url="file:///a.png")


def test_thread_id_must_be_numeric():
    with pytest.raises(ValidationError, match="numeric id"):
        DiscordSettings(webhook_url=f"https://discord.com{PATH}", thread_id="general")


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError) as caught:
        DiscordSettings(webhook_url=f"https://discord.com{PATH}", colour=1)
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_webhook_url_is_the_only_secret():
    assert DiscordSettings.secret_fields() == ["webhook_url"]


def test_every_setting_has_a_description():
    properties = DiscordSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_every_event_flag_is_a_setting():
    settings = DiscordSettings(webhook_url=f"https://discord.com{PATH}", on_grab=False)
    assert (settings.on_grab, settings.on_manual_test) == (False, True)
