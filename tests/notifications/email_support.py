"""Shared fixtures and helpers for the email notifier tests: a real SMTP server (aiosmtpd) on
loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notifications.base import EventMessage
from notifications.providers.email import (
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
