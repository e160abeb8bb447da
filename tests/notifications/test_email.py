"""Email notifier against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from integrations.base import HEALTHY, UNHEALTHY
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    ProtocolError,
    RequestTimedOut,
    ServerError,
)
from notifications.base import EventMessage
from notifications.message import render
from notifications.providers.email import (
    SUBJECT_LIMIT,
    TEXT_LIMIT,
    Email,
    EmailSettings,
)
from notifications.samples import sample_message
from tests.conftest import free_port

PASSWORD = "smtp-pass-Q7z"
USER = "idkarr-user"


# -- a real SMTP server --------------------------------------------------------
class Recorder:
    """aiosmtpd handler that stores accepted envelopes and can answer with scripted replies."""

    def __init__(self):
        self.envelopes = []
        self.sessions = []
        self.mail_reply = ""
        self.rcpt_replies: dict[str, str] = {}
        self.data_reply = "250 2.0.0 Ok: queued as ABC123"
        self.quit_reply = "221 Bye"
        self.port = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply.startswith("250"):
            self.envelopes.append(envelope)
            self.sessions.append(session)
        return self.data_reply

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply

    def last_message(self):
        return message_from_bytes(self.envelopes[-1].content, policy=policy.default)


def check_login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: reply 535 on failure


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost / 127.0.0.1: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def server_tls(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def smtp_server():
    """Start real SMTP servers: ``start(**Controller/SMTP kwargs) -> Recorder``."""
    controllers = []

    def start(**kwargs) -> Recorder:
        handler = Recorder()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        handler.port = controller.port
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def server(smtp_server):
    return smtp_server()


class RawServer:
    """A TCP server that is not a (working) SMTP server: sends ``greeting`` then closes,
    or holds the connection open without a word."""

    def __init__(self, greeting: bytes = b"", hold: bool = False):
        self.greeting, self.hold = greeting, hold
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            if self.greeting:
                conn.sendall(self.greeting)
            if self.hold:
                self.release.wait(10)

    def close(self):
        self.release.set()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def raw_server():
    servers = []

    def start(greeting: bytes = b"", hold: bool = False) -> RawServer:
        srv = RawServer(greeting, hold)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.close()


def settings(port: int, **overrides) -> EmailSettings:
    values = {
        "server": "127.0.0.1",
        "port": port,
        "encryption": "none",
        "from_address": "idkarr <idkarr@example.com>",
        "to": ["alice@example.com"],
        "timeout_seconds": 5,
        **overrides,
    }
    return EmailSettings(**values)


def send(port: int, event_type: str = "grab", message: EventMessage | None = None, **overrides):
    return Email(settings(port, **overrides)).send(message or sample_message(event_type))


def parts(msg) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in msg.iter_parts()
    }


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


# -- TLS -----------------------------------------------------------------------------
def test_starttls_with_verification_off_delivers_over_tls(smtp_server, server_tls):
    srv = smtp_server(tls_context=server_tls, require_starttls=True)
    send(srv.port, encryption="starttls", verify_tls=False)
    assert srv.sessions[-1].ssl is not None
    assert srv.last_message()["Subject"].startswith("[idkarr] Grabbed:")


def test_starttls_verification_rejects_a_self_signed_certificate(smtp_server, server_tls):
    srv = smtp_server(tls_context=server_tls, require_starttls=True)
    with pytest.raises(ConfigurationError, match="certificate that cannot be verified") as caught:
        send(srv.port, encryption="starttls")
    assert "verify_tls" in caught.value.message
    assert caught.value.permanent is True
    assert srv.envelopes == []


def test_starttls_verification_accepts_a_trusted_certificate(
    smtp_server, server_tls, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    srv = smtp_server(tls_context=server_tls, require_starttls=True)
    send(srv.port, encryption="starttls", server="localhost")
    assert len(srv.envelopes) == 1


def test_starttls_is_required_when_chosen(server):
    with pytest.raises(ConfigurationError, match="does not offer STARTTLS"):
        send(server.port, encryption="starttls")
    assert server.envelopes == []


def test_ssl_delivers_over_implicit_tls(smtp_server, server_tls):
    srv = smtp_server(ssl_context=server_tls)
    send(srv.port, encryption="ssl", verify_tls=False)
    assert len(srv.envelopes) == 1


def test_ssl_to_a_plain_port_is_a_clear_configuration_error(server):
    with pytest.raises(ConfigurationError, match="TLS handshake failed.*465 is usually ssl"):
        send(server.port, encryption="ssl", verify_tls=False)


# -- AUTH --------------------------------------------------------------------------
def test_login_over_starttls_delivers(smtp_server, server_tls):
    srv = smtp_server(tls_context=server_tls, authenticator=check_login, auth_required=True)
    send(srv.port, encryption="starttls", verify_tls=False, username=USER, password=PASSWORD)
    assert len(srv.envelopes) == 1
    assert srv.sessions[-1].authenticated is True


def test_wrong_password_is_a_permanent_authentication_error(smtp_server, server_tls):
    srv = smtp_server(tls_context=server_tls, authenticator=check_login, auth_required=True)
    with pytest.raises(AuthenticationError, match="refused the login for 'idkarr-user'") as caught:
        send(
            srv.port, encryption="starttls", verify_tls=False, username=USER, password="wrong-pw-1"
        )
    assert caught.value.permanent is True
    assert "535" in caught.value.message
    assert "wrong-pw-1" not in caught.value.message


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_over_plain_smtp_when_the_server_allows_it(smtp_server):
    srv = smtp_server(authenticator=check_login, auth_required=True, auth_require_tls=False)
    send(srv.port, username=USER, password=PASSWORD)
    assert srv.sessions[-1].authenticated is True


def test_login_not_offered_is_a_configuration_error(smtp_server):
    # aiosmtpd only offers AUTH after TLS by default
    srv = smtp_server(authenticator=check_login)
    with pytest.raises(ConfigurationError, match="does not offer login .AUTH. on an unencrypted"):
        send(srv.port, username=USER, password=PASSWORD)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_sending_without_login_to_a_server_requiring_it_is_permanent(smtp_server):
    srv = smtp_server(authenticator=check_login, auth_required=True, auth_require_tls=False)
    with pytest.raises(IntegrationError, match="530") as caught:
        send(srv.port)
    assert caught.value.permanent is True


# -- SMTP error replies ------------------------------------------------------------
def test_refused_recipient_is_a_configuration_error_with_the_reply(server):
    server.rcpt_replies["alice@example.com"] = "550 5.1.1 User unknown"
    with pytest.raises(ConfigurationError, match="alice@example.com: 550 5.1.1 User unknown"):
        send(server.port)


def test_greylisted_recipient_is_transient(server):
    server.rcpt_replies["alice@example.com"] = "450 4.2.0 Greylisted, try again later"
    with pytest.raises(ServerError, match="Greylisted") as caught:
        send(server.port)
    assert caught.value.permanent is False


def test_refused_sender_is_a_configuration_error_with_the_reply(server):
    server.mail_reply = "553 5.7.1 Sender address rejected: not owned by user"
    with pytest.raises(
        ConfigurationError, match="idkarr@example.com: 553 5.7.1 Sender address"
    ) as caught:
        send(server.port)
    assert caught.value.permanent is True


def test_temporary_data_failure_is_transient(server):
    server.data_reply = "451 4.3.0 Mail server temporarily rejected message"
    with pytest.raises(ServerError, match="451 4.3.0") as caught:
        send(server.port)
    assert caught.value.permanent is False


def test_permanent_data_rejection_is_permanent(server):
    server.data_reply = "554 5.7.1 Message rejected as spam"
    with pytest.raises(
        IntegrationError, match="rejected the message: 554 5.7.1 Message rejected"
    ) as caught:
        send(server.port)
    assert caught.value.permanent is True


def test_busy_greeting_is_transient(raw_server):
    srv = raw_server(b"421 4.3.2 Service not available, try later\r\n")
    with pytest.raises(ServerError, match="421") as caught:
        send(srv.port)
    assert caught.value.permanent is False


# -- transport failures --------------------------------------------------------------
def test_connection_refused_is_transient():
    with pytest.raises(ConnectionFailed, match="refused the connection") as caught:
        send(free_port())
    assert caught.value.permanent is False


def test_server_disconnecting_is_transient(raw_server):
    srv = raw_server()
    with pytest.raises(ConnectionFailed, match="closed the connection") as caught:
        send(srv.port)
    assert caught.value.permanent is False


def test_silent_server_times_out(raw_server):
    srv = raw_server(hold=True)
    with pytest.raises(RequestTimedOut, match="did not answer within 0.3s") as caught:
        send(srv.port, timeout_seconds=0.3)
    assert caught.value.permanent is False


def test_an_http_server_is_a_clear_protocol_error(raw_server):
    srv = raw_server(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html></html>")
    with pytest.raises(
        ProtocolError, match="Email: the SMTP server .* did not answer like an SMTP"
    ):
        send(srv.port)


def test_unknown_event_type_is_permanent_and_sends_nothing(server):
    with pytest.raises(IntegrationError, match="unknown event type") as caught:
        send(server.port, message=EventMessage("bogus", {}))
    assert caught.value.permanent is True
    assert server.envelopes == []


# -- secrets -------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_password_echoed_by_the_server_is_scrubbed(smtp_server):
    srv = smtp_server(authenticator=check_login, auth_required=True, auth_require_tls=False)
    srv.data_reply = f"554 5.7.1 rejected for password {PASSWORD}"
    with pytest.raises(IntegrationError, match="rejected for password ...") as caught:
        send(srv.port, username=USER, password=PASSWORD)
    assert PASSWORD not in caught.value.message


def test_built_message_has_no_bcc_header():
    email = Email(settings(25, bcc=["secret@example.net"]))
    msg = email.build(sample_message("grab"))
    assert msg["Bcc"] is None
    assert "secret@example.net" not in msg.as_string()


def test_password_is_a_secret_field_never_in_public_settings():
    s = settings(25, username=USER, password=PASSWORD)
    assert EmailSettings.secret_fields() == ["password"]
    assert PASSWORD not in str(s.public_dict())
    assert PASSWORD not in repr(s)


# -- settings validation ---------------------------------------------------------------
def test_defaults_are_port_587_starttls_with_verification():
    s = EmailSettings(server="smtp.example.com", from_address="a@example.com", to=["b@example.com"])
    assert (s.port, s.encryption, s.verify_tls, s.subject_prefix) == (
        587,
        "starttls",
        True,
        "[idkarr]",
    )


def test_at_least_one_recipient_is_required():
    with pytest.raises(ValidationError, match="at least one recipient"):
        settings(25, to=[], cc=[], bcc=[])


@pytest.mark.parametrize(
    "address",
    [
        "bob",
        "bob@",
        "@example.com",
        "bob@@example.com",
        "bob@exa mple.com",
        "<bob@example.com",
        "bob@example.com\r\nBcc: x@y.z",
        "bób@example.com",
        "bob@-bad-.com",
    ],
)
def test_invalid_recipient_is_rejected_with_the_reason(address):
    with pytest.raises(ValidationError, match="must be an email address"):
        settings(25, to=[address])


def test_invalid_from_address_is_rejected():
    with pytest.raises(ValidationError, match="from_address"):
        settings(25, from_address="not-an-address")


def test_two_from_addresses_are_rejected():
    with pytest.raises(ValidationError, match="exactly one email address"):
        settings(25, from_address="a@example.com, b@example.com")


def test_recipients_may_be_given_as_one_comma_separated_string():
    s = settings(25, to='alice@example.com; "Doe, Bob" <bob@example.com>\ncarol@example.com')
    assert s.to == ["alice@example.com", '"Doe, Bob" <bob@example.com>', "carol@example.com"]


@pytest.mark.parametrize(
    ("server", "reason"),
    [
        ("smtp://mail.example.com", "not a URL"),
        ("mail.example.com:587", "without a port"),
        ("mail example.com", "host name or IP address"),
    ],
)
def test_invalid_server_is_rejected_with_the_reason(server, reason):
    with pytest.raises(ValidationError, match=reason):
        settings(25, server=server)


def test_ipv6_server_is_accepted_without_brackets():
    assert settings(25, server="[::1]").server == "::1"


def test_password_without_username_is_rejected():
    with pytest.raises(ValidationError, match="a password needs a username"):
        settings(25, password=PASSWORD)


def test_username_without_password_is_rejected():
    with pytest.raises(ValidationError, match="a username needs a password"):
        settings(25, username=USER)


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError, match="extra"):
        settings(25, use_ssl=True)


def test_every_setting_has_a_description():
    schema = EmailSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in schema.values())


# -- health --------------------------------------------------------------------------
def test_health_probes_the_port_without_sending(server):
    result = Email(settings(server.port)).health()
    assert result.status == HEALTHY
    assert "no message sent" in result.message
    assert server.envelopes == []


def test_health_is_unhealthy_when_the_server_refuses():
    port = free_port()
    result = Email(settings(port)).health()
    assert result.status == UNHEALTHY
    assert f"127.0.0.1:{port}: connection refused" in result.message
