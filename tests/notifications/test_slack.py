"""Slack notifier against a real HTTP server on loopback speaking the incoming-webhook API."""

from __future__ import annotations

import json

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
from notifications.providers.slack import Slack, SlackSettings, build_blocks, cut
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

SECRET = "q7XsecretSlackHookZ2bN9pLm"
PATH = f"/services/T0123ABCD/B0456EFGH/{SECRET}"
SLACK_URL = f"https://hooks.slack.com{PATH}"
POSTER = "https://artworks.thetvdb.com/banners/posters/1234-1.jpg"
WIKI = "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, "ok")) as srv:
        yield srv


def slack(server_url: str, **settings) -> Slack:
    return Slack(SlackSettings(webhook_url=server_url + PATH, **settings))


def send(hook: Slack, event_type: str = "grab", **fields) -> dict:
    message = sample_message(event_type)
    for name, value in fields.items():
        setattr(message, name, value)
    with hook:
        return hook.send(message)


def attachment_of(server) -> dict:
    body = server.last_request.json()
    assert len(body["attachments"]) == 1
    return body["attachments"][0]


# -- request shape ---------------------------------------------------------------------
def test_it_posts_utf8_json_to_the_webhook_url(server):
    send(slack(server.url))
    request = server.last_request
    assert (request.method, request.path, request.query) == ("POST", PATH, {})
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"


def test_grab_message(server):
    send(slack(server.url), "grab")
    assert server.last_request.json() == {
        "text": "📥 Grabbed: Test Title S01E01 [WEBDL-1080p]",
        "attachments": [
            {
                "color": "#ffc230",
                "fallback": "📥 Grabbed: Test Title S01E01 [WEBDL-1080p]\nTest title\n"
                "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
                "Indexer: Test Indexer, Size: 1.4 GB, Client: qBittorrent",
                "blocks": [
                    {
                        "type": "section",
                        "text": {
                            "type": "mrkdwn",
                            "text": "Test title\nTest.Title.S01E01.1080p.WEB-DL.x264-GROUP",
                        },
                    },
                    {
                        "type": "section",
                        "fields": [
                            {"type": "mrkdwn", "text": "*Quality*\nWEBDL-1080p"},
                            {"type": "mrkdwn", "text": "*Size*\n1.4 GB"},
                            {"type": "mrkdwn", "text": "*Indexer*\nTest Indexer"},
                            {"type": "mrkdwn", "text": "*Release group*\nGROUP"},
                            {"type": "mrkdwn", "text": "*Download client*\nqBittorrent"},
                        ],
                    },
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": "idkarr"}]},
                ],
            }
        ],
    }


def test_download_is_green(server):
    send(slack(server.url), "download")
    assert server.last_request.json()["text"] == "✅ Imported: Test Title S01E01 [WEBDL-1080p]"
    assert attachment_of(server)["color"] == "#27c24c"


def test_upgrade_says_what_it_replaced(server):
    send(slack(server.url), "upgrade")
    section = attachment_of(server)["blocks"][0]
    assert server.last_request.json()["text"].startswith("⬆️ Upgraded: ")
    assert section["text"]["text"].endswith("Replaced 1 file(s)")


def test_health_issue_is_red_and_links_the_wiki(server):
    send(slack(server.url), "health_issue", instance_name="Home")
    attachment = attachment_of(server)
    assert attachment["color"] == "#f05050"
    assert attachment["blocks"][-1]["elements"][0]["text"] == f"Home · <{WIKI}|More information>"
    assert attachment["blocks"][1]["fields"] == [
        {"type": "mrkdwn", "text": "*Level*\nwarning"},
        {"type": "mrkdwn", "text": "*Check*\nDownloadClientCheck"},
    ]


def test_manual_test_has_text_and_no_fields(server):
    send(slack(server.url), "manual_test")
    body = server.last_request.json()
    assert body["text"] == "🧪 Test notification from idkarr"
    assert [b["type"] for b in body["attachments"][0]["blocks"]] == ["section", "context"]


