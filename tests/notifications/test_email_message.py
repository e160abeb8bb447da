"""Email notifier: message shape and truncation, against a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest

from notifications.base import EventMessage
from notifications.message import render
from notifications.providers.email import (
    SUBJECT_LIMIT,
    TEXT_LIMIT,
    Email,
)
from notifications.samples import sample_message
from tests.notifications.email_support import (
    parts,
    send,
    server,  # noqa: F401
    settings,
    smtp_server,  # noqa: F401
)


# -- message shape ---------------------------------------------------------------
def test_message_is_multipart_alternative_with_text_then_html(server):
    send(server.port)
    msg = server.last_message()
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


@pytest.mark.parametrize(
    "event_type", ["grab", "download", "upgrade", "health_issue", "manual_test"]
)
def test_subject_is_prefix_and_rendered_title(server, event_type):
    send(server.port, event_type)
    assert (
        server.last_message()["Subject"] == "[idkarr] " + render(sample_message(event_type)).title
    )


@pytest.mark.parametrize(
    "event_type", ["grab", "download", "upgrade", "health_issue", "manual_test"]
)
def test_text_part_carries_title_text_and_fields(server, event_type):
    send(server.port, event_type)
    rendered = render(sample_message(event_type))
    text = parts(server.last_message())["text/plain"]
    assert rendered.title in text
    assert rendered.text in text
    for name, value in rendered.fields:
        assert f"{name}: {value}" in text


@pytest.mark.parametrize(
    "event_type", ["grab", "download", "upgrade", "health_issue", "manual_test"]
)
def test_html_part_is_the_rendered_html_in_a_document(server, event_type):
    send(server.port, event_type)
    rendered = render(sample_message(event_type))
    html = parts(server.last_message())["text/html"]
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert rendered.html().replace("\n", "<br>\n") in html
    assert rendered.colour_hex in html


def test_grab_fields_reach_the_html_part(server):
    send(server.port, "grab")
    html = parts(server.last_message())["text/html"]
    assert "<b>Indexer:</b> Test Indexer" in html
    assert "<b>Download client:</b> qBittorrent" in html


def test_health_issue_links_the_wiki_page(server):
    send(server.port, "health_issue")
    html = parts(server.last_message())["text/html"]
    assert 'href="https://wiki.servarr.com/sonarr/system#download-clients-are-unavailable"' in html


def test_headers_name_sender_recipients_and_cc(server):
    send(server.port, to=["Alice <alice@example.com>", "bob@example.com"], cc=["carol@example.org"])
    msg = server.last_message()
    assert msg["From"] == "idkarr <idkarr@example.com>"
    assert msg["To"] == "Alice <alice@example.com>, bob@example.com"
    assert msg["Cc"] == "carol@example.org"


def test_date_header_is_now(server):
    send(server.port)
    sent = parsedate_to_datetime(server.last_message()["Date"])
    assert abs((dt.datetime.now(dt.UTC) - sent).total_seconds()) < 60


def test_message_id_is_on_the_sender_domain_and_unique(server):
    first = send(server.port)["message_id"]
    second = send(server.port)["message_id"]
    assert server.last_message()["Message-ID"] == second
    assert first != second
    assert second.startswith("<") and second.endswith("@example.com>")


def test_message_is_marked_auto_generated(server):
    send(server.port)
    assert server.last_message()["Auto-Submitted"] == "auto-generated"


def test_bcc_recipients_are_in_the_envelope_only(server):
    send(
        server.port, to=["alice@example.com"], cc=["carol@example.org"], bcc=["secret@example.net"]
    )
    envelope = server.envelopes[-1]
    assert envelope.rcpt_tos == ["alice@example.com", "carol@example.org", "secret@example.net"]
    assert b"secret@example.net" not in envelope.content
    assert server.last_message()["Bcc"] is None


def test_envelope_sender_is_the_bare_from_address(server):
    send(server.port)
    assert server.envelopes[-1].mail_from == "idkarr@example.com"


def test_a_recipient_listed_twice_gets_one_copy(server):
    send(server.port, to=["Alice@example.com", "bob@example.com"], bcc=["alice@example.com"])
    assert server.envelopes[-1].rcpt_tos == ["Alice@example.com", "bob@example.com"]


def test_bcc_only_uses_undisclosed_recipients(server):
    send(server.port, to=[], bcc=["secret@example.net"])
    assert server.last_message()["To"] == "undisclosed-recipients:;"
    assert server.envelopes[-1].rcpt_tos == ["secret@example.net"]


def test_subject_prefix_can_be_empty(server):
    send(server.port, "manual_test", subject_prefix="")
    assert server.last_message()["Subject"] == "Test notification from idkarr"


def test_html_part_escapes_the_payload(server):
    message = EventMessage("series_add", {"series": {"id": 1, "title": "<script>x</script> & Co"}})
    send(server.port, message=message)
    html = parts(server.last_message())["text/html"]
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in html


def test_non_http_link_is_not_made_clickable(server):
    message = EventMessage(
        "health_issue", {"message": "Disk full", "level": "error", "wikiUrl": "javascript:alert(1)"}
    )
    send(server.port, message=message)
    html = parts(server.last_message())["text/html"]
    assert "href=" not in html
    assert "javascript:alert(1)" in html  # shown as text only


def test_poster_is_shown_when_the_payload_has_one(server):
    poster = "https://images.example.com/poster.jpg?a=1&b=2"
    message = EventMessage(
        "series_add",
        {
            "series": {
                "id": 1,
                "title": "Show",
                "images": [{"coverType": "poster", "remoteUrl": poster}],
            }
        },
    )
    send(server.port, message=message)
    assert (
        'src="https://images.example.com/poster.jpg?a=1&amp;b=2"'
        in parts(server.last_message())["text/html"]
    )


def test_non_ascii_subject_and_body_arrive_intact(server):
    message = EventMessage("series_add", {"series": {"id": 1, "title": "Só Ação 東京"}})
    send(server.port, message=message, from_address="Jürgen <j@example.com>")
    msg = server.last_message()
    assert "Só Ação 東京" in msg["Subject"]
    assert "Só Ação 東京" in parts(msg)["text/plain"]
    assert msg["From"] == "Jürgen <j@example.com>"
    assert all(byte < 128 for byte in server.envelopes[-1].content)  # MIME-encoded, 7-bit safe


def test_delivery_id_is_sent_as_a_header(server):
    message = sample_message("grab")
    message.delivery_id = 4711
    send(server.port, message=message)
    assert server.last_message()["X-Idkarr-Delivery"] == "4711"


def test_success_returns_the_servers_reply_for_the_log(server):
    details = send(server.port, to=["alice@example.com"], bcc=["b@example.com"])
    assert details["status_code"] == 250
    assert details["response"] == "2.0.0 Ok: queued as ABC123"
    assert details["recipients"] == 2
    assert "refused" not in details


def test_partly_refused_recipients_are_reported_but_delivered_to_the_rest(server):
    server.rcpt_replies["gone@example.com"] = "550 5.1.1 <gone@example.com>: mailbox unavailable"
    details = send(server.port, to=["alice@example.com", "gone@example.com"])
    assert server.envelopes[-1].rcpt_tos == ["alice@example.com"]
    assert details["recipients"] == 1
    assert list(details["refused"]) == ["gone@example.com"]
    assert details["refused"] == {
        "gone@example.com": "550 5.1.1 <gone@example.com>: mailbox unavailable"
    }


def test_a_failing_quit_after_the_message_was_accepted_is_still_a_success(server):
    server.quit_reply = "451 4.3.0 Something odd at QUIT"
    details = send(server.port)
    assert details["status_code"] == 250
    assert len(server.envelopes) == 1


def test_test_button_sends_a_manual_test_message(server):
    result = Email(settings(server.port)).run_test()
    assert result.ok
    assert server.last_message()["X-Idkarr-Event"] == "manual_test"


# -- truncation --------------------------------------------------------------------
def test_long_subject_is_truncated_at_the_limit(server):
    message = EventMessage("series_add", {"series": {"id": 1, "title": "T" * 2000}})
    send(server.port, message=message, subject_prefix="[idkarr on the big media server]")
    subject = server.last_message()["Subject"]
    assert len(subject) == SUBJECT_LIMIT
    assert subject.endswith("…")


def test_long_text_is_truncated_at_the_limit(server):
    message = EventMessage("app_update", {"message": "x" * (TEXT_LIMIT + 5000)})
    send(server.port, message=message)
    text = parts(server.last_message())["text/plain"]
    full = render(message).text
    assert full.startswith("idkarr updated to") and len(full) > TEXT_LIMIT
    assert full[: TEXT_LIMIT - 1] + "…\n" in text
    assert full[:TEXT_LIMIT] not in text
