"""Email notifier: TLS, AUTH, SMTP error replies, transport failures and secrets."""

from __future__ import annotations

import pytest

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
from notifications.providers.email import (
    Email,
    EmailSettings,
)
from notifications.samples import sample_message
from tests.conftest import free_port
from tests.notifications.email_support import (
    PASSWORD,
    USER,
    certificate,  # noqa: F401
    check_login,
    raw_server,  # noqa: F401
    send,
    server,  # noqa: F401
    server_tls,  # noqa: F401
    settings,
    smtp_server,  # noqa: F401
)


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