def test_ampersand_and_angle_brackets_are_escaped_for_mrkdwn(server):
    message = sample_message("series_add")
    message.payload["series"]["title"] = "Law & Order <SVU>"
    message.payload["series"]["path"] = "/tv/Law & Order <SVU>"
    with slack(server.url) as hook:
        hook.send(message)
    body = server.last_request.json()
    assert body["text"] == "📺 Series added: Law &amp; Order &lt;SVU&gt; (2024)"
    assert body["attachments"][0]["blocks"][0]["text"]["text"] == (
        "Path: /tv/Law &amp; Order &lt;SVU&gt;"
    )


def test_ampersand_in_a_link_is_escaped(server):
    payload = {"message": "m", "wikiUrl": "https://wiki.example/a?b=1&c=2"}
    send(slack(server.url), "health_issue", payload=payload)
    context = attachment_of(server)["blocks"][-1]["elements"][0]["text"]
    assert context.endswith("<https://wiki.example/a?b=1&amp;c=2|More information>")


def test_poster_is_the_section_accessory(server):
    message = sample_message("download")
    message.payload["series"]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    with slack(server.url) as hook:
        hook.send(message)
    accessory = attachment_of(server)["blocks"][0]["accessory"]
    assert accessory == {"type": "image", "image_url": POSTER, "alt_text": "Poster"}


def test_poster_is_left_out_when_disabled(server):
    message = sample_message("download")
    message.payload["series"]["images"] = [{"coverType": "poster", "remoteUrl": POSTER}]
    with slack(server.url, include_poster=False) as hook:
        hook.send(message)
    assert "accessory" not in attachment_of(server)["blocks"][0]


def test_overrides_are_sent_only_when_set(server):
    send(slack(server.url))
    assert not {"channel", "username", "icon_emoji", "icon_url"} & server.last_request.json().keys()
    send(slack(server.url, channel="#tv", username="idkarr", icon_emoji=":tv:"))
    body = server.last_request.json()
    assert (body["channel"], body["username"], body["icon_emoji"]) == ("#tv", "idkarr", ":tv:")


def test_icon_url_override(server):
    send(slack(server.url, icon_url="https://img.example/i.png"))
    assert server.last_request.json()["icon_url"] == "https://img.example/i.png"


# -- answers ---------------------------------------------------------------------------
def test_ok_is_success(server):
    assert send(slack(server.url)) == {"status_code": 200, "response": "ok"}


def test_json_success_of_compatible_servers_is_success(server):
    server.script([Reply(200, {"success": True})])
    assert send(slack(server.url))["status_code"] == 200


def test_200_html_page_is_a_protocol_error_naming_slack(server):
    server.script([Reply(200, "<html><body>Sign in</body></html>", {"Content-Type": "text/html"})])
    with pytest.raises(ProtocolError) as caught:
        send(slack(server.url))
    assert "Slack webhook" in str(caught.value)
    assert 'an HTML page instead of Slack\'s "ok"' in str(caught.value)


def test_200_json_saying_not_ok_is_a_protocol_error(server):
    server.script([Reply(200, {"ok": False, "error": "invalid_auth"})])
    with pytest.raises(ProtocolError):
        send(slack(server.url))


@pytest.mark.parametrize(
    ("status", "code", "error", "advice"),
    [
        (403, "invalid_token", AuthenticationError, "token is invalid or revoked"),
        (404, "no_service", NotFoundError, "disabled, removed or invalid"),
        (404, "channel_not_found", NotFoundError, "check the channel setting"),
        (410, "channel_is_archived", ConfigurationError, "unarchive it"),
        (403, "action_prohibited", ConfigurationError, "admin restricted posting"),
        (400, "invalid_payload", IntegrationError, "could not understand the message"),
        (400, "no_text", IntegrationError, "found no text"),
    ],
)
def test_slack_error_codes_are_permanent_with_advice(server, status, code, error, advice):
    server.script([Reply(status, code)])
    with pytest.raises(error) as caught:
        send(slack(server.url))
    assert caught.value.permanent is True
    assert f"answered HTTP {status}: {code} (" in str(caught.value)
    assert advice in str(caught.value)
    assert caught.value.details == {"status_code": status, "slack_error": code}


