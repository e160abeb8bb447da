"""Telegram notifier: Bot API request shapes, escaping, limits and error forms.

Most tests run against a real recording HTTP server on loopback (the ``api_url``
override); ``responses`` checks the official base URL without a network.
"""

from __future__ import annotations

import html
import re

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
    RequestTimedOut,
    ServerError,
)
from notifications.base import EventMessage
from notifications.providers.telegram import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Telegram,
    TelegramSettings,
    escape_markdown_v2,
)
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
CHAT = "-1001234567890"
POSTER = "https://artworks.thetvdb.com/banners/posters/1234-1.jpg"
WIKI = "https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"
OK = {"ok": True, "result": {"message_id": 42, "chat": {"id": -1001234567890}}}
CORE_EVENTS = ("grab", "download", "upgrade", "health_issue", "manual_test")


@pytest.fixture
def server():
    with RecordingServer(default_response=Reply(200, OK)) as srv:
        yield srv


def settings(api_url: str, **overrides) -> TelegramSettings:
    values = {"bot_token": TOKEN, "chat_id": CHAT, "api_url": api_url, **overrides}
    return TelegramSettings(**values)


def bot(server: RecordingServer, **overrides) -> Telegram:
    return Telegram(settings(server.url, **overrides))


def message(event_type: str = "grab", *, poster: str = "", app_url: str = "") -> EventMessage:
    msg = sample_message(event_type)
    msg.application_url = app_url
    if poster:
        msg.payload.setdefault("series", {"id": 1, "title": "Test Title"})
        msg.payload["series"]["images"] = [{"coverType": "poster", "remoteUrl": poster}]
    return msg


def send(notifier: Telegram, msg: EventMessage | None = None) -> dict:
    with notifier:
        return notifier.send(msg or message())


