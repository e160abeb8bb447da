"""Apprise notifier, library mode: real Apprise URLs (json://, form://, xml://) pointed at a
local HTTP receiver."""

from __future__ import annotations

import base64
import logging
import time
from urllib.parse import parse_qs

import apprise as apprise_lib
import pytest

from notifications.providers.apprise.common import (
    BODY_LIMIT,
    TITLE_LIMIT,
    load_service,
)
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply
from tests.notifications.apprise_support import (
    EVENTS,
    TITLES,
    TYPES,
    URL_PASSWORD,
    URL_TOKEN,
    fails,
    library,
    long_render,
    send,
    server,  # noqa: F401
)


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