def test_rollup_error_is_transient(server):
    server.script([Reply(500, "rollup_error")])
    with pytest.raises(ServerError) as caught:
        send(slack(server.url))
    assert caught.value.permanent is False


def test_429_is_rate_limited_with_retry_after(server):
    server.script([Reply(429, {"retry_after": 30}, headers={"Retry-After": "30"})])
    with pytest.raises(RateLimited) as caught:
        send(slack(server.url))
    assert (caught.value.retry_after, caught.value.permanent) == (30, False)


def test_5xx_is_a_transient_server_error(server):
    server.script([Reply(503, "service unavailable")])
    with pytest.raises(ServerError) as caught:
        send(slack(server.url))
    assert caught.value.permanent is False


def test_unknown_403_is_an_authentication_error(server):
    server.script([Reply(403, "Forbidden!")])
    with pytest.raises(AuthenticationError):
        send(slack(server.url))


def test_404_html_page_is_permanent_and_says_html(server):
    server.script([Reply(404, "<html><h1>Not Found</h1></html>", {"Content-Type": "text/html"})])
    with pytest.raises(NotFoundError, match="HTTP 404: an HTML page instead of Slack's error code"):
        send(slack(server.url))


def test_redirect_is_a_configuration_error(server):
    server.script([Reply(302, headers={"Location": server.url + "/x"})])
    with pytest.raises(ConfigurationError):
        send(slack(server.url))
    assert len(server.requests) == 1


def test_connection_refused_is_transient():
    with pytest.raises(ConnectionFailed) as caught:
        send(slack(f"http://127.0.0.1:{free_port()}"))
    assert caught.value.permanent is False


def test_run_test_sends_the_manual_test_message(server):
    with slack(server.url) as hook:
        result = hook.run_test()
    assert result.ok is True
    assert server.last_request.json()["text"] == "🧪 Test notification from idkarr"


# -- limits ----------------------------------------------------------------------------
def rendered(**overrides) -> Rendered:
    values = {"event_type": "health_issue", "title": "t", "text": "x", "colour": 1}
    return Rendered(**{**values, **overrides})


def blocks(r: Rendered) -> list[dict]:
    return build_blocks(r, sample_message("health_issue"), include_poster=True)


def test_section_text_is_cut_to_3000():
    text = blocks(rendered(text="d" * 5000))[0]["text"]["text"]
    assert (len(text), text[-1]) == (3000, "…")


def test_escaping_never_pushes_text_past_the_limit_nor_splits_an_entity():
    text = blocks(rendered(text="&" * 5000))[0]["text"]["text"]
    assert len(text) <= 3000
    assert text.removesuffix("…").replace("&amp;", "") == ""


def test_at_most_10_fields_of_2000():
    fields = [(f"F{i}", "v" * 3000) for i in range(12)]
    section = blocks(rendered(fields=fields))[1]["fields"]
    assert len(section) == 10 and all(len(f["text"]) <= 2000 for f in section)


def test_cut_escapes_and_truncates():
    assert cut("a<b", 100) == "a&lt;b"
    assert len(cut("<" * 50, 20)) <= 20


def test_message_text_is_cut_to_40000(server, monkeypatch):
    long = rendered(title="T" * 50_000, text="d" * 50_000)
    monkeypatch.setattr("notifications.providers.slack.render", lambda message: long)
    send(slack(server.url), "health_issue")
    body = server.last_request.json()
    assert len(body["text"]) == 40_000 and body["text"].endswith("…")
    assert len(body["attachments"][0]["fallback"]) <= 40_000
    assert len(body["attachments"][0]["blocks"][0]["text"]["text"]) <= 3000