def visible(text: str) -> str:
    """What a Telegram user sees of an HTML-mode text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def failure(server: RecordingServer, reply: Reply, **overrides) -> IntegrationError:
    server.script([reply])
    with pytest.raises(IntegrationError) as caught:
        send(bot(server, **overrides))
    return caught.value


# -- settings ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "token",
    [
        "",
        "123456789",
        "123456789:short",
        "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw!",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQX",
    ],
)
def test_malformed_bot_token_is_rejected_at_save(token):
    with pytest.raises(ValidationError, match="not a Telegram bot token|bot_token"):
        TelegramSettings(bot_token=token, chat_id=CHAT)


def test_rejected_token_is_not_echoed_in_the_validation_error():
    almost = TOKEN + "Z"
    with pytest.raises(ValidationError) as caught:
        TelegramSettings(bot_token=almost, chat_id=CHAT)
    assert almost not in str(caught.value)
    assert all(almost not in e["msg"] for e in caught.value.errors())


def test_token_is_a_secret_and_not_in_public_settings():
    s = settings("https://api.telegram.org")
    assert TelegramSettings.secret_fields() == ["bot_token"]
    assert TOKEN not in str(s.public_dict()) and TOKEN not in repr(s)


@pytest.mark.parametrize("chat_id", ["", "chat", "@ab", "12a4", "-", "@9channel", "1 2"])
def test_malformed_chat_id_is_rejected(chat_id):
    with pytest.raises(ValidationError, match="chat_id"):
        TelegramSettings(bot_token=TOKEN, chat_id=chat_id)


def test_missing_chat_id_is_rejected():
    with pytest.raises(ValidationError, match="chat_id"):
        TelegramSettings(bot_token=TOKEN)


@pytest.mark.parametrize("chat_id", [-1001234567890, "@idkarr_news", "987654321"])
def test_numeric_and_channel_chat_ids_are_accepted(chat_id):
    assert TelegramSettings(bot_token=TOKEN, chat_id=chat_id).chat_id == str(chat_id)


@pytest.mark.parametrize(
    "url", ["ftp://api.example", "api.telegram.org", "http://", "https://x/?a=1", "http://a b"]
)
def test_api_url_must_be_a_plain_http_url(url):
    with pytest.raises(ValidationError, match="api_url"):
        TelegramSettings(bot_token=TOKEN, chat_id=CHAT, api_url=url)


def test_topic_id_must_be_positive():
    with pytest.raises(ValidationError, match="message_thread_id"):
        TelegramSettings(bot_token=TOKEN, chat_id=CHAT, message_thread_id=0)


def test_legacy_markdown_parse_mode_is_rejected():
    with pytest.raises(ValidationError, match="parse_mode"):
        TelegramSettings(bot_token=TOKEN, chat_id=CHAT, parse_mode="Markdown")


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError, match="extra"):
        TelegramSettings(bot_token=TOKEN, chat_id=CHAT, chat="x")


def test_every_setting_has_a_description():
    assert all(f.description for f in TelegramSettings.model_fields.values())


def test_health_url_is_the_api_base_without_the_token():
    assert Telegram(settings("http://127.0.0.1:9/tg/")).health_url() == "http://127.0.0.1:9/tg"


# -- request shape -------------------------------------------------------------------
@responses.activate
def test_default_endpoint_is_the_official_bot_api_with_the_token_in_the_path():
    responses.post(f"https://api.telegram.org/bot{TOKEN}/sendMessage", json=OK)
    with Telegram(TelegramSettings(bot_token=TOKEN, chat_id=CHAT)) as notifier:
        notifier.send(message())
    request = responses.calls[0].request
    assert request.headers["Content-Type"] == "application/json"


def test_send_message_is_a_json_post_to_the_bot_path_of_the_base_url(server):
    send(Telegram(settings(server.url + "/proxy")))
    request = server.last_request
    assert (request.method, request.path) == ("POST", f"/proxy/bot{TOKEN}/sendMessage")
    assert request.headers["Content-Type"] == "application/json"


def test_send_message_body_has_exactly_the_documented_fields(server):
    send(bot(server))
    body = server.last_request.json()
    assert set(body) == {
        "chat_id",
        "text",
        "parse_mode",
        "disable_notification",
        "link_preview_options",
    }
    assert body["chat_id"] == -1001234567890
    assert body["parse_mode"] == "HTML"
    assert body["disable_notification"] is False


def test_link_previews_are_disabled(server):
    send(bot(server))
    assert server.last_request.json()["link_preview_options"] == {"is_disabled": True}


def test_channel_username_is_sent_as_a_string(server):
    send(bot(server, chat_id="@idkarr_news"))
    assert server.last_request.json()["chat_id"] == "@idkarr_news"


def test_topic_id_is_sent_as_message_thread_id(server):
    send(bot(server, message_thread_id=17))
    assert server.last_request.json()["message_thread_id"] == 17


def test_silent_option_sets_disable_notification(server):
    send(bot(server, send_silently=True))
    assert server.last_request.json()["disable_notification"] is True


def test_grab_text_is_emoji_bold_title_lines_and_bold_fields(server):
    send(bot(server), message("grab"))
    assert server.last_request.json()["text"] == (
        "📥 <b>Grabbed: Test Title S01E01 [WEBDL-1080p]</b>\n"
        "Test title\n"
        "Test.Title.S01E01.1080p.WEB-DL.x264-GROUP\n"
        "Indexer: Test Indexer, Size: 1.4 GB, Client: qBittorrent\n"
        "<b>Quality:</b> WEBDL-1080p\n"
        "<b>Size:</b> 1.4 GB\n"
        "<b>Indexer:</b> Test Indexer\n"
        "<b>Release group:</b> GROUP\n"
        "<b>Download client:</b> qBittorrent"
    )


@pytest.mark.parametrize(
    ("event_type", "first_line"),
    [
        ("grab", "📥 <b>Grabbed: Test Title S01E01 [WEBDL-1080p]</b>"),
        ("download", "✅ <b>Imported: Test Title S01E01 [WEBDL-1080p]</b>"),
        ("upgrade", "⬆️ <b>Upgraded: Test Title S01E01 [WEBDL-1080p]</b>"),
        ("health_issue", "⚠️ <b>Health issue: Download client qBittorrent is unavailable</b>"),
        ("manual_test", "🧪 <b>Test notification from idkarr</b>"),
    ],
)
def test_each_event_starts_with_its_emoji_and_bold_title(server, event_type, first_line):
    send(bot(server), message(event_type))
    assert server.last_request.json()["text"].split("\n")[0] == first_line


@pytest.mark.parametrize("event_type", CORE_EVENTS)
def test_each_event_is_one_send_message_request(server, event_type):
    send(bot(server), message(event_type))
    assert [r.path.rsplit("/", 1)[1] for r in server.requests] == ["sendMessage"]


def test_upgrade_text_says_how_many_files_it_replaced(server):
    send(bot(server), message("upgrade"))
    assert "\nReplaced 1 file(s)\n" in server.last_request.json()["text"]


def test_health_issue_links_the_wiki_once_as_an_anchor(server):
    send(bot(server), message("health_issue"))
    text = server.last_request.json()["text"]
    assert text.endswith(f'\n<a href="{WIKI}">More information</a>')
    assert text.count(WIKI) == 1


def test_application_url_becomes_an_open_link(server):
    send(bot(server), message("download", app_url="http://idkarr.lan:8989"))
    assert server.last_request.json()["text"].endswith(
        '\n<a href="http://idkarr.lan:8989">Open idkarr</a>'
    )


def test_html_mode_escapes_angle_brackets_and_ampersands(server):
    msg = EventMessage("series_add", {"series": {"id": 1, "title": "Law & Order <SVU>"}})
    send(bot(server), msg)
    text = server.last_request.json()["text"]
    assert "Law &amp; Order &lt;SVU&gt;" in text
    assert "<SVU>" not in text


def test_html_mode_escapes_quotes_inside_the_link_href(server):
    send(bot(server), message("download", app_url='http://idkarr.lan/"x'))
    assert '<a href="http://idkarr.lan/&quot;x">' in server.last_request.json()["text"]


def test_markdown_v2_escapes_every_special_character():
    specials = "_*[]()~`>#+-=|{}.!\\"
    assert escape_markdown_v2(specials) == "".join("\\" + c for c in specials)


def test_markdown_v2_leaves_ordinary_text_alone():
    assert escape_markdown_v2("Test Title 1080p ✅") == "Test Title 1080p ✅"


def test_markdown_v2_grab_text_is_escaped_with_bold_title_and_fields(server):
    send(bot(server, parse_mode="MarkdownV2"), message("grab"))
    body = server.last_request.json()
    assert body["parse_mode"] == "MarkdownV2"
    lines = body["text"].split("\n")
    assert lines[0] == r"📥 *Grabbed: Test Title S01E01 \[WEBDL\-1080p\]*"
    assert lines[2] == r"Test\.Title\.S01E01\.1080p\.WEB\-DL\.x264\-GROUP"
    assert r"*Release group:* GROUP" in lines
    assert r"*Size:* 1\.4 GB" in lines


def test_markdown_v2_link_escapes_parenthesis_and_backslash_in_the_url(server):
    send(bot(server, parse_mode="MarkdownV2"), message("download", app_url="http://h/a)b\\c"))
    assert server.last_request.json()["text"].endswith(r"[Open idkarr](http://h/a\)b\\c)")


def test_markdown_v2_escapes_a_title_full_of_specials(server):
    msg = EventMessage("series_add", {"series": {"id": 1, "title": "A_B*C (2024) #1 v2.0!"}})
    send(bot(server, parse_mode="MarkdownV2"), msg)
    assert r"A\_B\*C \(2024\) \#1 v2\.0\!" in server.last_request.json()["text"]


def test_success_returns_status_and_message_id(server):
    details = send(bot(server))
    assert details["status_code"] == 200
    assert details["message_ids"] == [42]
    assert "42" in details["response"]


def test_unknown_event_type_is_permanent_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type") as caught:
        send(bot(server), EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.requests == []


# -- poster ------------------------------------------------------------------------
def test_poster_is_sent_with_send_photo_and_the_text_as_caption(server):
    send(bot(server), message("download", poster=POSTER))
    assert len(server.requests) == 1
    request = server.last_request
    assert request.path == f"/bot{TOKEN}/sendPhoto"
    body = request.json()
    assert set(body) == {"chat_id", "photo", "caption", "parse_mode", "disable_notification"}
    assert body["photo"] == POSTER
    assert body["caption"].startswith("✅ <b>Imported: Test Title S01E01 [WEBDL-1080p]</b>\n")


def test_poster_photo_carries_topic_and_silent_flag(server):
    send(bot(server, message_thread_id=5, send_silently=True), message("grab", poster=POSTER))
    body = server.last_request.json()
    assert (body["message_thread_id"], body["disable_notification"]) == (5, True)


def test_poster_is_not_sent_when_send_poster_is_off(server):
    send(bot(server, send_poster=False), message("download", poster=POSTER))
    assert server.last_request.path.endswith("/sendMessage")
    assert POSTER not in server.last_request.text


def test_text_over_the_caption_limit_continues_in_a_message(server):
    msg = message("download", poster=POSTER)
    msg.payload["episodeFile"]["sceneName"] = "x" * 1500
    send(bot(server), msg)
    photo, rest = (r.json() for r in server.requests)
    assert server.requests[1].path.endswith("/sendMessage")
    assert len(visible(photo["caption"])) <= CAPTION_LIMIT
    assert "x" * 1500 in rest["text"]
    assert "Imported" in photo["caption"] and "Imported" not in rest["text"]


def test_poster_telegram_cannot_fetch_falls_back_to_a_text_message(server):
    server.script(
        [
            Reply(
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: wrong file identifier/HTTP URL specified",
                },
            )
        ]
    )
    send(bot(server), message("download", poster=POSTER))
    assert server.requests[1].path.endswith("/sendMessage")
    assert server.requests[1].json()["text"].startswith("✅ <b>Imported")


def test_chat_error_on_send_photo_is_raised_without_a_fallback(server):
    server.script(
        [Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})]
    )
    with pytest.raises(ConfigurationError, match="chat not found"):
        send(bot(server), message("download", poster=POSTER))
    assert len(server.requests) == 1


# -- limits ------------------------------------------------------------------------
def long_message(scene_name: str, **kwargs) -> EventMessage:
    """A download whose scene-name line is as long as the caller wants."""
    msg = message("download", **kwargs)
    msg.payload["episodeFile"]["sceneName"] = scene_name
    return msg


def visible_length(server: RecordingServer, msg: EventMessage, **overrides) -> int:
    send(bot(server, **overrides), msg)
    return utf16(visible(server.last_request.json()["text"]))


def test_text_exactly_at_the_limit_is_not_cut(server):
    overhead = visible_length(server, long_message("m")) - 1
    send(bot(server), long_message("m" * (TEXT_LIMIT - overhead)))
    text = visible(server.last_request.json()["text"])
    assert utf16(text) == TEXT_LIMIT and "…" not in text


def test_text_one_over_the_limit_is_cut_to_the_limit_with_an_ellipsis(server):
    overhead = visible_length(server, long_message("m")) - 1
    send(bot(server), long_message("m" * (TEXT_LIMIT - overhead + 1)))
    text = visible(server.last_request.json()["text"])
    assert utf16(text) == TEXT_LIMIT and text.endswith("\nDownload client: qBittorre…")


def test_text_far_over_the_limit_is_cut_and_later_lines_dropped(server):
    send(bot(server), long_message("m" * 10_000))
    text = server.last_request.json()["text"]
    assert utf16(visible(text)) == TEXT_LIMIT
    assert text.endswith("m…") and "Download client" not in text


def test_truncated_html_keeps_its_tags_and_entities_whole(server):
    send(bot(server), long_message("<&>" * 3000))
    text = server.last_request.json()["text"]
    assert text.count("<b>") == text.count("</b>")
    assert re.sub(r"</?b>|&(amp|lt|gt);", "", text).count("<") == 0
    assert re.search(r"&(?!amp;|lt;|gt;)", text) is None
    assert utf16(visible(text)) == TEXT_LIMIT


def test_truncated_markdown_v2_never_leaves_a_dangling_escape(server):
    send(bot(server, parse_mode="MarkdownV2"), long_message("." * 5000))
    text = server.last_request.json()["text"]
    assert text.endswith("\\.…")
    assert utf16(text.replace("\\", "").replace("*", "")) == TEXT_LIMIT


def test_emoji_count_as_two_units_towards_the_limit(server):
    send(bot(server), long_message("🎬" * 3000))
    assert utf16(visible(server.last_request.json()["text"])) == TEXT_LIMIT


def test_a_link_that_does_not_fit_is_dropped_not_cut(server):
    send(bot(server), long_message("m" * 10_000, app_url="http://idkarr.lan"))
    text = server.last_request.json()["text"]
    assert "<a " not in text and "idkarr.lan" not in text


def test_caption_and_follow_up_message_both_respect_their_limits(server):
    send(bot(server), long_message("m" * 10_000, poster=POSTER))
    photo, rest = (r.json() for r in server.requests)
    assert utf16(visible(photo["caption"])) <= CAPTION_LIMIT
    assert utf16(visible(rest["text"])) == TEXT_LIMIT and rest["text"].endswith("m…")


# -- errors ------------------------------------------------------------------------
def error_reply(status: int, description: str, **extra) -> Reply:
    return Reply(status, {"ok": False, "error_code": status, "description": description, **extra})


def test_chat_not_found_is_permanent_with_telegrams_description(server):
    exc = failure(server, error_reply(400, "Bad Request: chat not found"))
    assert isinstance(exc, ConfigurationError) and exc.permanent
    assert "Bad Request: chat not found" in exc.message
    assert exc.details["status_code"] == 400


def test_unauthorized_is_a_bad_token_authentication_error(server):
    exc = failure(server, error_reply(401, "Unauthorized"))
    assert isinstance(exc, AuthenticationError) and exc.permanent
    assert "bot token" in exc.message and "Unauthorized" in exc.message


def test_not_found_means_the_token_or_api_url_is_wrong(server):
    exc = failure(server, error_reply(404, "Not Found"))
    assert isinstance(exc, AuthenticationError) and exc.permanent
    assert "Not Found" in exc.message


@pytest.mark.parametrize(
    "description",
    [
        "Forbidden: bot was blocked by the user",
        "Forbidden: bot is not a member of the channel chat",
    ],
)
def test_forbidden_chat_is_permanent_with_the_reason(server, description):
    exc = failure(server, error_reply(403, description))
    assert exc.permanent and description in exc.message
    assert CHAT in exc.message


def test_migrated_group_names_the_new_chat_id(server):
    exc = failure(
        server,
        error_reply(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            parameters={"migrate_to_chat_id": -1009876543210},
        ),
    )
    assert exc.permanent and "set the chat id to -1009876543210" in exc.message


def test_flood_control_is_rate_limited_with_parameters_retry_after(server):
    exc = failure(
        server,
        error_reply(429, "Too Many Requests: retry after 37", parameters={"retry_after": 37}),
    )
    assert isinstance(exc, RateLimited) and not exc.permanent
    assert exc.retry_after == 37


def test_429_without_parameters_uses_the_retry_after_header(server):
    reply = error_reply(429, "Too Many Requests")
    reply.headers["Retry-After"] = "12"
    exc = failure(server, reply)
    assert isinstance(exc, RateLimited) and exc.retry_after == 12


@pytest.mark.parametrize("status", [500, 502])
def test_server_error_json_is_transient(server, status):
    exc = failure(server, error_reply(status, "Internal Server Error"))
    assert isinstance(exc, ServerError) and not exc.permanent


def test_html_error_page_from_a_proxy_is_transient_and_says_html(server):
    exc = failure(
        server, Reply(502, "<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})
    )
    assert isinstance(exc, ServerError)
    assert "Telegram" in exc.message and "HTML page" in exc.message


def test_html_answer_with_200_is_a_clear_protocol_error(server):
    exc = failure(
        server, Reply(200, "<!doctype html><title>Login</title>", {"Content-Type": "text/html"})
    )
    assert isinstance(exc, ProtocolError) and exc.permanent
    assert "Telegram sendMessage" in exc.message and "HTML page" in exc.message


def test_garbage_answer_is_a_protocol_error(server):
    exc = failure(server, Reply(200, "definitely not json"))
    assert isinstance(exc, ProtocolError)
    assert "not a Bot API response" in exc.message


def test_ok_false_with_200_is_still_an_error(server):
    exc = failure(
        server, Reply(200, {"ok": False, "description": "Bad Request: message text is empty"})
    )
    assert isinstance(exc, ConfigurationError) and "message text is empty" in exc.message


def test_connection_refused_is_transient_and_hides_the_token():
    notifier = Telegram(settings(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(ConnectionFailed) as caught:
        send(notifier)
    assert not caught.value.permanent
    assert TOKEN not in str(caught.value)
    assert "/bot***/" in str(caught.value)


def test_timeout_is_transient_and_hides_the_token(server):
    server.script([Reply(hang=True)])
    with pytest.raises(RequestTimedOut) as caught:
        send(bot(server, timeout_seconds=0.3))
    assert TOKEN not in str(caught.value)


ERROR_REPLIES = [
    error_reply(400, "Bad Request: chat not found"),
    error_reply(401, "Unauthorized"),
    error_reply(403, "Forbidden: bot was blocked by the user"),
    error_reply(404, "Not Found"),
    error_reply(429, "Too Many Requests", parameters={"retry_after": 5}),
    error_reply(500, "Internal Server Error"),
    Reply(502, "<html>bad gateway</html>", {"Content-Type": "text/html"}),
    Reply(200, "garbage"),
    error_reply(400, f"Bad Request: token {TOKEN} echoed"),
    Reply(502, f"<html>upstream /bot{TOKEN}/sendMessage failed</html>"),
]


@pytest.mark.parametrize("reply", ERROR_REPLIES)
def test_token_never_appears_in_an_error(server, reply):
    exc = failure(server, reply)
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc.args)
    assert TOKEN not in str(exc.details)
    assert TOKEN.split(":")[1] not in str(exc)