# -- secrets ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "reply",
    [
        Reply(403, "invalid_token"),
        Reply(404, f"<html>no hook at {PATH}</html>"),
        Reply(400, f"bad request {SECRET}"),
        Reply(429, "slow", headers={"Retry-After": "1"}),
        Reply(500, f"boom {PATH}"),
        Reply(200, f"<html>{SECRET}</html>"),
        Reply(302, headers={"Location": f"http://127.0.0.1:1{PATH}"}),
        Reply(close=True),
    ],
    ids=["403", "404-html", "400", "429", "500", "200-html", "302", "closed"],
)
def test_webhook_secret_never_appears_in_error_messages(server, reply):
    server.script([reply])
    with pytest.raises(IntegrationError) as caught:
        send(slack(server.url))
    for text in (str(caught.value), repr(caught.value.details)):
        assert SECRET not in text
    assert "/services/T0123ABCD/B0456EFGH/***" in str(caught.value)


def test_webhook_secret_never_appears_in_connection_errors():
    with pytest.raises(ConnectionFailed) as caught:
        send(slack(f"http://127.0.0.1:{free_port()}"))
    assert SECRET not in str(caught.value)


def test_slack_url_errors_show_team_and_bot_ids_only(server):
    hook = Slack(SlackSettings(webhook_url=SLACK_URL))
    assert hook._where() == "Slack webhook https://hooks.slack.com/services/T0123ABCD/B0456EFGH/***"


def test_secret_echoed_by_a_successful_answer_is_scrubbed(server):
    server.script([Reply(200, {"ok": True, "echo": PATH})])
    assert SECRET not in json.dumps(send(slack(server.url)))


def test_webhook_url_is_not_in_public_settings():
    settings = SlackSettings(webhook_url=SLACK_URL)
    assert SECRET not in repr(settings.public_dict()) and SECRET not in repr(settings)


def test_health_url_is_the_host_without_the_secret():
    assert Slack(SlackSettings(webhook_url=SLACK_URL)).health_url() == "https://hooks.slack.com/"


# -- settings ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", [SLACK_URL, "http://127.0.0.1:8065/hooks/abc123", "https://chat.example/hooks/x"]
)
def test_slack_and_compatible_urls_are_accepted(url):
    assert SlackSettings(webhook_url=url).webhook_url.get_secret_value() == url


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T0123ABCD/B0456EFGH",
        "https://hooks.slack.com/triggers/T0123/123/abc",
        f"http://hooks.slack.com{PATH}",
    ],
)
def test_incomplete_slack_urls_are_rejected_with_the_reason(url):
    with pytest.raises(ValidationError, match="is not a complete Slack incoming webhook URL"):
        SlackSettings(webhook_url=url)


@pytest.mark.parametrize("url", ["ftp://h/x", "hooks.slack.com/services/T/B/x", "", "http://"])
def test_non_http_urls_are_rejected(url):
    with pytest.raises(ValidationError, match="must be a Slack incoming webhook URL"):
        SlackSettings(webhook_url=url)


def test_rejected_url_does_not_echo_the_secret():
    with pytest.raises(ValidationError) as caught:
        SlackSettings(webhook_url=f"http://hooks.slack.com{PATH}")
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("emoji", ["tv", ":tv", "📺", ": tv:"])
def test_icon_emoji_must_be_a_colon_code(emoji):
    with pytest.raises(ValidationError, match="emoji code between colons"):
        SlackSettings(webhook_url=SLACK_URL, icon_emoji=emoji)


def test_icon_url_must_be_http():
    with pytest.raises(ValidationError, match="must be an http"):
        SlackSettings(webhook_url=SLACK_URL, icon_url="javascript:alert(1)")


def test_icon_emoji_and_icon_url_are_exclusive():
    with pytest.raises(ValidationError, match="not both"):
        SlackSettings(webhook_url=SLACK_URL, icon_emoji=":tv:", icon_url="https://i.example/a.png")


@pytest.mark.parametrize("channel", ["#my channel", "a,b", "#" + "x" * 81])
def test_bad_channel_is_rejected(channel):
    with pytest.raises(ValidationError, match="#channel"):
        SlackSettings(webhook_url=SLACK_URL, channel=channel)


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError) as caught:
        SlackSettings(webhook_url=SLACK_URL, color="good")
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_webhook_url_is_the_only_secret():
    assert SlackSettings.secret_fields() == ["webhook_url"]


def test_every_setting_has_a_description():
    properties = SlackSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())
